package io.redstage.loader.check;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.aws.PrefixProbe;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * {@code redstage-loader check}: tries, before the first load, each thing the loader needs from AWS
 * (credentials, the bucket's prefixes, the Data API, the COPY role, the target schemas) and says
 * for each what is wrong and how to fix it. It writes only probe objects (deleted at once) and a
 * temporary table.
 */
public final class LoaderCheck {
  private static final Logger LOG = LoggerFactory.getLogger(LoaderCheck.class);

  private final LoaderConfig config;
  private final AwsClients clients;
  private final DataApi api;

  public LoaderCheck(LoaderConfig config, AwsClients clients, DataApi api) {
    this.config = config;
    this.clients = clients;
    this.api = api;
  }

  /** Runs every check; a check that needs one that failed is skipped, naming it. */
  public List<CheckResult> run() throws InterruptedException {
    List<CheckResult> out = new ArrayList<>();
    out.add(credentials());
    MarkerListing listing = listMarkers();
    CheckResult list = listing.result();
    out.add(list);
    MarkerAccess markerAccess = new MarkerAccess(config, clients.s3());
    out.add(
        list.status() == CheckResult.Status.FAIL
            ? skipAfter(MarkerAccess.READ, list)
            : markerAccess.readMarker(listing.firstMarker()));
    if (!"keep".equalsIgnoreCase(config.string(MARKERS_LOADED_ACTION))) {
      out.add(
          list.status() == CheckResult.Status.FAIL
              ? skipAfter(MarkerAccess.DELETE, list)
              : markerAccess.deleteUnderMarkers());
    }
    for (String key : PrefixProbe.writtenPrefixKeys(config)) {
      out.add(
          list.status() == CheckResult.Status.FAIL ? skipAfter("write " + key, list) : write(key));
    }
    CheckResult reach = dataApi();
    out.add(reach);
    CheckResult role = CopyRoleCheck.syntax(config);
    if (role.status() == CheckResult.Status.OK && reach.status() == CheckResult.Status.OK) {
      role = new CopyRoleCheck(config, clients.s3(), api).copyProbe();
    } else if (role.status() == CheckResult.Status.OK) {
      role = skipAfter(role.name(), reach);
    }
    out.add(role);
    if (role.status() == CheckResult.Status.OK) {
      out.addAll(new AvroTypesCheck(config, clients.s3(), api).probe());
    } else {
      out.add(skipAfter(AvroTypesCheck.NAME, role));
      out.add(skipAfter(AvroTypesCheck.BYTES_NAME, role));
    }
    SchemaPrivileges privileges = new SchemaPrivileges(config, api);
    for (SchemaPrivileges.Schema schema : privileges.schemas()) {
      out.add(
          reach.status() == CheckResult.Status.OK
              ? privileges.check(schema)
              : skipAfter(schema.check(), reach));
    }
    return out;
  }

  private static CheckResult skipAfter(String name, CheckResult failed) {
    return CheckResult.skip(name, "needs '" + failed.name() + "', which failed.");
  }

  /**
   * Whose credentials the loader signs with. An S3-compatible store (store.url set) usually has no
   * STS, and a private subnet may not reach it: then only the bucket checks tell.
   */
  CheckResult credentials() {
    String name = "credentials";
    try {
      clients.credentials().resolveCredentials();
    } catch (SdkException e) {
      return CheckResult.fail(
          name,
          "Cannot find AWS credentials: "
              + e.getMessage()
              + ". Give the loader an IAM role (EKS service account, ECS task role, instance profile) or set "
              + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or aws.access.key.id/aws.secret.access.key.");
    }
    if (config.optional(S3_ENDPOINT).isPresent()) {
      return CheckResult.skip(
          name,
          "credentials found; store.url is set (an S3-compatible store), so STS is not asked whose they are.");
    }
    try (StsClient sts =
        StsClient.builder()
            .region(clients.region())
            .credentialsProvider(clients.credentials())
            .build()) {
      GetCallerIdentityResponse id = sts.getCallerIdentity();
      return CheckResult.ok(name, "signed in as " + id.arn() + " (account " + id.account() + ")");
    } catch (SdkClientException e) {
      return CheckResult.skip(
          name,
          "credentials found, but STS is not reachable to tell whose they are ("
              + e.getMessage()
              + "); the bucket and Data API checks below use them.");
    } catch (SdkException e) {
      return CheckResult.fail(
          name,
          "Cannot use the AWS credentials: STS refused them ("
              + e.getMessage()
              + "). Renew or replace them (expired session token, deleted access key, wrong role).");
    }
  }

  /**
   * What listing markers.dir came to, and the first marker it found, which the read check reads.
   */
  record MarkerListing(CheckResult result, Optional<String> firstMarker) {
    static MarkerListing failed(CheckResult result) {
      return new MarkerListing(result, Optional.empty());
    }
  }

  MarkerListing listMarkers() {
    String bucket = config.string(S3_BUCKET);
    String prefix = MarkerKeys.normalizeDir(config.string(MARKERS_DIR));
    String name = "list " + MARKERS_DIR;
    try {
      // a page of keys, not one: the read check needs a marker, and other keys may come first
      List<S3Object> page =
          clients.s3().listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(100)).contents();
      return new MarkerListing(
          CheckResult.ok(
              name,
              "s3://"
                  + bucket
                  + "/"
                  + prefix
                  + " is listable"
                  + (page.isEmpty() ? " (empty: no connector has committed here yet)" : "")),
          page.stream().map(S3Object::key).filter(k -> k.endsWith(MarkerKeys.SUFFIX)).findFirst());
    } catch (NoSuchBucketException e) {
      return MarkerListing.failed(
          CheckResult.fail(
              name,
              "Cannot list s3://"
                  + bucket
                  + ": the bucket does not exist. Set "
                  + S3_BUCKET
                  + " to the bucket the connector writes (the same key in its config), and aws.region to"
                  + " its region."));
    } catch (S3Exception e) {
      return MarkerListing.failed(
          CheckResult.fail(
              name,
              "Cannot list s3://"
                  + bucket
                  + "/"
                  + prefix
                  + ": "
                  + e.awsErrorDetails().errorCode()
                  + " (HTTP "
                  + e.statusCode()
                  + "). Grant the loader s3:ListBucket on arn:aws:s3:::"
                  + bucket
                  + " (examples/iam/loader.json), and check "
                  + S3_BUCKET
                  + " and aws.region."));
    } catch (SdkClientException e) {
      return MarkerListing.failed(
          CheckResult.fail(
              name,
              "Cannot reach S3"
                  + config.optional(S3_ENDPOINT).map(u -> " at " + u).orElse("")
                  + ": "
                  + e.getMessage()
                  + ". Check "
                  + (config.optional(S3_ENDPOINT).isPresent() ? S3_ENDPOINT : "aws.region")
                  + " and the network route to S3 (a gateway VPC endpoint in private subnets)."));
    }
  }

  CheckResult write(String key) {
    String name = "write " + key;
    try {
      PrefixProbe.probe(clients.s3(), config, key);
      return CheckResult.ok(
          name, "put and deleted a probe object under '" + config.string(key) + "'");
    } catch (ConfigException | IllegalStateException e) {
      return CheckResult.fail(name, e.getMessage());
    }
  }

  CheckResult dataApi() throws InterruptedException {
    String name = "data api";
    String where = api.target().mode();
    try {
      api.query("SELECT 1", "redstage-check");
      return CheckResult.ok(name, "ran SELECT 1 on " + where);
    } catch (DataApiException e) {
      LOG.debug("Data API check failed", e);
      if (e.getCause() instanceof SdkClientException) {
        return CheckResult.fail(
            name,
            "Cannot reach the Redshift Data API"
                + config.optional(REDSHIFT_ENDPOINT).map(u -> " at " + u).orElse("")
                + ": "
                + e.getCause().getMessage()
                + ". Check "
                + (config.optional(REDSHIFT_ENDPOINT).isPresent()
                    ? REDSHIFT_ENDPOINT + " and "
                    : "")
                + "aws.region, and that this network reaches redshift-data (an interface VPC endpoint "
                + "in private subnets).");
      }
      return CheckResult.fail(
          name,
          e.getMessage()
              + " On "
              + where
              + ": check redshift.cluster-identifier or redshift.workgroup-name and redshift.database, and grant "
              + "redshift-data:ExecuteStatement, BatchExecuteStatement, DescribeStatement, GetStatementResult and the "
              + "credentials action of your mode (examples/iam/loader.json).");
    } catch (StatementFailedException | StatementTimeoutException e) {
      return CheckResult.fail(
          name,
          "Cannot run SELECT 1 on "
              + where
              + ": "
              + e.getMessage()
              + ". Check redshift.database and that the database user exists and may connect.");
    }
  }
}
