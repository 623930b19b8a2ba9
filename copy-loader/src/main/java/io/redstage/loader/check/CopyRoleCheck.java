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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Can Redshift read the bucket with {@code copy.iam-role}? The only sure answer is a COPY: one JSON
 * line through a manifest under {@code manifests.dir} (where the loader's manifests go) into a
 * temporary table, with the same COPY text the loader builds.
 */
final class CopyRoleCheck {
  static final String NAME = "copy role";
  private static final byte[] PROBE_ROW = "{\"probe\": 1}\n".getBytes(StandardCharsets.UTF_8);

  private final LoaderConfig config;
  private final S3Client s3;
  private final DataApi api;

  CopyRoleCheck(LoaderConfig config, S3Client s3, DataApi api) {
    this.config = config;
    this.s3 = s3;
    this.api = api;
  }

  /** The role is 'default' or IAM role ARN(s); the loader's COPY builder decides. */
  static CheckResult syntax(LoaderConfig config) {
    String role = config.string(COPY_IAM_ROLE);
    try {
      new CopySql(role, 0);
    } catch (IllegalArgumentException e) {
      return CheckResult.fail(
          NAME,
          e.getMessage()
              + " Set "
              + COPY_IAM_ROLE
              + " to the ARN of the role associated with the cluster or namespace.");
    }
    return CheckResult.ok(NAME, COPY_IAM_ROLE + " '" + role + "' is well-formed");
  }

  CheckResult copyProbe() throws InterruptedException {
    String role = config.string(COPY_IAM_ROLE);
    String bucket = config.string(S3_BUCKET);
    String dir = CopyProbes.folder(config);
    String dataKey = dir + "probe.json";
    String manifestKey = dir + "probe.manifest.json";
    try {
      s3.putObject(b -> b.bucket(bucket).key(dataKey), RequestBody.fromBytes(PROBE_ROW));
      s3.putObject(
          b -> b.bucket(bucket).key(manifestKey),
          RequestBody.fromBytes(
              CopyProbes.manifest("s3://" + bucket + "/" + dataKey, PROBE_ROW.length)));
      String copy =
          new CopySql(role, 0)
              .copy(
                  "rs_check_probe",
                  "s3://" + bucket + "/" + manifestKey,
                  new FileSchema(
                      FileFormat.JSONL,
                      "none",
                      List.of(
                          new FileSchema.Column("probe", ColumnType.of(ColumnType.Kind.INT64)))));
      // the rows are counted in the table: what the Data API reports as ResultRows for a COPY is
      // not documented, and a cluster that reports 0 would fail this check with a working role
      QueryResult counted =
          api.queryBatch(
              List.of(
                  "CREATE TEMP TABLE rs_check_probe (probe BIGINT)",
                  copy,
                  "SELECT COUNT(*) FROM rs_check_probe"),
              UUID.randomUUID().toString(),
              "redstage-check-copy");
      long rows = CopyProbes.count(counted, 0);
      if (rows != 1) {
        return CheckResult.fail(
            NAME,
            "Cannot trust COPY with "
                + COPY_IAM_ROLE
                + " '"
                + role
                + "': it loaded "
                + rows
                + " rows of a one-line probe file. Run the COPY by hand to see why: "
                + copy);
      }
      return CheckResult.ok(
          NAME, "COPY read a probe file from s3://" + bucket + "/" + dir + " with '" + role + "'");
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      return CheckResult.fail(
          NAME,
          "Cannot COPY from s3://"
              + bucket
              + " with "
              + COPY_IAM_ROLE
              + " '"
              + role
              + "': "
              + e.getMessage()
              + ". Give that role s3:GetObject on the staging and manifest prefixes and s3:ListBucket on the bucket "
              + "(examples/iam/redshift-copy-role-policy.json), and associate it with the cluster or namespace "
              + "('default' needs a default IAM role there).");
    } catch (SdkException e) {
      return CopyProbes.cannotWrite(NAME, "COPY probe", config, e);
    } finally {
      CopyProbes.delete(s3, bucket, dataKey, manifestKey);
    }
  }
}
