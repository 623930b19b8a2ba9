package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rows of one COPY on their way into PostgreSQL: each record is converted column by column into
 * a row buffer and streamed to {@code COPY ... FROM STDIN} only when every column converted.
 * Failing rows become load errors; the COPY stops when there are more than MAXERROR of them.
 */
final class CopyLoad implements RowSink {
  private final List<ColumnWriter> writers;
  private final RowBuffer row = new RowBuffer();
  private final OutputStream out;
  private final int maxError;
  private final List<LoadRecorder.ErrorRow> errors = new ArrayList<>();
  private final LoadRecorder.ErrorRow template;
  private String file;
  private long rowsWritten;
  private long bytesWritten;
  private long errorCount;

  CopyLoad(
      List<Column> targets, CopyCommand cmd, OutputStream out, LoadRecorder.ErrorRow template) {
    this.writers = new ArrayList<>();
    for (Column c : targets) {
      writers.add(new ColumnWriter(c, cmd));
    }
    this.out = out;
    this.maxError = cmd.maxError == null ? 0 : cmd.maxError;
    this.template = template;
  }

  void startFile(String url) {
    this.file = url;
  }

  @Override
  public void row(Object[] values, long line, Supplier<String> rawLine) {
    row.reset();
    for (int i = 0; i < writers.size(); i++) {
      try {
        writers.get(i).write(values[i], row);
      } catch (LoadError e) {
        record(e, line, writers.get(i).column(), rawLine.get());
        return;
      }
    }
    row.endRow();
    try {
      row.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    rowsWritten++;
    bytesWritten += row.length();
  }

  @Override
  public void unreadable(LoadError error, long line, String rawLine) {
    errorCount++;
    errors.add(errorRow(error, line, null, rawLine));
    throw new LoadAborted();
  }

  private void record(LoadError e, long line, Column column, String rawLine) {
    errorCount++;
    if (errors.size() < 100_000) {
      errors.add(errorRow(e, line, column, rawLine));
    }
    if (errorCount > maxError) {
      throw new LoadAborted();
    }
  }

  private LoadRecorder.ErrorRow errorRow(LoadError e, long line, Column column, String rawLine) {
    return new LoadRecorder.ErrorRow(
        template.queryId(),
        template.transactionId(),
        template.sessionPid(),
        template.database(),
        template.tableOid(),
        template.tableName(),
        template.startTime(),
        file,
        line,
        column == null ? "" : column.name(),
        column == null ? "" : column.redshiftType(),
        column == null ? "" : column.lengthText(),
        0,
        e.code,
        e.reason(),
        rawLine,
        e.rawValue);
  }

  /** A load error that is not about a row (Spectrum schema problems), for the error views. */
  LoadRecorder.ErrorRow fileError(String url, int code, String message) {
    errorCount++;
    LoadRecorder.ErrorRow r =
        new LoadRecorder.ErrorRow(
            template.queryId(),
            template.transactionId(),
            template.sessionPid(),
            template.database(),
            template.tableOid(),
            template.tableName(),
            template.startTime(),
            url,
            0,
            "",
            "",
            "",
            0,
            code,
            message,
            "",
            "");
    errors.add(r);
    return r;
  }

  List<LoadRecorder.ErrorRow> errors() {
    return errors;
  }

  long errorCount() {
    return errorCount;
  }

  long rowsWritten() {
    return rowsWritten;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  static LoadRecorder.ErrorRow template(
      long queryId,
      long transactionId,
      int pid,
      String database,
      TargetTable table,
      Instant start) {
    return new LoadRecorder.ErrorRow(
        queryId,
        transactionId,
        pid,
        database,
        table.oid,
        table.name,
        start,
        null,
        0,
        null,
        null,
        null,
        0,
        0,
        null,
        null,
        null);
  }
}
