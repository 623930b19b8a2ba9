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

  CheckResult probe() throws InterruptedException {
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
      String copy =
          new CopySql(role, 0)
              .copy(
                  "rs_check_avro",
                  "s3://" + bucket + "/" + manifestKey,
                  new FileSchema(
                      FileFormat.AVRO,
                      "none",
                      List.of(
                          column("probe", ColumnType.Kind.INT64),
                          column("ts_millis", ColumnType.Kind.TIMESTAMP_MILLIS),
                          column("ts_micros", ColumnType.Kind.TIMESTAMP_MICROS),
                          column("day", ColumnType.Kind.DATE))));
      // the rows are counted in the table: what the Data API reports as ResultRows for a COPY is
      // not documented, and a cluster that reports 0 would make this check warn for nothing
      QueryResult counted =
          api.queryBatch(
              List.of(
                  "CREATE TEMP TABLE rs_check_avro (probe BIGINT, ts_millis TIMESTAMP, "
                      + "ts_micros TIMESTAMP, day DATE)",
                  copy,
                  "SELECT COUNT(*), COUNT(CASE WHEN ts_millis = '"
                      + TS_MILLIS
                      + "' AND ts_micros = '"
                      + TS_MICROS
                      + "' AND day = '"
                      + DAY
                      + "' THEN 1 END) FROM rs_check_avro"),
              UUID.randomUUID().toString(),
              "redstage-check-avro");
      List<Object> row = counted.rows().isEmpty() ? null : counted.rows().get(0);
      long copied = row == null ? -1 : QueryResult.number(row.get(0));
      long matching = row == null ? -1 : QueryResult.number(row.get(1));
      if (copied != 1 || matching != 1) {
        return CheckResult.warn(
            NAME,
            "Cannot trust Redshift's Avro COPY with times: of a one-row Avro file holding "
                + TS_MILLIS
                + " as timestamp-millis, "
                + TS_MICROS
                + " as timestamp-micros and "
                + DAY
                + " as date, it loaded "
                + copied
                + " row(s), "
                + matching
                + " with all three values as written. "
                + AVRO_ADVICE);
      }
      return CheckResult.ok(
          NAME,
          "COPY read timestamp-millis, timestamp-micros and date from an Avro file as written");
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      return CheckResult.warn(
          NAME,
          "Cannot COPY an Avro file holding timestamp-millis, timestamp-micros and date values into "
              + "TIMESTAMP and DATE columns: "
              + e.getMessage()
              + ". "
              + AVRO_ADVICE);
    } catch (SdkException e) {
      return CopyProbes.cannotWrite(NAME, "Avro probe", config, e);
    } finally {
      CopyProbes.delete(s3, bucket, dataKey, manifestKey);
    }
  }

  private static final String AVRO_ADVICE =
      "Units the connector writes with format.class=avro would be quarantined with this error; "
          + "connectors writing Parquet or JSON Lines are not concerned. Use format.class=parquet for "
          + "these topics, and tell the project what this cluster answered.";

  private static FileSchema.Column column(String name, ColumnType.Kind kind) {
    return new FileSchema.Column(name, ColumnType.of(kind));
  }
}
