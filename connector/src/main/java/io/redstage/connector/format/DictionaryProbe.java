package io.redstage.connector.format;

import io.redstage.connector.format.HeldRowWriteSupport.HeldRow;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.values.bloomfilter.XxHash;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Finds the top-level columns whose values do not repeat at the start of a Parquet file, so that
 * the file writes them without a dictionary.
 *
 * <p>Why: Parquet starts every column of a row group with a dictionary and keeps it only if, when
 * the first page closes (after up to 20,000 rows), dictionary plus ids are smaller than the plain
 * values, and while it stays under the dictionary size limit. For ids, exact timestamps, amounts or
 * free text neither holds, so Parquet hashes every value of that page into the dictionary, then
 * rewrites the page plain. In files of tens of thousands of rows that wasted work was a third of
 * the commit threads' CPU (docs/benchmarks.md, fourth session).
 *
 * <p>How: N rows (1,024 by default) drawn from the file's first {@link #WINDOW_ROWS} held rows, the
 * span of Parquet's first page at most. A column whose sampled values are all present and all
 * different is written plain. Drawn at random rather than taken from the start, so that values that
 * cycle (a few thousand devices reporting in turn, every row of the first thousand different) show
 * their repeats. For uniformly drawn values, N = 1,024 shows no repeat in half the files only when
 * there are about 750,000 or more distinct ones, far more than a 20,000-row page can make a
 * dictionary pay for. A column whose sampled distinct values outgrow the dictionary size limit
 * before one repeats is written plain too: Parquet would drop that dictionary once it grew past the
 * limit. Either way Parquet would usually have dropped the dictionary at the first page, and then
 * the file's bytes are the same as Parquet's. They differ only for a column that looks unique in
 * the sample but repeats enough elsewhere in the file (Parquet decides again in every row group);
 * that column is larger, not wrong.
 *
 * <p>A whole file (built at commit) of at most N rows is probed in every row, and there only the
 * first rule applies: a column whose every value differs makes no row group's dictionary pay, so
 * Parquet would drop each one and the file's bytes are always Parquet's. (The size rule does not
 * carry over: Parquet starts a new dictionary in every row group, and a later one can pay.)
 *
 * <p>Binary values are compared by a 64-bit xxHash, so the probe holds 8 bytes per value however
 * long the values are. Two different values with the same hash look like a repeat, and the column
 * keeps its dictionary, which is Parquet's own behaviour: never wrong, at worst the saving is lost.
 *
 * <p>The sample is a fixed function of the number of held rows and N, so the choice depends only on
 * the file's rows and the configuration: a replay writes the same bytes. Only top-level primitive
 * columns are probed (not struct fields, lists or maps), and not booleans or fixed-length byte
 * arrays, which Parquet's version-1 writer never gives a dictionary. A column with a null in the
 * sampled rows keeps its dictionary unless it outgrew the limit first.
 */
final class DictionaryProbe extends RecordConsumer {
  /** What one candidate column has shown so far. */
  private static final class Seen {
    final String path;
    final int fieldIndex;
    final Set<Object> values;

    /** Their size as Parquet counts a dictionary's: 4 or 8 bytes, or 4 plus a binary's length. */
    long bytes;

    Seen(String path, int fieldIndex, int expectedValues) {
      this.path = path;
      this.fieldIndex = fieldIndex;
      // Sized for every sampled value, so that the set never rehashes while the probe runs.
      this.values = new HashSet<>(expectedValues * 4 / 3 + 1);
    }
  }

  /**
   * Candidate columns still undecided, by top-level field index (the index the record consumer is
   * given, so that no value looks its column up by name); null once a value repeats or it outgrows.
   */
  private final Seen[] undecided;

  private int undecidedCount;

  /** Columns that outgrew the dictionary limit with every value different. */
  private final Set<String> outgrown = new HashSet<>();

  /** The size rule's limit, or {@link Long#MAX_VALUE} when every row of a whole file is probed. */
  private final long dictionaryLimitBytes;

  /** Fingerprints of binary values: parquet-java's xxHash, as its bloom filters use. */
  private static final XxHash HASH = new XxHash();

  /** Rows of a file's start the sample is drawn from: Parquet's default page row limit. */
  static final int WINDOW_ROWS = 20_000;

  /** Seed of the sample: any fixed value, so that the same file draws the same rows. */
  private static final long SAMPLE_SEED = 0x5eed_d1c7L;

  /** Groups open below the row: values inside a struct, list or map are not probed. */
  private int depth;

  /** The candidate column the next values belong to, or null. */
  private Seen current;

  private DictionaryProbe(int topLevelFields, long dictionaryLimitBytes) {
    this.undecided = new Seen[topLevelFields];
    this.dictionaryLimitBytes = dictionaryLimitBytes;
  }

  /**
   * The top-level columns of {@code shape}, not excluded already, whose values in {@code rows} held
   * rows drawn from the first {@link #WINDOW_ROWS} are all present and all different, or all
   * different until they outgrew {@code dictionaryLimitBytes} (the dictionary page size). When
   * fewer rows are held: if they are the {@code wholeFile}, the columns whose values in all of them
   * are present and all different; else none, since a streaming file's first rows are too few to
   * stand for the rest.
   */
  static Set<String> nonRepeating(
      ParquetShape shape, RowStore held, boolean wholeFile, int rows, long dictionaryLimitBytes) {
    if (rows <= 0 || held.rows() == 0 || (held.rows() < rows && !wholeFile)) {
      return Set.of();
    }
    int count = Math.min(rows, held.rows());
    int window = Math.max(count, Math.min(held.rows(), WINDOW_ROWS));
    BitSet sampled = sample(window, count);
    boolean everyRow = wholeFile && count == held.rows();
    DictionaryProbe probe =
        new DictionaryProbe(
            shape.parquetSchema.getFieldCount(), everyRow ? Long.MAX_VALUE : dictionaryLimitBytes);
    for (ColumnDescriptor column : shape.parquetSchema.getColumns()) {
      if (column.getPath().length != 1) {
        continue; // inside a struct, list or map
      }
      String name = column.getPath()[0];
      if (DictionaryExclusions.mayHaveDictionary(column.getPrimitiveType().getPrimitiveTypeName())
          && !shape.dictionaryExclusions.leafPaths.contains(name)) {
        int field = shape.parquetSchema.getFieldIndex(name);
        probe.undecided[field] = new Seen(name, field, count);
        probe.undecidedCount++;
      }
    }
    if (probe.undecidedCount == 0) {
      return Set.of();
    }
    HeldRowWriteSupport reader = new HeldRowWriteSupport(shape);
    reader.prepareForWrite(probe);
    HeldRow row = new HeldRow();
    int[] index = {0};
    held.forEach(
        window,
        (chunk, offset, length) -> {
          // Once every column has repeated or outgrown, the remaining rows cannot change the
          // answer.
          if (sampled.get(index[0]++) && probe.undecidedCount > 0) {
            reader.write(row.set(chunk, offset, length));
          }
        });
    Set<String> plain = new HashSet<>(probe.outgrown);
    for (Seen seen : probe.undecided) {
      if (seen != null && seen.values.size() == count) {
        plain.add(seen.path);
      }
    }
    return plain;
  }

  /**
   * {@code count} distinct row indexes below {@code window}, the same for the same arguments
   * (Floyd's sampling over java.util.Random, whose sequence for a seed is specified).
   */
  static BitSet sample(int window, int count) {
    BitSet chosen = new BitSet(window);
    if (count >= window) {
      chosen.set(0, window);
      return chosen;
    }
    Random random = new Random(SAMPLE_SEED);
    for (int j = window - count; j < window; j++) {
      int pick = random.nextInt(j + 1);
      chosen.set(chosen.get(pick) ? j : pick);
    }
    return chosen;
  }

  private void add(Object value, int bytes) {
    if (depth != 0 || current == null) {
      return;
    }
    Seen seen = current;
    if (!seen.values.add(value)) {
      leave(seen);
      return;
    }
    seen.bytes += bytes;
    if (seen.bytes > dictionaryLimitBytes) {
      leave(seen);
      outgrown.add(seen.path);
    }
  }

  /** The column is decided: it repeated, or it outgrew the limit. */
  private void leave(Seen seen) {
    undecided[seen.fieldIndex] = null;
    undecidedCount--;
    current = null;
  }

  @Override
  public void startMessage() {
    depth = 0;
  }

  @Override
  public void endMessage() {}

  @Override
  public void startField(String field, int index) {
    if (depth == 0) {
      current = undecided[index];
    }
  }

  @Override
  public void endField(String field, int index) {
    if (depth == 0) {
      current = null;
    }
  }

  @Override
  public void startGroup() {
    depth++;
  }

  @Override
  public void endGroup() {
    depth--;
  }

  @Override
  public void addInteger(int value) {
    add(value, Integer.BYTES);
  }

  @Override
  public void addLong(long value) {
    add(value, Long.BYTES);
  }

  @Override
  public void addBoolean(boolean value) {
    // Booleans are never candidates.
  }

  @Override
  public void addBinary(Binary value) {
    if (depth == 0 && current != null) {
      add(HASH.hashByteBuffer(value.toByteBuffer()), Integer.BYTES + value.length());
    }
  }

  @Override
  public void addFloat(float value) {
    // Compared by bits, as Parquet's dictionary does.
    add(Float.floatToRawIntBits(value), Float.BYTES);
  }

  @Override
  public void addDouble(double value) {
    add(Double.doubleToRawLongBits(value), Double.BYTES);
  }
}
