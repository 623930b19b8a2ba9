package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.aws.PrefixProbe;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.MetadataColumns;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The start-up checks that need the real bucket: each prefix the loader writes to takes a probe
 * object (put, then deleted), and the metadata columns the loader deduplicates by appear in the
 * files of the markers listed now (by role in version-2 markers, by the configured names in
 * version-1 ones). Without them a wrong prefix or column name would surface only as a quarantined
 * batch, much later. Only what a loader key can fix stops the loader: a version-2 unit lacking the
 * columns (the connector wrote it with its metadata columns off) is reported and left to the
 * per-unit check, which quarantines it.
 */
final class Preflight {
  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
  private static final List<ColumnRole> REQUIRED =
      List.of(ColumnRole.TOPIC, ColumnRole.PARTITION, ColumnRole.OFFSET);

  private final LoaderConfig config;
  private final S3Client s3;
  private final MarkerScanner scanner;
  private final TableSettingsResolver settings;

  Preflight(
      LoaderConfig config, S3Client s3, MarkerScanner scanner, TableSettingsResolver settings) {
    this.config = config;
    this.s3 = s3;
    this.scanner = scanner;
    this.settings = settings;
  }

  /**
   * @throws ConfigException naming the key, what was found and what to do (version-1 markers only)
   */
  void check() {
    for (String key : PrefixProbe.writtenPrefixKeys(config)) {
      PrefixProbe.probe(s3, config, key);
    }
    // A wrong key shows in every file; one odd unit (say from a connector that once ran with
    // metadata columns off) must not stop every table: it is left to the per-unit schema check,
    // which quarantines just that unit.
    String keyMismatch = null;
    String roleMismatch = null;
    for (Unit u : scanner.scan().units()) {
      for (MarkerFile f : u.marker().files()) {
        boolean byRole = u.marker().statesColumnRoles();
        String mismatch = byRole ? missingRole(u, f) : missingConfigured(u, f);
        if (mismatch == null) {
          return;
        }
        if (byRole && roleMismatch == null) {
          roleMismatch = mismatch;
        } else if (!byRole && keyMismatch == null) {
          keyMismatch = mismatch;
        }
      }
    }
    if (keyMismatch != null) {
      throw new ConfigException(keyMismatch);
    }
    if (roleMismatch != null) {
      // Version-2 markers state their columns: no loader key can fix them, so refusing to start
      // would only block the commands that deal with such units (status, skip) and every table
      // whose next units are fine, for example when retention left only an odd unit listed.
      LOG.error(
          "{} Each unit without them is quarantined with this reason when its table loads ('status'"
              + " lists the batches); 'skip --batch <id>' then gives its records up, and the"
              + " connector writes them again with the columns once its consumer offsets are reset"
              + " to their start.",
          roleMismatch);
    }
  }

  /** Why a version-2 file lacks a column the load needs, or null when it has them all. */
  private static String missingRole(Unit u, MarkerFile f) {
    for (ColumnRole role : REQUIRED) {
      if (f.column(role).isEmpty()) {
        return "Cannot load: marker "
            + u.markerKey()
            + " lists file "
            + f.key()
            + " with no "
            + role.id()
            + " column among "
            + names(f)
            + ", and no listed file has topic, partition and offset columns. Enable the"
            + " connector's Kafka metadata columns (metadata.columns.enabled=true): the loader"
            + " needs topic, partition and offset to load exactly once.";
      }
    }
    return null;
  }

  /**
   * Why a version-1 file lacks a column the deprecated metadata.*-column keys name, or null when it
   * has them all.
   */
  private String missingConfigured(Unit u, MarkerFile f) {
    MetadataColumns metadata = settings.metadata(u);
    Map<String, String> required = new LinkedHashMap<>();
    required.put(META_TOPIC, metadata.topic());
    required.put(META_PARTITION, metadata.partition());
    required.put(META_OFFSET, metadata.offset());
    FileSchema schema = FileSchema.of(f);
    for (Map.Entry<String, String> r : required.entrySet()) {
      if (!schema.hasColumn(r.getValue())) {
        return "Cannot load with '"
            + r.getKey()
            + "' = '"
            + config.string(r.getKey())
            + "': marker "
            + u.markerKey()
            + " (version 1) lists file "
            + f.key()
            + " with the columns "
            + names(f)
            + ", none of them "
            + r.getValue()
            + ", and no listed file has all of "
            + required.values()
            + ". Set "
            + r.getKey()
            + " to the connector's column name for it, or enable the connector's Kafka metadata"
            + " columns (the loader needs topic, partition and offset to load exactly once).";
      }
    }
    return null;
  }

  private static List<String> names(MarkerFile f) {
    return f.columns().stream().map(MarkerColumn::name).toList();
  }
}
