package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.copy.SourceFiles.SourceFile;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.exec.CopyExecutor;
import io.redstage.sandbox.redshift.exec.ExecutionContext;
import io.redstage.sandbox.redshift.exec.SqlErrors;
import io.redstage.sandbox.redshift.exec.StatementFailedException;
import io.redstage.sandbox.redshift.pg.PostgresServer;
import io.redstage.sandbox.redshift.sql.Identifiers;
import io.redstage.sandbox.redshift.sql.Token;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redshift's {@code COPY ... FROM 's3://...'} on PostgreSQL: resolves the files (manifest or
 * prefix), reads each object through the S3 API, converts records with Redshift's matching and
 * conversion rules, and bulk-loads them with {@code COPY ... FROM STDIN} on the statement's own
 * session and transaction, so a COPY is atomic (inside a batch it rolls back with the batch). Every
 * COPY writes a load history row; failed rows go to the load error views through a separate
 * session, so they outlive the rollback.
 */
public final class CopyEngine implements CopyExecutor, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CopyEngine.class);

  private final S3Objects s3;
  private final LoadRecorder recorder;

  public CopyEngine(
      URI s3Endpoint, String accessKey, String secretKey, String region, PostgresServer postgres) {
    this.s3 = new S3Objects(s3Endpoint, accessKey, secretKey, region);
    this.recorder = new LoadRecorder(postgres);
  }

  @Override
  public long copy(
      String originalSql, List<Token> tokens, Connection connection, ExecutionContext ctx)
      throws SQLException {
    CopyCommand cmd = CopyCommandParser.parse(tokens);
    checkSupported(cmd);
    TargetTable table = TargetTable.lookup(connection, cmd.table);
    List<Column> targets = table.select(cmd.columns);
    for (Column c : targets) {
      if (c.kind() == TargetTable.Kind.UNSUPPORTED) {
        throw new StatementFailedException(
            "Cannot COPY into column "
                + c.name()
                + " of type "
                + c.pgType()
                + ": the Redshift sandbox loads Redshift types only");
      }
      if (c.kind() == TargetTable.Kind.VARBYTE && cmd.format == CopyCommand.Format.JSON) {
        // Redshift documents VARBYTE loads from CSV, Parquet and ORC only (DG, "Loading VARBYTE
        // data"); JSON is not among them, so a COPY that relies on it must fail here too
        throw new StatementFailedException(
            "Unsupported data type \"varbyte\" for column \""
                + c.name()
                + "\" in COPY from JSON. VARBYTE loads only from CSV, Parquet and ORC: load the"
                + " value as hex into a VARCHAR column and convert it with FROM_HEX.");
      }
    }
    Instant start = Instant.now();
    long transactionId = transactionId(connection);
    String format = cmd.format.name().toLowerCase(Locale.ROOT);
    recorder.started(
        ctx.queryId(),
        transactionId,
        ctx.sessionPid(),
        ctx.database(),
        table.name,
        cmd.from,
        format,
        start);
    LOG.debug("COPY {} into {} (query {}) from {}", format, table.name, ctx.queryId(), cmd.from);
    Progress p = new Progress();
    CopyLoad load = null;
    try {
      List<SourceFile> files = SourceFiles.resolve(cmd, s3);
      for (SourceFile f : files) {
        p.sourceBytes += f.size();
      }
      PGCopyOutputStream out =
          new PGCopyOutputStream(
              connection.unwrap(PGConnection.class), copySql(table, targets), 1 << 16);
      load =
          new CopyLoad(
              targets,
              cmd,
              out,
              CopyLoad.template(
                  ctx.queryId(), transactionId, ctx.sessionPid(), ctx.database(), table, start));
      long rows;
      List<long[]> perFile = new ArrayList<>();
      try {
        for (SourceFile f : files) {
          byte[] data = fetch(f, cmd);
          p.filesScanned++;
          p.bytesScanned += data.length;
          long before = load.rowsWritten();
          load.startFile(f.url());
          switch (cmd.format) {
            case PARQUET -> ParquetRows.read(f.url(), data, targets, cmd, load);
            case AVRO -> AvroRows.read(f.url(), data, targets, cmd, load);
            case JSON -> JsonRows.read(f.url(), data, targets, cmd, load);
            default -> throw new IllegalStateException("unsupported format " + cmd.format);
          }
          perFile.add(new long[] {load.rowsWritten() - before});
        }
        rows = out.endCopy();
      } catch (UncheckedIOException e) {
        cancelQuietly(out);
        throw pgFailure(e.getCause(), table, load, ctx, start, p);
      } catch (RuntimeException e) {
        cancelQuietly(out);
        throw e;
      } catch (SQLException e) {
        cancelQuietly(out);
        throw pgFailure(e, table, load, ctx, start, p);
      }
      recordCommits(connection, ctx.queryId(), files, perFile);
      recorder.errors(load.errors());
      recorder.finished(
          ctx.queryId(),
          true,
          rows,
          load.bytesWritten(),
          files.size(),
          p.sourceBytes,
          p.filesScanned,
          p.bytesScanned,
          load.errorCount(),
          null,
          start,
          Instant.now());
      return rows;
    } catch (RowSink.LoadAborted e) {
      String message = loadFailed(table);
      recorder.errors(load.errors());
      recordFailure(ctx, p, start, load.errorCount(), message);
      throw new StatementFailedException(message);
    } catch (ParquetRows.SpectrumScanError e) {
      if (load != null) {
        recorder.errors(List.of(load.fileError(e.url, 15007, e.detail)));
      }
      recordFailure(ctx, p, start, 1, e.getMessage());
      throw e;
    } catch (StatementFailedException e) {
      recordFailure(ctx, p, start, load == null ? 0 : load.errorCount(), e.getMessage());
      throw e;
    } catch (SQLException | RuntimeException e) {
      recordFailure(ctx, p, start, load == null ? 0 : load.errorCount(), e.getMessage());
      throw e;
    }
  }

  /** Records a COPY that failed: no rows, no bytes written, what was scanned before it stopped. */
  private void recordFailure(
      ExecutionContext ctx, Progress p, Instant start, long errors, String message) {
    recorder.finished(
        ctx.queryId(),
        false,
        0,
        0,
        0,
        p.sourceBytes,
        p.filesScanned,
        p.bytesScanned,
        errors,
        message,
        start,
        Instant.now());
  }

  /** Redshift's message for a COPY whose rows were refused. */
  private static String loadFailed(TargetTable table) {
    return "Load into table '"
        + table.name
        + "' failed. Check 'sys_load_error_detail' system view for details.";
  }

  /** Byte counters of one COPY. */
  private static final class Progress {
    long sourceBytes;
    int filesScanned;
    long bytesScanned;
  }

  private static void checkSupported(CopyCommand cmd) {
    switch (cmd.format) {
      case PARQUET -> {}
      case JSON, AVRO -> {
        String arg = cmd.formatArgument.trim().toLowerCase(Locale.ROOT);
        if (!arg.equals("auto") && !arg.equals("auto ignorecase")) {
          throw new StatementFailedException(
              "Cannot COPY with "
                  + cmd.format
                  + " '"
                  + cmd.formatArgument
                  + "': the Redshift sandbox supports 'auto' and 'auto ignorecase' (its scope is "
                  + "in docs/redshift-sandbox.md; 'noshred' and JSONPaths files are outside it). "
                  + "Use 'auto ignorecase'.");
        }
        if (cmd.format == CopyCommand.Format.AVRO
            && cmd.compression != CopyCommand.Compression.NONE) {
          throw new StatementFailedException(
              cmd.compression
                  + " argument is not supported for AVRO based COPY: "
                  + "Avro files are compressed by their own codec");
        }
      }
      case ORC ->
          throw new StatementFailedException(
              "Cannot COPY in ORC format: the Redshift sandbox loads PARQUET, "
                  + "AVRO and JSON. Write Parquet instead.");
      default ->
          throw new StatementFailedException(
              "Cannot COPY "
                  + (cmd.format == CopyCommand.Format.TEXT
                      ? "delimited text (no FORMAT given)"
                      : "in " + cmd.format + " format")
                  + ": the Redshift sandbox loads FORMAT AS PARQUET, AVRO 'auto' and JSON 'auto' only.");
    }
  }

  private byte[] fetch(SourceFile f, CopyCommand cmd) {
    byte[] data;
    try {
      data = s3.get(f.location());
    } catch (S3Objects.S3Failure e) {
      throw new StatementFailedException(
          e.getMessage() + " DETAIL: code: 8001 context: " + f.url());
    }
    if (cmd.isColumnar() && f.declaredLength() >= 0 && f.declaredLength() != data.length) {
      if (f.declaredLength() > data.length) {
        // Spectrum reads the footer at meta.content_length: past the end of the object S3 answers
        // 416
        throw ParquetRows.spectrum(
            f.url(),
            "S3 Query Exception (Fetch). File '"
                + f.url()
                + "': HTTP response "
                + "error code: 416 Message: InvalidRange The requested range is not satisfiable. The manifest's "
                + "meta.content_length ("
                + f.declaredLength()
                + ") is larger than the object ("
                + data.length
                + " bytes)");
      }
      data = Arrays.copyOf(data, (int) f.declaredLength());
    }
    return data;
  }

  private static String copySql(TargetTable table, List<Column> targets) {
    StringBuilder sb = new StringBuilder("COPY ").append(table.qualifiedName).append(" (");
    for (int i = 0; i < targets.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(Identifiers.quote(targets.get(i).name()));
    }
    // DEFAULT marks fields absent from a JSON/Avro record: the column's default applies (PostgreSQL
    // 16+)
    return sb.append(") FROM STDIN WITH (FORMAT text, DEFAULT '")
        .append(RowBuffer.DEFAULT_MARKER)
        .append("')")
        .toString();
  }

  /** PostgreSQL refused the data (a case the converters do not catch): fail like a load error. */
  private StatementFailedException pgFailure(
      Exception e,
      TargetTable table,
      CopyLoad load,
      ExecutionContext ctx,
      Instant start,
      Progress p) {
    String reason =
        e instanceof SQLException sql
            ? SqlErrors.describe(sql)
            : e.getCause() instanceof SQLException cause
                ? SqlErrors.describe(cause)
                : "ERROR: " + e.getMessage();
    String message = loadFailed(table);
    recorder.errors(List.of(load.fileError("", 1216, reason.replaceFirst("^ERROR: ", ""))));
    recordFailure(ctx, p, start, load.errorCount(), message);
    return new StatementFailedException(message);
  }

  private static void recordCommits(
      Connection c, long queryId, List<SourceFile> files, List<long[]> perFile)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO redstage_sys.load_commits "
                + "(user_id, query_id, file_name, byte_offset, lines_scanned, errors) VALUES (100, ?, ?, 0, ?, 0)")) {
      for (int i = 0; i < perFile.size(); i++) {
        ps.setLong(1, queryId);
        ps.setString(2, files.get(i).url());
        ps.setLong(3, perFile.get(i)[0]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static long transactionId(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT txid_current()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void cancelQuietly(PGCopyOutputStream out) {
    try {
      if (out.isActive()) {
        out.cancelCopy();
      }
    } catch (SQLException e) {
      LOG.debug("Cannot cancel an aborted COPY cleanly: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    s3.close();
    recorder.close();
  }
}
