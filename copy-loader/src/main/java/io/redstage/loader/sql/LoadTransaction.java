package io.redstage.loader.sql;

import java.util.List;

/**
 * The statements of one load transaction, with the positions whose per-statement results matter:
 * the COPY of each staging group (in group order) and the statement that writes the rows into the
 * target (the INSERT for append and delete-insert, the MERGE for merge; -1 when the batch has no
 * files, only markers), and the check that fails when a staged row lacks its Kafka coordinates (-1
 * when the batch has no files). Row counts and that check's failure are read from the Data API's
 * result for these positions rather than by matching SQL text.
 */
public record LoadTransaction(
    List<String> statements, List<Integer> copies, int write, int coordinatesCheck) {
  public LoadTransaction {
    statements = List.copyOf(statements);
    copies = List.copyOf(copies);
  }

  public boolean isCopy(int index) {
    return copies.contains(index);
  }
}
