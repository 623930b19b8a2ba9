package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.cli.LoaderCli;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Configuration errors surface at start (run, once, dry-run, status), not as a quarantined batch
 * later.
 */
class PreflightIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true));
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @AfterEach
  void clearFaults() {
    stack.s3.faults().clear();
  }

  static String[] args(String command, Map<String, String> config) {
    List<String> args = new ArrayList<>(List.of(command));
    config.forEach((k, v) -> args.add("-D" + k + "=" + v));
    return args.toArray(String[]::new);
  }

  /**
   * The config of a loader of {@code topic} (one unit listed) in a bucket where S3 refuses every
   * PutObject under "locked/".
   */
  private static Map<String, String> withLockedPrefix(String topic) {
    stack.files.unit(topic, 0, 0, 4, FileFormat.PARQUET, COLS, o -> row("id", o));
    stack
        .s3
        .faults()
        .failAlways(
            S3Fault.ACCESS_DENIED,
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix("locked/"));
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    return config;
  }

  @Test
  void unwritableManifestsDirIsReportedAtStartByEveryCommand() throws Exception {
    Map<String, String> config = withLockedPrefix("pre_manifests");
    config.put("manifests.dir", "locked/manifests");
    try (Loader loader = stack.loader(config)) {
      assertThatThrownBy(loader::runOnce)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(
              "Cannot write to 'manifests.dir' = 'locked/manifests' in bucket staging")
          .hasMessageContaining("Grant the loader s3:PutObject");
    }
    for (String command : List.of("once", "dry-run", "status")) {
      StringWriter err = new StringWriter();
      int code =
          LoaderCli.execute(
              args(command, config),
              new PrintWriter(new StringWriter()),
              new PrintWriter(err),
              Map.of());
      assertThat(code).as(command).isEqualTo(2);
      assertThat(err.toString()).as(command).contains("Cannot write to 'manifests.dir'");
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'pre_manifests'"))
        .isZero();
  }

  /**
   * A markers.loaded.dir the loader may not write was checked by {@code check} only: {@code run}
   * started, loaded, and then had every move refused while the markers piled up under markers.dir.
   * It is probed at start too when markers are moved there, and not when they are deleted.
   */
  @Test
  void unwritableLoadedMarkersDirIsReportedAtStartWhenMarkersMoveThere() throws Exception {
    Map<String, String> config = withLockedPrefix("pre_loaded");
    config.put("markers.loaded.dir", "locked/markers-loaded");
    LoaderStack.Cli refused = LoaderStack.cli(config, "once");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains(
            "Cannot write to 'markers.loaded.dir' = 'locked/markers-loaded' in bucket staging")
        .contains("Grant the loader s3:PutObject");

    config.put("markers.loaded.action", "delete");
    assertThat(LoaderStack.cli(config, "once").code()).isZero();
    assertThat(stack.count("SELECT COUNT(*) FROM pre_loaded")).isEqualTo(5);
  }

  /**
   * Credentials S3 refuses, and a bucket that does not exist, were reported as a missing
   * s3:PutObject grant on manifests.dir: the operator would edit a policy that is fine.
   */
  @Test
  void wrongCredentialsAndAMissingBucketAreNamedAsSuch() {
    Map<String, String> wrongSecret = stack.config();
    wrongSecret.put("topics", "pre_credentials");
    wrongSecret.put("aws.secret.access.key", "not-the-secret");
    LoaderStack.Cli refused = LoaderStack.cli(wrongSecret, "status");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err())
        .contains("Cannot use S3: it refuses the loader's AWS credentials (SignatureDoesNotMatch)")
        .doesNotContain("Grant the loader s3:PutObject")
        .doesNotContain("not-the-secret");

    Map<String, String> noBucket = stack.config();
    noBucket.put("topics", "pre_credentials");
    noBucket.put("s3.bucket.name", "no-such-bucket");
    LoaderStack.Cli missing = LoaderStack.cli(noBucket, "once");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .contains("Cannot use s3.bucket.name = 'no-such-bucket': S3 says there is no such bucket")
        .doesNotContain("Grant the loader s3:PutObject");
  }

  /** S3 failing at start was reported as a missing grant, with the exit code of a bad config. */
  @Test
  void s3FailingAtStartIsNotReportedAsAMissingGrant() throws Exception {
    stack
        .s3
        .faults()
        .failAlways(
            S3Fault.SERVICE_UNAVAILABLE,
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix("flaky/"));
    Map<String, String> config = stack.config();
    config.put("topics", "pre_flaky");
    config.put("manifests.dir", "flaky/manifests");
    config.put("redshift.retry.max-attempts", "2");
    try (Loader loader = stack.loader(config)) {
      assertThatThrownBy(loader::runOnce)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "Cannot check 'manifests.dir' = 'flaky/manifests' in bucket staging: S3 did not answer")
          .hasMessageContaining("Check the network path to S3")
          .hasMessageNotContaining("Grant");
    }
  }

  /**
   * A listing of the markers that S3 refused or failed reached the operator as the SDK's text
   * ("Access Denied (Service: S3, Status Code: 403, ...)"), naming neither the prefix nor what to
   * do. A refusal names the grant; S3 failing says it may pass. Both exit 1, as a command that
   * failed.
   */
  @Test
  void aMarkerListingS3RefusesOrFailsNamesThePrefixAndWhatToDo() {
    RequestMatcher listing =
        RequestMatcher.operations(ObjectOperation.LIST_OBJECTS)
            .keyPrefix(LoaderStack.MARKERS + "/pre_unlisted");
    Map<String, String> config = stack.config();
    config.put("topics", "pre_unlisted");
    config.put("redshift.retry.max-attempts", "2");
    String cannotList =
        "Cannot list the commit markers under s3://staging/_redstage/markers/pre_unlisted/: ";

    stack.s3.faults().failAlways(S3Fault.ACCESS_DENIED, listing);
    for (String command : List.of("once", "dry-run", "status")) {
      LoaderStack.Cli denied = LoaderStack.cli(config, command);
      assertThat(denied.code()).as(command).isEqualTo(1);
      assertThat(denied.err())
          .as(command)
          .startsWith(
              cannotList
                  + "AccessDenied (HTTP 403): Access Denied. Grant the loader's role s3:ListBucket on"
                  + " arn:aws:s3:::staging")
          .doesNotContain("Service: S3");
    }

    stack.s3.faults().clear();
    stack.s3.faults().failAlways(S3Fault.SERVICE_UNAVAILABLE, listing);
    LoaderStack.Cli failing = LoaderStack.cli(config, "status");
    assertThat(failing.code()).isEqualTo(1);
    assertThat(failing.err())
        .startsWith(cannotList + "ServiceUnavailable (HTTP 503)")
        .contains("It may pass (the SDK's retries are spent)")
        .doesNotContain("Grant");
  }

  @Test
  void urlInsteadOfPrefixIsRefusedWithTheKey() {
    Map<String, String> config = stack.config();
    config.put("quarantine.dir", "s3://staging/quarantine");
    assertThatThrownBy(() -> stack.loader(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "'quarantine.dir' = 's3://staging/quarantine': it is a key prefix inside 's3.bucket.name'");
  }

  @Test
  void metadataColumnTheFilesDoNotHaveIsReportedAtStartWithTheColumnsFound() throws Exception {
    // only version-1 markers take the column names from the config; version 2 states them
    stack
        .files
        .as(1, "kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp")
        .unit("pre_meta", 0, 0, 4, FileFormat.PARQUET, COLS, o -> row("id", o));
    Map<String, String> config = stack.config();
    config.put("topics", "pre_meta");
    config.put("metadata.offset-column", "record_offset");
    try (Loader loader = stack.loader(config)) {
      assertThatThrownBy(loader::runOnce)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("Cannot load with 'metadata.offset-column' = 'record_offset'")
          .hasMessageContaining("_redstage/markers/pre_meta/")
          .hasMessageContaining(
              "[id, kafka_topic, kafka_partition, kafka_offset, kafka_timestamp]");
    }
    StringWriter err = new StringWriter();
    assertThat(
            LoaderCli.execute(
                args("dry-run", config),
                new PrintWriter(new StringWriter()),
                new PrintWriter(err),
                Map.of()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("metadata.offset-column");
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'pre_meta'"))
        .isZero();
  }

  @Test
  void versionTwoUnitsWithoutMetadataColumnsAreQuarantinedInsteadOfStoppingTheLoader()
      throws Exception {
    // the connector once ran with metadata.columns.enabled=false: its only listed unit has no
    // topic, partition or offset column, which no loader key can fix
    String key = "topics/pre_nometa/partition=0/pre_nometa+0+0+1.jsonl";
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(key),
            RequestBody.fromString("{\"id\":1}\n{\"id\":2}\n"));
    MarkerColumn id =
        new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true, ColumnRole.VALUE);
    stack.files.marker(
        "pre_nometa",
        0,
        0,
        1,
        List.of(new MarkerFile(key, 16, 2, FileFormat.JSONL, "none", null, List.of(id))));
    Map<String, String> config = stack.config();
    config.put("topics", "pre_nometa");

    StringWriter out = new StringWriter();
    assertThat(
            LoaderCli.execute(
                args("status", config),
                new PrintWriter(out),
                new PrintWriter(new StringWriter()),
                Map.of()))
        .isEqualTo(0);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    }
    assertThat(
            stack.query(
                "SELECT error FROM public._redstage_quarantine WHERE target_table = 'public.pre_nometa'"))
        .singleElement()
        .asString()
        .contains("metadata.columns.enabled=true");

    // the connector fixed: its next unit loads
    stack.files.unit("pre_nometa", 0, 2, 3, FileFormat.PARQUET, COLS, o -> row("id", o));
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.pre_nometa WHERE id IN (2, 3)"))
        .isEqualTo(2);
  }

  /**
   * A marker that cannot be read holds its unit back; the later units of an append table load, so
   * nothing else showed it but one ERROR line and status. It is counted in every cycle report, in a
   * metric, and makes once exit 3.
   */
  @Test
  void anUnreadableMarkerIsCountedInTheReportTheMetricsAndOncesExitCode() throws Exception {
    stack.files.unit("pre_unreadable", 0, 0, 1, FileFormat.PARQUET, COLS, o -> row("id", o));
    String broken =
        stack
            .files
            .unit("pre_unreadable", 0, 2, 3, FileFormat.PARQUET, COLS, o -> row("id", o))
            .markerKey();
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(broken), RequestBody.fromString("{not json"));
    Map<String, String> config = stack.config();
    config.put("topics", "pre_unreadable");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.unreadableMarkers()).isEqualTo(1);
      assertThat(r.toString()).contains("unreadable markers 1 (their units wait: see status)");
      assertThat(loader.metrics().render())
          .contains("redstage_loader_unreadable_markers{table=\"public.pre_unreadable\"} 1");
    }
    assertThat(
            LoaderCli.execute(
                args("once", config),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                Map.of()))
        .isEqualTo(3);
  }

  @Test
  void topicsWhoseNamesMapToOneTableAreCounted() throws Exception {
    stack.files.unit("m.k10-coll-a", 0, 0, 1, FileFormat.PARQUET, COLS, o -> row("id", o));
    stack.files.unit("m.k10_coll-a", 0, 0, 1, FileFormat.PARQUET, COLS, o -> row("id", 100 + o));
    Map<String, String> config = stack.config();
    config.put("topics", "m.k10-coll-a,m.k10_coll-a");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      assertThat(loader.metrics().render())
          .contains("redstage_loader_merged_topics{table=\"public.m_k10_coll_a\"} 2");
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.m_k10_coll_a")).isEqualTo(4);
  }
}
