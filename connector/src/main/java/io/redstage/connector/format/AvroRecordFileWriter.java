package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes one Avro object container file. Each row is encoded into a private buffer first and
 * appended as pre-encoded bytes: an encoding failure can never leave part of a record in a block,
 * and the buffered block size is known exactly. The rows are held until the file is built (see
 * {@link AvroRowsFileWriter}); appending held rows is the same appendEncoded call, so the bytes do
 * not depend on when the file was built. The sync marker is derived from the file key, so a replay
 * with the same boundaries rewrites identical bytes (Avro would otherwise pick a random marker).
 */
final class AvroRecordFileWriter extends AvroRowsFileWriter {
  private final CodecFactory codec;
  private DataFileWriter<GenericRecord> fileWriter;
  private long start;

  /** Encoded bytes appended since the last block reached {@code out}. */
  private long pendingBytes;

  private long lastPosition;

  private AvroRecordFileWriter(
      AvroRows rows,
      PositionedOutputStream out,
      String fileKey,
      CodecFactory codec,
      long holdAtMostBytes) {
    super(rows, out, fileKey, "an Avro", holdAtMostBytes);
    this.codec = codec;
  }

  static AvroRecordFileWriter open(
      PositionedOutputStream out,
      AvroRows rows,
      FormatOptions options,
      String fileKey,
      long holdAtMostBytes) {
    return new AvroRecordFileWriter(rows, out, fileKey, codec(options), holdAtMostBytes);
  }

  static CodecFactory codec(FormatOptions options) {
    switch (options.avroCodec()) {
      case "deflate":
        return CodecFactory.deflateCodec(CodecFactory.DEFAULT_DEFLATE_LEVEL);
      case "snappy":
        return CodecFactory.snappyCodec();
      case "zstd":
        return CodecFactory.zstandardCodec(CodecFactory.DEFAULT_ZSTANDARD_LEVEL);
      default:
        return CodecFactory.nullCodec();
    }
  }

  /** First 16 bytes of SHA-256 of the file key: unique per key, identical on replay. */
  static byte[] syncMarker(String fileKey) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(fileKey.getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(digest, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required in every JVM", e);
    }
  }

  @Override
  void startEncoder(RowStore heldRows, boolean wholeFile) throws IOException {
    start = out.position();
    org.apache.avro.Schema schema = rows.layout().avroSchema;
    // Rows arrive pre-encoded (appendEncoded), so the datum writer here never writes.
    fileWriter =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema)).setCodec(codec);
    fileWriter.create(schema, new UnclosableOutputStream(out), syncMarker(fileKey));
    lastPosition = out.position();
  }

  @Override
  boolean streamsEncodedRows() {
    return true;
  }

  @Override
  void checkRowBytes(SinkRecord record, int bytes) {
    WarehouseLimits.rowBytes(record, FileFormat.AVRO, bytes, WarehouseLimits.AVRO_ROW_MAX_BYTES);
  }

  @Override
  void writeHeld(byte[] chunk, int offset, int length) throws IOException {
    append(ByteBuffer.wrap(chunk, offset, length));
  }

  @Override
  void writeStreamed(GenericRecord row, SinkRecord record) {
    try {
      append(encoded.asByteBuffer());
    } catch (IOException e) {
      throw new FileOutputException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to the Avro file: the output stream failed. Abort this file and retry.",
          e);
    }
  }

  private void append(ByteBuffer row) throws IOException {
    int length = row.remaining();
    fileWriter.appendEncoded(row);
    pendingBytes += length;
    long position = out.position();
    if (position != lastPosition) {
      // A full block (including this row) was compressed and flushed to out.
      pendingBytes = 0;
      lastPosition = position;
    }
  }

  /**
   * Bytes in {@code out} plus the uncompressed size of the open block (an upper bound after
   * compression).
   */
  @Override
  long encoderEstimatedBytes() {
    return out.position() - start + pendingBytes;
  }

  @Override
  long encoderBufferedBytes() {
    return pendingBytes;
  }

  @Override
  void finishEncoder() throws IOException {
    fileWriter.close();
    fileWriter = null;
    pendingBytes = 0;
  }

  @Override
  void dropEncoder() {
    fileWriter = null;
  }
}
