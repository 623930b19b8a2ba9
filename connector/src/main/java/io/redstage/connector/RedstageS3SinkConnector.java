package io.redstage.connector;

import io.redstage.connector.config.ConfluentKeys;
import io.redstage.connector.config.CrossFieldValidator;
import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.config.SinkConfigDef;
import io.redstage.connector.config.UnknownKeys;
import io.redstage.connector.format.KafkaCoordinates;
import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.partition.PartitionerSettings;
import io.redstage.connector.storage.HttpProxySettings;
import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect entry point: validates the config and hands the tasks the same config, each stamped
 * with its task id for its metrics ({@link TaskMetrics#TASK_ID_CONFIG}).
 */
public final class RedstageS3SinkConnector extends SinkConnector {
  private static final Logger LOG = LoggerFactory.getLogger(RedstageS3SinkConnector.class);
  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    SinkConfig config = new SinkConfig(props); // fail fast with the config key named
    ConnectException renaming = KafkaCoordinates.renamingTransform(props);
    if (renaming != null) {
      throw renaming;
    }
    if (config.format() == FileFormat.AVRO
        && "zstd".equalsIgnoreCase(config.getString(SinkConfigDef.AVRO_CODEC))) {
      LOG.warn(
          "avro.codec=zstd: Redshift COPY cannot read zstd-compressed Avro files, so copy-loader would quarantine "
              + "every unit. Set avro.codec=snappy or deflate for files loaded into Redshift.");
    }
    String preset = config.partitionerType();
    if (PartitionerSettings.TYPE_HOURLY.equals(preset)
        || PartitionerSettings.TYPE_DAILY.equals(preset)) {
      // as Confluent's Hourly and Daily partitioners: the preset fixes the path and its duration
      for (String key : List.of(SinkConfigDef.PATH_FORMAT, SinkConfigDef.PARTITION_DURATION_MS)) {
        if (props.containsKey(key)) {
          LOG.warn(
              "Ignoring {}={}: partitioner.class={} fixes the path and its duration. Use "
                  + "partitioner.class=time for a path.format of your own.",
              key,
              props.get(key),
              preset);
        }
      }
    }
    if (PartitionerSettings.readsTime(config.partitionerType())
        && PartitionerSettings.EXTRACTOR_WALLCLOCK.equalsIgnoreCase(config.timestampExtractor())) {
      LOG.warn(
          "timestamp.extractor=Wallclock: a file's path is the time it is written, so a unit written again after a "
              + "crash or rebalance goes under other paths than the first attempt, and its marker is rewritten to "
              + "list the new files. copy-loader still loads each record once; other readers of the S3 prefix "
              + "(Athena, Spark) may see the first attempt's files too. Use timestamp.extractor=Record or "
              + "RecordField for paths that a replay reproduces.");
    }
    if (!config.getBoolean(SinkConfigDef.METADATA_ENABLED)) {
      LOG.warn(
          "metadata.columns.enabled=false: the files have no topic, partition and offset columns, which "
              + "copy-loader needs to load each record once; it refuses such units. Leave it on for files "
              + "loaded into Redshift (it is for files read by other tools only).");
    }
    ConfluentKeys.ignored(props)
        .forEach(
            (key, reason) ->
                LOG.warn(
                    "Ignoring Confluent S3 sink setting {}: {}. See docs/migrating-from-confluent.md.",
                    key,
                    reason));
    UnknownKeys.in(props).forEach((key, meant) -> LOG.warn(UnknownKeys.message(key, meant)));
    if (skipsWithoutTrace(props)) {
      LOG.warn(
          "errors.tolerance=all without errors.deadletterqueue.topic.name or errors.log.enable=true: "
              + "Connect skips the records its converter or transforms reject, before this connector sees "
              + "them, with only its task error metrics counting them (the connector's own bad records still "
              + "fail the task: it has no dead letter queue). Set errors.deadletterqueue.topic.name, or at "
              + "least errors.log.enable=true, so that no record is dropped without a trace.");
    }
    String cooperative =
        KafkaCoordinates.cooperativeAssignorWarning(props, KafkaCoordinates.workerVersion());
    if (cooperative != null) {
      LOG.warn(cooperative);
    }
    this.props = new HashMap<>(props);
  }

  /**
   * Whether Connect would drop records its converter or transforms reject without logging or
   * sending them anywhere: errors.tolerance=all with neither a dead letter queue nor the error log.
   */
  static boolean skipsWithoutTrace(Map<String, String> props) {
    String dlq = props.get("errors.deadletterqueue.topic.name");
    return "all".equalsIgnoreCase(trimmed(props.get("errors.tolerance")))
        && (dlq == null || dlq.trim().isEmpty())
        && !"true".equalsIgnoreCase(trimmed(props.get("errors.log.enable")));
  }

  private static String trimmed(String value) {
    return value == null ? null : value.trim();
  }

  @Override
  public Class<? extends Task> taskClass() {
    return RedstageS3SinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> config = new HashMap<>(props);
      config.put(TaskMetrics.TASK_ID_CONFIG, Integer.toString(i));
      configs.add(config);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return SinkConfig.CONFIG_DEF;
  }

  /**
   * Adds cross-key problems to each key involved, and an error to each rejected Confluent key, so
   * the REST validate endpoint shows them in place.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    List<ConfigValue> values = new ArrayList<>(super.validate(connectorConfigs).configValues());
    Map<String, ConfigValue> byName = new LinkedHashMap<>();
    for (ConfigValue v : values) {
      byName.put(v.name(), v);
    }
    CrossFieldValidator.addTo(byName, connectorConfigs);
    CrossFieldValidator.addConfluentKeyErrors(values, connectorConfigs);
    ConnectException renaming = KafkaCoordinates.renamingTransform(connectorConfigs);
    if (renaming != null) {
      // start() refuses it on this worker: say so where the config is checked, on the key to change
      ConfigValue transforms = byName.get("transforms");
      if (transforms == null) {
        transforms =
            new ConfigValue(
                "transforms",
                connectorConfigs.get("transforms"),
                new ArrayList<>(),
                new ArrayList<>());
        values.add(transforms);
      }
      transforms.addErrorMessage(renaming.getMessage());
    }
    for (ConfigValue v : values) {
      if (!v.errorMessages().isEmpty()) {
        // a key shown as not applying (a KMS key without SSE-KMS, gzip with Parquet) may be the one
        // to clear: a UI that hides it would show the error with no field to fix
        v.visible(true);
      }
    }
    for (String url : List.of(HttpProxySettings.URL_CONFIG, SinkConfigDef.STORE_URL)) {
      ConfigValue v = byName.get(url);
      if (v != null && v.value() instanceof String) {
        // the endpoint returns STRING values as they are, and a URL may carry a password
        v.value(HttpProxySettings.shown((String) v.value()));
      }
    }
    return new Config(values);
  }
}
