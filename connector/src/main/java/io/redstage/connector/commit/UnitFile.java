package io.redstage.connector.commit;

import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.storage.S3UploadStream;

/** One open data file of a commit unit: an encoder writing into a streaming upload. */
final class UnitFile {
  final String encodedPartition;
  final RecordFileWriter writer;
  final S3UploadStream upload;

  UnitFile(String encodedPartition, RecordFileWriter writer, S3UploadStream upload) {
    this.encodedPartition = encodedPartition;
    this.writer = writer;
    this.upload = upload;
  }

  long bufferedBytes() {
    return writer.bufferedBytes() + upload.bufferedBytes();
  }

  void abort() {
    try {
      writer.abort();
    } finally {
      upload.abort();
    }
  }
}
