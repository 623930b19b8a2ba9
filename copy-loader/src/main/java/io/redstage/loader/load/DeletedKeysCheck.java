package io.redstage.loader.load;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import java.util.List;
import java.util.Optional;

/**
 * Whether an upsert target's deleted-keys table, created with the key and metadata columns of its
 * first upsert batch, has the columns a load names: every upsert batch reads that table, so while
 * it lacks one (upsert.key or a metadata column renamed since) each batch would fail and be split,
 * retried and quarantined, holding its partitions. Likewise while it has a column the load does not
 * name: a column taken out of upsert.key stays there NOT NULL, and each delete the table records
 * fails its batch. Pure: {@link ControlReader#deletedKeysDiffering} reads the tables.
 */
final class DeletedKeysCheck {
  private DeletedKeysCheck() {}

  /**
   * @param target the upsert target
   * @param tombstones its deleted-keys table
   * @param columns the columns its load names (key, then metadata columns)
   * @param existing the deleted-keys table's columns, or null when it does not exist (a load
   *     creates it with the names of that load)
   * @return why {@code target} cannot load, naming the table, the column and what to do; empty when
   *     it can
   */
  static Optional<ConfigException> differs(
      TableRef target, TableRef tombstones, List<String> columns, TableSchema existing) {
    if (existing == null) {
      return Optional.empty();
    }
    for (String c : columns) {
      if (!existing.columns().containsKey(c)) {
        return Optional.of(differs(target, tombstones, "has no column " + c, existing));
      }
    }
    for (String c : existing.columns().keySet()) {
      if (!columns.contains(c)) {
        return Optional.of(
            differs(target, tombstones, "has a column " + c + " the load does not name", existing));
      }
    }
    return Optional.empty();
  }

  private static ConfigException differs(
      TableRef target, TableRef tombstones, String difference, TableSchema existing) {
    return new ConfigException(
        "Cannot load "
            + target.name()
            + " in upsert mode: its deleted-keys table "
            + tombstones.name()
            + " "
            + difference
            + " (it has "
            + existing.columns().keySet()
            + "): upsert.key or a metadata column name changed since it was created, and every"
            + " upsert batch reads it. With the loaders stopped, rename the column if a metadata"
            + " column was renamed, or drop the table if upsert.key changed (forgetting the"
            + " deletes it keeps: an older row of a deleted key that loads later would bring the"
            + " key back); the table loads at the next cycle.");
  }
}
