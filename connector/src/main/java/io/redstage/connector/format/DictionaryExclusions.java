package io.redstage.connector.format;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The Parquet leaf columns of one schema written without dictionary encoding, from the names in
 * {@link FormatOptions#parquetDictionaryExcludedColumns()} plus the offset metadata column.
 *
 * <p>Why the offset column is always excluded: its values never repeat within a file (one unit of
 * one topic-partition holds each offset once), so a dictionary for it is never smaller than the
 * plain values, and Parquet abandons it when the first page closes and writes that page plain.
 * Leaving it out skips the hashing and the rewrite; the file's bytes are the same
 * (HeldRowWriteSupportTest compares them with parquet-avro's, which keeps a dictionary for every
 * column). Columns such as ids, UUIDs or exact timestamps behave the same way; {@link
 * DictionaryProbe} finds the top-level ones in each file from a sample of its rows, and the setting
 * covers what it cannot see (struct fields, columns with nulls, files that start streaming before
 * they hold enough rows to sample).
 */
final class DictionaryExclusions {
  /** A name of the setting: identifiers joined by dots (a top-level column, then struct fields). */
  private static final Pattern PATH =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  /** Dot-separated paths of the excluded leaf columns, in schema order. */
  final List<String> leafPaths;

  /** Names of the setting that match no column of the schema, in the order given. */
  final List<String> unmatched;

  /**
   * Set once the columns whose dictionary Parquet dropped have been logged for this schema (see
   * ParquetRecordFileWriter). The one mutable part, a latch; hence one instance per schema.
   */
  final AtomicBoolean droppedLogged = new AtomicBoolean();

  private DictionaryExclusions(List<String> leafPaths, List<String> unmatched) {
    this.leafPaths = List.copyOf(leafPaths);
    this.unmatched = List.copyOf(unmatched);
  }

  /**
   * Every leaf column of {@code schema} whose path is one of {@code names} or lies under one of
   * them (a struct, list or map column covers all its leaves).
   */
  static DictionaryExclusions of(MessageType schema, Collection<String> names) {
    List<String> leaves = new ArrayList<>();
    Set<String> matched = new HashSet<>();
    for (ColumnDescriptor column : schema.getColumns()) {
      String path = String.join(".", column.getPath());
      boolean excluded = false;
      for (String name : names) {
        if (path.equals(name) || path.startsWith(name + ".")) {
          excluded = true;
          matched.add(name); // every name that covers it, so "geo,geo.city" leaves none unmatched
        }
      }
      if (excluded) {
        leaves.add(path);
      }
    }
    List<String> unmatched = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      if (!matched.contains(name)) {
        unmatched.add(name);
      }
    }
    return new DictionaryExclusions(leaves, unmatched);
  }

  /**
   * The leaf columns of a finished file whose dictionary Parquet built and then dropped: not
   * excluded here or in {@code alsoExcluded} (this file's own choice), of a type Parquet's
   * version-1 writer gives a dictionary (not BOOLEAN or FIXED_LEN_BYTE_ARRAY), with at least one
   * non-null value, and without a dictionary page in any row group. Dot-separated paths, in schema
   * order.
   */
  List<String> dropped(ParquetMetadata footer, Set<String> alsoExcluded) {
    Map<String, Boolean> dictionaryPage = new LinkedHashMap<>();
    Set<String> withValues = new HashSet<>();
    for (BlockMetaData block : footer.getBlocks()) {
      for (ColumnChunkMetaData column : block.getColumns()) {
        String path = column.getPath().toDotString();
        if (!mayHaveDictionary(column.getPrimitiveType().getPrimitiveTypeName())
            || leafPaths.contains(path)
            || alsoExcluded.contains(path)) {
          continue;
        }
        dictionaryPage.merge(path, column.hasDictionaryPage(), Boolean::logicalOr);
        Statistics<?> stats = column.getStatistics();
        if (!stats.isNumNullsSet() || stats.getNumNulls() < column.getValueCount()) {
          withValues.add(path);
        }
      }
    }
    List<String> dropped = new ArrayList<>();
    dictionaryPage.forEach(
        (path, hadPage) -> {
          if (!hadPage && withValues.contains(path)) {
            dropped.add(path);
          }
        });
    return dropped;
  }

  /**
   * Whether Parquet's version-1 writer, the one this connector uses, gives columns of {@code type}
   * a dictionary: every type but BOOLEAN and FIXED_LEN_BYTE_ARRAY.
   */
  static boolean mayHaveDictionary(PrimitiveTypeName type) {
    return type != PrimitiveTypeName.BOOLEAN && type != PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
  }

  /**
   * Checks the names of the setting.
   *
   * @throws IllegalArgumentException naming the first name that is not a column path, or that is
   *     given twice
   */
  static void checkNames(List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (name == null || !PATH.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "Cannot exclude '"
                + name
                + "' from dictionary encoding: it is not a column name. Give column names as written"
                + " in the files (letters, digits and '_', not starting with a digit), and fields"
                + " inside a struct column as column.field.");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(
            "Cannot exclude '"
                + name
                + "' from dictionary encoding twice: it is listed more than once. List each column"
                + " once.");
      }
    }
  }
}
