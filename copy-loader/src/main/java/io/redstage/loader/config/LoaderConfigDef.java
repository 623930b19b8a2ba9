package io.redstage.loader.config;

import static io.redstage.loader.config.ConfigKey.Type.BOOLEAN;
import static io.redstage.loader.config.ConfigKey.Type.DURATION;
import static io.redstage.loader.config.ConfigKey.Type.INT;
import static io.redstage.loader.config.ConfigKey.Type.LIST;
import static io.redstage.loader.config.ConfigKey.Type.PASSWORD;
import static io.redstage.loader.config.ConfigKey.Type.SIZE;
import static io.redstage.loader.config.ConfigKey.Type.STRING;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every configuration key of the loader, in documentation order. docs/loader-config.md is generated
 * from this.
 */
public final class LoaderConfigDef {
  public static final String AWS_REGION = "aws.region";
  public static final String AWS_ACCESS_KEY_ID = "aws.access.key.id";
  public static final String AWS_SECRET_ACCESS_KEY = "aws.secret.access.key";

  public static final String S3_BUCKET = "s3.bucket.name";
  public static final String S3_ENDPOINT = "store.url";
  public static final String S3_PATH_STYLE = "s3.path.style.access.enabled";
  public static final String MARKERS_DIR = "markers.dir";
  public static final String TOPICS = "topics";
  public static final String TOPICS_REGEX = "topics.regex";
  public static final String MARKERS_RETENTION = "markers.retention";
  public static final String MARKERS_LOADED_ACTION = "markers.loaded.action";
  public static final String MARKERS_LOADED_DIR = "markers.loaded.dir";
  public static final String MANIFESTS_DIR = "manifests.dir";
  public static final String MANIFESTS_DELETE_AFTER_LOAD = "manifests.delete-after-load";
  public static final String QUARANTINE_DIR = "quarantine.dir";
  public static final String REJECTS_DIR = "rejects.dir";
  public static final String TOPICS_DIR = "topics.dir";

  public static final String SWEEP_ACTION = "sweep.action";
  public static final String SWEEP_MOVED_DIR = "sweep.moved-dir";
  public static final String SWEEP_GRACE = "sweep.grace";
  public static final String SWEEP_MAX_REQUESTS = "sweep.max-requests";
  public static final String SWEEP_CURSOR_KEY = "sweep.cursor-key";
  public static final String SWEEP_INTERVAL = "sweep.interval";

  public static final String REDSHIFT_ENDPOINT = "redshift.endpoint";
  public static final String REDSHIFT_CLUSTER = "redshift.cluster-identifier";
  public static final String REDSHIFT_WORKGROUP = "redshift.workgroup-name";
  public static final String REDSHIFT_DATABASE = "redshift.database";
  public static final String REDSHIFT_DB_USER = "redshift.db-user";
  public static final String REDSHIFT_SECRET_ARN = "redshift.secret-arn";
  public static final String REDSHIFT_MAX_IN_FLIGHT = "redshift.max-statements-in-flight";
  public static final String REDSHIFT_POLL_INITIAL = "redshift.poll.initial";
  public static final String REDSHIFT_POLL_MAX = "redshift.poll.max";
  public static final String REDSHIFT_STATEMENT_TIMEOUT = "redshift.statement-timeout";
  public static final String REDSHIFT_RETRY_MODE = "redshift.retry.mode";
  public static final String REDSHIFT_RETRY_MAX_ATTEMPTS = "redshift.retry.max-attempts";
  public static final String REDSHIFT_RETRY_BASE_DELAY = "redshift.retry.base-delay";
  public static final String COPY_IAM_ROLE = "copy.iam-role";

  public static final String TARGET_SCHEMA = "target.schema";
  public static final String TABLES_MAP = "tables.map";
  public static final String TABLES_REGEX = "tables.regex";
  public static final String TABLES_REPLACEMENT = "tables.replacement";
  public static final String TABLES_AUTO_CREATE = "tables.auto-create";
  public static final String TABLES_AUTO_EVOLVE = "tables.auto-evolve";
  public static final String TABLES_VARCHAR_LENGTH = "tables.varchar-length";
  public static final String TABLES_VARCHAR_WIDEN = "tables.varchar-widen";
  public static final String TABLES_SORT_KEY = "tables.sort-key";
  public static final String TABLES_METADATA_COLUMNS = "tables.metadata-columns";
  public static final String CONTROL_SCHEMA = "control.schema";
  public static final String CONTROL_MARKERS_TABLE = "control.markers-table";
  public static final String CONTROL_QUARANTINE_TABLE = "control.quarantine-table";
  public static final String CONTROL_FAILURES_TABLE = "control.failures-table";

  public static final String META_TOPIC = "metadata.topic-column";
  public static final String META_PARTITION = "metadata.partition-column";
  public static final String META_OFFSET = "metadata.offset-column";
  public static final String META_TIMESTAMP = "metadata.timestamp-column";
  public static final String META_KEY = "metadata.key-column";
  public static final String META_HEADERS = "metadata.headers-column";
  public static final String META_DELETED = "metadata.deleted-column";

  public static final String LOAD_MODE = "load.mode";
  public static final String UPSERT_KEY = "upsert.key";
  public static final String UPSERT_STRATEGY = "upsert.strategy";
  public static final String UPSERT_DELETE_FLAG_COLUMNS = "upsert.delete-flag-columns";
  public static final String UPSERT_DELETE_OP_COLUMNS = "upsert.delete-op-columns";
  public static final String UPSERT_TOMBSTONE_RETENTION = "upsert.tombstone-retention";

  public static final String BATCH_MAX_BYTES = "batch.max-bytes";
  public static final String BATCH_MAX_FILES = "batch.max-files";
  public static final String BATCH_MAX_SCHEMAS = "batch.max-schemas";
  public static final String BATCH_MAX_UNITS = "batch.max-units";
  public static final String LOOP_INTERVAL = "loop.interval";
  public static final String TABLE_TURN = "load.table-turn";
  public static final String RETRY_MAX_ATTEMPTS = "load.retry.max-attempts";
  public static final String RETRY_MAX_DEFERRALS = "load.retry.max-deferrals";
  public static final String RETRY_BACKOFF = "load.retry.backoff";
  public static final String CLAIM_LEASE = "load.claim-lease";
  public static final String RETRY_BACKOFF_MAX = "load.retry.backoff-max";
  public static final String JSON_MAX_ERRORS = "load.json.max-errors";
  public static final String METRICS_ENABLED = "metrics.enabled";
  public static final String METRICS_HOST = "metrics.host";
  public static final String METRICS_PORT = "metrics.port";

  private static final String DEPRECATED_META =
      "Deprecated: read only for commit markers of format version 1 (connectors before marker"
          + " format 2); newer markers name each metadata column by role, so the connector's"
          + " metadata.*.column settings are the only place to set them.";

  /**
   * Keys renamed to the connector's name for the same thing: old name to current name. An old name
   * (in a file, as -D, or as its environment variable) still works, with a warning.
   */
  public static final Map<String, String> RENAMED =
      orderedMap(
          "aws.access-key-id", AWS_ACCESS_KEY_ID,
          "aws.secret-access-key", AWS_SECRET_ACCESS_KEY,
          "s3.bucket", S3_BUCKET,
          "s3.endpoint", S3_ENDPOINT,
          "s3.path-style", S3_PATH_STYLE);

  /**
   * Keys still accepted but deprecated, with what replaces them; setting one logs a warning. The
   * metadata column names are stated by role in markers of format version 2, so these keys matter
   * only for version-1 markers.
   */
  public static final Map<String, String> DEPRECATED =
      orderedMap(
          META_TOPIC, DEPRECATED_META,
          META_PARTITION, DEPRECATED_META,
          META_OFFSET, DEPRECATED_META,
          META_TIMESTAMP, DEPRECATED_META,
          META_KEY, DEPRECATED_META,
          META_HEADERS, DEPRECATED_META,
          META_DELETED, DEPRECATED_META);

  /**
   * Per-table override prefix: {@code table.<schema.table>.mode}, {@code
   * table.<schema.table>.upsert.key}, {@code .sort-key}, {@code .varchar-length} and {@code
   * .varchar-lengths}.
   */
  public static final String TABLE_OVERRIDE_PREFIX = "table.";

  private static final String G_AWS = "AWS";
  private static final String G_S3 = "S3 and markers";
  private static final String G_RS = "Redshift Data API";
  private static final String G_TABLES = "Tables";
  private static final String G_META = "Kafka metadata columns";
  private static final String G_MODE = "Load mode";
  private static final String G_RUN = "Batching, retries and service";
  private static final String G_SWEEP = "Orphan data file sweep";

  private static final List<ConfigKey> KEYS =
      List.of(
          ConfigKey.of(
              G_AWS,
              AWS_REGION,
              STRING,
              null,
              "AWS Region of the bucket and the Redshift Data API, in lower case (us-east-1). Unset: the AWS SDK's default region chain (AWS_REGION environment variable, profile, instance metadata); the loader stops at start when that finds none. Redstage guesses no region."),
          ConfigKey.of(
              G_AWS,
              AWS_ACCESS_KEY_ID,
              STRING,
              null,
              "Static access key id. Leave unset to use the default AWS credentials chain (environment, profile, instance role)."),
          ConfigKey.of(
              G_AWS,
              AWS_SECRET_ACCESS_KEY,
              PASSWORD,
              null,
              "Static secret key, used with aws.access.key.id. Never logged."),
          ConfigKey.of(
              G_S3,
              S3_BUCKET,
              STRING,
              null,
              "Bucket holding the commit markers and the data files they list (required): a marker that names another bucket, or files not named as its unit's, is refused as not the connector's."),
          ConfigKey.of(
              G_S3,
              S3_ENDPOINT,
              STRING,
              null,
              "S3 endpoint override (S3-compatible stores, local tests): an http or https URL with a host."),
          ConfigKey.of(
              G_S3,
              S3_PATH_STYLE,
              BOOLEAN,
              "true",
              "Use path-style requests (https://host/bucket/key) instead of virtual-hosted style; most S3-compatible stores need it. Default true, as the connector's."),
          ConfigKey.of(
              G_S3,
              MARKERS_DIR,
              STRING,
              "_redstage/markers",
              "Prefix the connector writes commit markers under (its markers.dir)."),
          ConfigKey.of(
              G_S3,
              TOPICS,
              LIST,
              "",
              "Topics to load. Empty: every topic found under markers.dir that matches topics.regex. With a list the loader lists only those topics' prefixes."),
          ConfigKey.of(
              G_S3,
              TOPICS_REGEX,
              STRING,
              ".*",
              "Regular expression a topic must match to be loaded (used when topics is empty)."),
          ConfigKey.of(
                  G_S3,
                  MARKERS_RETENTION,
                  DURATION,
                  "1h",
                  "How long the marker of a loaded unit stays under markers.dir before markers.loaded.action applies. Keeps listings proportional to pending units.")
              .range(0, Long.MAX_VALUE),
          ConfigKey.oneOf(
              G_S3,
              MARKERS_LOADED_ACTION,
              "move",
              "What to do with the marker of a loaded unit after markers.retention: move it under markers.loaded.dir, delete it, or keep it (listings then grow with history).",
              "move",
              "delete",
              "keep"),
          ConfigKey.of(
              G_S3,
              MARKERS_LOADED_DIR,
              STRING,
              "_redstage/markers-loaded",
              "Where loaded markers are moved to; must not be under markers.dir."),
          ConfigKey.of(
              G_S3,
              MANIFESTS_DIR,
              STRING,
              "_redstage/manifests",
              "Prefix for the COPY manifests the loader writes (one per staging table per batch)."),
          ConfigKey.of(
              G_S3,
              MANIFESTS_DELETE_AFTER_LOAD,
              BOOLEAN,
              "true",
              "Delete a batch's manifests once it committed, or once its load transaction ended FAILED or"
                  + " ABORTED or the Data API refused its submission at every attempt (a 4xx answer:"
                  + " no statement was created); not while its outcome is unknown (it may still run)."
                  + " Manifests of quarantined batches are always kept."),
          ConfigKey.of(
              G_S3,
              QUARANTINE_DIR,
              STRING,
              "_redstage/quarantine",
              "Prefix for quarantine reports (one JSON object per quarantined batch, with units, files and errors)."),
          ConfigKey.of(
              G_S3,
              REJECTS_DIR,
              STRING,
              "_redstage/rejects",
              "Prefix for rejects objects: <rejects.dir>/<table>/<batch id>.json lists the JSON Lines rows a committed COPY rejected (see load.json.max-errors), with file, line, column, reason and unit."),
          ConfigKey.of(
              G_S3,
              TOPICS_DIR,
              STRING,
              "topics",
              "Prefix the connector writes data files under (its topics.dir; empty when the connector's is). Only 'sweep' lists it; loads take file keys from the markers."),
          ConfigKey.of(
              G_RS,
              REDSHIFT_ENDPOINT,
              STRING,
              null,
              "Redshift Data API endpoint override (local stand-in, VPC endpoint): an http or https URL with a host."),
          ConfigKey.of(
              G_RS,
              REDSHIFT_CLUSTER,
              STRING,
              null,
              "Provisioned cluster identifier. Use with redshift.db-user (temporary credentials), redshift.secret-arn, or alone (IAM identity)."),
          ConfigKey.of(
              G_RS,
              REDSHIFT_WORKGROUP,
              STRING,
              null,
              "Redshift Serverless workgroup name. Alone (IAM) or with redshift.secret-arn."),
          ConfigKey.of(G_RS, REDSHIFT_DATABASE, STRING, null, "Database name (required)."),
          ConfigKey.of(
              G_RS,
              REDSHIFT_DB_USER,
              STRING,
              null,
              "Database user for temporary cluster credentials (provisioned clusters only)."),
          ConfigKey.of(
              G_RS,
              REDSHIFT_SECRET_ARN,
              STRING,
              null,
              "ARN of a Secrets Manager secret with the database credentials."),
          ConfigKey.of(
                  G_RS,
                  REDSHIFT_MAX_IN_FLIGHT,
                  INT,
                  "16",
                  "Most Data API statements this loader keeps running at once, and so the most tables it loads "
                      + "at once (one fewer while load.claim-lease is on, which leaves a statement for the claims' "
                      + "renewal; at 1 the renewal waits for the running load): a cycle over more tables than this takes several rounds. Statements beyond what "
                      + "WLM admits wait in its queue (automatic WLM, the default, admits more light statements such "
                      + "as COPY; a manual WLM queue has 5 slots unless configured). Lower it to leave a shared manual "
                      + "queue's slots to other users, or give the loader's user its own queue. Every loader counts "
                      + "towards the Data API's 200 active statements per cluster.")
              .range(1, 200),
          ConfigKey.of(
                  G_RS,
                  REDSHIFT_POLL_INITIAL,
                  DURATION,
                  "200ms",
                  "First DescribeStatement poll delay; doubles per poll, with jitter.")
              .range(1, 3_600_000),
          ConfigKey.of(
                  G_RS,
                  REDSHIFT_POLL_MAX,
                  DURATION,
                  "5s",
                  "Longest delay between two DescribeStatement polls.")
              .range(1, 3_600_000),
          ConfigKey.of(
                  G_RS,
                  REDSHIFT_STATEMENT_TIMEOUT,
                  DURATION,
                  "30m",
                  "How long to wait for one statement before giving up on it (the marker table decides later whether it committed).")
              .range(1000, 86_400_000),
          ConfigKey.oneOf(
              G_RS,
              REDSHIFT_RETRY_MODE,
              "adaptive",
              "AWS SDK retry strategy of Data API calls for throttling and 5xx errors: standard, or adaptive (adds client-side rate limiting). S3 calls always use standard.",
              "standard",
              "adaptive"),
          ConfigKey.of(
                  G_RS,
                  REDSHIFT_RETRY_MAX_ATTEMPTS,
                  INT,
                  "6",
                  "AWS SDK attempts per Data API and S3 call (first try included). Data API submissions reuse one ClientToken across attempts.")
              .range(1, 50),
          ConfigKey.of(
                  G_RS,
                  REDSHIFT_RETRY_BASE_DELAY,
                  DURATION,
                  "100ms",
                  "Base delay of the SDK's exponential backoff with jitter (S3 and Data API calls); the cap is 200 times it.")
              .range(1, 60_000),
          ConfigKey.of(
              G_RS,
              COPY_IAM_ROLE,
              STRING,
              "default",
              "IAM role ARN that COPY uses to read S3, or 'default' for the cluster's default role."),
          ConfigKey.of(
              G_TABLES,
              TARGET_SCHEMA,
              STRING,
              "public",
              "Schema of the target tables (unless a table name is schema-qualified)."),
          ConfigKey.of(
              G_TABLES,
              TABLES_MAP,
              LIST,
              "",
              "Explicit topic to table mapping: topic:table or topic:schema.table pairs. Wins over tables.regex."),
          ConfigKey.of(
              G_TABLES,
              TABLES_REGEX,
              STRING,
              null,
              "Regular expression on the topic name; with tables.replacement derives the table name (e.g. 'prod\\.(.*)' and '$1')."),
          ConfigKey.of(
              G_TABLES,
              TABLES_REPLACEMENT,
              STRING,
              "$0",
              "Replacement for tables.regex; the result is then made a safe identifier."),
          ConfigKey.of(
              G_TABLES,
              TABLES_AUTO_CREATE,
              BOOLEAN,
              "true",
              "Create a missing target table from the file schema (types: docs/loader-types.md)."),
          ConfigKey.of(
              G_TABLES,
              TABLES_AUTO_EVOLVE,
              BOOLEAN,
              "true",
              "Add columns for new fields with ALTER TABLE ADD COLUMN. false: a unit with a new field is quarantined alone. A changed type is never automatic: its unit is quarantined alone (JSON Lines with load.json.max-errors > 0: COPY rejects the rows that do not fit)."),
          ConfigKey.of(
                  G_TABLES,
                  TABLES_VARCHAR_LENGTH,
                  INT,
                  "256",
                  "VARCHAR length in bytes of the string columns the loader creates (CREATE TABLE, ADD COLUMN); with tables.varchar-widen a longer value widens the column. Per table: table.<schema.table>.varchar-length; per column: table.<schema.table>.varchar-lengths (column:bytes pairs).")
              .range(1, 65535),
          ConfigKey.of(
              G_TABLES,
              TABLES_VARCHAR_WIDEN,
              BOOLEAN,
              "true",
              "When a string value is longer than its VARCHAR column, widen the column (ALTER COLUMN TYPE VARCHAR(n), n the next power of two that holds it, at most 65535) in its own statement before the load transaction. false: the unit fails (and is quarantined after its attempts); JSON Lines with load.json.max-errors > 0: COPY rejects just the row into the rejects object."),
          ConfigKey.of(
              G_TABLES,
              TABLES_SORT_KEY,
              STRING,
              "record-time",
              "Sort key of the tables the loader creates (all get DISTSTYLE AUTO and ENCODE AUTO): record-time (the record timestamp column when the table keeps it, else none: the column the markers give the timestamp role, by default kafka_timestamp; for version-1 markers metadata.timestamp-column), auto (SORTKEY AUTO), none, or a comma-separated list of columns (compound). Per table: table.<schema.table>.sort-key."),
          ConfigKey.of(
              G_TABLES,
              TABLES_METADATA_COLUMNS,
              LIST,
              "all",
              "Kafka metadata columns to keep in the target: 'all', 'none', or a list of column names. Staging always keeps them (deduplication needs them)."),
          ConfigKey.of(
              G_TABLES, CONTROL_SCHEMA, STRING, "public", "Schema of the loader's control tables."),
          ConfigKey.of(
              G_TABLES,
              CONTROL_MARKERS_TABLE,
              STRING,
              "_redstage_load_markers",
              "Load-marker table: one row per loaded unit, written in the load transaction."),
          ConfigKey.of(
              G_TABLES,
              CONTROL_QUARANTINE_TABLE,
              STRING,
              "_redstage_quarantine",
              "Quarantine table: one row per unit of a quarantined batch, until released."),
          ConfigKey.of(
              G_TABLES,
              CONTROL_FAILURES_TABLE,
              STRING,
              "_redstage_load_failures",
              "Failure table: one row per unit whose load failed alone (attempts, last error, last attempt time) or that was released from quarantine, so that attempts count across loader processes. Cleared when the unit loads or is quarantined."),
          ConfigKey.of(
              G_META,
              META_TOPIC,
              STRING,
              "kafka_topic",
              "Column holding the record's topic (must match the connector). " + DEPRECATED_META),
          ConfigKey.of(
              G_META,
              META_PARTITION,
              STRING,
              "kafka_partition",
              "Column holding the record's partition. " + DEPRECATED_META),
          ConfigKey.of(
              G_META,
              META_OFFSET,
              STRING,
              "kafka_offset",
              "Column holding the record's offset. " + DEPRECATED_META),
          ConfigKey.of(
              G_META,
              META_TIMESTAMP,
              STRING,
              "kafka_timestamp",
              "Column holding the record's timestamp. " + DEPRECATED_META),
          ConfigKey.of(
              G_META,
              META_KEY,
              STRING,
              "kafka_key",
              "Column holding the record key, when the connector writes it. " + DEPRECATED_META),
          ConfigKey.of(
              G_META,
              META_HEADERS,
              STRING,
              "kafka_headers",
              "Column holding the record headers, when the connector writes them. "
                  + DEPRECATED_META),
          ConfigKey.of(
              G_META,
              META_DELETED,
              STRING,
              "kafka_deleted",
              "Boolean column the connector sets on tombstone rows in CDC mode. "
                  + DEPRECATED_META),
          ConfigKey.oneOf(
              G_MODE,
              LOAD_MODE,
              "append",
              "append: every record becomes a row. upsert: the latest row per upsert.key wins and delete rows delete. Per table: table.<schema.table>.mode.",
              "append",
              "upsert"),
          ConfigKey.of(
              G_MODE,
              UPSERT_KEY,
              LIST,
              "",
              "Key columns for upsert mode. Per table: table.<schema.table>.upsert.key."),
          ConfigKey.oneOf(
              G_MODE,
              UPSERT_STRATEGY,
              "delete-insert",
              "How upserts apply: delete-insert (DELETE USING the keys, then INSERT) or merge (DELETE the deleted keys, then MERGE the rest).",
              "delete-insert",
              "merge"),
          ConfigKey.of(
              G_MODE,
              UPSERT_DELETE_FLAG_COLUMNS,
              LIST,
              "kafka_deleted,__deleted",
              "Columns that mark a delete when true (boolean), 'true' or 't' (string, any case) or not 0 (integer, e.g. an is_deleted of 0 and 1), e.g. Debezium's __deleted. A listed column of any other type (decimal, float, timestamp, SUPER...) stops its table's loads with an error naming it, rather than being ignored. The connector's deleted column (named by its role in the markers, whatever metadata.deleted.column calls it) always counts too."),
          ConfigKey.of(
              G_MODE,
              UPSERT_DELETE_OP_COLUMNS,
              LIST,
              "__op,op",
              "Columns that mark a delete when equal to 'd' (Debezium operation)."),
          ConfigKey.of(
                  G_MODE,
                  UPSERT_TOMBSTONE_RETENTION,
                  DURATION,
                  "0",
                  "How long an upsert table's deleted-keys table keeps a deleted key, counted from the delete's record timestamp to the loader's clock; 0 keeps every deleted key for ever. The table holds one row per key whose latest event is a delete, so that a row older than the delete that loads later (a key that moved partitions, a late unit) cannot bring the key back; every upsert batch reads the whole table, so with many deletes of keys that never return it grows and each batch slows. A pruned key can come back if such an older row loads later: set this above the longest time a key's rows can arrive out of order, backlogs included (e.g. 7d). Each upsert batch deletes the expired rows in its transaction. Deletes without a record timestamp are kept.")
              .range(0, Long.MAX_VALUE),
          ConfigKey.of(
                  G_RUN,
                  BATCH_MAX_BYTES,
                  SIZE,
                  "1GiB",
                  "Most data-file bytes in one batch (one transaction, one COPY per schema).")
              .range(1, Long.MAX_VALUE),
          ConfigKey.of(G_RUN, BATCH_MAX_FILES, INT, "1000", "Most data files in one batch.")
              .range(1, 100_000),
          ConfigKey.of(
                  G_RUN,
                  BATCH_MAX_UNITS,
                  INT,
                  "2000",
                  "Most units in one batch (each adds a load-marker row; marker inserts share the 40-statement limit).")
              .range(1, 6000),
          ConfigKey.of(
                  G_RUN,
                  BATCH_MAX_SCHEMAS,
                  INT,
                  "8",
                  "Most staging tables in one batch (each one CREATE and one COPY; a BatchExecuteStatement holds at most 40 statements): one per distinct Parquet or Avro file schema, and one per set of JSON Lines files of one compression whose shared columns have the same types (with load.json.max-errors > 0 value columns may differ: they stage as the table's type).")
              .range(1, 16),
          ConfigKey.of(
                  G_RUN,
                  LOOP_INTERVAL,
                  DURATION,
                  "30s",
                  "Pause between cycles of 'run' when a cycle found nothing more to do, and before "
                      + "retrying a failed cycle. At least 100ms: without a pause an idle loader would "
                      + "list S3 and query Redshift without end.")
              .range(100, 86_400_000),
          ConfigKey.of(
                  G_RUN,
                  TABLE_TURN,
                  DURATION,
                  "1m",
                  "How long, from when a cycle of 'run' hands the tables their batches, a table keeps starting the batches planned for it: the rest of its backlog loads in the next cycle, which starts at once. Bounds how long new topics, the retries of failed units and other loaders' claims wait behind one table's backlog of hours, which a cycle otherwise loads to the end first. Each table loads at least one batch per cycle; past the turn a table still starts batches while a batch another table began before it ended runs (the cycle ends with that batch anyway) and no table of the cycle waits for a thread, and the pieces of a failing batch being split run too. Not used by 'once', whose one cycle loads all it planned.")
              .range(1_000, 86_400_000),
          ConfigKey.of(
                  G_RUN,
                  RETRY_MAX_ATTEMPTS,
                  INT,
                  "3",
                  "Attempts for a unit that fails alone before it is quarantined; counted in control.failures-table, so across loader processes ('once' from cron). A failing batch of several units is split first and counts no attempt.")
              .range(1, 100),
          ConfigKey.of(
                  G_RUN,
                  RETRY_MAX_DEFERRALS,
                  INT,
                  "10",
                  "Conflicts (Redshift's serializable isolation error 1023, a deadlock, a concurrent DDL) and refusals of COPY by S3 (a failure of the environment, or a missing file when the COPY role may not list the bucket) a unit may meet, each retried after a wait that doubles with each deferral of the unit (load.retry.backoff, up to load.retry.backoff-max) without counting an attempt (with the defaults 10 deferrals span 15 to about 30 minutes), before later ones count like any other failure (its batch is split, then load.retry.max-attempts applies): a failure that keeps coming back then ends in quarantine instead of holding the unit, and the units batched with it, back for ever. Reset when the unit loads or is quarantined. Counted in memory, per loader process: a 'once' run from cron starts at 0 each time and defers at most once, so under 'once' the limit is never reached (docs/loader-operations.md says what to do instead).")
              .range(1, 10_000),
          ConfigKey.of(
                  G_RUN,
                  CLAIM_LEASE,
                  DURATION,
                  "2m",
                  "How long a loader's claim on a target table holds: each cycle a loader claims its share of the tables with pending units (pending tables / live loaders) for this long, so several loaders load different tables, and renews them every third of it while its tables load. A killed loader's tables wait at most this long. 0 turns claiming off (every loader loads every pending table; still exactly once).")
              .range(0, 86_400_000),
          ConfigKey.of(
                  G_RUN,
                  RETRY_BACKOFF,
                  DURATION,
                  "10s",
                  "Wait before retrying a failed or deferred unit, with jitter, up to load.retry.backoff-max: after a deferral (a conflict, throttling, a failure of the environment) it doubles with each of the unit's attempts and deferrals, after a failed attempt with each attempt. A new loader process waits at least this long after the last attempt it finds in control.failures-table.")
              .range(0, 86_400_000),
          ConfigKey.of(
                  G_RUN,
                  RETRY_BACKOFF_MAX,
                  DURATION,
                  "5m",
                  "Longest wait before retrying a failed or deferred unit: the cap of load.retry.backoff's doubling.")
              .range(0, 86_400_000),
          ConfigKey.of(
                  G_RUN,
                  JSON_MAX_ERRORS,
                  INT,
                  "1000",
                  "Rows a JSON Lines COPY may reject per unit it loads while the rest of the batch loads (its MAXERROR is this times the units whose files it reads, pooled: at most 10000 in all, or this if larger); rejected rows go to a rejects object under rejects.dir and count in redstage_loader_rejected_rows_total. 0: one bad row fails the batch. Not used for Parquet (Redshift refuses MAXERROR for columnar formats) nor Avro.")
              .range(0, 100_000),
          ConfigKey.of(
              G_RUN,
              METRICS_ENABLED,
              BOOLEAN,
              "false",
              "Serve Prometheus metrics over HTTP at /metrics."),
          ConfigKey.of(
              G_RUN, METRICS_HOST, STRING, "0.0.0.0", "Address the metrics endpoint binds to."),
          ConfigKey.of(
                  G_RUN,
                  METRICS_PORT,
                  INT,
                  "9464",
                  "Port of the metrics endpoint (0: any free port).")
              .range(0, 65535),
          ConfigKey.oneOf(
              G_SWEEP,
              SWEEP_ACTION,
              "move",
              "What 'sweep' does with an orphan data file under topics.dir (no unit with its offsets in markers.dir, markers.loaded.dir or control.markers-table, its offsets loaded by other units, older than sweep.grace): move it under sweep.moved-dir, or delete it.",
              "move",
              "delete"),
          ConfigKey.of(
              G_SWEEP,
              SWEEP_MOVED_DIR,
              STRING,
              "_redstage/orphans",
              "Where sweep.action=move puts orphans (same key below topics.dir). Must not overlap topics.dir or markers.dir; an S3 lifecycle rule may expire it."),
          ConfigKey.of(
                  G_SWEEP,
                  SWEEP_GRACE,
                  DURATION,
                  "24h",
                  "Minimum age (S3 LastModified) of a data file before 'sweep' may remove it; keep it well above the connector's commit time so a file whose marker is still being written is never touched.")
              .range(60_000, Long.MAX_VALUE),
          ConfigKey.of(
                  G_SWEEP,
                  SWEEP_MAX_REQUESTS,
                  INT,
                  "1000",
                  "Most S3 requests one sweep run makes (LIST pages, HEADs of markers, copies and deletes; plus one GET and one PUT of the cursor). The next run continues after the last key examined.")
              .range(10, 10_000_000),
          ConfigKey.of(
              G_SWEEP,
              SWEEP_CURSOR_KEY,
              STRING,
              "_redstage/sweep/cursor",
              "Object holding the last data-file key a sweep examined, so a bounded run resumes there. Must not be under topics.dir."),
          ConfigKey.of(
                  G_SWEEP,
                  SWEEP_INTERVAL,
                  DURATION,
                  "0",
                  "How often 'run' also sweeps (after a cycle). 0: never; use the 'sweep' command instead.")
              .range(0, Long.MAX_VALUE));

  private static final Map<String, ConfigKey> BY_NAME = index();

  private LoaderConfigDef() {}

  public static List<ConfigKey> keys() {
    return KEYS;
  }

  public static Optional<ConfigKey> key(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, ConfigKey> index() {
    Map<String, ConfigKey> m = new LinkedHashMap<>();
    for (ConfigKey k : KEYS) {
      if (m.put(k.name(), k) != null) {
        throw new IllegalStateException("duplicate config key " + k.name());
      }
    }
    return m;
  }
}
