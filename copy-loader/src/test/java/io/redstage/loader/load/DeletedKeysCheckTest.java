package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.sql.RedshiftType;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The check of an upsert table's deleted-keys table, one home for the reason that a cycle logs and
 * 'status' and 'dry-run' show (which read all the tables they need in one query).
 */
class DeletedKeysCheckTest {
  static final TableRef TARGET = TableRef.of("public", "orders");
  static final TableRef TOMBSTONES = TableRef.of("ctl", "_redstage_deleted_orders");
  static final List<String> COLUMNS =
      List.of("id", "record_ts", "record_partition", "record_offset");

  static TableSchema existing(String... columns) {
    TableSchema s = new TableSchema();
    for (String c : columns) {
      s.add(c, RedshiftType.of(RedshiftType.Family.BIGINT), false);
    }
    return s;
  }

  @Test
  void aTableWithTheColumnsTheLoadNamesOrNoneYetLoads() {
    assertThat(
            DeletedKeysCheck.differs(
                TARGET,
                TOMBSTONES,
                COLUMNS,
                existing("id", "record_ts", "record_partition", "record_offset")))
        .isEmpty();
    assertThat(DeletedKeysCheck.differs(TARGET, TOMBSTONES, COLUMNS, null))
        .as("a load creates it with its names")
        .isEmpty();
  }

  @Test
  void aMissingColumnNamesTheTableTheColumnAndWhatToDo() {
    Optional<ConfigException> why =
        DeletedKeysCheck.differs(
            TARGET,
            TOMBSTONES,
            COLUMNS,
            existing("order_id", "record_ts", "record_partition", "record_offset"));
    assertThat(why)
        .get()
        .extracting(ConfigException::getMessage)
        .asString()
        .startsWith(
            "Cannot load public.orders in upsert mode: its deleted-keys table"
                + " ctl._redstage_deleted_orders has no column id (it has [order_id, record_ts,"
                + " record_partition, record_offset]): upsert.key or a metadata column name"
                + " changed since it was created")
        .endsWith("the table loads at the next cycle.");
  }

  @Test
  void aColumnTheLoadDoesNotNameIsRefusedToo() {
    Optional<ConfigException> why =
        DeletedKeysCheck.differs(
            TARGET,
            TOMBSTONES,
            COLUMNS,
            existing("id", "region", "record_ts", "record_partition", "record_offset"));
    assertThat(why)
        .get()
        .extracting(ConfigException::getMessage)
        .asString()
        .contains("ctl._redstage_deleted_orders has a column region the load does not name");
  }
}
