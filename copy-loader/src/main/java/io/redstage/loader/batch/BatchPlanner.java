package io.redstage.loader.batch;

import io.redstage.contract.MarkerFile;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Groups the pending units of one table into batches, in offset order per partition, bounded by
 * bytes, files, units and staging tables ({@link StagingSchemas}). A unit is never split (its files
 * commit together); a unit alone over a bound becomes a batch of its own. Units that failed before
 * are loaded alone, so a poison unit is quarantined without taking healthy units with it.
 */
public final class BatchPlanner {
  private final long maxBytes;
  private final int maxFiles;
  private final int maxSchemas;
  private final int maxUnits;
  private final boolean jsonRowRejects;
  private final Supplier<UUID> ids;

  /** A planner for JSON Lines COPYs without MAXERROR (load.json.max-errors=0). */
  public BatchPlanner(
      long maxBytes, int maxFiles, int maxSchemas, int maxUnits, Supplier<UUID> ids) {
    this(maxBytes, maxFiles, maxSchemas, maxUnits, false, ids);
  }

  /**
   * @param jsonRowRejects JSON Lines COPYs run with MAXERROR (load.json.max-errors > 0): JSON Lines
   *     files whose value columns differ in type share a staging table ({@link StagingSchemas})
   */
  public BatchPlanner(
      long maxBytes,
      int maxFiles,
      int maxSchemas,
      int maxUnits,
      boolean jsonRowRejects,
      Supplier<UUID> ids) {
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.maxSchemas = maxSchemas;
    this.maxUnits = maxUnits;
    this.jsonRowRejects = jsonRowRejects;
    this.ids = ids;
  }

  public List<Batch> plan(TableRef table, List<Unit> pending, Set<String> isolate) {
    List<Unit> sorted = new ArrayList<>(pending);
    sorted.sort(
        Comparator.comparing(Unit::topic)
            .thenComparingInt(Unit::partition)
            .thenComparingLong(Unit::start)
            .thenComparingLong(Unit::end));
    List<Batch> batches = new ArrayList<>();
    List<Unit> current = new ArrayList<>();
    long bytes = 0;
    int files = 0;
    Set<FileSchema> schemas = new LinkedHashSet<>();
    for (Unit u : sorted) {
      long uBytes = u.marker().totalBytes();
      int uFiles = u.marker().files().size();
      Set<FileSchema> uSchemas = schemasOf(u);
      if (isolate.contains(u.markerKey())) {
        // close the open batch first so that batches stay in offset order (upsert relies on it)
        if (!current.isEmpty()) {
          batches.add(build(table, current));
          current = new ArrayList<>();
          bytes = 0;
          files = 0;
          schemas = new LinkedHashSet<>();
        }
        batches.add(build(table, List.of(u)));
        continue;
      }
      Set<FileSchema> union = new LinkedHashSet<>(schemas);
      union.addAll(uSchemas);
      boolean fits =
          bytes + uBytes <= maxBytes
              && files + uFiles <= maxFiles
              && StagingSchemas.count(union, jsonRowRejects) <= maxSchemas
              && current.size() < maxUnits;
      if (!fits && !current.isEmpty()) {
        batches.add(build(table, current));
        current = new ArrayList<>();
        bytes = 0;
        files = 0;
        schemas = new LinkedHashSet<>();
        union = new LinkedHashSet<>(uSchemas);
      }
      current.add(u);
      bytes += uBytes;
      files += uFiles;
      schemas = union;
    }
    if (!current.isEmpty()) {
      batches.add(build(table, current));
    }
    return batches;
  }

  private static Set<FileSchema> schemasOf(Unit u) {
    Set<FileSchema> s = new LinkedHashSet<>();
    for (MarkerFile f : u.marker().files()) {
      s.add(FileSchema.of(f));
    }
    return s;
  }

  /**
   * Builds a batch of the given units, one staging group per staging schema ({@link
   * StagingSchemas}), files de-duplicated by URL.
   */
  public Batch build(TableRef table, List<Unit> units) {
    Set<FileSchema> schemas = new LinkedHashSet<>();
    for (Unit u : units) {
      schemas.addAll(schemasOf(u));
    }
    Map<FileSchema, FileSchema> stagingOf = StagingSchemas.assign(schemas, jsonRowRejects);
    Map<FileSchema, List<StagingGroup.FileRef>> groups = new LinkedHashMap<>();
    Map<FileSchema, Set<FileSchema>> fileSchemas = new HashMap<>();
    Set<String> urls = new HashSet<>();
    for (Unit u : units) {
      for (MarkerFile f : u.marker().files()) {
        StagingGroup.FileRef ref =
            new StagingGroup.FileRef(u.marker().bucket(), f.key(), f.bytes(), f.records());
        if (urls.add(ref.url())) {
          FileSchema own = FileSchema.of(f);
          FileSchema staged = stagingOf.get(own);
          groups.computeIfAbsent(staged, k -> new ArrayList<>()).add(ref);
          fileSchemas.computeIfAbsent(staged, k -> new LinkedHashSet<>()).add(own);
        }
      }
    }
    List<StagingGroup> staging = new ArrayList<>();
    int i = 1;
    for (Map.Entry<FileSchema, List<StagingGroup.FileRef>> e : groups.entrySet()) {
      staging.add(
          new StagingGroup(
              i++,
              e.getKey(),
              List.copyOf(e.getValue()),
              List.copyOf(fileSchemas.get(e.getKey()))));
    }
    return new Batch(ids.get(), table, List.copyOf(units), List.copyOf(staging));
  }
}
