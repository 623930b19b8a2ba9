package io.redstage.connector.commit;

import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.storage.S3UploadStream;

/** One open data file of a commit unit: an encoder writing into a streaming upload. */
final class UnitFile {
  final String encodedPartition;
  final RecordFileWriter writer;
  final S3UploadStream upload;
  private final OpenFileHeap heap;

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

  void abort() {
    try {
      writer.abort();
    } finally {
      upload.abort();
    }
  }
}
