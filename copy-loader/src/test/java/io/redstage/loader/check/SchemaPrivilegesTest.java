package io.redstage.loader.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.check.SchemaPrivileges.Schema;
import io.redstage.loader.config.LoaderConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which schemas {@code check} asks about: each schema the loader writes to, once. */
class SchemaPrivilegesTest {
  static SchemaPrivileges privileges(Map<String, String> settings) {
    Map<String, String> m = new HashMap<>(settings);
    m.put("s3.bucket.name", "b");
    m.put("redshift.database", "dev");
    m.put("redshift.workgroup-name", "wg");
    return new SchemaPrivileges(LoaderConfig.of(m), null);
  }

  /**
   * Redshift folds Analytics to analytics: target.schema=Analytics and tables.map entries naming
   * analytics or ANALYTICS are one schema, checked once (its privileges were asked twice).
   */
  @Test
  void aMixedCaseTargetSchemaIsCheckedOnceUnderItsFoldedName() {
    SchemaPrivileges p =
        privileges(
            Map.of(
                "target.schema", "Analytics",
                "control.schema", "ANALYTICS",
                "tables.map",
                    "orders:analytics.orders, clicks:Sales.clicks, views:sales.views,"
                        + " carts:ANALYTICS.carts"));
    assertThat(p.schemas())
        .containsExactly(
            new Schema("schema target.schema", "analytics", "target.schema"),
            new Schema("schema sales", "sales", "tables.map entry 'clicks:Sales.clicks'"));
  }

  /** The loader maps a topic with its last entry: an entry it replaces sends nothing anywhere. */
  @Test
  void aSchemaOnlyAReplacedEntryNamesIsNotChecked() {
    SchemaPrivileges p =
        privileges(Map.of("tables.map", "orders:old.orders, orders : sales.orders"));
    assertThat(p.schemas()).extracting(Schema::schema).containsExactly("public", "sales");
  }
}
