package io.redstage.loader.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.FileFormat;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.types.SinkTaskRun;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kafka records to Redshift rows exactly once, in every format, on the sandbox or (opt-in, {@link
 * RealAwsSettings}) on real S3 and Redshift: the real sink task writes two partitions in units; a
 * replay rewrites some units with the same boundaries and a zombie writes overlapping units with
 * other boundaries; two loaders then load at once. Every (partition, offset) must be in the table
 * once, with its values. Checked with SQL over the Data API, the same on both backends.
 */
class EndToEndIT {
  static final int PARTITIONS = 2;
  static final int RECORDS = 100;
  static final Schema VALUE =
      SchemaBuilder.struct()
          .name("com.example.Order")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "10").build())
          .field("at", Timestamp.SCHEMA)
          .build();
  static StagingWarehouse warehouse;

  @BeforeAll
  static void start() {
    warehouse = StagingWarehouse.fromEnvironment();
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void everyOffsetLandsOnceDespiteReplaysZombiesAndTwoLoaders(FileFormat format) throws Exception {
    String topic = warehouse.topic("e2e_" + format.id());
    warehouse.created(List.of(topic));
    Duration timeout = Duration.ofMinutes(3);
    SinkTaskRun.commit(task(format, 25), records(topic, List.of(0, 1), 0, RECORDS - 1), timeout);
    // Connect rewinds partition 1 and the task rewrites its first unit with the same boundaries
    SinkTaskRun.commit(task(format, 25), records(topic, List.of(1), 0, 24), timeout);
    // a zombie of partition 0 with another flush size: units 10..29, 30..49 overlap written ones
    SinkTaskRun.commit(task(format, 20), records(topic, List.of(0), 10, 49), timeout);

    Map<String, String> config = warehouse.loaderConfig(topic);
    config.put("batch.max-files", "3");
    long rows = 0;
    try (Loader l1 = warehouse.loader(config);
        Loader l2 = warehouse.loader(config)) {
      // Two loaders creating the control tables at the same moment on a fresh database collide
      // (one fails its first cycle); a deployment starts one first, and so does this test.
      l1.ensureControlTables();
      List<CompletableFuture<CycleReport>> runs = new ArrayList<>();
      for (Loader l : List.of(l1, l2)) {
        runs.add(CompletableFuture.supplyAsync(() -> runOnce(l)));
      }
      for (CompletableFuture<CycleReport> run : runs) {
        rows += run.get().rowsLoaded();
      }
      CycleReport last;
      do {
        last = l1.runOnce();
        rows += last.rowsLoaded();
      } while (last.unitsPending() > 0 && last.unitsLoaded() > 0);
      assertThat(last.unitsPending()).as("units left on %s", warehouse.description()).isZero();

      String table = "\"" + warehouse.schema() + "\".\"" + topic + "\"";
      long expected = (long) PARTITIONS * RECORDS;
      assertThat(rows).as("rows the loaders reported").isEqualTo(expected);
      assertThat(single(warehouse.query(l1, "SELECT COUNT(*) FROM " + table))).isEqualTo(expected);
      assertThat(
              single(
                  warehouse.query(
                      l1,
                      "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_partition, kafka_offset FROM "
                          + table
                          + ") d")))
          .isEqualTo(expected);
      QueryResult row =
          warehouse.query(
              l1,
              "SELECT id, name, amount FROM "
                  + table
                  + " WHERE kafka_partition = 0 AND kafka_offset = 42");
      assertThat(row.rows()).hasSize(1);
      assertThat(QueryResult.number(row.rows().get(0).get(0))).isEqualTo(42L);
      assertThat(row.rows().get(0).get(1)).isEqualTo("n0-42");
      assertThat(new BigDecimal(row.rows().get(0).get(2).toString()))
          .isEqualByComparingTo(new BigDecimal("42.42"));
    }
  }

  private static CycleReport runOnce(Loader loader) {
    try {
      return loader.runOnce();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long single(QueryResult r) {
    return QueryResult.number(r.rows().get(0).get(0));
  }

  private static Map<String, String> task(FileFormat format, int flushSize) {
    Map<String, String> p = new HashMap<>(warehouse.connectorKeys());
    p.put("format.class", format.id());
    p.put("flush.size", Integer.toString(flushSize));
    p.put("rotate.schedule.interval.ms", "-1");
    p.put("rotate.idle.ms", "-1");
    return p;
  }

  /** Records of offsets start..end of each partition, partition by partition. */
  private static List<SinkRecord> records(
      String topic, List<Integer> partitions, long start, long end) {
    List<SinkRecord> out = new ArrayList<>();
    for (int p : partitions) {
      for (long o = start; o <= end; o++) {
        Struct v =
            new Struct(VALUE)
                .put("id", o)
                .put("name", "n" + p + "-" + o)
                .put(
                    "amount", new BigDecimal(o + "." + String.format(Locale.ROOT, "%02d", o % 100)))
                .put("at", new Date(1_700_000_000_000L + o));
        out.add(
            new SinkRecord(
                topic,
                p,
                null,
                null,
                VALUE,
                v,
                o,
                1_700_000_000_000L + o,
                TimestampType.CREATE_TIME));
      }
    }
    return out;
  }
}
