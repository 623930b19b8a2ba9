package io.redstage.connector.format;

import io.redstage.contract.MarkerColumn;
import java.io.IOException;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What the Avro and Parquet writers share: both turn records into Avro rows ({@link AvroRows}), and
 * both first <em>hold</em> a file's rows in their compact Avro binary encoding ({@link RowStore})
 * instead of encoding the file as records arrive. The file itself is built in {@link #finish()},
 * which the task calls on a commit thread, so the encoders of many files run in parallel and an
 * open file costs its rows plus a few hundred bytes rather than an encoder's fixed state (Parquet's
 * column writers and dictionaries take 100-400 KB per open file before its second row). Once the
 * held rows pass {@code holdAtMostBytes} the file starts its encoder over the output stream on the
 * task thread, writes the held rows into it and streams every further record, as a file too large
 * to hold would: memory per file stays bounded either way. The output bytes are the same in both
 * modes, except that a Parquet file streaming before it holds enough rows is not probed for columns
 * to write without a dictionary ({@link DictionaryProbe}).
 *
 * <p>Neither writer may be used after finish() or abort().
 */
abstract class AvroRowsFileWriter implements SchemaBoundWriter {
  final AvroRows rows;
  final PositionedOutputStream out;
  final String fileKey;
  private final String formatName;
  private final long holdAtMostBytes;
  private final AvroRowEncoder rowEncoder;

  /** The last record's Avro binary encoding. */
  final RowBuffer encoded = new RowBuffer();

  private BinaryEncoder encoder;
  private final RowStore held = new RowStore();
  private boolean streaming;
  private long recordCount;

  /** Whether the file\'s records had keys: its key column holds only nulls otherwise. */
  private final MetadataColumns.NullKeys nullKeys = new MetadataColumns.NullKeys();

  private boolean finished;

  AvroRowsFileWriter(
      AvroRows rows,
      PositionedOutputStream out,
      String fileKey,
      String formatName,
      long holdAtMostBytes) {
    this.rows = rows;
    this.out = out;
    this.fileKey = fileKey;
    this.formatName = formatName;
    this.holdAtMostBytes = holdAtMostBytes;
    this.rowEncoder = rows.layout().rowEncoder();
  }

  /**
   * Creates the file's encoder over {@link #out} (writes the file header); {@code heldRows} are the
   * rows it will be given first, to read but not to keep, and {@code wholeFile} says whether they
   * are all the file's rows (built at finish) or only its first (streaming starts).
   */
  abstract void startEncoder(RowStore heldRows, boolean wholeFile) throws IOException;

  /** Writes one held row (its Avro binary encoding) through the started encoder. */
  abstract void writeHeld(byte[] chunk, int offset, int length) throws IOException;

  /**
   * Writes the row of {@code record} (its encoding, where the format needs it, is in {@link
   * #encoded}) through the started encoder.
   */
  abstract void writeStreamed(GenericRecord row, SinkRecord record);

  /** Bytes the started encoder holds in heap (e.g. the Parquet row group being built). */
  abstract long encoderBufferedBytes();

  /** Bytes in {@link #out} plus the started encoder's estimate of what it holds. */
  abstract long encoderEstimatedBytes();

  /** Writes what the started encoder still buffers and the file's trailer. */
  abstract void finishEncoder() throws IOException;

  /** Drops the started encoder, if any, without writing more. */
  abstract void dropEncoder();

  /**
   * Rejects a row whose encoding ({@code bytes}) the warehouse cannot read; before anything is
   * written, so the record can go to the DLQ.
   */
  abstract void checkRowBytes(SinkRecord record, int bytes);

  /** Whether {@link #writeStreamed} needs the row's Avro binary encoding in {@link #encoded}. */
  abstract boolean streamsEncodedRows();

  @Override
  public final void write(SinkRecord record) {
    checkOpen();
    GenericRecord row = rows.build(record);
    if (!streaming || streamsEncodedRows()) {
      encode(row, record);
      checkRowBytes(record, encoded.length());
    }
    if (streaming) {
      writeStreamed(row, record);
    } else {
      held.add(encoded.array(), 0, encoded.length());
      if (held.bytes() > holdAtMostBytes) {
        try {
          startStreaming();
        } catch (IOException e) {
          throw new FileOutputException(
              "Cannot write record "
                  + KafkaCoordinates.describe(record)
                  + " to "
                  + formatName
                  + " file "
                  + fileKey
                  + ": writing its held rows to the output stream failed. Abort this file and retry.",
              e);
        } catch (RuntimeException e) {
          throw new ConnectException(
              "Cannot write record "
                  + KafkaCoordinates.describe(record)
                  + " to "
                  + formatName
                  + " file "
                  + fileKey
                  + ": the encoder failed on its held rows. Abort this file and retry.",
              e);
        }
      }
    }
    recordCount++;
    nullKeys.written(record);
  }

  /**
   * Encodes {@code row} into {@link #encoded}. Only that private buffer is touched, so a row the
   * encoder rejects leaves the file valid and the record can go to the DLQ.
   */
  private void encode(GenericRecord row, SinkRecord record) {
    encoded.clear();
    try {
      if (rowEncoder.writesNested()) {
        encoder = EncoderFactory.get().directBinaryEncoder(encoded, encoder);
      }
      rowEncoder.write(row, encoded, encoder);
    } catch (IOException | RuntimeException e) {
      // Names the column and the exception's class only: a message could quote the value.
      String what =
          e instanceof AvroRowEncoder.RejectedColumn
              ? "the value of column " + ((AvroRowEncoder.RejectedColumn) e).column()
              : "the row";
      Throwable cause = e instanceof AvroRowEncoder.RejectedColumn ? e.getCause() : e;
      throw new DataException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to "
              + formatName
              + " file: the encoder rejected "
              + what
              + " ("
              + cause.getClass().getSimpleName()
              + "). "
              + RecordErrors.FIX_VALUE,
          e);
    }
  }

  private void startStreaming() throws IOException {
    startEncoder(held, finished);
    streaming = true;
    held.forEach(this::writeHeld);
    held.clear();
  }

  /** Builds the file from the held rows, or completes the streamed one. */
  @Override
  public final void finish() throws IOException {
    checkOpen();
    finished = true;
    if (!streaming) {
      startStreaming();
    }
    finishEncoder();
  }

  @Override
  public final void abort() {
    finished = true;
    held.clear();
    dropEncoder();
  }

  @Override
  public final long bufferedBytes() {
    if (finished) {
      return 0;
    }
    return streaming ? encoderBufferedBytes() : held.heapBytes() + encoded.array().length;
  }

  /**
   * While the rows are held, their encoded size: about an Avro file's size without compression, and
   * an upper bound of a Parquet file's (which encodes by column and compresses).
   */
  @Override
  public final long estimatedBytes() {
    return streaming ? encoderEstimatedBytes() : held.bytes();
  }

  /** False while the file only holds its rows: {@link #bufferedBytes()} is then all it holds. */
  @Override
  public final boolean holdsEncoder() {
    return streaming && !finished;
  }

  @Override
  public RowLayout layout() {
    return rows.layout();
  }

  @Override
  public boolean matchesValueSchema(Schema valueSchema) {
    return rows.matchesValueSchema(valueSchema);
  }

  @Override
  public long recordCount() {
    return recordCount;
  }

  @Override
  public List<MarkerColumn> columns() {
    return nullKeys.columns(rows.layout().columns, recordCount);
  }

  private void checkOpen() {
    if (finished) {
      throw new IllegalStateException(
          "Cannot use " + formatName + " file writer after finish() or abort()");
    }
  }
}
