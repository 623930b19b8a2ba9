package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.MetadataColumns;
import io.redstage.loader.sql.TableDesign;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSettings;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-table load settings: the global keys, overridden by {@code table.<schema.table>.*}, and the
 * metadata column names the markers of the units being loaded state ({@link MetadataRoles}).
 */
public final class TableSettingsResolver {
  private final LoaderConfig config;
  private final MetadataRoles roles;
  private final Map<TableRef, TableSettings> cache = new ConcurrentHashMap<>();

  public TableSettingsResolver(LoaderConfig config) {
    this.config = config;
    this.roles = new MetadataRoles(config);
    // the loader-wide sort key fails at start rather than when the first table is created
    design(TableRef.of("public", "any"));
    checkOverrides();
    // so does upsert mode without a key, unless tables set their own key or mode: else it would
    // stop the loader when the first unit is planned, after check and preflight passed
    if (config.string(LOAD_MODE).equalsIgnoreCase("upsert")
        && config.list(UPSERT_KEY).isEmpty()
        && config.tableOverrideKeys().stream()
            .noneMatch(k -> k.endsWith("." + KEY) || k.endsWith("." + MODE))) {
      throw new ConfigException(
          "Cannot use "
              + LOAD_MODE
              + "=upsert without "
              + UPSERT_KEY
              + ": set the key columns, e.g. "
              + UPSERT_KEY
              + "=id (or table.<schema.table>.upsert.key per table).");
    }
  }

  /** The settings a {@code table.<schema.table>.<setting>} key can override. */
  private static final String MODE = "mode";

  private static final String KEY = "upsert.key";
  private static final String SORT_KEY = "sort-key";
  private static final String LENGTH = "varchar-length";
  private static final String LENGTHS = "varchar-lengths";

  /** Longer names first: a key is matched by its ending. */
  private static final List<String> OVERRIDE_SETTINGS =
      List.of(KEY, MODE, SORT_KEY, LENGTHS, LENGTH);

  /**
   * Resolves every table an override names, at start: a bad override value fails the loader now,
   * instead of stopping it, with every other table, when that table first has a unit to load; and
   * an override the loader would never find (an unknown setting, a table name not written as the
   * loader looks it up) is refused instead of silently ignored.
   */
  private void checkOverrides() {
    for (String key : config.tableOverrideKeys()) {
      String rest = key.substring(TABLE_OVERRIDE_PREFIX.length());
      String setting =
          OVERRIDE_SETTINGS.stream()
              .filter(s -> rest.endsWith("." + s))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ConfigException(
                          "Cannot use "
                              + key
                              + ": it names no table setting. Write table.<schema>.<table>.<setting> with "
                              + "a setting of "
                              + OVERRIDE_SETTINGS
                              + "."));
      String name = rest.substring(0, rest.length() - setting.length() - 1);
      TableRef table;
      try {
        table = TableRef.parse(name, config.string(TARGET_SCHEMA));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "Cannot use " + key + ": '" + name + "' is not a table name (" + e.getMessage() + ").",
            e);
      }
      if (!table.name().equals(name) || name.contains("\"")) {
        throw new ConfigException(
            "Cannot use "
                + key
                + ": the loader looks overrides up by schema and table in lower case, without quotes, so "
                + "it would never apply. Write table."
                + table.name().replace("\"", "")
                + "."
                + setting
                + ".");
      }
      configured(table);
    }
  }

  /** Whether the table loads in upsert mode (which needs no markers to tell). */
  public boolean upsert(TableRef table) {
    return configured(table).upsert();
  }

  /**
   * The settings for loading these units into the table, with the metadata column names their
   * markers state.
   *
   * @throws ConfigException when the units name a metadata column differently
   */
  public TableSettings settings(TableRef table, Collection<Unit> units) {
    TableSettings s = configured(table);
    return new TableSettings(
        s.mode(),
        s.upsertKey(),
        s.deleteFlagColumns(),
        s.deleteOpColumns(),
        roles.of(table.toString(), units),
        s.strategy(),
        s.design());
  }

  /**
   * The units of {@code units} that load together with the first committed of them: all of them
   * unless their markers name a metadata column differently ({@link
   * MetadataRoles#agreeingWithFirstCommitted}).
   *
   * @throws ConfigException when a unit's own files name a metadata column differently
   */
  List<Unit> agreeingWithFirstCommitted(TableRef table, Collection<Unit> units) {
    return roles.agreeingWithFirstCommitted(table.toString(), units);
  }

  /** The metadata column names of one unit's files. */
  MetadataColumns metadata(Unit unit) {
    return roles.of("unit " + unit.id(), List.of(unit));
  }

  private TableSettings configured(TableRef table) {
    return cache.computeIfAbsent(table, this::resolve);
  }

  private TableSettings resolve(TableRef table) {
    String mode =
        config
            .tableOverride(table.name(), MODE)
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
              + "."
              + MODE
              + "): expected append or upsert.");
    }
    List<String> key =
        config
            .tableOverride(table.name(), KEY)
            .map(
                v ->
                    Arrays.stream(v.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList())
            .orElse(config.list(UPSERT_KEY));
    if (mode.equals("upsert") && key.isEmpty()) {
      throw new ConfigException(
          "Cannot load table "
              + table
              + " in upsert mode: it has no key (neither table."
              + table.name()
              + "."
              + KEY
              + " nor "
              + UPSERT_KEY
              + " is set). Set one of them, or table."
              + table.name()
              + "."
              + MODE
              + "=append.");
    }
    try {
      return new TableSettings(
          mode.equals("upsert") ? TableSettings.Mode.UPSERT : TableSettings.Mode.APPEND,
          key,
          config.list(UPSERT_DELETE_FLAG_COLUMNS),
          config.list(UPSERT_DELETE_OP_COLUMNS),
          roles.configured(),
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
    String lengthSetting = config.tableOverride(table.name(), LENGTH).orElse(null);
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
                + LENGTH
                + ": expected a length in bytes of 1..65535.");
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
                      .tableOverride(table.name(), LENGTHS)
                      .map(v -> Arrays.stream(v.split(",")).map(String::trim).toList())
                      .orElse(List.of())),
              config.bool(TABLES_VARCHAR_WIDEN));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Cannot use "
              + prefix
              + LENGTHS
              + ": "
              + e.getMessage()
              + ". Write column:bytes pairs, comma-separated.",
          e);
    }
    String sortKey = config.tableOverride(table.name(), SORT_KEY).orElse(null);
    String key = sortKey == null ? TABLES_SORT_KEY : prefix + SORT_KEY;
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
