package io.redstage.loader.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the opt-in real-AWS run of the end-to-end tests writes and loads, read from environment
 * variables. Without {@value #BUCKET} the tests run on the sandbox; with it, every required
 * variable must be set (a half-configured run fails naming what is missing rather than falling back
 * to the sandbox). Credentials come from the AWS SDK's default chain (AWS_PROFILE,
 * AWS_ACCESS_KEY_ID, an instance role ...), never from these variables.
 */
record RealAwsSettings(
    String bucket,
    String region,
    String workgroup,
    String cluster,
    String database,
    String secretArn,
    String dbUser,
    String copyRoleArn,
    String prefix,
    String schema) {
  static final String BUCKET = "REDSTAGE_IT_S3_BUCKET";
  static final String REGION = "REDSTAGE_IT_AWS_REGION";
  static final String WORKGROUP = "REDSTAGE_IT_REDSHIFT_WORKGROUP";
  static final String CLUSTER = "REDSTAGE_IT_REDSHIFT_CLUSTER";
  static final String DATABASE = "REDSTAGE_IT_REDSHIFT_DATABASE";
  static final String SECRET_ARN = "REDSTAGE_IT_REDSHIFT_SECRET_ARN";
  static final String DB_USER = "REDSTAGE_IT_REDSHIFT_DB_USER";
  static final String COPY_ROLE_ARN = "REDSTAGE_IT_COPY_ROLE_ARN";
  static final String PREFIX = "REDSTAGE_IT_S3_PREFIX";
  static final String SCHEMA = "REDSTAGE_IT_REDSHIFT_SCHEMA";

  static final String DEFAULT_PREFIX = "redstage-it";
  static final String DEFAULT_SCHEMA = "public";

  /**
   * The settings named by {@code env}, or empty when {@value #BUCKET} is unset (run on the
   * sandbox).
   *
   * @throws IllegalArgumentException when the real-AWS run is asked for but incompletely configured
   */
  static Optional<RealAwsSettings> from(Map<String, String> env) {
    String bucket = value(env, BUCKET);
    if (bucket == null) {
      return Optional.empty();
    }
    List<String> problems = new ArrayList<>();
    for (String required : List.of(REGION, DATABASE, COPY_ROLE_ARN)) {
      if (value(env, required) == null) {
        problems.add(required + " is not set");
      }
    }
    String workgroup = value(env, WORKGROUP);
    String cluster = value(env, CLUSTER);
    if ((workgroup == null) == (cluster == null)) {
      problems.add(
          "exactly one of "
              + WORKGROUP
              + " (Redshift Serverless) and "
              + CLUSTER
              + " (provisioned) must be set");
    }
    String secretArn = value(env, SECRET_ARN);
    String dbUser = value(env, DB_USER);
    if (secretArn != null && dbUser != null) {
      problems.add("set " + SECRET_ARN + " or " + DB_USER + ", not both");
    }
    if (workgroup != null && dbUser != null) {
      problems.add(DB_USER + " works only with a provisioned cluster (" + CLUSTER + ")");
    }
    String prefix = value(env, PREFIX) == null ? DEFAULT_PREFIX : value(env, PREFIX);
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
      problems.add(PREFIX + " must not start or end with '/' (got '" + prefix + "')");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot run the end-to-end tests against real AWS ("
              + BUCKET
              + " is set): "
              + String.join("; ", problems)
              + ". Set them (README, \"Against real AWS\") or unset "
              + BUCKET
              + " to run on the sandbox.");
    }
    return Optional.of(
        new RealAwsSettings(
            bucket,
            value(env, REGION),
            workgroup,
            cluster,
            value(env, DATABASE),
            secretArn,
            dbUser,
            value(env, COPY_ROLE_ARN),
            prefix,
            value(env, SCHEMA) == null ? DEFAULT_SCHEMA : value(env, SCHEMA)));
  }

  /** The connector keys of a task writing under {@code runPrefix} of the bucket. */
  Map<String, String> connectorKeys(String runPrefix) {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("s3.bucket.name", bucket);
    k.put("s3.region", region);
    k.put("topics.dir", runPrefix + "/topics");
    k.put("markers.dir", runPrefix + "/markers");
    k.put("tmp.dir", runPrefix + "/tmp");
    return k;
  }

  /**
   * The loader keys for this account, every S3 prefix the loader writes under {@code runPrefix} so
   * cleanup removes them all.
   */
  Map<String, String> loaderKeys(String runPrefix) {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("aws.region", region);
    k.put("s3.bucket.name", bucket);
    k.put("topics.dir", runPrefix + "/topics");
    k.put("markers.dir", runPrefix + "/markers");
    k.put("markers.loaded.dir", runPrefix + "/markers-loaded");
    k.put("manifests.dir", runPrefix + "/manifests");
    k.put("quarantine.dir", runPrefix + "/quarantine");
    k.put("rejects.dir", runPrefix + "/rejects");
    if (workgroup != null) {
      k.put("redshift.workgroup-name", workgroup);
    } else {
      k.put("redshift.cluster-identifier", cluster);
    }
    k.put("redshift.database", database);
    if (secretArn != null) {
      k.put("redshift.secret-arn", secretArn);
    }
    if (dbUser != null) {
      k.put("redshift.db-user", dbUser);
    }
    k.put("copy.iam-role", copyRoleArn);
    k.put("target.schema", schema);
    return k;
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
