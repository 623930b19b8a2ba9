package io.redstage.loader.redshift;

import software.amazon.awssdk.services.redshiftdata.model.BatchExecuteStatementRequest;
import software.amazon.awssdk.services.redshiftdata.model.ExecuteStatementRequest;

/**
 * Where and as whom statements run. Supported modes: cluster + DbUser (temporary credentials),
 * cluster or workgroup + SecretArn (Secrets Manager), workgroup alone (Serverless IAM) or cluster
 * alone (IAM identity). Config validation ensures exactly one of cluster and workgroup.
 */
public record DataApiTarget(
    String clusterIdentifier,
    String workgroupName,
    String database,
    String dbUser,
    String secretArn) {

  public ExecuteStatementRequest.Builder apply(ExecuteStatementRequest.Builder b) {
    return b.clusterIdentifier(clusterIdentifier)
        .workgroupName(workgroupName)
        .database(database)
        .dbUser(dbUser)
        .secretArn(secretArn);
  }

  public BatchExecuteStatementRequest.Builder apply(BatchExecuteStatementRequest.Builder b) {
    return b.clusterIdentifier(clusterIdentifier)
        .workgroupName(workgroupName)
        .database(database)
        .dbUser(dbUser)
        .secretArn(secretArn);
  }

  /** The auth mode, for logs (no secrets: an ARN names a secret, it is not one). */
  public String mode() {
    String where =
        clusterIdentifier != null ? "cluster " + clusterIdentifier : "workgroup " + workgroupName;
    String who =
        dbUser != null
            ? "db user " + dbUser
            : secretArn != null ? "secret " + secretArn : "IAM identity";
    return where + ", database " + database + ", " + who;
  }
}
