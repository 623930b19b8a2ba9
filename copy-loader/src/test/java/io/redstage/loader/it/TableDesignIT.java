package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.cli.LoaderCli;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * Redshift-native tables: created with DISTSTYLE AUTO, ENCODE AUTO, the record-time sort key and
 * sized VARCHARs, and a VARCHAR widened (outside the load transaction, which the stand-in enforces)
 * when a longer value arrives, in every format, also across a crash between widening and loading.
 */
class TableDesignIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static final List<MarkerColumn> COLUMNS =
      List.of(
          new MarkerColumn("id", ColumnType.of(Kind.INT64), true),
          new MarkerColumn("name", ColumnType.of(Kind.STRING), true),
          new MarkerColumn("note", ColumnType.of(Kind.STRING), true));

  private static int varcharLength(String table, String column) throws Exception {
    return (int)
        stack.count(
            "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = 'public' "
                + "AND table_name = '"
                + table
                + "' AND column_name = '"
                + column
                + "'");
  }

  @Test
  void createdTablesCarryDistStyleSortKeyEncodeAutoAndSizedVarchars() throws Exception {
    stack.files.unit(
        "designed", 0, 0, 9, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "n" + o));
    Map<String, String> config = stack.config("designed");
    config.put("table.public.designed.varchar-lengths", "note:1000");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(
            stack.query(
                "SELECT diststyle, sortkey1, sortkey_num, encoded FROM redstage_sys.svv_table_info "
                    + "WHERE \"table\" = 'designed'"))
        .containsExactly(List.of("AUTO(ALL)", "kafka_timestamp", 1, "Y, AUTO(ENCODE)"));
    assertThat(varcharLength("designed", "name")).as("tables.varchar-length").isEqualTo(256);
    assertThat(varcharLength("designed", "note")).as("per column").isEqualTo(1000);

    stack.files.unit(
        "unsorted", 0, 0, 4, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "n" + o));
    Map<String, String> other = stack.config("unsorted");
    other.put("table.public.unsorted.sort-key", "id");
    other.put("table.public.unsorted.varchar-length", "32");
    try (Loader loader = stack.loader(other)) {
      loader.runOnce();
    }
    assertThat(
            stack.query(
                "SELECT sortkey1 FROM redstage_sys.svv_table_info WHERE \"table\" = 'unsorted'"))
        .containsExactly(List.of("id"));
    assertThat(varcharLength("unsorted", "name")).isEqualTo(32);
  }

  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO", "JSONL"})
  void aLongerValueWidensTheColumnAndLoads(FileFormat format) throws Exception {
    String topic = "widen_" + format.name().toLowerCase(Locale.ROOT);
    String long300 = "é".repeat(150); // 300 bytes, 150 characters
    stack.files.unit(topic, 0, 0, 9, format, COLUMNS, o -> row("id", o, "name", "n" + o));
    try (Loader loader = stack.loader(stack.config(topic))) {
      loader.runOnce();
      assertThat(varcharLength(topic, "name")).isEqualTo(256);
      stack.files.unit(
          topic,
          0,
          10,
          19,
          format,
          COLUMNS,
          o -> row("id", o, "name", o == 15 ? long300 : "n" + o, "note", "x"));
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
      assertThat(r.rowsRejected()).as("no row set aside").isZero();
    }
    assertThat(varcharLength(topic, "name")).as("next power of two").isEqualTo(512);
    assertThat(varcharLength(topic, "note")).as("fits: unchanged").isEqualTo(256);
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(20);
    assertThat(stack.query("SELECT name FROM public." + topic + " WHERE id = 15"))
        .containsExactly(List.of(long300));
    assertThat(
            stack
                .s3
                .client()
                .listObjectsV2(
                    b ->
                        b.bucket(LoaderStack.BUCKET)
                            .prefix("_redstage/manifests/public." + topic + "/"))
                .contents())
        .as("the attempt that failed on the long value deleted its manifests, as the loads did")
        .isEmpty();
  }

  /**
   * The widening ALTER failing for a reason of its own conditions (a serializable conflict, as when
   * it waits behind readers): the batch waits and loads once it passes, instead of using up an
   * attempt, which with max-attempts 1 quarantined a unit that only needed a wider column.
   */
  @Test
  void aWideningThatMeetsAConflictDefersTheBatchInsteadOfCountingAnAttempt() throws Exception {
    String topic = "widen_conflict";
    stack.files.unit(topic, 0, 0, 9, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "n"));
    Map<String, String> config = new HashMap<>(stack.config(topic));
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      stack.files.unit(
          topic,
          0,
          10,
          19,
          FileFormat.PARQUET,
          COLUMNS,
          o -> row("id", o, "name", "w".repeat(600)));
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^ALTER TABLE .* ALTER COLUMN",
              -1,
              "ERROR: 1023 DETAIL: Serializable isolation violation on table - 100123, transactions "
                  + "forming the cycle are: 1, 2 (pid:1)");
      CycleReport blocked = loader.runOnce();
      assertThat(blocked.unitsLoaded()).isZero();
      assertThat(blocked.batchesQuarantined()).isZero();
      stack.redshift.faults().clear();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> loader.runOnce() != null && count(topic) == 20);
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(varcharLength(topic, "name")).isEqualTo(1024);
    assertThat(quarantined(topic)).isZero();
  }

  /**
   * A widening ALTER the loader's user may not run (it does not own the table): only the unit with
   * the long value needs it, so the others load and that one is quarantined. Taken for a refusal of
   * the environment, it stopped every batch of the table.
   */
  @Test
  void aWideningTheUserMayNotRunQuarantinesOnlyTheUnitThatNeedsIt() throws Exception {
    String topic = "widen_owner";
    stack.files.unit(topic, 0, 0, 9, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "n"));
    Map<String, String> config = new HashMap<>(stack.config(topic));
    config.put("load.retry.max-attempts", "1");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      for (int p = 0; p < 3; p++) {
        int partition = p;
        stack.files.unit(
            topic,
            partition,
            10,
            19,
            FileFormat.PARQUET,
            COLUMNS,
            o -> row("id", 100 * partition + o, "name", partition == 1 ? "v".repeat(600) : "s"));
      }
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^ALTER TABLE .* ALTER COLUMN", -1, "ERROR: must be owner of relation widen_owner");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> loader.runOnce() != null && quarantined(topic) == 1);
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(count(topic)).as("the first unit and the two without a long value").isEqualTo(30);
  }

  @Test
  void aCrashBetweenWideningAndLoadingRecoversWithoutDuplicates() throws Exception {
    String topic = "widen_crash";
    stack.files.unit(topic, 0, 0, 9, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "n"));
    try (Loader loader = stack.loader(stack.config(topic))) {
      loader.runOnce();
    }
    stack.files.unit(
        topic, 0, 10, 19, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "x".repeat(600)));
    // the first load fails on the long value before its marker INSERT; the one after the widening
    // is the first to reach it, and dies there: the process "crashes" after the ALTER committed
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^INSERT INTO \"public\"\\.\"_redstage_load_markers\"",
            1,
            "ERROR: simulated crash before commit");
    try (Loader loader = stack.loader(stack.config(topic))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isZero();
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(varcharLength(topic, "name")).as("widened before the crash").isEqualTo(1024);
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(10);
    try (Loader loader = stack.loader(stack.config(topic))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> loader.runOnce() != null && count(topic) == 20);
    }
    assertThat(varcharLength(topic, "name")).isEqualTo(1024);
    assertThat(stack.count("SELECT COUNT(DISTINCT kafka_offset) FROM public." + topic))
        .isEqualTo(20);
    assertThat(quarantined(topic)).isZero();
  }

  @Test
  void twoLoadersWideningTheSameColumnLoadEveryRowOnce() throws Exception {
    String topic = "widen_two";
    stack.files.unit(topic, 0, 0, 9, FileFormat.JSONL, COLUMNS, o -> row("id", o, "name", "n"));
    try (Loader loader = stack.loader(stack.config(topic))) {
      loader.runOnce();
    }
    for (int p = 0; p < 3; p++) {
      int partition = p;
      stack.files.unit(
          topic,
          partition,
          10,
          19,
          FileFormat.JSONL,
          COLUMNS,
          o -> row("id", 100 * partition + o, "name", "z".repeat(300 + 300 * partition)));
    }
    try (Loader a = stack.loader(stack.config(topic));
        Loader b = stack.loader(stack.config(topic))) {
      CompletableFuture<CycleReport> first =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return a.runOnce();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      b.runOnce();
      first.get();
      await().atMost(Duration.ofSeconds(60)).until(() -> b.runOnce() != null && count(topic) == 40);
    }
    assertThat(count(topic)).isEqualTo(40);
    assertThat(stack.count("SELECT COUNT(DISTINCT id) FROM public." + topic)).isEqualTo(40);
    assertThat(varcharLength(topic, "name")).as("900 bytes fit 1024").isEqualTo(1024);
    assertThat(quarantined(topic)).isZero();
  }

  @Test
  void aWideningRedshiftRefusesFailsClearlyAndLoadsOnceTheColumnIsReencoded() throws Exception {
    String topic = "widen_refused";
    Map<String, String> config = stack.config(topic);
    config.put("load.retry.max-attempts", "1");
    stack.files.unit(topic, 0, 0, 9, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "n"));
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
    }
    redshift("ALTER TABLE public.widen_refused ALTER COLUMN name ENCODE bytedict");
    stack.files.unit(
        topic, 0, 10, 19, FileFormat.PARQUET, COLUMNS, o -> row("id", o, "name", "y".repeat(300)));
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    }
    List<Object> quarantined =
        stack
            .query(
                "SELECT batch_id, error FROM public._redstage_quarantine WHERE target_table = 'public.widen_refused' "
                    + "AND released_at IS NULL")
            .get(0);
    assertThat((String) quarantined.get(1))
        .contains(
            "Cannot widen column name of public.widen_refused from VARCHAR(256) to VARCHAR(512) for batch")
        .contains("BYTEDICT")
        .contains("Widen the column by hand");
    assertThat(varcharLength(topic, "name")).isEqualTo(256);

    redshift("ALTER TABLE public.widen_refused ALTER COLUMN name ENCODE lzo");
    List<String> args = new ArrayList<>(List.of("release", "--batch", (String) quarantined.get(0)));
    config.forEach((k, v) -> args.add("-D" + k + "=" + v));
    assertThat(
            LoaderCli.execute(
                args.toArray(String[]::new),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                Map.of()))
        .isZero();
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(varcharLength(topic, "name")).isEqualTo(512);
    assertThat(count(topic)).isEqualTo(20);
  }

  /** Runs one statement through the stand-in's Data API (so that its Redshift rules apply). */
  private static void redshift(String sql) {
    try (RedshiftDataClient client =
        RedshiftDataClient.builder()
            .endpointOverride(URI.create(stack.redshift.endpoint().toString()))
            .region(Region.of(stack.s3.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(stack.s3.accessKey(), stack.s3.secretKey())))
            .build()) {
      String id =
          client
              .executeStatement(
                  b ->
                      b.clusterIdentifier("local-cluster")
                          .dbUser("loader")
                          .database("dev")
                          .sql(sql))
              .id();
      DescribeStatementResponse d =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> client.describeStatement(b -> b.id(id)),
                  r ->
                      r.status() == StatusString.FINISHED
                          || r.status() == StatusString.FAILED
                          || r.status() == StatusString.ABORTED);
      assertThat(d.status()).as(sql + ": " + d.error()).isEqualTo(StatusString.FINISHED);
    }
  }

  /** Units of the table in quarantine. */
  private static long quarantined(String table) throws Exception {
    return stack.count(
        "SELECT COUNT(*) FROM public._redstage_quarantine WHERE target_table = 'public."
            + table
            + "'");
  }

  private static long count(String table) throws Exception {
    return stack.count("SELECT COUNT(*) FROM public." + table);
  }
}
