package io.redstage.connector.format;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The Kafka metadata columns that follow the value columns, in this order: topic (string),
 * partition (int32), offset (int64), timestamp (nullable, configured unit), then key, headers and
 * deleted when enabled. Also extracts their values from a record.
 */
final class MetadataColumns {
  private final FormatOptions options;
  private final ConnectJson json;
  private final List<String> names;
  private final List<String> lowerCaseNames;

  MetadataColumns(FormatOptions options, ConnectJson json) {
    this.options = options;
    this.json = json;
    this.names = Collections.unmodifiableList(options.metadataColumnNames());
    List<String> lower = new ArrayList<>(names.size());
    for (String n : names) {
      lower.add(n.toLowerCase(Locale.ROOT));
    }
    this.lowerCaseNames = lower;
  }

  FormatOptions options() {
    return options;
  }

  /** The enabled metadata column names, in file order. */
  List<String> names() {
    return names;
  }

  /** A key column is a nested struct when the key has a Struct schema; otherwise it is a string. */
  static boolean isStructKey(Schema keySchema) {
    return keySchema != null && keySchema.type() == Schema.Type.STRUCT;
  }

  /**
   * Rejects a value column whose name equals a metadata column name (ignoring case: Redshift folds
   * column names to lower case, so {@code Kafka_Offset} would clash too).
   */
  void checkNoClash(String valueColumn, SinkRecord record, FileFormat format) {
    int i = lowerCaseNames.indexOf(valueColumn.toLowerCase(Locale.ROOT));
    if (i >= 0) {
      throw RecordErrors.cannotWrite(
          record,
          format,
          "the value field '"
              + valueColumn
              + "' has the same name as the metadata column '"
              + names.get(i)
              + "'",
          "Rename the metadata column with the connector's metadata.*.column settings, or rename the field "
              + "(e.g. with the ReplaceField SMT).");
    }
  }

  /**
   * {@code columns} with a string key column marked as holding only nulls: a file whose records all
   * had null keys without a key schema took the key's kind (string) from a null key, which says
   * nothing about the keys of the topic; the loader then takes the column's type from the table or
   * other files. A struct key column keeps its type: its schema said so, and the file holds a group
   * (Parquet) or record (Avro) that COPY must read as such.
   */
  static List<MarkerColumn> withNullKeysOnly(List<MarkerColumn> columns) {
    List<MarkerColumn> out = new ArrayList<>(columns.size());
    for (MarkerColumn c : columns) {
      out.add(
          c.role().orElse(null) == ColumnRole.KEY && c.type().kind() == Kind.STRING
              ? MarkerColumn.ofNulls(c.name(), ColumnRole.KEY)
              : c);
    }
    return out;
  }

  /**
   * Whether a file's records had keys, and its columns as its marker lists them: {@link
   * #withNullKeysOnly} while none had one, worked out once per list of columns (a file's columns
   * are read on every put, for the memory estimate).
   */
  static final class NullKeys {
    private boolean keyWritten;
    private List<MarkerColumn> base;
    private List<MarkerColumn> marked;

    /** Notes a record written to the file. */
    void written(SinkRecord record) {
      if (!keyWritten && record.key() != null) {
        keyWritten = true;
      }
    }

    /** The marker's columns of a file of {@code records} records with these columns. */
    List<MarkerColumn> columns(List<MarkerColumn> columns, long records) {
      if (keyWritten || records == 0) {
        return columns;
      }
      if (columns != base) {
        base = columns;
        marked = withNullKeysOnly(columns);
      }
      return marked;
    }
  }

  /** Marker columns of the metadata, with their roles, given whether the key column is a struct. */
  List<MarkerColumn> columns(boolean structKey) {
    List<MarkerColumn> cols = new ArrayList<>(names.size());
    if (options.metadataEnabled()) {
      cols.add(
          new MarkerColumn(
              options.topicColumn(), ColumnType.of(Kind.STRING), false, ColumnRole.TOPIC));
      cols.add(
          new MarkerColumn(
              options.partitionColumn(), ColumnType.of(Kind.INT32), false, ColumnRole.PARTITION));
      cols.add(
          new MarkerColumn(
              options.offsetColumn(), ColumnType.of(Kind.INT64), false, ColumnRole.OFFSET));
      cols.add(
          new MarkerColumn(
              options.timestampColumn(),
              options.timestampUnit().columnType(),
              true,
              ColumnRole.TIMESTAMP));
    }
    if (options.keyColumnEnabled()) {
      cols.add(
          new MarkerColumn(
              options.keyColumn(),
              ColumnType.of(structKey ? Kind.STRUCT : Kind.STRING),
              true,
              ColumnRole.KEY));
    }
    if (options.headersColumnEnabled()) {
      cols.add(
          new MarkerColumn(
              options.headersColumn(), ColumnType.of(Kind.MAP), false, ColumnRole.HEADERS));
    }
    if (options.deleteMarkers()) {
      cols.add(
          new MarkerColumn(
              options.deletedColumn(), ColumnType.of(Kind.BOOLEAN), false, ColumnRole.DELETED));
    }
    return cols;
  }

  /** The record timestamp in the configured unit, or null when the record has none. */
  Long timestamp(SinkRecord r, FileFormat format) {
    Long ts = timestampMillis(r, format);
    return ts == null ? null : options.timestampUnit().fromMillis(ts);
  }

  /**
   * The record's Kafka timestamp in milliseconds, or null when it has none. A producer may set any
   * CreateTime; one outside the years COPY reads would make the whole unit's COPY fail, so the
   * record is rejected by name instead.
   */
  Long timestampMillis(SinkRecord r, FileFormat format) {
    Long ts = r.timestamp();
    if (ts == null) {
      return null;
    }
    try {
      WarehouseLimits.epochMillis(ts);
      return ts;
    } catch (ConversionException e) {
      throw RecordErrors.conversion(
          r,
          format,
          "Kafka record timestamp (metadata column " + options.timestampColumn() + ")",
          e);
    }
  }

  /** The key as text for a string key column (null key → null). */
  String keyText(SinkRecord r) {
    return json.text(r.keySchema(), r.key());
  }

  /**
   * Headers as a map of text values, in header order. Kafka allows repeated header keys; a map
   * keeps the last value for a key, as a later header usually overrides an earlier one.
   */
  Map<String, String> headers(SinkRecord r) {
    if (r.headers() == null || r.headers().isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> map = new LinkedHashMap<>();
    // the JSON object's length in characters, at most its bytes: held to a SUPER value's limit
    // while it grows, since each value's text can be far longer than its bytes in Kafka (a decimal
    // header of a few bytes renders up to 65,535 digits)
    long jsonChars = 2;
    for (Header h : r.headers()) {
      String key;
      String value;
      try {
        // the key is a name inside the headers' SUPER value (or JSON object): NUL, a broken
        // surrogate or more than a VARCHAR's bytes fails COPY as a value would
        key = json.checkedText(h.key());
        value = json.text(h.schema(), h.value());
      } catch (ConversionException e) {
        throw e.inEntry(h.key(), map.size(), false);
      }
      jsonChars += key.length() + (value == null ? 4 : value.length()) + 6;
      WarehouseLimits.superText(jsonChars);
      map.put(key, value);
    }
    return map;
  }

  /** Whether a record can share a file's key column: struct keys need the same key schema. */
  boolean keyCompatible(Schema fileKeyStruct, SinkRecord r) {
    if (!options.keyColumnEnabled() || r.key() == null) {
      return true;
    }
    Schema ks = r.keySchema();
    if (fileKeyStruct == null) {
      return !isStructKey(ks);
    }
    return isStructKey(ks) && (ks == fileKeyStruct || ks.equals(fileKeyStruct));
  }
}
