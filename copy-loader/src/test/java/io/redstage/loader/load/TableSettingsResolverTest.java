package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.sql.TableDesign;
import io.redstage.loader.sql.TableRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table design settings: loader-wide defaults, per-table overrides, errors naming the key. */
class TableSettingsResolverTest {
  static final TableRef ORDERS = TableRef.of("sales", "orders");

  static Map<String, String> config(String... keyValues) {
    Map<String, String> m = new HashMap<>();
    m.put("s3.bucket.name", "b");
    m.put("redshift.database", "dev");
    m.put("redshift.workgroup-name", "wg");
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  static TableDesign design(TableRef t, String... keyValues) {
    return new TableSettingsResolver(LoaderConfig.of(config(keyValues)))
        .settings(t, List.of())
        .design();
  }

  @Test
  void defaultsSortByRecordTimeUseTheLoaderWideLengthAndWiden() {
    TableDesign d = design(ORDERS);
    assertThat(d.sortKey()).isEqualTo(TableDesign.SortKey.RECORD_TIME);
    assertThat(d.varcharLength()).as("0: tables.varchar-length").isZero();
    assertThat(d.columnLengths()).isEmpty();
    assertThat(d.widen()).isTrue();
  }

  @Test
  void perTableSettingsOverrideTheLoaderWideOnes() {
    TableDesign d =
        design(
            ORDERS,
            "tables.sort-key",
            "none",
            "tables.varchar-widen",
            "false",
            "table.sales.orders.sort-key",
            "Created_At, id",
            "table.sales.orders.varchar-length",
            "1024",
            "table.sales.orders.varchar-lengths",
            "body:65535, Code:8");
    assertThat(d.sortKey()).isEqualTo(TableDesign.SortKey.COLUMNS);
    assertThat(d.sortColumns()).containsExactly("created_at", "id");
    assertThat(d.varcharLength()).isEqualTo(1024);
    assertThat(d.columnLengths()).containsEntry("body", 65535).containsEntry("code", 8);
    assertThat(d.widen()).isFalse();
    assertThat(design(TableRef.of("sales", "other"), "tables.sort-key", "auto").sortKey())
        .isEqualTo(TableDesign.SortKey.AUTO);
  }

  @Test
  void badValuesFailNamingTheKey() {
    assertThatThrownBy(
            () -> new TableSettingsResolver(LoaderConfig.of(config("tables.sort-key", "a,,b"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Cannot use tables.sort-key: ")
        .hasMessageContaining("Use record-time, auto, none or a comma-separated list of columns.");
    assertThatThrownBy(() -> design(ORDERS, "table.sales.orders.varchar-length", "70000"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "Cannot use '70000' for table.sales.orders.varchar-length: expected a length in bytes of 1..65535.");
    assertThatThrownBy(() -> design(ORDERS, "table.sales.orders.varchar-lengths", "body=10"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "Cannot use table.sales.orders.varchar-lengths: 'body=10' is not column:length");
    assertThatThrownBy(() -> LoaderConfig.of(config("tables.varchar-length", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tables.varchar-length");
  }

  /**
   * Overrides are resolved when the loader starts: a bad one fails it then, not every table later,
   * and one the loader would never look up is refused instead of ignored.
   */
  @Test
  void overridesAreCheckedAtStart() {
    assertThatThrownBy(
            () ->
                new TableSettingsResolver(
                    LoaderConfig.of(config("table.public.customers.mode", "upsret"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Cannot use mode 'upsret' for table public.customers");
    assertThatThrownBy(
            () ->
                new TableSettingsResolver(
                    LoaderConfig.of(config("table.public.customers.mode", "upsert"))))
        .as("upsert without a key")
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Cannot load table public.customers in upsert mode: it has no key");
    assertThatThrownBy(
            () -> new TableSettingsResolver(LoaderConfig.of(config("load.mode", "upsert"))))
        .as("the loader-wide mode without a key fails at start, not at the first unit")
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot use load.mode=upsert without upsert.key: set the key columns, e.g. upsert.key=id "
                + "(or table.<schema.table>.upsert.key per table).");
    new TableSettingsResolver(
        LoaderConfig.of(config("load.mode", "upsert", "table.public.customers.upsert.key", "id")));
    new TableSettingsResolver(
        LoaderConfig.of(config("load.mode", "upsert", "table.public.customers.mode", "append")));
    assertThatThrownBy(
            () ->
                new TableSettingsResolver(
                    LoaderConfig.of(config("table.Sales.Orders.sort-key", "id"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot use table.Sales.Orders.sort-key: the loader looks overrides up by schema and "
                + "table in lower case, without quotes, so it would never apply. Write "
                + "table.sales.orders.sort-key.");
    assertThatThrownBy(
            () ->
                new TableSettingsResolver(
                    LoaderConfig.of(config("table.\"public\".\"orders\".mode", "append"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Write table.public.orders.mode.");
    assertThatThrownBy(
            () -> new TableSettingsResolver(LoaderConfig.of(config("table.orders.mode", "append"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Write table.public.orders.mode.");
    assertThatThrownBy(
            () ->
                new TableSettingsResolver(
                    LoaderConfig.of(config("table.sales.orders.sortkey", "id"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Cannot use table.sales.orders.sortkey: it names no table setting.");
    assertThat(
            new TableSettingsResolver(
                    LoaderConfig.of(
                        config(
                            "table.public.customers.mode",
                            "upsert",
                            "table.public.customers.upsert.key",
                            "id")))
                .upsert(TableRef.of("public", "customers")))
        .isTrue();
  }
}
