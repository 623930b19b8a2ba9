package io.redstage.loader.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.TestUnits;
import io.redstage.loader.discovery.Unit;
import io.redstage.sandbox.parquet.BytesOutputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes real data files (parquet-java, Avro, Jackson JSON Lines) and their commit markers (the
 * contract's {@link MarkerCodec}) to S3, as the connector does: value fields first, then the Kafka
 * metadata columns, data files under {@code topics/}, the marker after the files.
 */
public final class TestFiles {
  /** The writer the markers of this class name, as a connector's name its build. */
  static final String WRITER = "redstage-test-files 1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<String> DEFAULT_NAMES =
      List.of("kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp");

  private final S3Client s3;
  private final String bucket;
  private final String markersDir;
  private final int markerVersion;
  private final List<String> metadataNames;

  public TestFiles(S3Client s3, String bucket, String markersDir) {
    this(s3, bucket, markersDir, CommitMarker.FORMAT_VERSION, DEFAULT_NAMES);
  }

  private TestFiles(
      S3Client s3, String bucket, String markersDir, int markerVersion, List<String> names) {
    this.s3 = s3;
    this.bucket = bucket;
    this.markersDir = markersDir;
    this.markerVersion = markerVersion;
    this.metadataNames = names;
  }

  /**
   * Files whose metadata columns (topic, partition, offset, timestamp) have these names, with
   * markers of this format version (1: columns without roles, as connectors before 2 wrote them).
   */
  public TestFiles as(int version, String topic, String partition, String offset, String ts) {
    return new TestFiles(s3, bucket, markersDir, version, List.of(topic, partition, offset, ts));
  }

  private List<MarkerColumn> fileColumns(List<MarkerColumn> values) {
    List<MarkerColumn> cols = new ArrayList<>(values);
    List<MarkerColumn> meta = TestUnits.metadataColumns();
    for (int i = 0; i < meta.size(); i++) {
      MarkerColumn m = meta.get(i);
      cols.add(new MarkerColumn(metadataNames.get(i), m.type(), m.nullable(), m.role().get()));
    }
    if (markerVersion >= CommitMarker.FIRST_VERSION_WITH_ROLES) {
      return cols;
    }
    return cols.stream()
        .map(c -> new MarkerColumn(c.name(), c.type(), c.nullable(), null))
        .toList();
  }

  public static List<MarkerColumn> withMetadata(List<MarkerColumn> values) {
    List<MarkerColumn> cols = new ArrayList<>(values);
    cols.addAll(TestUnits.metadataColumns());
    return cols;
  }

  /** A record: value fields by name; the metadata is added from topic, partition and offset. */
  public static Map<String, Object> row(Object... nameValue) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put((String) nameValue[i], nameValue[i + 1]);
    }
    return m;
  }

  /** The value columns most loader tests use: a BIGINT id and a nullable name. */
  public static final List<MarkerColumn> ID_NAME =
      List.of(
          new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
          new MarkerColumn("name", ColumnType.of(ColumnType.Kind.STRING), true));

  /** A Parquet unit of {@link #ID_NAME} rows: id = the offset, name = "n" + the offset. */
  public Unit idNameUnit(String topic, int partition, long start, long end) {
    return unit(
        topic,
        partition,
        start,
        end,
        FileFormat.PARQUET,
        ID_NAME,
        o -> row("id", o, "name", "n" + o));
  }

  /**
   * Writes one file holding offsets {@code start..end} (values from {@code value(offset)}) and the
   * unit's marker.
   *
   * @param fileSuffix distinguishes files of replays with the same boundaries (identical rewrite:
   *     same suffix)
   */
  public Unit unit(
      String topic,
      int partition,
      long start,
      long end,
      FileFormat format,
      List<MarkerColumn> valueColumns,
      java.util.function.LongFunction<Map<String, Object>> value) {
    return unit(topic, partition, start, end, format, false, valueColumns, value);
  }

  /**
   * As {@link #unit}, optionally gzip-compressing a JSON Lines file (marker compression "gzip").
   */
  public Unit unit(
      String topic,
      int partition,
      long start,
      long end,
      FileFormat format,
      boolean gzip,
      List<MarkerColumn> valueColumns,
      java.util.function.LongFunction<Map<String, Object>> value) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long o = start; o <= end; o++) {
      rows.add(withMetadata(topic, partition, o, value.apply(o)));
    }
    List<MarkerColumn> columns = fileColumns(valueColumns);
    byte[] bytes = gzip ? gzip(write(format, columns, rows)) : write(format, columns, rows);
    String ext = format == FileFormat.JSONL ? (gzip ? "jsonl.gz" : "jsonl") : format.id();
    String key =
        TestUnits.dataKey(topic, "partition=" + partition, partition, start, end, "." + ext);
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    String compression = format == FileFormat.PARQUET ? "snappy" : gzip ? "gzip" : "none";
    MarkerFile file =
        new MarkerFile(key, bytes.length, rows.size(), format, compression, null, columns);
    return marker(topic, partition, start, end, List.of(file));
  }

  private Map<String, Object> withMetadata(
      String topic, int partition, long offset, Map<String, Object> value) {
    Map<String, Object> r = new LinkedHashMap<>(value);
    r.put(metadataNames.get(0), topic);
    r.put(metadataNames.get(1), partition);
    r.put(metadataNames.get(2), offset);
    r.put(metadataNames.get(3), 1_700_000_000_000L + offset);
    return r;
  }

  /**
   * Writes one uncompressed JSON Lines file of unit {@code [start, end]}, a unit of several (as a
   * field partitioner writes them: one per path), holding the records at {@code offsets}, and
   * returns its entry for {@link #marker}. Its columns are {@code valueColumns} then the metadata
   * columns, as the connector lists them: the fields its own records carry.
   */
  public MarkerFile jsonlFile(
      String topic,
      int partition,
      long start,
      long end,
      String path,
      List<Long> offsets,
      List<MarkerColumn> valueColumns,
      java.util.function.LongFunction<Map<String, Object>> value) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long o : offsets) {
      rows.add(withMetadata(topic, partition, o, value.apply(o)));
    }
    byte[] bytes = write(FileFormat.JSONL, List.of(), rows);
    String key = TestUnits.dataKey(topic, path, partition, start, end, ".jsonl");
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    return new MarkerFile(
        key, bytes.length, rows.size(), FileFormat.JSONL, "none", null, fileColumns(valueColumns));
  }

  /** Writes the marker of a unit with these files (no files: every record went to the DLQ). */
  public Unit marker(String topic, int partition, long start, long end, List<MarkerFile> files) {
    long records = files.stream().mapToLong(MarkerFile::records).sum();
    CommitMarker m =
        new CommitMarker(
            markerVersion,
            topic,
            partition,
            start,
            end,
            records,
            bucket,
            System.currentTimeMillis(),
            "flush.size",
            files,
            markerVersion >= CommitMarker.FIRST_VERSION_WITH_ROLES ? WRITER : null);
    String key = MarkerKeys.markerKey(markersDir, topic, partition, start, end);
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(MarkerCodec.toJson(m)));
    return new Unit(key, m);
  }

  static byte[] write(
      FileFormat format, List<MarkerColumn> columns, List<Map<String, Object>> rows) {
    try {
      switch (format) {
        case PARQUET:
          return parquet(columns, rows);
        case AVRO:
          return avro(columns, rows);
        default:
          return jsonl(rows);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Schema avroSchema(List<MarkerColumn> columns) {
    SchemaBuilder.FieldAssembler<Schema> f =
        SchemaBuilder.record("row").namespace("io.redstage.test").fields();
    for (MarkerColumn c : columns) {
      Schema t =
          switch (c.type().kind()) {
            case STRING -> Schema.create(Schema.Type.STRING);
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case INT8, INT16, INT32 -> Schema.create(Schema.Type.INT);
            case INT64 -> Schema.create(Schema.Type.LONG);
            case FLOAT64 -> Schema.create(Schema.Type.DOUBLE);
            case TIMESTAMP_MILLIS ->
                LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
            default ->
                throw new IllegalArgumentException("test writer has no mapping for " + c.type());
          };
      f =
          c.nullable()
              ? f.name(c.name())
                  .type(Schema.createUnion(Schema.create(Schema.Type.NULL), t))
                  .withDefault(null)
              : f.name(c.name()).type(t).noDefault();
    }
    return f.endRecord();
  }

  private static List<GenericRecord> records(Schema schema, List<Map<String, Object>> rows) {
    List<GenericRecord> out = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      GenericRecord g = new GenericData.Record(schema);
      for (Schema.Field f : schema.getFields()) {
        g.put(f.name(), r.get(f.name()));
      }
      out.add(g);
    }
    return out;
  }

  static byte[] parquet(List<MarkerColumn> columns, List<Map<String, Object>> rows)
      throws IOException {
    Schema schema = avroSchema(columns);
    BytesOutputFile out = new BytesOutputFile();
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(out)
            .withSchema(schema)
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (GenericRecord g : records(schema, rows)) {
        w.write(g);
      }
    }
    return out.bytes();
  }

  static byte[] avro(List<MarkerColumn> columns, List<Map<String, Object>> rows)
      throws IOException {
    Schema schema = avroSchema(columns);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> w =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.setCodec(CodecFactory.snappyCodec());
      w.create(schema, bytes);
      for (GenericRecord g : records(schema, rows)) {
        w.append(g);
      }
    }
    return bytes.toByteArray();
  }

  static byte[] jsonl(List<Map<String, Object>> rows) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Map<String, Object> r : rows) {
      Map<String, Object> copy = new LinkedHashMap<>(r);
      Object ts = copy.get("kafka_timestamp");
      if (ts instanceof Long l) {
        copy.put("kafka_timestamp", Instant.ofEpochMilli(l).toString());
      }
      b.append(JSON.writeValueAsString(copy)).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
