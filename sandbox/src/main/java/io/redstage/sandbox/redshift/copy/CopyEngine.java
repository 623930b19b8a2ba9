package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.exec.CopyExecutor;
import io.redstage.sandbox.redshift.exec.ExecutionContext;
import io.redstage.sandbox.redshift.exec.StatementFailedException;
import io.redstage.sandbox.redshift.pg.PostgresServer;
import io.redstage.sandbox.redshift.sql.Token;
import java.net.URI;
import java.sql.Connection;
import java.util.List;

/** COPY from S3 (work in progress: protocol increment). */
public final class CopyEngine implements CopyExecutor, AutoCloseable {
  public CopyEngine(URI s3Endpoint, String accessKey, String secretKey, String region, PostgresServer postgres) {
  }

  @Override
  public long copy(String originalSql, List<Token> tokens, Connection connection, ExecutionContext context) {
    throw new StatementFailedException("COPY is not implemented yet");
  }

  @Override
  public void close() {
  }
}
