package io.redstage.sandbox.redshift.exec;

/**
 * One column of a result set, as the Data API's ColumnMetadata reports it, plus how its values are
 * encoded into Field unions.
 */
public record ColumnMeta(
    String name,
    String label,
    String typeName,
    int length,
    int precision,
    int scale,
    int nullable,
    boolean signed,
    boolean caseSensitive,
    boolean currency,
    String schemaName,
    String tableName,
    FieldKind fieldKind) {

  /** Which member of the Data API's Field union carries this column's values. */
  public enum FieldKind {
    LONG,
    DOUBLE,
    BOOLEAN,
    STRING,
    JSON,
    BLOB
  }
}
