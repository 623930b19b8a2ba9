package io.redstage.loader.sql;

import java.util.Locale;
import java.util.Objects;

/**
 * A Redshift column type as the loader reasons about it: a family plus length (VARCHAR) or
 * precision and scale (DECIMAL). Parsed from {@code information_schema.columns} in either
 * Redshift's or PostgreSQL's spelling, so that the same comparison works against a cluster and the
 * local stand-in.
 */
public final class RedshiftType {
  /** Type families the loader creates or accepts. */
  public enum Family {
    SMALLINT,
    INTEGER,
    BIGINT,
    REAL,
    DOUBLE_PRECISION,
    BOOLEAN,
    VARCHAR,
    DECIMAL,
    DATE,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    SUPER,
    VARBYTE,
    OTHER
  }

  private final Family family;
  private final int length;
  private final int precision;
  private final int scale;
  private final String original;
  private final boolean fixedLength;

  private RedshiftType(
      Family family, int length, int precision, int scale, String original, boolean fixedLength) {
    this.family = family;
    this.length = length;
    this.precision = precision;
    this.scale = scale;
    this.original = original;
    this.fixedLength = fixedLength;
  }

  public static RedshiftType of(Family family) {
    return new RedshiftType(family, 0, 0, 0, null, false);
  }

  public static RedshiftType varchar(int length) {
    return new RedshiftType(Family.VARCHAR, length, 0, 0, null, false);
  }

  /**
   * A CHAR(n) column: text like VARCHAR for every rule of the loader's, except that Redshift cannot
   * change its length ({@code ALTER COLUMN … TYPE} takes VARCHAR columns only), so it never widens
   * on demand.
   */
  public static RedshiftType character(int length) {
    return new RedshiftType(Family.VARCHAR, length, 0, 0, null, true);
  }

  public static RedshiftType decimal(int precision, int scale) {
    return new RedshiftType(Family.DECIMAL, 0, precision, scale, null, false);
  }

  /**
   * Reads an {@code information_schema.columns} row's type.
   *
   * @param dataType {@code data_type}, e.g. "character varying", "numeric", "int8"
   * @param charLength {@code character_maximum_length} or null
   */
  public static RedshiftType fromCatalog(
      String dataType, Integer charLength, Integer precision, Integer scale) {
    String t = dataType.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "smallint":
      case "int2":
        return of(Family.SMALLINT);
      case "integer":
      case "int":
      case "int4":
        return of(Family.INTEGER);
      case "bigint":
      case "int8":
        return of(Family.BIGINT);
      case "real":
      case "float4":
        return of(Family.REAL);
      case "double precision":
      case "float8":
      case "float":
        return of(Family.DOUBLE_PRECISION);
      case "boolean":
      case "bool":
        return of(Family.BOOLEAN);
      case "character varying":
      case "varchar":
      case "text":
      case "nvarchar":
        return varchar(charLength == null ? 65535 : charLength);
      case "character":
      case "char":
      case "bpchar":
      case "nchar":
        return character(charLength == null ? 1 : charLength);
      case "numeric":
      case "decimal":
        return decimal(precision == null ? 38 : precision, scale == null ? 0 : scale);
      case "date":
        return of(Family.DATE);
      case "time":
      case "time without time zone":
        return of(Family.TIME);
      case "timestamp":
      case "timestamp without time zone":
        return of(Family.TIMESTAMP);
      case "timestamptz":
      case "timestamp with time zone":
        return of(Family.TIMESTAMPTZ);
      case "super":
      case "jsonb":
      case "json":
        return of(Family.SUPER);
      case "varbyte":
      case "binary varying":
      case "varbinary":
      case "bytea":
        return of(Family.VARBYTE);
      default:
        return new RedshiftType(Family.OTHER, 0, 0, 0, t, false);
    }
  }

  public Family family() {
    return family;
  }

  public int length() {
    return length;
  }

  /** Whether this is CHAR(n), whose length cannot change ({@link #character}). */
  public boolean fixedLength() {
    return fixedLength;
  }

  public int precision() {
    return precision;
  }

  public int scale() {
    return scale;
  }

  /** The type as written in DDL. */
  public String ddl() {
    switch (family) {
      case VARCHAR:
        return (fixedLength ? "CHAR(" : "VARCHAR(") + length + ")";
      case DECIMAL:
        return "DECIMAL(" + precision + "," + scale + ")";
      case DOUBLE_PRECISION:
        return "DOUBLE PRECISION";
      case OTHER:
        return original.toUpperCase(Locale.ROOT);
      default:
        return family.name();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedshiftType r
        && family == r.family
        && length == r.length
        && precision == r.precision
        && scale == r.scale
        && Objects.equals(original, r.original)
        && fixedLength == r.fixedLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(family, length, precision, scale, original, fixedLength);
  }

  @Override
  public String toString() {
    return ddl();
  }
}
