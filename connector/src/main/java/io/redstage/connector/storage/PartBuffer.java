package io.redstage.connector.storage;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * The heap buffer of one multipart part, as a list of chunks. Hand-written rather than a
 * ByteArrayOutputStream because it must (1) start small, {@value #FIRST_CHUNK} bytes, since
 * thousands of files may be open and most are tiny, (2) grow without copying what it holds: a
 * doubling array copies as many bytes again as the part holds, which for large files was as much
 * copying as the data itself, (3) never grow beyond the part size, and (4) hand its bytes to the
 * SDK without a copy (a retried upload re-reads them through {@link #content()}). Chunks double
 * from {@value #FIRST_CHUNK} bytes up to {@value #MAX_CHUNK} bytes; {@link #clear()} keeps them for
 * the next part.
 *
 * <p>The largest chunk stays below half of G1's smallest heap region (1 MiB). G1 gives an array of
 * half a region or more whole regions of its own: a 1 MiB chunk took 2 MiB of heap at every heap
 * size (measured with 200 MiB of chunks at -Xmx512m and -Xmx4g), so a part buffer held twice what
 * {@link #capacity()} reports to the task's memory budget, and every such allocation could start a
 * concurrent marking cycle. Chunks of {@value #MAX_CHUNK} bytes are ordinary young objects.
 */
final class PartBuffer {
  static final int FIRST_CHUNK = 8 * 1024;
  static final int MAX_CHUNK = 256 * 1024;

  private final int limit;
  private final List<byte[]> chunks = new ArrayList<>();

  /** Bytes in all chunks. */
  private int size;

  /** Sum of the chunks' lengths. */
  private int capacity;

  /** The chunk being filled and the bytes used in it. */
  private int current = -1;

  private int usedInCurrent;

  PartBuffer(int limit) {
    this.limit = limit;
  }

  /**
   * Copies as many of {@code len} bytes as fit before the part is full; returns how many it took.
   */
  int write(byte[] source, int offset, int len) {
    int todo = Math.min(len, limit - size);
    int done = 0;
    while (done < todo) {
      byte[] chunk = chunkWithRoom();
      int n = Math.min(todo - done, chunk.length - usedInCurrent);
      System.arraycopy(source, offset + done, chunk, usedInCurrent, n);
      usedInCurrent += n;
      done += n;
    }
    size += done;
    return done;
  }

  /** Appends one byte; the caller checks {@link #isFull()} first. */
  void write(int b) {
    byte[] chunk = chunkWithRoom();
    chunk[usedInCurrent++] = (byte) b;
    size++;
  }

  boolean isFull() {
    return size == limit;
  }

  int size() {
    return size;
  }

  /** Heap held by this buffer now: its chunks' lengths, never more than the part size. */
  int capacity() {
    return capacity;
  }

  /** The buffered bytes as a re-readable body; valid until the next write, clear or release. */
  ContentStreamProvider content() {
    List<byte[]> parts = new ArrayList<>(chunks.subList(0, current + 1));
    int lastUsed = usedInCurrent;
    return () -> {
      List<InputStream> streams = new ArrayList<>(parts.size());
      for (int i = 0; i < parts.size(); i++) {
        byte[] chunk = parts.get(i);
        streams.add(
            new ByteArrayInputStream(chunk, 0, i == parts.size() - 1 ? lastUsed : chunk.length));
      }
      return new SequenceInputStream(Collections.enumeration(streams));
    };
  }

  /** Empties the buffer and keeps its chunks for the next part of the same file. */
  void clear() {
    size = 0;
    current = -1;
    usedInCurrent = 0;
  }

  /** Empties the buffer and frees its chunks. */
  void release() {
    chunks.clear();
    capacity = 0;
    clear();
  }

  /**
   * The chunk to write into: the current one while it has room, else the next one (allocated if
   * needed).
   */
  private byte[] chunkWithRoom() {
    if (current >= 0 && usedInCurrent < chunks.get(current).length) {
      return chunks.get(current);
    }
    current++;
    usedInCurrent = 0;
    if (current == chunks.size()) {
      int length =
          current == 0 ? FIRST_CHUNK : Math.min(MAX_CHUNK, chunks.get(current - 1).length * 2);
      chunks.add(new byte[Math.min(length, limit - capacity)]);
      capacity += chunks.get(current).length;
    }
    return chunks.get(current);
  }
}
