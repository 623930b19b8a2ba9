package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.cli.LoaderCli;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code redstage-loader check} against S3Proxy and the Redshift stand-in: everything OK on a good
 * setup, and each broken piece reported as FAIL with its fix and exit code 1.
 */
class CheckIT {
  static LoaderStack stack;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    stack = LoaderStack.start();
    // the stack's loader config signs in as db user 'loader'; here it is a real, unprivileged role
    sql(
        "CREATE ROLE loader",
        "GRANT USAGE, CREATE ON SCHEMA public TO loader",
        "CREATE SCHEMA locked",
        "CREATE SCHEMA analytics",
        "GRANT USAGE, CREATE ON SCHEMA analytics TO loader");
    // every test's check finds a marker to read
    aMarker();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @AfterEach
  void clearFaults() {
    stack.s3.faults().clear();
  }

  static void sql(String... statements) throws Exception {
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  static Run check(Map<String, String> overrides) {
    return check(stack, overrides);
  }

  /** Runs {@code check} against {@code stack} with its config and {@code overrides}. */
  static Run check(LoaderStack stack, Map<String, String> overrides) {
    Map<String, String> config = stack.config();
    config.putAll(overrides);
    List<String> args = new ArrayList<>(List.of("check"));
    config.forEach((k, v) -> args.add("-D" + k + "=" + v));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        LoaderCli.execute(
            args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err), Map.of());
    return new Run(code, out.toString(), err.toString());
  }

  /** An object under markers.dir with a marker's name, for the checks that read one. */
  static void aMarker() {
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(LoaderStack.MARKERS + "/check/0000000000/a.json"),
            RequestBody.fromString("{}"));
  }

  @Test
  void aWorkingSetupIsAllOk() {
    Run r = check(Map.of());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("SKIP  credentials", "store.url is set")
        .contains("OK    list markers.dir", "s3://staging/_redstage/markers/ is listable")
        .contains("OK    read markers.dir", "OK    delete under markers.dir")
        .contains("OK    write markers.loaded.dir", "OK    write manifests.dir")
        .contains("OK    write quarantine.dir", "OK    write rejects.dir")
        .contains("OK    data api", "ran SELECT 1 on cluster local-cluster, database dev")
        .contains("OK    copy role", "COPY read a probe file from s3://staging/")
        .contains(
            "OK    avro types",
            "COPY read timestamp-millis, timestamp-micros and date from an Avro file as written")
        .contains("OK    avro bytes", "COPY read an Avro bytes field into VARBYTE as written")
        .contains("OK    schema target.schema", "loader has USAGE and CREATE on 'public'")
        .contains("12 OK, 0 failed, 1 skipped.");
    assertThat(stack.s3.client().listObjectsV2(b -> b.bucket(LoaderStack.BUCKET)).contents())
        .as("probe objects are removed")
        .noneMatch(o -> o.key().contains(".redstage-"));
  }

  /** The read check reads the marker the listing check found: markers.dir is listed once. */
  @Test
  void markersDirIsListedOnce() {
    stack.s3.resetRequestCounts();
    Run r = check(Map.of());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("OK    read markers.dir", "check/0000000000/a.json");
    assertThat(stack.s3.requestCount(ObjectOperation.LIST_OBJECTS)).isEqualTo(1);
  }

  /**
   * A policy that allows listing markers but not reading them made every marker unreadable while
   * check passed; one without the delete let loaded markers pile up under markers.dir.
   */
  @Test
  void markersTheLoaderMayListButNotReadOrDeleteFail() {
    stack
        .s3
        .faults()
        .failAlways(
            S3Fault.ACCESS_DENIED,
            RequestMatcher.operations(ObjectOperation.GET_OBJECT, ObjectOperation.DELETE_OBJECT)
                .keyPrefix(LoaderStack.MARKERS + "/"));
    Run r = check(Map.of());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("OK    list markers.dir")
        .contains(
            "FAIL  read markers.dir",
            "Grant the loader s3:GetObject on markers.dir",
            "every marker would be rejected as unreadable")
        .contains(
            "FAIL  delete under markers.dir",
            "markers.loaded.action=move deletes each loaded marker from it");
    Run keep = check(Map.of("markers.loaded.action", "keep"));
    assertThat(keep.out()).doesNotContain("delete under markers.dir");
  }

  /** The schemas tables.map names take tables too: their privileges are checked as well. */
  @Test
  void aSchemaThatTablesMapNamesIsChecked() {
    Run r = check(Map.of("tables.map", "orders:locked.orders"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("OK    schema target.schema")
        .contains(
            "FAIL  schema locked",
            "Cannot load into tables.map entry 'orders:locked.orders' 'locked': loader lacks USAGE"
                + " and CREATE on it");
  }

  /**
   * Redshift folds target.schema=Analytics to analytics, the schema the entries name: it was looked
   * up as 'Analytics' (not found) and then checked a second time as the entries' schema.
   */
  @Test
  void aMixedCaseTargetSchemaIsCheckedOnceUnderItsFoldedName() {
    Run r =
        check(
            Map.of(
                "target.schema",
                "Analytics",
                "tables.map",
                "orders:analytics.orders, clicks:ANALYTICS.clicks"));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("OK    schema target.schema", "loader has USAGE and CREATE on 'analytics'")
        .doesNotContain("schema analytics", "schema ANALYTICS");
  }

  @Test
  void aWrongBucketSaysSo() {
    Run r = check(Map.of("s3.bucket.name", "no-such-bucket"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "FAIL  list markers.dir",
            "Cannot list s3://no-such-bucket: the bucket does not exist. Set s3.bucket.name to the bucket"
                + " the connector writes")
        .contains("SKIP  write manifests.dir", "needs 'list markers.dir', which failed.")
        .contains("FAIL  copy role", "Cannot write the COPY probe");
  }

  @Test
  void aPrefixTheLoaderMayNotWriteNamesItsKeyAndTheGrant() {
    stack
        .s3
        .faults()
        .failAlways(
            S3Fault.ACCESS_DENIED,
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix("locked/"));
    Run r = check(Map.of("rejects.dir", "locked/rejects"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("OK    write manifests.dir")
        .contains(
            "FAIL  write rejects.dir",
            "Cannot write to 'rejects.dir' = 'locked/rejects' in bucket staging",
            "Grant the loader s3:PutObject and s3:DeleteObject on that prefix");
  }

  @Test
  void anUnreachableDataApiSaysWhichEndpointAndSkipsWhatNeedsIt() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort;
    Run r = check(Map.of("redshift.endpoint", endpoint));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("OK    write manifests.dir")
        .contains(
            "FAIL  data api",
            "Cannot reach the Redshift Data API at " + endpoint,
            "Check redshift.endpoint and aws.region")
        .contains("SKIP  copy role", "needs 'data api', which failed.")
        .contains("SKIP  schema target.schema");
  }

  @Test
  void aMissingSchemaPrivilegePrintsTheGrant() {
    Run r = check(Map.of("target.schema", "locked"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "FAIL  schema target.schema",
            "Cannot load into target.schema 'locked': loader lacks USAGE and CREATE on it",
            "Run as an admin: GRANT USAGE, CREATE ON SCHEMA locked TO loader;")
        .contains("OK    schema control.schema", "loader has USAGE and CREATE on 'public'");
  }

  @Test
  void aMissingSchemaSaysCreateIt() {
    Run r = check(Map.of("control.schema", "nowhere"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "FAIL  schema control.schema",
            "Cannot load into control.schema 'nowhere': the schema does not exist and loader lacks"
                + " CREATE on the database to create it. Create it (CREATE SCHEMA nowhere;",
            "), grant loader CREATE on the database so that the loader creates it, or set");
  }

  /** The loader creates a missing schema when its user has CREATE on the database. */
  @Test
  void aMissingSchemaTheLoaderMayCreateIsFine() throws Exception {
    sql("GRANT CREATE ON DATABASE dev TO loader");
    try {
      Run r = check(Map.of("control.schema", "nowhere"));
      assertThat(r.out())
          .contains(
              "OK    schema control.schema",
              "'nowhere' does not exist; loader has CREATE on the database, so the loader creates"
                  + " it");
    } finally {
      sql("REVOKE CREATE ON DATABASE dev FROM loader");
    }
  }

  /**
   * A cluster whose Avro COPY refuses the times of the connector's Avro files (a field report says
   * COPY wants TIMEFORMAT 'epochmillisecs' for timestamp-millis): check says so, and what to do,
   * before the first Avro unit is quarantined.
   */
  @Test
  void anAvroCopyThatRefusesTimestampsSaysWhatItMeansForAvroUnits() {
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^COPY \"rs_check_avro\"",
            1,
            "ERROR: Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]");
    try {
      Run r = check(Map.of());
      assertThat(r.code()).as("a warning: setups without Avro are not concerned").isZero();
      assertThat(r.out())
          .contains("OK    copy role")
          .contains("11 OK, 0 failed, 1 warning(s), 1 skipped.")
          .contains("OK    avro bytes")
          .contains(
              "WARN  avro types",
              "Cannot COPY an Avro file holding timestamp-millis, timestamp-micros and date values into "
                  + "TIMESTAMP and DATE columns: ",
              "Invalid timestamp format or value",
              "Units the connector writes with format.class=avro would be quarantined with this error");
    } finally {
      stack.redshift.faults().clear();
    }
  }

  /**
   * Redshift documents VARBYTE loads from CSV, Parquet and ORC only, so an Avro bytes field into
   * VARBYTE may be refused on a cluster (the stand-in loads it): check says what that means, and
   * the answer about times stands on its own.
   */
  @Test
  void anAvroCopyThatRefusesBytesSaysWhatItMeansForAvroUnits() {
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^COPY \"rs_check_avro_bytes\"",
            1,
            "ERROR: Unsupported data type \"varbyte\" for column \"bin\"");
    try {
      Run r = check(Map.of());
      assertThat(r.code()).as("a warning: setups without Avro are not concerned").isZero();
      assertThat(r.out())
          .contains("OK    avro types")
          .contains("11 OK, 0 failed, 1 warning(s), 1 skipped.")
          .contains(
              "WARN  avro bytes",
              "Cannot COPY an Avro file holding a bytes field into a VARBYTE column: ",
              "Unsupported data type",
              "Redshift documents VARBYTE loads from CSV, Parquet and ORC only.",
              "Use format.class=parquet for such topics");
    } finally {
      stack.redshift.faults().clear();
    }
  }

  @Test
  void aCopyRoleThatIsNoArnIsRefusedBeforeAnyCopy() {
    Run r = check(Map.of("copy.iam-role", "redshift-copy"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("FAIL  copy role", "Cannot use copy.iam-role 'redshift-copy'")
        .contains("OK    data api");
  }
}
