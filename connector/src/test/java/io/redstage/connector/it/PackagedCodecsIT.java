package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every codec of every format, written by the connector loaded from the unpacked plugin ZIP. The
 * ZIP carries a minimized Parquet/Hadoop stack and trimmed zstd/snappy natives, so this proves
 * nothing the codecs load at run time (by class name, service file or native library) was left out.
 * All connectors run at once on one worker; each file is read back with an independent reader and
 * checked for its codec and its values.
 */
class PackagedCodecsIT {
  private static final String BUCKET = "codecs";
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int RECORDS = 40;
  private static PipelineFixture fx;

  /** One connector per case: topic/connector name, then the format settings. */
  private static final Map<String, Map<String, String>> CASES = new LinkedHashMap<>();

  static {
    CASES.put("parquet-snappy", Map.of("format.class", "parquet", "parquet.codec", "snappy"));
    CASES.put("parquet-zstd", Map.of("format.class", "parquet", "parquet.codec", "zstd"));
    CASES.put("parquet-gzip", Map.of("format.class", "parquet", "parquet.codec", "gzip"));
    CASES.put("parquet-none", Map.of("format.class", "parquet", "parquet.codec", "none"));
    CASES.put("avro-null", Map.of("format.class", "avro", "avro.codec", "null"));
    CASES.put("avro-deflate", Map.of("format.class", "avro", "avro.codec", "deflate"));
    CASES.put("avro-snappy", Map.of("format.class", "avro", "avro.codec", "snappy"));
    CASES.put("avro-zstd", Map.of("format.class", "avro", "avro.codec", "zstd"));
    CASES.put("jsonl-gzip", Map.of("format.class", "jsonl", "s3.compression.type", "gzip"));
    CASES.put("jsonl-none", Map.of("format.class", "jsonl", "s3.compression.type", "none"));
  }

  @BeforeAll
  static void start() {
    fx = new PipelineFixture(BUCKET);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void everyCodecOfEveryFormatWritesReadableFilesFromThePackagedPlugin() throws Exception {
    for (Map.Entry<String, Map<String, String>> e : CASES.entrySet()) {
      String topic = e.getKey();
      fx.connect.createTopic(topic, 1);
      for (long id = 0; id < RECORDS; id++) {
        fx.send(topic, 0, null, Records.adEvent(id, false));
      }
      Map<String, String> c = fx.baseConfig(topic, BUCKET);
      c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
      c.put("value.converter.schemas.enable", "true");
      c.put("flush.size", String.valueOf(RECORDS));
      c.putAll(e.getValue());
      assertThat(fx.connect.createConnector(topic, c))
          .as("create connector " + topic)
          .isEqualTo(201);
    }
    fx.producer.flush();

    for (String topic : CASES.keySet()) {
      CommitMarker m =
          fx.awaitCovered(BUCKET, topic, Map.of(0, (long) RECORDS), WAIT).firstEntry().getValue();
      assertThat(m.files()).as(topic).hasSize(1);
      MarkerFile f = m.files().get(0);
      byte[] bytes = fx.get(BUCKET, f.key());
      assertThat(bytes.length).as("marker size of " + f.key()).isEqualTo(f.bytes());
      assertThat(ids(topic, f.key(), bytes)).as("ids in " + f.key()).isEqualTo(expectedIds());
      fx.connect.deleteConnector(topic);
    }
  }

  /**
   * Reads one file by its case, checks the codec it was written with and every row's values;
   * returns the ids.
   */
  private static List<Long> ids(String topic, String key, byte[] bytes) throws Exception {
    List<Long> ids = new ArrayList<>();
    if (topic.startsWith("parquet-")) {
      String codec = topic.substring("parquet-".length());
      CompressionCodecName expected =
          codec.equals("none")
              ? CompressionCodecName.UNCOMPRESSED
              : CompressionCodecName.valueOf(codec.toUpperCase(java.util.Locale.ROOT));
      assertThat(key).endsWith(expected.getExtension() + ".parquet");
      assertThat(FileReaders.parquetCodecs(bytes))
          .as("column chunk codecs of " + key)
          .containsExactly(expected);
      for (GenericRecord r : FileReaders.parquet(bytes)) {
        ids.add(checkRow(r));
      }
    } else if (topic.startsWith("avro-")) {
      String codec = topic.substring("avro-".length());
      assertThat(key).endsWith(".avro");
      assertThat(FileReaders.avroCodec(bytes))
          .as("avro.codec of " + key)
          .isEqualTo(codec.equals("zstd") ? "zstandard" : codec);
      for (GenericRecord r : FileReaders.avro(bytes)) {
        ids.add(checkRow(r));
      }
    } else {
      boolean gzip = topic.endsWith("-gzip");
      assertThat(key).endsWith(gzip ? ".jsonl.gz" : ".jsonl");
      if (gzip) {
        assertThat(bytes[0] & 0xff).isEqualTo(GZIPInputStream.GZIP_MAGIC & 0xff);
      }
      for (JsonNode row : FileReaders.jsonLines(bytes, gzip)) {
        long id = row.get("id").asLong();
        assertThat(row.get("campaign").asText()).isEqualTo("c-" + (id % 7));
        assertThat(row.get("clicks").asInt()).isEqualTo(id % 100);
        assertThat(row.get("kafka_offset").asLong()).isEqualTo(id);
        assertThat(row.get("kafka_topic").asText()).isEqualTo(topic);
        ids.add(id);
      }
    }
    return ids;
  }

  private static long checkRow(GenericRecord r) {
    long id = (Long) r.get("id");
    assertThat(r.get("kafka_offset")).isEqualTo(id);
    assertThat(r.get("campaign").toString()).isEqualTo("c-" + (id % 7));
    assertThat(r.get("clicks")).isEqualTo((int) (id % 100));
    assertThat(r.get("ctr")).isEqualTo(id / 1000.0);
    assertThat(r.get("billable")).isEqualTo(id % 2 == 0);
    assertThat(SinkPipelineIT.decimal(r.get("price"), 2))
        .isEqualByComparingTo(new BigDecimal(id).movePointLeft(2));
    assertThat(SinkPipelineIT.millis(r.get("event_time"))).isEqualTo(Records.BASE_TIME + id * 1000);
    if (id % 5 == 0) {
      assertThat(r.get("note")).isNull();
    } else {
      assertThat(r.get("note").toString()).isEqualTo("note " + id);
    }
    return id;
  }

  private static List<Long> expectedIds() {
    List<Long> ids = new ArrayList<>();
    for (long id = 0; id < RECORDS; id++) {
      ids.add(id);
    }
    return ids;
  }
}
