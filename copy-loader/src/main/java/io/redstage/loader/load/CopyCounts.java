package io.redstage.loader.load;

import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.LoadTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows each COPY of a committed load transaction loaded: from the Data API's per-statement
 * counts, or, where it gives none for a JSON Lines or Avro COPY, from the rows the transaction's
 * coordinates check counted in each staging table (sql.RowsTable#coordinatesCheck). The rejects
 * object and the row check against the markers read them.
 */
final class CopyCounts {
  private static final Logger LOG = LoggerFactory.getLogger(CopyCounts.class);

  private CopyCounts() {}

  /** The COPYs of a committed batch, in order, with their query ids and loaded rows. */
  static List<BatchResult.CopyCount> of(
      DataApi api, Batch batch, LoadTransaction tx, DataApi.Outcome o) {
    return copies(batch, tx, o, staged(api, batch, tx, o));
  }

  /**
   * The COPY statements in order, one per staging group: their query ids and loaded rows, -1 when
   * unknown.
   *
   * @param staged rows staged per staging group index, as the coordinates check counted them (empty
   *     when not read): what a COPY loaded when the Data API does not say
   */
  static List<BatchResult.CopyCount> copies(
      Batch batch, LoadTransaction tx, DataApi.Outcome o, Map<Integer, Long> staged) {
    List<BatchResult.CopyCount> out = new ArrayList<>();
    for (int g = 0; g < tx.copies().size(); g++) {
      int i = tx.copies().get(g);
      StagingGroup group = batch.groups().get(g);
      long rows = at(o.subStatementRows(), i);
      long records = group.records();
      if (rows <= 0 && records > 0 && staged.containsKey(group.index())) {
        rows = staged.get(group.index());
      } else if (rows <= 0 && records > 0) {
        // Redshift does not document ResultRows for a COPY sub-statement, and it was seen to read
        // 0 after a COPY that loaded rows (aws/aws-sdk #333). Taken at its word, every batch would
        // report its rows missing and every JSON Lines row rejected; as unknown (a Parquet COPY,
        // which the coordinates check does not count, or a check result that could not be read),
        // the row check is skipped and rejects are counted from the load-error views. The price: a
        // COPY that truly loaded nothing of its files reads as unknown too (a JSON Lines one still
        // has its rejects read from the views).
        rows = -1;
      }
      out.add(new BatchResult.CopyCount(group, at(o.subStatementQueryIds(), i), rows));
    }
    return out;
  }

  /**
   * Rows staged per staging group index, from the coordinates check's result (one
   * GetStatementResult), read only when the Data API gave no row count for a COPY the check counts;
   * empty otherwise, or when the result cannot be read (the counts stay unknown, as before the
   * check counted). A group the check counts but did not answer for staged no row.
   */
  static Map<Integer, Long> staged(
      DataApi api, Batch batch, LoadTransaction tx, DataApi.Outcome o) {
    if (tx.coordinatesCheck() < 0) {
      return Map.of();
    }
    boolean unknown = false;
    for (int g = 0; g < tx.copies().size(); g++) {
      StagingGroup group = batch.groups().get(g);
      unknown |=
          group.schema().format() != FileFormat.PARQUET
              && at(o.subStatementRows(), tx.copies().get(g)) <= 0
              && group.records() > 0;
    }
    if (!unknown) {
      return Map.of();
    }
    Map<Integer, Long> staged = new HashMap<>();
    for (StagingGroup group : batch.groups()) {
      if (group.schema().format() != FileFormat.PARQUET) {
        staged.put(group.index(), 0L);
      }
    }
    try {
      staged.putAll(stagedRows(api.subStatementResult(o, tx.coordinatesCheck())));
    } catch (DataApiException | IndexOutOfBoundsException | IllegalArgumentException e) {
      LOG.debug(
          "Batch {}: cannot read the rows its COPYs staged from statement {}: {}",
          batch.id(),
          o.id(),
          e.getMessage());
      return Map.of();
    }
    return staged;
  }

  /**
   * Rows staged per staging group index, as the coordinates check's result lists them (a group it
   * does not list staged none).
   *
   * @throws IndexOutOfBoundsException or IllegalArgumentException when the result is not the
   *     check's
   */
  static Map<Integer, Long> stagedRows(QueryResult check) {
    Map<Integer, Long> staged = new HashMap<>();
    for (List<Object> row : check.rows()) {
      staged.put((int) QueryResult.number(row.get(0)), QueryResult.number(row.get(2)));
    }
    return staged;
  }

  static long at(List<Long> perStatement, int index) {
    return index < perStatement.size() ? perStatement.get(index) : -1;
  }
}
