package io.redstage.connector.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows of one file held compactly until the file is built: each row's Avro binary encoding (a
 * few dozen bytes for a typical record), appended to chunks that start small and double, so an idle
 * file with one row costs a few hundred bytes instead of an encoder's fixed state. A row never
 * spans two chunks, so every row can be read back in place. Written by one thread, then read by
 * another after a happens-before edge (the unit's hand-over to the commit pool).
 *
 * <p>Hand-written rather than a ByteArrayOutputStream: that one doubles one array and copies every
 * byte it holds on each growth, and cannot hand out rows without a copy.
 */
final class RowStore {
  static final int FIRST_CHUNK = 512;
  static final int LARGEST_CHUNK = 64 * 1024;

  /** Reads one row in place; the array is the store's own and must not be kept. */
  interface RowVisitor<E extends Exception> {
    void row(byte[] chunk, int offset, int length) throws E;
  }

  private final List<byte[]> chunks = new ArrayList<>();
  private byte[] current;
  private int used;

  /** Row lengths in order. */
  private int[] lengths = new int[16];

  private int rows;
  private long bytes;
  private long capacity;

  /** Appends one row: {@code length} bytes of {@code row} from {@code offset}. */
  void add(byte[] row, int offset, int length) {
    if (current == null || current.length - used < length) {
      int size =
          current == null ? FIRST_CHUNK : Math.min(LARGEST_CHUNK, Math.max(current.length * 2, 1));
      current = new byte[Math.max(size, length)];
      chunks.add(current);
      capacity += current.length;
      used = 0;
    }
    System.arraycopy(row, offset, current, used, length);
    used += length;
    if (rows == lengths.length) {
      lengths = Arrays.copyOf(lengths, rows * 2);
    }
    lengths[rows++] = length;
    bytes += length;
  }

  int rows() {
    return rows;
  }

  /** Encoded bytes of the rows held. */
  long bytes() {
    return bytes;
  }

  /** Heap the store holds: its chunks (including their unused tails) and the length index. */
  long heapBytes() {
    return capacity + 4L * lengths.length;
  }

  /** Visits every row in the order added. */
  <E extends Exception> void forEach(RowVisitor<E> visitor) throws E {
    forEach(rows, visitor);
  }

  /** Visits the first {@code limit} rows (or all, if fewer) in the order added. */
  <E extends Exception> void forEach(int limit, RowVisitor<E> visitor) throws E {
    int end = Math.min(limit, rows);
    int row = 0;
    for (byte[] chunk : chunks) {
      if (row == end) {
        return;
      }
      int offset = 0;
      // The test add() made: a row that did not fit in the rest of a chunk started the next one.
      while (row < end && chunk.length - offset >= lengths[row]) {
        visitor.row(chunk, offset, lengths[row]);
        offset += lengths[row];
        row++;
      }
    }
  }

  /** Drops every row and chunk. */
  void clear() {
    chunks.clear();
    current = null;
    used = 0;
    lengths = new int[16];
    rows = 0;
    bytes = 0;
    capacity = 0;
  }
}
