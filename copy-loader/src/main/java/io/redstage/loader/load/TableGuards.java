package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.sql.DeletedKeysTable;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSettings;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables a cycle would not load for their settings, for 'status' and 'dry-run': those whose own
 * settings do not resolve ({@link CyclePlanner.Plan#unconfigured}), and those of the checks a cycle
 * makes before a table's first batch ({@link TableLoad#run}): the markers of its units name each
 * metadata column alike, and an upsert table's deleted-keys table has the columns its load names.
 * Each reason is the text the cycle logs, which says what to do. Reads only the catalog.
 */
final class TableGuards {
  private TableGuards() {}

  /** The tables of {@code plan} whose units wait for their settings, with why, by table. */
  static Map<TableRef, String> waitingForSettings(
      CyclePlanner.Plan plan, TableSettingsResolver settings, ControlReader reader)
      throws InterruptedException {
    Map<TableRef, String> out = new TreeMap<>(plan.unconfigured());
    for (Map.Entry<TableRef, List<Batch>> e : plan.batches().entrySet()) {
      try {
        checked(e.getKey(), e.getValue(), settings, reader);
      } catch (ConfigException ex) {
        out.put(e.getKey(), ex.getMessage());
      }
    }
    return out;
  }

  /**
   * The settings {@code table} loads {@code batches} with, after the checks a cycle makes before
   * its first batch: the metadata column names come from the markers, and all of the units must
   * agree; an upsert table's deleted-keys table must have the columns its loads name.
   *
   * @throws ConfigException naming the table, why it cannot load and what to do
   */
  static TableSettings checked(
      TableRef table, List<Batch> batches, TableSettingsResolver settings, ControlReader reader)
      throws InterruptedException {
    TableSettings s =
        settings.settings(table, batches.stream().flatMap(b -> b.units().stream()).toList());
    if (s.upsert()) {
      reader.checkDeletedKeys(table, DeletedKeysTable.columns(s.upsertKey(), s.metadata()));
    }
    return s;
  }
}
