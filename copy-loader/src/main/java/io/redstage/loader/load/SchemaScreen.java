package io.redstage.loader.load;

import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.Identifiers;
import io.redstage.loader.sql.IncompatibleSchemaException;
import io.redstage.loader.sql.SchemaEvolution;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import io.redstage.loader.sql.TableSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks units one by one, in order, against a table's columns and the units accepted before them:
 * a unit whose file schemas the table cannot take (a changed type, a NOT NULL column it lacks,
 * names that fold together) conflicts on its own, so it alone is set aside and the rest load. The
 * same check tells {@code release} which units would fail again.
 */
final class SchemaScreen {
  /**
   * The outcome: units that can load together; units that conflict with the table on their own,
   * with the reason (what to do included); and units that fit the table alone but not beside the
   * units accepted before them, which wait for a later batch instead of being set aside.
   */
  record Verdict(List<Unit> accepted, Map<Unit, String> conflicts, List<Unit> deferred) {}

  private final SchemaEvolution evolution;

  SchemaScreen(SchemaEvolution evolution) {
    this.evolution = evolution;
  }

  /**
   * @param existing the table's columns, or null when it does not exist yet
   * @param onConflict which units to leave out without a verdict (upsert: those behind a
   *     conflicting unit of their partition), told of each conflict
   */
  Verdict screen(
      TableRef table,
      TableSchema existing,
      List<Unit> units,
      TableSettings settings,
      OnConflict onConflict) {
    Set<FileSchema> accepted = new LinkedHashSet<>();
    List<Unit> ok = new ArrayList<>();
    Map<Unit, String> conflicts = new LinkedHashMap<>();
    List<Unit> deferred = new ArrayList<>();
    for (Unit u : units) {
      if (onConflict.skipped(u)) {
        continue;
      }
      String unreadable = unreadableCodec(u);
      if (unreadable == null) {
        unreadable = missingUpsertKey(u, settings);
      }
      Set<FileSchema> candidate = new LinkedHashSet<>(accepted);
      candidate.addAll(unitSchemas(u));
      String conflict =
          unreadable != null ? unreadable : conflict(table, existing, candidate, settings);
      if (conflict == null) {
        accepted = candidate;
        ok.add(u);
      } else {
        String alone =
            accepted.isEmpty() || unreadable != null
                ? conflict
                : conflict(table, existing, unitSchemas(u), settings);
        if (alone == null) {
          // it fits the table by itself: only this batch's mix conflicts, so it loads in a later
          // batch
          deferred.add(u);
          onConflict.conflicted(u);
          continue;
        }
        conflicts.put(
            u,
            "Unit "
                + u.topic()
                + "/"
                + u.partition()
                + " offsets "
                + u.start()
                + ".."
                + u.end()
                + " ("
                + u.markerKey()
                + "): "
                + alone);
        onConflict.conflicted(u);
      }
    }
    return new Verdict(ok, conflicts, deferred);
  }

  /**
   * Why COPY cannot read a file of this unit at all, or null: Avro files compressed with zstd
   * (avro.codec=zstd, which the connector accepts for files not loaded into Redshift; COPY reads
   * Avro uncompressed, deflate and snappy only). Said here, the unit is quarantined alone with the
   * fix, rather than failing its batch with Redshift's message.
   */
  private static String unreadableCodec(Unit u) {
    for (MarkerFile f : u.marker().files()) {
      if (f.format() == FileFormat.AVRO && "zstd".equalsIgnoreCase(f.compression())) {
        return "Cannot load Avro file "
            + f.key()
            + ": it is compressed with zstd (the connector's avro.codec=zstd), which Redshift COPY cannot "
            + "read (it reads Avro uncompressed, deflate and snappy). Set avro.codec=snappy in the connector "
            + "for the data to come; this unit's files must be written again in a readable codec before "
            + "'release'.";
      }
    }
    return null;
  }

  /**
   * In upsert mode, why a file of this unit cannot be applied: it lacks a key column, so its rows
   * could neither replace nor delete their key's row (beside files that have the key they would get
   * NULL keys and be appended, their deletes lost). Said here, the unit is quarantined alone,
   * whatever it is batched with.
   */
  private static String missingUpsertKey(Unit u, TableSettings settings) {
    if (!settings.upsert()) {
      return null;
    }
    for (MarkerFile f : u.marker().files()) {
      Set<String> names = new HashSet<>();
      for (MarkerColumn c : f.columns()) {
        try {
          names.add(Identifiers.fold(c.name(), "a file column"));
        } catch (IllegalArgumentException e) {
          return e.getMessage(); // a name Redshift cannot take: this unit alone, as conflict() does
        }
      }
      for (String k : settings.upsertKey()) {
        if (!names.contains(k)) {
          return "Cannot upsert file "
              + f.key()
              + ": it has no key column "
              + k
              + " (upsert.key), so its rows could neither replace nor delete their key's row. "
              + (onlyMetadata(f)
                  ? "Its columns are all metadata: a unit of delete rows for tombstones whose Kafka key is"
                      + " not a Struct, which only the key column can name: upsert by it"
                      + " (store.kafka.keys=true on the connector, upsert.key=kafka_key), or give the"
                      + " unit up with 'skip --batch <id>'."
                  : "Make the key a field of every record value, or fix upsert.key (then 'release' the"
                      + " unit); or give the unit up with 'skip --batch <id>'.");
        }
      }
    }
    return null;
  }

  /** Whether every column of a version-2 file has a metadata role (no value fields). */
  private static boolean onlyMetadata(MarkerFile f) {
    return !f.columns().isEmpty()
        && f.columns().stream().allMatch(c -> c.role().map(r -> r.isMetadata()).orElse(false));
  }

  private static Set<FileSchema> unitSchemas(Unit u) {
    Set<FileSchema> s = new LinkedHashSet<>();
    for (MarkerFile f : u.marker().files()) {
      s.add(FileSchema.of(f));
    }
    return s;
  }

  /** Why the table cannot take files of these schemas, or null when it can. */
  private String conflict(
      TableRef table, TableSchema existing, Set<FileSchema> schemas, TableSettings settings) {
    try {
      evolution.plan(table, existing, List.copyOf(schemas), settings);
      return null;
    } catch (IncompatibleSchemaException | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** What the caller blocks after a conflict (upsert: the rest of the unit's partition). */
  interface OnConflict {
    boolean skipped(Unit u);

    void conflicted(Unit u);

    OnConflict NONE =
        new OnConflict() {
          @Override
          public boolean skipped(Unit u) {
            return false;
          }

          @Override
          public void conflicted(Unit u) {
            // nothing is blocked
          }
        };
  }
}
