package io.redstage.connector.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes one Avro object container file. Each row is first encoded into a private buffer and then
 * appended as pre-encoded bytes: an encoding failure can never leave part of a record in a block,
 * and the buffered block size is known exactly. The sync marker is derived from the file key, so a
 * replay with the same boundaries rewrites identical bytes (Avro would otherwise pick a random
 * marker).
 */
final class AvroRecordFileWriter extends AvroRowsFileWriter {
  private final PositionedOutputStream out;
  private final long start;
  private final GenericDatumWriter<GenericRecord> datumWriter;
  private final RowBuffer encoded = new RowBuffer();
  private DataFileWriter<GenericRecord> fileWriter;
  private BinaryEncoder encoder;

  /** Encoded bytes appended since the last block reached {@code out}. */
  private long pendingBytes;

  private long lastPosition;

  private AvroRecordFileWriter(
      AvroRows rows,
      PositionedOutputStream out,
      long start,
      DataFileWriter<GenericRecord> fileWriter,
      GenericDatumWriter<GenericRecord> datumWriter) {
    super(rows, "an Avro");
    this.out = out;
    this.start = start;
    this.fileWriter = fileWriter;
    this.datumWriter = datumWriter;
    this.lastPosition = out.position();
  }

  static AvroRecordFileWriter open(
      PositionedOutputStream out, AvroRows rows, FormatOptions options, String fileKey) {
    long start = out.position();
    org.apache.avro.Schema schema = rows.layout().avroSchema;
    GenericDatumWriter<GenericRecord> datumWriter =
        new GenericDatumWriter<>(schema, GenericData.get());
    DataFileWriter<GenericRecord> fileWriter =
        new DataFileWriter<>(datumWriter).setCodec(codec(options));
    try {
      fileWriter.create(schema, new UnclosableOutputStream(out), syncMarker(fileKey));
    } catch (IOException e) {
      throw new ConnectException(
          "Cannot start Avro file "
              + fileKey
              + ": writing to the output stream failed. "
              + "Abort the upload and retry.",
          e);
    }
    return new AvroRecordFileWriter(rows, out, start, fileWriter, datumWriter);
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
  public void write(SinkRecord record) {
    checkOpen();
    GenericRecord row = rows.build(record);
    encoded.clear();
    try {
      encoder = EncoderFactory.get().directBinaryEncoder(encoded, encoder);
      datumWriter.write(row, encoder);
    } catch (IOException | RuntimeException e) {
      // Only the private buffer was touched: the file stays valid and the record can go to the DLQ.
      throw new DataException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " as Avro: the "
              + "encoder rejected the row ("
              + e.getClass().getSimpleName()
              + "). "
              + RecordErrors.FIX_VALUE,
          e);
    }
    try {
      fileWriter.appendEncoded(encoded.asByteBuffer());
    } catch (IOException e) {
      throw new ConnectException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to the Avro file: the output stream failed. Abort this file and retry.",
          e);
    }
    recordCount++;
    pendingBytes += encoded.size();
    long position = out.position();
    if (position != lastPosition) {
      // A full block (including this record) was compressed and flushed to out.
      pendingBytes = 0;
      lastPosition = position;
    }
  }

  /**
   * Bytes in {@code out} plus the uncompressed size of the open block (an upper bound after
   * compression).
   */
  @Override
  public long estimatedBytes() {
    return out.position() - start + bufferedBytes();
  }

  @Override
  public long bufferedBytes() {
    return finished ? 0 : pendingBytes;
  }

  @Override
  public void finish() throws IOException {
    checkOpen();
    finished = true;
    fileWriter.close();
    fileWriter = null;
  }

  @Override
  public void abort() {
    finished = true;
    fileWriter = null;
  }
}
