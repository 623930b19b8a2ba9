package io.redstage.loader.redshift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatementFailedExceptionTest {
  static boolean isTransient(String error) {
    return new StatementFailedException("s-1", error, 0, -1).isTransient();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ERROR: 1023 DETAIL: Serializable isolation violation on table - 100122, transactions forming the cycle are: 1, 2",
        "ERROR: 1023",
        "1023 DETAIL: Serializable isolation violation on table - 100",
        "ERROR: could not serialize access due to concurrent update",
        "ERROR: deadlock detected",
        "ERROR: canceling statement due to lock timeout",
        "ERROR: could not complete because of conflict with concurrent transaction",
        "ERROR: tuple concurrently updated",
        "ERROR: relation \"public.orders\" already exists",
        "ERROR: connection to the leader node was lost",
        "ERROR: duplicate key value violates unique constraint \"pg_namespace_nspname_index\"",
        "FATAL: terminating connection due to administrator command",
        "ERROR: S3ServiceException:Please reduce your request rate.,Status 503,Error SlowDown,Rid X,"
            + "ExtRid Y,CanRetry 1 DETAIL: error: S3ServiceException:Please reduce your request rate.",
        "ERROR: S3ServiceException:We encountered an internal error. Please try again.,Status 500,"
            + "Error InternalError,Rid X,ExtRid Y,CanRetry 1"
      })
  void redshiftsConflictsAndS3ThrottlingAreTransient(String error) {
    assertThat(isTransient(error)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // an offset 1023 in a file name
        "ERROR: The specified key does not exist. DETAIL: code: 8001 context: mandatory manifest entry "
            + "s3://bucket/topics/orders/partition=0/orders+0+00000000000000001023.parquet could not be read",
        // a date folder and a query id that contain 1023
        "ERROR: Spectrum Scan Error DETAIL: File https://bucket.s3.amazonaws.com/topics/t/dt=20231023/f.parquet "
            + "has an incompatible Parquet schema query: 810234",
        // names that contain the words
        "ERROR: permission denied for relation concurrently_updated",
        "ERROR: column \"connection lost\" does not exist",
        "ERROR: relation \"public.deadlock_events\" does not exist",
        "ERROR: Load into table 'concurrent transaction' failed. Check 'stl_load_errors' system table for details.",
        "ERROR: value too long for type character varying(10)",
        // a missing file stays the batch's failure, whatever its key says
        "ERROR: S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey,Rid X",
        "ERROR: The specified key does not exist. DETAIL: s3://b/topics/Status 503/f.parquet"
      })
  void failuresThatOnlyQuoteSuchWordsOrNumbersAreNot(String error) {
    assertThat(isTransient(error)).isFalse();
  }

  static boolean isEnvironment(String error) {
    return new StatementFailedException("s-1", error, 0, -1).isEnvironment();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ERROR: permission denied for relation orders",
        "ERROR: must be owner of relation orders",
        "ERROR: Disk Full DETAIL: error: Disk Full code: 1016",
        "ERROR: S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid X,CanRetry 1",
        "ERROR: COPY with MANIFEST parameter requires full path of an S3 object DETAIL: code: 8001",
        "ERROR: User arn:aws:redshift:eu-west-1:1:dbuser:c/u is not authorized to assume IAM Role "
            + "arn:aws:iam::1:role/copy"
      })
  void refusalsOfTheTableTheClusterOrTheCopyRoleAreTheEnvironments(String error) {
    assertThat(isEnvironment(error)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ERROR: relation \"public.permission denied\" does not exist",
        "ERROR: The specified key does not exist. DETAIL: s3://b/topics/disk full/f.parquet could not be read",
        "ERROR: value too long for type character varying(10)",
        "ERROR: 1023 DETAIL: Serializable isolation violation on table - 100"
      })
  void dataFailuresConflictsAndQuotedWordsAreNot(String error) {
    assertThat(isEnvironment(error)).isFalse();
  }
}
