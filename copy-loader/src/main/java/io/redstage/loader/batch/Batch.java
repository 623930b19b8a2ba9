package io.redstage.loader.batch;

import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.List;
import java.util.UUID;

/**
 * Units of one target table loaded in one transaction. The id goes into every load marker and log
 * line.
 */
public record Batch(UUID id, TableRef table, List<Unit> units, List<StagingGroup> groups) {
  public long bytes() {
    return groups.stream().mapToLong(StagingGroup::bytes).sum();
  }

  public int fileCount() {
    return groups.stream().mapToInt(g -> g.files().size()).sum();
  }

  /**
   * The schemas of the batch's files, distinct, staging group by staging group. The table is
   * planned from these, not from the groups' schemas: a group's column holds the wider type when
   * its files differ (StagingSchemas), and the checks of each file's own type must still see them.
   */
  public List<FileSchema> fileSchemas() {
    return groups.stream().flatMap(g -> g.fileSchemas().stream()).distinct().toList();
  }

  public long records() {
    return units.stream().mapToLong(u -> u.marker().recordCount()).sum();
  }

  /** Short form for logs: batch id, table and unit count. */
  public String describe() {
    return "batch "
        + id
        + " ("
        + table
        + ", "
        + units.size()
        + " unit(s), "
        + fileCount()
        + " file(s), "
        + bytes()
        + " bytes)";
  }
}
