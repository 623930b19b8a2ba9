package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The least privilege the docs give the loader's database user: USAGE and CREATE on schemas an
 * admin created, no CREATE on the database. The stand-in runs the loader's statements as that
 * PostgreSQL role, where, as on Redshift, CREATE SCHEMA IF NOT EXISTS of an existing schema needs
 * CREATE on the database.
 */
class ExistingSchemasIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("v", ColumnType.of(ColumnType.Kind.STRING), true));

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
  void asTheSuperuser() {
    stack.redshift.faults().statementsAsDbUser(false);
  }

  /** A role with USAGE and CREATE on each of {@code schemas} (created), and nothing more. */
  static String role(String role, String... schemas) throws Exception {
    sql(
        "CREATE ROLE " + role,
        // what every database user of a cluster has: the system views and functions
        "GRANT USAGE ON SCHEMA redstage_sys TO " + role,
        "GRANT ALL ON ALL TABLES IN SCHEMA redstage_sys TO " + role);
    for (String schema : schemas) {
      sql("CREATE SCHEMA " + schema, "GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + role);
    }
    return role;
  }

  static Map<String, String> config(String topic, String role, String control, String target) {
    Map<String, String> c = stack.config(topic);
    c.put("redshift.db-user", role);
    c.put("control.schema", control);
    c.put("target.schema", target);
    return c;
  }

  static void unit(String topic, long start, long end) {
    stack.files.unit(topic, 0, start, end, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
  }

  /**
   * Control tables in an existing schema and a target created in another: both load without CREATE
   * on the database (the loader refused to start, its CREATE SCHEMA IF NOT EXISTS denied).
   */
  @Test
  void aUserWithCreateOnExistingSchemasOnlyStartsAndCreatesItsTarget() throws Exception {
    String role = role("es_loader", "es_ctl", "es_data");
    stack.redshift.faults().statementsAsDbUser(true);
    unit("es_orders", 0, 9);
    try (Loader loader = stack.loader(config("es_orders", role, "es_ctl", "es_data"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.tablesStopped()).isZero();
      assertThat(r.unitsLoaded()).isEqualTo(1);
    }
    unit("es_orders", 10, 19);
    try (Loader loader = stack.loader(config("es_orders", role, "es_ctl", "es_data"))) {
      assertThat(loader.runOnce().unitsLoaded()).as("a second start").isEqualTo(1);
    }
    stack.redshift.faults().statementsAsDbUser(false);
    assertThat(stack.count("SELECT COUNT(*) FROM es_data.es_orders")).isEqualTo(20);
    assertThat(stack.count("SELECT COUNT(*) FROM es_ctl._redstage_load_markers")).isEqualTo(2);
  }

  /** A schema missing that the user may not create: the error says what to do. */
  @Test
  void aMissingSchemaTheUserMayNotCreateSaysWhatToDo() throws Exception {
    String role = role("es_lacking", "es_lacking_ctl");
    stack.redshift.faults().statementsAsDbUser(true);
    try (Loader loader = stack.loader(config("es_none", role, "es_absent", "public"))) {
      assertThatThrownBy(loader::runOnce)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(
              "Cannot create the loader's control schema 'es_absent' (control.schema): ")
          .hasMessageContaining("permission denied for database")
          .hasMessageEndingWith(
              ". Create schema es_absent and grant the loader's database user USAGE and CREATE"
                  + " on it, or grant that user CREATE on the database so that the loader creates"
                  + " the schema itself.");
    }

    unit("es_lost", 0, 9);
    try (Loader loader = stack.loader(config("es_lost", role, "es_lacking_ctl", "es_gone"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.tablesStopped()).as("the environment stopped the table").isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
    }
    stack.redshift.faults().statementsAsDbUser(false);
    assertThat(
            stack.query(
                "SELECT last_error FROM es_lacking_ctl._redstage_load_failures"
                    + " WHERE target_table = 'es_gone.es_lost'"))
        .singleElement()
        .asString()
        .contains("CREATE SCHEMA IF NOT EXISTS")
        .contains("permission denied for database")
        .contains("Create schema es_gone and grant the loader's database user USAGE and CREATE");
  }

  static void sql(String... statements) throws Exception {
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
