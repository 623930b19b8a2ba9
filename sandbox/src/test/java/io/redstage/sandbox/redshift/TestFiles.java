package io.redstage.sandbox.redshift;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.sandbox.parquet.BytesOutputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

/** Data files written in tests with the real libraries: parquet-java, Avro, Jackson. */
final class TestFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private TestFiles() {}

  static Schema avroSchema(String json) {
    return new Schema.Parser().parse(json);
  }

  static GenericRecord record(Schema schema, Map<String, Object> values) {
    GenericData.Record r = new GenericData.Record(schema);
    values.forEach(r::put);
    return r;
  }

  /** Parquet through parquet-avro (how the connector writes it). */
  static byte[] parquet(Schema schema, List<GenericRecord> records) {
    BytesOutputFile file = new BytesOutputFile();
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(file)
            .withSchema(schema)
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (GenericRecord r : records) {
        w.write(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.bytes();
  }

  /** Parquet with an explicit Parquet schema (physical types the Avro path does not produce). */
  static byte[] parquet(MessageType schema, Consumer<ExampleRows> rows) {
    BytesOutputFile file = new BytesOutputFile();
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(file)
            .withType(schema)
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .build()) {
      rows.accept(new ExampleRows(schema, w));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.bytes();
  }

  /** Writes example Groups. */
  static final class ExampleRows {
    private final MessageType schema;
    private final ParquetWriter<Group> writer;

    ExampleRows(MessageType schema, ParquetWriter<Group> writer) {
      this.schema = schema;
      this.writer = writer;
    }

    Group newGroup() {
      return new org.apache.parquet.example.data.simple.SimpleGroup(schema);
    }

    void write(Group g) {
      try {
        writer.write(g);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static byte[] avro(Schema schema, List<GenericRecord> records, CodecFactory codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> w =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.setCodec(codec);
      w.create(schema, out);
      for (GenericRecord r : records) {
        w.append(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** JSON Lines with Jackson. */
  static byte[] jsonLines(List<Map<String, Object>> records) {
    StringBuilder sb = new StringBuilder();
    for (Map<String, Object> r : records) {
      try {
        sb.append(JSON.writeValueAsString(r)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A COPY manifest; {@code lengths} null means no meta entries. */
  static byte[] manifest(List<String> urls, List<Long> lengths, List<Boolean> mandatory) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode entries = root.putArray("entries");
    for (int i = 0; i < urls.size(); i++) {
      ObjectNode e = entries.addObject();
      e.put("url", urls.get(i));
      e.put("mandatory", mandatory == null || mandatory.get(i));
      if (lengths != null) {
        e.putObject("meta").put("content_length", lengths.get(i));
      }
    }
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  static OutputStream discard() {
    return OutputStream.nullOutputStream();
  }
}
