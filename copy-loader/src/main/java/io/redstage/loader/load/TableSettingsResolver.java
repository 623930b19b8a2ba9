package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.sql.MetadataColumns;
import io.redstage.loader.sql.TableDesign;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Per-table load settings: the global keys, overridden by {@code table.<schema.table>.*}. */
public final class TableSettingsResolver {
  private final LoaderConfig config;
  private final MetadataColumns metadata;
  private final Map<TableRef, TableSettings> cache = new ConcurrentHashMap<>();

  public TableSettingsResolver(LoaderConfig config) {
    this.config = config;
    List<String> names =
        List.of(
            config.string(META_TOPIC),
            config.string(META_PARTITION),
            config.string(META_OFFSET),
            config.string(META_TIMESTAMP),
            config.string(META_KEY),
            config.string(META_HEADERS),
            config.string(META_DELETED));
    List<String> folded = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    this.metadata =
        new MetadataColumns(
            names.get(0),
            names.get(1),
            names.get(2),
            names.get(3),
            names.get(4),
            names.get(5),
            names.get(6),
            MetadataColumns.keepSetting(config.list(TABLES_METADATA_COLUMNS), folded));
    // the loader-wide sort key fails at start rather than when the first table is created
    design(TableRef.of("public", "any"));
  }

  /** The Kafka metadata column names (the same for every table). */
  public MetadataColumns metadata() {
    return metadata;
  }

  public TableSettings settings(TableRef table) {
    return cache.computeIfAbsent(table, this::resolve);
  }

  private TableSettings resolve(TableRef table) {
    String mode =
        config
            .tableOverride(table.name(), "mode")
            .orElse(config.string(LOAD_MODE))
            .toLowerCase(Locale.ROOT);
    if (!mode.equals("append") && !mode.equals("upsert")) {
      throw new ConfigException(
          "Cannot use mode '"
              + mode
              + "' for table "
              + table
              + " (table."
              + table.name()
              + ".mode): expected append or upsert.");
    }
    List<String> key =
        config
            .tableOverride(table.name(), "upsert.key")
            .map(
                v ->
                    Arrays.stream(v.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList())
            .orElse(config.list(UPSERT_KEY));
    try {
      return new TableSettings(
          mode.equals("upsert") ? TableSettings.Mode.UPSERT : TableSettings.Mode.APPEND,
          key,
          config.list(UPSERT_DELETE_FLAG_COLUMNS),
          config.list(UPSERT_DELETE_OP_COLUMNS),
          metadata,
          config.string(UPSERT_STRATEGY).equals("merge")
              ? TableSettings.UpsertStrategy.MERGE
              : TableSettings.UpsertStrategy.DELETE_INSERT,
          design(table));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Cannot configure table " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * Layout of a table the loader creates: tables.sort-key / varchar settings, per-table overrides.
   */
  private TableDesign design(TableRef table) {
    String prefix = TABLE_OVERRIDE_PREFIX + table.name() + ".";
    int length = 0;
    String lengthSetting = config.tableOverride(table.name(), "varchar-length").orElse(null);
    if (lengthSetting != null) {
      try {
        length = Integer.parseInt(lengthSetting);
      } catch (NumberFormatException e) {
        length = -1;
      }
      if (length < 1 || length > 65535) {
        throw new ConfigException(
            "Cannot use '"
                + lengthSetting
                + "' for "
                + prefix
                + "varchar-length: expected a length in bytes of 1..65535.");
      }
    }
    TableDesign base;
    try {
      base =
          new TableDesign(
              TableDesign.SortKey.NONE,
              List.of(),
              length,
              TableDesign.columnLengths(
                  config
                      .tableOverride(table.name(), "varchar-lengths")
                      .map(v -> Arrays.stream(v.split(",")).map(String::trim).toList())
                      .orElse(List.of())),
              config.bool(TABLES_VARCHAR_WIDEN));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Cannot use "
              + prefix
              + "varchar-lengths: "
              + e.getMessage()
              + ". Write column:bytes pairs, comma-separated.",
          e);
    }
    String sortKey = config.tableOverride(table.name(), "sort-key").orElse(null);
    String key = sortKey == null ? TABLES_SORT_KEY : prefix + "sort-key";
    try {
      return TableDesign.withSortKey(
          sortKey == null ? config.string(TABLES_SORT_KEY) : sortKey, base);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Cannot use "
              + key
              + ": "
              + e.getMessage()
              + ". Use record-time, auto, none or a comma-separated list of columns.",
          e);
    }
  }
}
