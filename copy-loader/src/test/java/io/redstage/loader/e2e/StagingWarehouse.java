package io.redstage.loader.e2e;

import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.load.Loader;
import io.redstage.loader.redshift.QueryResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The S3 bucket and Redshift the end-to-end tests write to and load into: the sandbox's stand-ins
 * by default, real AWS when {@link RealAwsSettings} finds its environment variables. Tests see only
 * connector and loader keys and SQL over the Data API, so the same test runs on both. Every run
 * gets its own prefix and table names; {@link #close()} removes what the run created.
 */
interface StagingWarehouse extends AutoCloseable {

  /** The sandbox, or real AWS when the environment names it. */
  static StagingWarehouse fromEnvironment() {
    String run = "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    return RealAwsSettings.from(System.getenv())
        .<StagingWarehouse>map(s -> new RealAwsWarehouse(s, run))
        .orElseGet(() -> new SandboxWarehouse(run));
  }

  /** {@code sandbox} or {@code real AWS (…)}, for messages. */
  String description();

  /** A topic (and so table) name unique to this run: {@code <base>_<run id>}, lower case. */
  String topic(String base);

  /** The connector keys that point a sink task at this bucket (and its credentials). */
  Map<String, String> connectorKeys();

  /** A loader config for {@code topics} (comma-separated) against this bucket and warehouse. */
  Map<String, String> loaderConfig(String topics);

  /** The schema the loader creates tables in. */
  String schema();

  default Loader loader(Map<String, String> config) {
    return new Loader(LoaderConfig.of(config));
  }

  /** A SELECT over the Data API, as the loader itself runs statements. */
  default QueryResult query(Loader loader, String sql) throws InterruptedException {
    return loader.dataApi().query(sql, "redstage-e2e-check");
  }

  /** Tables this run created, dropped on close. */
  void created(List<String> tables);

  @Override
  void close();

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
