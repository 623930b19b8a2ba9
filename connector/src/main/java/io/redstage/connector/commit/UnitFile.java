package io.redstage.connector.commit;

import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.storage.S3UploadStream;

/** One open data file of a commit unit: an encoder writing into a streaming upload. */
final class UnitFile {
  final String encodedPartition;
  final RecordFileWriter writer;
  final S3UploadStream upload;
  private final OpenFileHeap heap;

  /** Rows written since this file's size was last sampled (see {@link #sizeCheckDue}). */
  private int rowsSinceSizeCheck;

  UnitFile(
      String encodedPartition, RecordFileWriter writer, S3UploadStream upload, OpenFileHeap heap) {
    this.encodedPartition = encodedPartition;
    this.writer = writer;
    this.upload = upload;
    this.heap = heap;
  }

  /**
   * Heap this open file holds, for the memory budget: the encoder's estimate (its buffered data
   * plus the fixed and dictionary overhead the encoder does not report, see {@link OpenFileHeap})
   * and the part buffer.
   */
  long bufferedBytes() {
    return heap.estimate(writer) + upload.bufferedBytes();
  }

  /**
   * Whether this file's size is due for sampling after one more row: every {@code every} rows of
   * this file, counted per file so that a file which shares its unit with others is sampled as
   * often as a file alone (counted per unit, a file taking every other row could be missed).
   */
  boolean sizeCheckDue(int every) {
    if (++rowsSinceSizeCheck < every) {
      return false;
    }
    rowsSinceSizeCheck = 0;
    return true;
  }

  void abort() {
    try {
      writer.abort();
    } finally {
      upload.abort();
    }
  }
}
