package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.Identifiers;
import io.redstage.loader.sql.MetadataColumns;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the Kafka metadata column names of a table's units. Markers of format version 2 name them
 * by role; for version-1 markers, which do not, the deprecated {@code metadata.*-column} keys say
 * them. All units loaded into one table together must agree, since one statement deduplicates their
 * rows by these columns.
 */
final class MetadataRoles {
  /** The metadata roles in {@link MetadataColumns}' order, with the key naming each for v1. */
  private static final Map<ColumnRole, String> KEYS = new EnumMap<>(ColumnRole.class);

  static {
    KEYS.put(ColumnRole.TOPIC, META_TOPIC);
    KEYS.put(ColumnRole.PARTITION, META_PARTITION);
    KEYS.put(ColumnRole.OFFSET, META_OFFSET);
    KEYS.put(ColumnRole.TIMESTAMP, META_TIMESTAMP);
    KEYS.put(ColumnRole.KEY, META_KEY);
    KEYS.put(ColumnRole.HEADERS, META_HEADERS);
    KEYS.put(ColumnRole.DELETED, META_DELETED);
  }

  private final Map<ColumnRole, String> configured = new EnumMap<>(ColumnRole.class);
  private final List<String> keepSetting;

  MetadataRoles(LoaderConfig config) {
    KEYS.forEach((role, key) -> configured.put(role, config.string(key)));
    this.keepSetting = config.list(TABLES_METADATA_COLUMNS);
  }

  /** The names for version-1 markers only: the configured ones. */
  MetadataColumns configured() {
    return columns(configured);
  }

  /**
   * The names the files of these units use; roles no marker states keep the configured name.
   *
   * @param target what is loaded (a table), named in the error
   * @throws ConfigException when two units name one role differently
   */
  MetadataColumns of(String target, Collection<Unit> units) {
    Map<ColumnRole, String> names = new EnumMap<>(ColumnRole.class);
    Map<ColumnRole, String> namedBy = new EnumMap<>(ColumnRole.class);
    for (Unit u : units) {
      state(target, names, namedBy, u);
    }
    Map<ColumnRole, String> all = new EnumMap<>(configured);
    all.putAll(names);
    return columns(all);
  }

  /**
   * Of {@code units}, taken in the order they were committed, the first one and each later one
   * whose stated names agree with those taken before it: the units that can load together with the
   * first committed. All of them when they agree. A role a unit does not state agrees with any
   * name, as in {@link #of}.
   *
   * @throws ConfigException when a unit's own files name one role differently
   */
  List<Unit> agreeingWithFirstCommitted(String target, Collection<Unit> units) {
    List<Unit> byCommit = new ArrayList<>(units);
    byCommit.sort(Comparator.comparingLong(u -> u.marker().committedAtMs()));
    Map<ColumnRole, String> taken = new EnumMap<>(ColumnRole.class);
    List<Unit> out = new ArrayList<>();
    for (Unit u : byCommit) {
      // a unit whose own files disagree throws here; the scanner refuses such markers, so that
      // only their own unit waits
      Map<ColumnRole, String> own = new EnumMap<>(ColumnRole.class);
      state(target, own, new EnumMap<>(ColumnRole.class), u);
      if (own.entrySet().stream()
          .allMatch(
              e -> !taken.containsKey(e.getKey()) || same(taken.get(e.getKey()), e.getValue()))) {
        own.forEach(taken::putIfAbsent);
        out.add(u);
      }
    }
    return out;
  }

  /** Adds the names {@code u}'s markers state to {@code names}, checking that they agree. */
  private void state(
      String target, Map<ColumnRole, String> names, Map<ColumnRole, String> namedBy, Unit u) {
    if (!u.marker().statesColumnRoles()) {
      for (ColumnRole role : KEYS.keySet()) {
        agree(target, names, namedBy, role, configured.get(role), u.markerKey() + " (version 1)");
      }
      return;
    }
    for (MarkerFile f : u.marker().files()) {
      for (MarkerColumn c : f.columns()) {
        ColumnRole role = c.role().orElseThrow();
        if (role.isMetadata()) {
          agree(target, names, namedBy, role, c.name(), u.markerKey());
        }
      }
    }
  }

  /** Whether two names of a metadata column are one column's, as Redshift compares them. */
  private static boolean same(String a, String b) {
    return Identifiers.fold(a, "a metadata column name")
        .equals(Identifiers.fold(b, "a metadata column name"));
  }

  private static void agree(
      String target,
      Map<ColumnRole, String> names,
      Map<ColumnRole, String> namedBy,
      ColumnRole role,
      String name,
      String marker) {
    String before = names.putIfAbsent(role, name);
    if (before == null) {
      namedBy.put(role, marker);
      return;
    }
    if (!same(before, name)) {
      throw new ConfigException(
          "Cannot load "
              + target
              + ": marker "
              + namedBy.get(role)
              + " names the "
              + role.id()
              + " column '"
              + before
              + "' and marker "
              + marker
              + " names it '"
              + name
              + "' (version-1 markers take "
              + KEYS.get(role)
              + "). Keep the connector's metadata."
              + role.id()
              + ".column (and the loader's "
              + KEYS.get(role)
              + " for version-1 markers) at one name until every pending unit of the table is"
              + " loaded; move the units of the other name out of the markers prefix to load them"
              + " separately.");
    }
  }

  private MetadataColumns columns(Map<ColumnRole, String> n) {
    List<String> all = KEYS.keySet().stream().map(n::get).toList();
    List<String> folded =
        all.stream().map(s -> Identifiers.fold(s, "a metadata column name")).toList();
    return new MetadataColumns(
        all.get(0),
        all.get(1),
        all.get(2),
        all.get(3),
        all.get(4),
        all.get(5),
        all.get(6),
        MetadataColumns.keepSetting(keepSetting, folded));
  }
}
