package io.redstage.loader.sql;

/**
 * A column of upsert.delete-flag-columns has a type that reads neither as deleted nor as not: a
 * setting of the table that its data contradicts, not a fault of one batch. The message names the
 * column, its type, the key and what to do; the table's loads stop for the cycle (the other tables
 * go on) rather than load the key's deletes as live rows.
 */
public class DeleteFlagTypeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DeleteFlagTypeException(String message) {
    super(message);
  }
}
