package io.redstage.loader.e2e;

import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.load.Loader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 bucket and Redshift (Serverless workgroup or provisioned cluster) named by {@link
 * RealAwsSettings}. Everything a run writes lives under {@code <prefix>/<run id>/} of the bucket
 * and in tables named {@code <base>_<run id>}; close drops those tables and deletes that prefix.
 * The loader's control tables keep one row per loaded unit of the run (they are the exactly-once
 * record; removing rows from them is an operator decision, not a test's).
 */
final class RealAwsWarehouse implements StagingWarehouse {
  private static final Logger log = LoggerFactory.getLogger(RealAwsWarehouse.class);

  private final RealAwsSettings settings;
  private final String run;
  private final String runPrefix;
  private final List<String> tables = new ArrayList<>();

  RealAwsWarehouse(RealAwsSettings settings, String run) {
    this.settings = settings;
    this.run = run;
    this.runPrefix = settings.prefix() + "/" + run;
    log.info(
        "End-to-end tests against real AWS: s3://{}/{}/, Redshift {} database {}",
        settings.bucket(),
        runPrefix,
        settings.workgroup() != null
            ? "workgroup " + settings.workgroup()
            : "cluster " + settings.cluster(),
        settings.database());
  }

  @Override
  public String description() {
    return "real AWS (s3://" + settings.bucket() + "/" + runPrefix + ")";
  }

  @Override
  public String topic(String base) {
    return StagingWarehouse.lower(base + "_" + run);
  }

  @Override
  public Map<String, String> connectorKeys() {
    return settings.connectorKeys(runPrefix);
  }

  @Override
  public Map<String, String> loaderConfig(String topics) {
    Map<String, String> c = new HashMap<>(settings.loaderKeys(runPrefix));
    c.put("topics", topics);
    return c;
  }

  @Override
  public String schema() {
    return settings.schema();
  }

  @Override
  public void created(List<String> created) {
    tables.addAll(created);
  }

  @Override
  public void close() {
    try {
      dropTables();
    } finally {
      deletePrefix();
    }
  }

  private void dropTables() {
    if (tables.isEmpty()) {
      return;
    }
    Map<String, String> config = loaderConfig(String.join(",", tables));
    try (Loader loader = new Loader(LoaderConfig.of(config))) {
      for (String table : tables) {
        loader
            .dataApi()
            .execute(
                "DROP TABLE IF EXISTS \"" + settings.schema() + "\".\"" + table + "\"",
                "redstage-e2e-cleanup");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Could not drop the run's tables {}: {}", tables, e.toString());
    }
  }

  private void deletePrefix() {
    try (S3Client s3 = S3Client.builder().region(Region.of(settings.region())).build()) {
      List<ObjectIdentifier> batch = new ArrayList<>();
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(runPrefix + "/"))
              .contents()) {
        batch.add(ObjectIdentifier.builder().key(o.key()).build());
        if (batch.size() == 1000) { // DeleteObjects takes at most 1,000 keys
          delete(s3, batch);
        }
      }
      delete(s3, batch);
    } catch (RuntimeException e) {
      log.warn("Could not delete s3://{}/{}/: {}", settings.bucket(), runPrefix, e.toString());
    }
  }

  private void delete(S3Client s3, List<ObjectIdentifier> keys) {
    if (keys.isEmpty()) {
      return;
    }
    List<ObjectIdentifier> chunk = List.copyOf(keys);
    s3.deleteObjects(b -> b.bucket(settings.bucket()).delete(d -> d.objects(chunk)));
    keys.clear();
  }
}
