package io.redstage.connector.storage;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * The heap buffer of one multipart part. Hand-written rather than a ByteArrayOutputStream because it must (1) start
 * empty and grow by doubling from {@value #INITIAL_CAPACITY} bytes, (2) never grow beyond the part size, and (3) hand
 * its bytes to the SDK without a copy (a retried upload re-reads them through {@link #content()}).
 */
final class PartBuffer {
  static final int INITIAL_CAPACITY = 8 * 1024; // small: thousands of files may be open, most of them tiny
  private static final byte[] EMPTY = new byte[0];

  private final int limit;
  private byte[] bytes = EMPTY;
  private int size;

  PartBuffer(int limit) {
    this.limit = limit;
  }

  /** Copies as many of {@code len} bytes as fit before the part is full; returns how many it took. */
  int write(byte[] source, int offset, int len) {
    int n = Math.min(len, limit - size);
    ensureCapacity(size + n);
    System.arraycopy(source, offset, bytes, size, n);
    size += n;
    return n;
  }

  /** Appends one byte; the caller checks {@link #isFull()} first. */
  void write(int b) {
    ensureCapacity(size + 1);
    bytes[size++] = (byte) b;
  }

  boolean isFull() {
    return size == limit;
  }

  int size() {
    return size;
  }

  /** Heap held by this buffer now: its allocated capacity, never more than the part size. */
  int capacity() {
    return bytes.length;
  }

  /** The buffered bytes as a re-readable body; valid until the next write, clear or release. */
  ContentStreamProvider content() {
    byte[] data = bytes;
    int length = size;
    return () -> new ByteArrayInputStream(data, 0, length);
  }

  /** Empties the buffer and keeps its array for the next part of the same file. */
  void clear() {
    size = 0;
  }

  /** Empties the buffer and frees its array. */
  void release() {
    bytes = EMPTY;
    size = 0;
  }

  private void ensureCapacity(int needed) {
    if (needed <= bytes.length) {
      return;
    }
    long capacity = Math.max(bytes.length, INITIAL_CAPACITY);
    while (capacity < needed) {
      capacity *= 2;
    }
    bytes = Arrays.copyOf(bytes, (int) Math.min(capacity, limit));
  }
}
