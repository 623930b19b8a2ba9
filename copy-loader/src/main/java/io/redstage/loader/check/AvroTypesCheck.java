package io.redstage.loader.check;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.CopySql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Does Redshift's Avro COPY read the logical types the connector's Avro files use for times? Every
 * Avro unit has one (the record timestamp column, timestamp-millis), and a field report says COPY
 * takes timestamp-millis for a plain long unless told otherwise; if so, every Avro unit would be
 * quarantined. The loader stages them as TIMESTAMP and DATE, so the answer is a COPY of a one-row
 * Avro file holding each kind into such columns, and a comparison of the values.
 *
 * <p>And does it read Avro bytes into VARBYTE? Redshift documents VARBYTE loads from CSV, Parquet
 * and ORC only; the loader stages an Avro bytes column as VARBYTE, so a second COPY of the same
 * file into a table with a VARBYTE column answers that on the user's cluster (a result of its own,
 * so that a refusal there does not hide the answer about times).
 *
 * <p>The probe file is a resource, written once with Avro's own writer ({@code
 * AvroTypesProbeFileTest} reads it back): the loader has no Avro dependency for one file.
 */
final class AvroTypesCheck {
  static final String NAME = "avro types";
  static final String RESOURCE = "avro-types-probe.avro";

  /** The probe row's values, as Redshift literals. */
  static final String TS_MILLIS = "2024-02-29 13:45:30.123";

  static final String TS_MICROS = "2024-02-29 13:45:30.123456";
  static final String DAY = "2024-02-29";

  /** The probe row's bytes field, as hex (FROM_HEX's input). */
  static final String BYTES_HEX = "ca00ff7f";

  static final String BYTES_NAME = "avro bytes";

  private final LoaderConfig config;
  private final S3Client s3;
  private final DataApi api;

  AvroTypesCheck(LoaderConfig config, S3Client s3, DataApi api) {
    this.config = config;
    this.s3 = s3;
    this.api = api;
  }

  static byte[] probeFile() {
    try (InputStream in = AvroTypesCheck.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Cannot find the resource " + RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The times result, then the bytes result (skipped when the probe file cannot be written). */
  List<CheckResult> probe() throws InterruptedException {
    String role = config.string(COPY_IAM_ROLE);
    String bucket = config.string(S3_BUCKET);
    String dir = CopyProbes.folder(config);
    String dataKey = dir + "probe.avro";
    String manifestKey = dir + "probe-avro.manifest.json";
    byte[] file = probeFile();
    try {
      s3.putObject(b -> b.bucket(bucket).key(dataKey), RequestBody.fromBytes(file));
      s3.putObject(
          b -> b.bucket(bucket).key(manifestKey),
          RequestBody.fromBytes(
              CopyProbes.manifest("s3://" + bucket + "/" + dataKey, file.length)));
    } catch (SdkException e) {
      CopyProbes.delete(s3, bucket, dataKey, manifestKey);
      CheckResult failed = CopyProbes.cannotWrite(NAME, "Avro probe", config, e);
      return List.of(failed, CheckResult.skip(BYTES_NAME, "needs '" + NAME + "', which failed."));
    }
    try {
      String manifest = "s3://" + bucket + "/" + manifestKey;
      return List.of(copy(TIMES, role, manifest), copy(BYTES, role, manifest));
    } finally {
      CopyProbes.delete(s3, bucket, dataKey, manifestKey);
    }
  }

  /**
   * One COPY of the probe file into a temporary table, then its rows and the rows holding the
   * probe's values as written counted in the table: what the Data API reports as ResultRows for a
   * COPY is not documented, and a cluster that reports 0 would make this check warn for nothing.
   */
  private CheckResult copy(Probe probe, String role, String manifest) throws InterruptedException {
    try {
      String copy =
          new CopySql(role, 0)
              .copy(
                  probe.table(),
                  manifest,
                  new FileSchema(FileFormat.AVRO, "none", probe.columns()));
      QueryResult counted =
          api.queryBatch(
              List.of(
                  "CREATE TEMP TABLE " + probe.table() + " (" + probe.columnsDdl() + ")",
                  copy,
                  "SELECT COUNT(*), COUNT(CASE WHEN "
                      + probe.asWritten()
                      + " THEN 1 END) FROM "
                      + probe.table()),
              UUID.randomUUID().toString(),
              probe.statementName());
      long copied = CopyProbes.count(counted, 0);
      long matching = CopyProbes.count(counted, 1);
      if (copied != 1 || matching != 1) {
        return CheckResult.warn(
            probe.name(),
            "Cannot trust Redshift's Avro COPY with "
                + probe.subject()
                + ": of a one-row Avro file holding "
                + probe.values()
                + ", it loaded "
                + copied
                + " row(s), "
                + matching
                + " "
                + probe.matchedAs()
                + ". "
                + probe.advice());
      }
      return CheckResult.ok(probe.name(), probe.ok());
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      return CheckResult.warn(
          probe.name(),
          "Cannot COPY an Avro file holding "
              + probe.kinds()
              + " into "
              + probe.target()
              + ": "
              + e.getMessage()
              + ". "
              + probe.advice());
    }
  }

  /**
   * What one probe COPY of the file asks, and how its answer reads.
   *
   * @param columns the file's fields the COPY maps to the table's columns by name ('auto'), so a
   *     field the table lacks is left out and cannot fail that probe's answer
   * @param asWritten the SQL condition a row holding the probe's values as written meets
   * @param values the probe's values, for a row count that is off
   * @param matchedAs what the matching rows are, for a row count that is off
   * @param kinds what the file holds, for a refused COPY
   * @param target what the table's columns are, for a refused COPY
   */
  private record Probe(
      String name,
      String table,
      String statementName,
      String columnsDdl,
      List<FileSchema.Column> columns,
      String asWritten,
      String subject,
      String values,
      String matchedAs,
      String kinds,
      String target,
      String ok,
      String advice) {}

  private static final String TIME_COLUMNS_DDL =
      "probe BIGINT, ts_millis TIMESTAMP, ts_micros TIMESTAMP, day DATE";

  private static final List<FileSchema.Column> TIME_COLUMNS =
      List.of(
          column("probe", ColumnType.Kind.INT64),
          column("ts_millis", ColumnType.Kind.TIMESTAMP_MILLIS),
          column("ts_micros", ColumnType.Kind.TIMESTAMP_MICROS),
          column("day", ColumnType.Kind.DATE));

  private static final String BYTES_ADVICE =
      "Redshift documents VARBYTE loads from CSV, Parquet and ORC only. Units the connector writes "
          + "with format.class=avro whose records hold bytes or fixed fields at the top level would "
          + "fail their COPY and be quarantined; other Avro units and Parquet or JSON Lines are not "
          + "concerned. Use format.class=parquet for such topics, and tell the project what this "
          + "cluster answered.";

  private static final String AVRO_ADVICE =
      "Units the connector writes with format.class=avro would be quarantined with this error; "
          + "connectors writing Parquet or JSON Lines are not concerned. Use format.class=parquet for "
          + "these topics, and tell the project what this cluster answered.";

  /** The times, into TIMESTAMP and DATE columns; the bytes field is left out. */
  private static final Probe TIMES =
      new Probe(
          NAME,
          "rs_check_avro",
          "redstage-check-avro",
          TIME_COLUMNS_DDL,
          TIME_COLUMNS,
          "ts_millis = '"
              + TS_MILLIS
              + "' AND ts_micros = '"
              + TS_MICROS
              + "' AND day = '"
              + DAY
              + "'",
          "times",
          TS_MILLIS
              + " as timestamp-millis, "
              + TS_MICROS
              + " as timestamp-micros and "
              + DAY
              + " as date",
          "with all three values as written",
          "timestamp-millis, timestamp-micros and date values",
          "TIMESTAMP and DATE columns",
          "COPY read timestamp-millis, timestamp-micros and date from an Avro file as written",
          AVRO_ADVICE);

  /** The whole file, into a table with a VARBYTE column. */
  private static final Probe BYTES =
      new Probe(
          BYTES_NAME,
          "rs_check_avro_bytes",
          "redstage-check-avro-bytes",
          TIME_COLUMNS_DDL + ", bin VARBYTE",
          Stream.concat(TIME_COLUMNS.stream(), Stream.of(column("bin", ColumnType.Kind.BYTES)))
              .toList(),
          "bin = FROM_HEX('" + BYTES_HEX + "')",
          "bytes",
          "the bytes " + BYTES_HEX + " (hex) in a bytes field",
          "with those bytes in a VARBYTE column",
          "a bytes field",
          "a VARBYTE column",
          "COPY read an Avro bytes field into VARBYTE as written",
          BYTES_ADVICE);

  private static FileSchema.Column column(String name, ColumnType.Kind kind) {
    return new FileSchema.Column(name, ColumnType.of(kind));
  }
}
