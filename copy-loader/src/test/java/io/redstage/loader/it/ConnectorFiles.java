package io.redstage.loader.it;

import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.PositionedOutputStream;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.format.RecordFormats;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.discovery.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Data files written by the connector's own format writers ({@link RecordFormats}) from Connect
 * records, with the columns the writer reports going into the contract marker: exactly what the
 * connector commits.
 */
public final class ConnectorFiles {
  /** One Kafka record: key (may be null), value (null = tombstone). */
  public record Rec(Object key, Object value) {}

  private final S3Client s3;
  private final String bucket;
  private final TestFiles markers;

  public ConnectorFiles(S3Client s3, String bucket, TestFiles markers) {
    this.s3 = s3;
    this.bucket = bucket;
    this.markers = markers;
  }

  /**
   * Options of a connector writing {@code format}; {@code cdc} turns tombstones into delete rows.
   */
  public static FormatOptions options(FileFormat format, boolean cdc) {
    return FormatOptions.builder().format(format).deleteMarkers(cdc).build();
  }

  /** Writes one file with the records of offsets start..end and commits its marker. */
  public Unit unit(
      FormatOptions options,
      String topic,
      int partition,
      long start,
      long end,
      Schema keySchema,
      Schema valueSchema,
      LongFunction<Rec> record) {
    List<SinkRecord> records = new ArrayList<>();
    for (long o = start; o <= end; o++) {
      Rec r = record.apply(o);
      records.add(
          new SinkRecord(
              topic,
              partition,
              keySchema,
              r.key(),
              valueSchema,
              r.value(),
              o,
              1_700_000_000_000L + o,
              TimestampType.CREATE_TIME));
    }
    return unit(options, records);
  }

  /**
   * Writes one file with {@code values} (each Struct with its own schema version) at offsets
   * start.., each record fitted to the file's schema as the connector does (projected under
   * options' schema.compatibility), and commits its marker.
   */
  public Unit unitOfVersions(
      FormatOptions options, String topic, int partition, long start, List<Struct> values) {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      long o = start + i;
      records.add(
          new SinkRecord(
              topic,
              partition,
              null,
              null,
              values.get(i).schema(),
              values.get(i),
              o,
              1_700_000_000_000L + o,
              TimestampType.CREATE_TIME));
    }
    return unit(options, records);
  }

  private Unit unit(FormatOptions options, List<SinkRecord> records) {
    SinkRecord first = records.get(0);
    long start = first.kafkaOffset();
    long end = records.get(records.size() - 1).kafkaOffset();
    RecordFormat format = RecordFormats.create(options);
    String key =
        "topics/"
            + first.topic()
            + "/partition="
            + first.kafkaPartition()
            + "/"
            + first.topic()
            + "+"
            + first.kafkaPartition()
            + "+"
            + MarkerKeys.pad(start, 20)
            + "+"
            + MarkerKeys.pad(end, 20)
            + format.extension();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PositionedOutputStream out =
        new PositionedOutputStream() {
          @Override
          public long position() {
            return bytes.size();
          }

          @Override
          public void write(int b) {
            bytes.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
          }
        };
    RecordFileWriter writer = format.open(out, first, key);
    for (SinkRecord r : records) {
      SinkRecord fitted = format.fit(writer, r);
      if (fitted == null) {
        throw new IllegalArgumentException(
            "Cannot put record "
                + r.kafkaOffset()
                + " into the file of offset "
                + start
                + ": its schema needs a new unit under "
                + options.schemaCompatibility()
                + ".");
      }
      writer.write(fitted);
    }
    try {
      writer.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] data = bytes.toByteArray();
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    MarkerFile file =
        new MarkerFile(
            key,
            data.length,
            writer.recordCount(),
            format.fileFormat(),
            format.compression(),
            null,
            writer.columns());
    return markers.marker(first.topic(), first.kafkaPartition(), start, end, List.of(file));
  }

  /** A Struct of {@code schema} with the given field values in order. */
  public static Struct struct(Schema schema, Object... values) {
    Struct s = new Struct(schema);
    for (int i = 0; i < values.length; i++) {
      s.put(schema.fields().get(i), values[i]);
    }
    return s;
  }
}
