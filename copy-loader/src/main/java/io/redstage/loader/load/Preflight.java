package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

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
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The start-up checks that need the real bucket: each prefix the loader writes to takes a probe
 * object (put, then deleted), and the metadata column names the loader deduplicates by appear in
 * the files of the markers listed now. Without them a wrong prefix or column name would surface
 * only as a quarantined batch, much later.
 */
final class Preflight {
  private final LoaderConfig config;
  private final S3Client s3;
  private final MarkerScanner scanner;
  private final MetadataColumns metadata;

  Preflight(LoaderConfig config, S3Client s3, MarkerScanner scanner, MetadataColumns metadata) {
    this.config = config;
    this.s3 = s3;
    this.scanner = scanner;
    this.metadata = metadata;
  }

  /**
   * @throws ConfigException naming the key, what was found and what to do
   */
  void check() {
    for (String key : new String[] {MANIFESTS_DIR, QUARANTINE_DIR, REJECTS_DIR}) {
      PrefixProbe.probe(s3, config, key);
    }
    Map<String, String> required = new LinkedHashMap<>();
    required.put(META_TOPIC, metadata.topic());
    required.put(META_PARTITION, metadata.partition());
    required.put(META_OFFSET, metadata.offset());
    // A wrong key shows in every file; one odd unit (say from a connector that once ran with
    // metadata columns off)
    // must not stop every table: it is left to the per-unit schema check, which quarantines just
    // that unit.
    String firstMismatch = null;
    for (Unit u : scanner.scan().units()) {
      for (MarkerFile f : u.marker().files()) {
        FileSchema schema = FileSchema.of(f);
        String missing = null;
        for (Map.Entry<String, String> r : required.entrySet()) {
          if (!schema.hasColumn(r.getValue())) {
            missing = r.getKey();
            break;
          }
        }
        if (missing == null) {
          return;
        }
        if (firstMismatch == null) {
          firstMismatch =
              "Cannot load with '"
                  + missing
                  + "' = '"
                  + config.string(missing)
                  + "': marker "
                  + u.markerKey()
                  + " lists file "
                  + f.key()
                  + " with the columns "
                  + f.columns().stream().map(MarkerColumn::name).toList()
                  + ", none of them "
                  + required.get(missing)
                  + ", and no listed file has all of "
                  + required.values()
                  + ". Set "
                  + missing
                  + " to the connector's column name for it, or enable the connector's Kafka metadata columns (the "
                  + "loader needs topic, partition and offset to load exactly once).";
        }
      }
    }
    if (firstMismatch != null) {
      throw new ConfigException(firstMismatch);
    }
  }
}
