package io.redstage.loader.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * How one target table is loaded: mode, upsert key, delete markers, metadata columns, and the
 * layout of the table when the loader creates it.
 */
public record TableSettings(
    Mode mode,
    List<String> upsertKey,
    List<String> deleteFlagColumns,
    List<String> deleteOpColumns,
    MetadataColumns metadata,
    UpsertStrategy strategy,
    TableDesign design) {

  /** Append every record, or keep the latest row per key and apply deletes. */
  public enum Mode {
    APPEND,
    UPSERT
  }

  /** How the latest rows replace the old ones. */
  public enum UpsertStrategy {
    DELETE_INSERT,
    MERGE
  }

  public TableSettings(
      Mode mode,
      List<String> upsertKey,
      List<String> deleteFlagColumns,
      List<String> deleteOpColumns,
      MetadataColumns metadata,
      UpsertStrategy strategy) {
    this(
        mode, upsertKey, deleteFlagColumns, deleteOpColumns, metadata, strategy, TableDesign.PLAIN);
  }

  public TableSettings(
      Mode mode,
      List<String> upsertKey,
      List<String> deleteFlagColumns,
      List<String> deleteOpColumns,
      MetadataColumns metadata) {
    this(
        mode,
        upsertKey,
        deleteFlagColumns,
        deleteOpColumns,
        metadata,
        UpsertStrategy.DELETE_INSERT);
  }

  public TableSettings {
    upsertKey = upsertKey.stream().map(k -> Identifiers.fold(k, "an upsert key column")).toList();
    deleteFlagColumns =
        deleteFlagColumns.stream().map(k -> Identifiers.fold(k, "a delete flag column")).toList();
    if (metadata != null
        && metadata.deleted() != null
        && !deleteFlagColumns.contains(metadata.deleted())) {
      // the connector's deleted column (its role in the markers) flags deletes under whatever name
      // the connector gives it, not only under the names upsert.delete-flag-columns lists
      List<String> flags = new ArrayList<>(deleteFlagColumns);
      flags.add(0, metadata.deleted());
      deleteFlagColumns = List.copyOf(flags);
    }
    deleteOpColumns =
        deleteOpColumns.stream().map(k -> Identifiers.fold(k, "a delete op column")).toList();
    if (mode == Mode.UPSERT && upsertKey.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot load in upsert mode without a key: set upsert.key (or table.<schema.table>.upsert.key).");
    }
  }

  public boolean upsert() {
    return mode == Mode.UPSERT;
  }
}
