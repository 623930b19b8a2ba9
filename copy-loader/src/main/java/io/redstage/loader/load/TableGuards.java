package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.sql.DeletedKeysTable;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSettings;
import java.util.LinkedHashMap;
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

  /**
   * The tables of {@code plan} whose units wait for their settings, with why, by table. The
   * deleted-keys tables of all upsert tables are read in one catalog query ({@link
   * ControlReader#deletedKeysDiffering}), not one per table.
   */
  static Map<TableRef, String> waitingForSettings(
      CyclePlanner.Plan plan, TableSettingsResolver settings, ControlReader reader)
      throws InterruptedException {
    Map<TableRef, String> out = new TreeMap<>(plan.unconfigured());
    Map<TableRef, List<String>> upsert = new LinkedHashMap<>();
    for (Map.Entry<TableRef, List<Batch>> e : plan.batches().entrySet()) {
      try {
        TableSettings s = resolved(e.getKey(), e.getValue(), settings);
        if (s.upsert()) {
          upsert.put(e.getKey(), DeletedKeysTable.columns(s.upsertKey(), s.metadata()));
        }
      } catch (ConfigException ex) {
        out.put(e.getKey(), ex.getMessage());
      }
    }
    reader.deletedKeysDiffering(upsert).forEach((t, why) -> out.put(t, why.getMessage()));
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
    TableSettings s = resolved(table, batches, settings);
    if (s.upsert()) {
      reader.checkDeletedKeys(table, DeletedKeysTable.columns(s.upsertKey(), s.metadata()));
    }
    return s;
  }

  private static TableSettings resolved(
      TableRef table, List<Batch> batches, TableSettingsResolver settings) {
    return settings.settings(table, batches.stream().flatMap(b -> b.units().stream()).toList());
  }
}
