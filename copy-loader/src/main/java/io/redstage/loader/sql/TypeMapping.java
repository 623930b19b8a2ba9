package io.redstage.loader.sql;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.loader.sql.RedshiftType.Family;

/**
 * Maps the contract's column types to Redshift types (documented in docs/loader-types.md) and
 * decides whether a file column can be inserted into an existing target column.
 */
public final class TypeMapping {
  /** Redshift's DECIMAL precision limit. */
  public static final int MAX_DECIMAL_PRECISION = 38;

  /** Redshift DECIMAL's largest scale (its CREATE TABLE refuses DECIMAL(38,38)). */
  public static final int MAX_DECIMAL_SCALE = 37;

  /**
   * The widest DECIMAL precision Redshift stores in 64 bits, whose unscaled values end at 2^63-1
   * (Redshift's numeric types: DECIMAL(19,0) takes 9223372036854775807 at most).
   */
  static final int INT64_DECIMAL_PRECISION = 19;

  /** Redshift's VARCHAR byte limit. */
  public static final int MAX_VARCHAR = 65535;

  private final int varcharLength;

  public TypeMapping(int varcharLength) {
    if (varcharLength < 1 || varcharLength > MAX_VARCHAR) {
      throw new IllegalArgumentException(
          "Cannot use VARCHAR length " + varcharLength + ": it must be 1.." + MAX_VARCHAR);
    }
    this.varcharLength = varcharLength;
  }

  /** The type of a new target column for a file column of type {@code type}. */
  public RedshiftType targetType(ColumnType type) {
    switch (type.kind()) {
      case STRING:
        return RedshiftType.varchar(varcharLength);
      case BOOLEAN:
        return RedshiftType.of(Family.BOOLEAN);
      case INT8:
      case INT16:
        return RedshiftType.of(Family.SMALLINT);
      case INT32:
        return RedshiftType.of(Family.INTEGER);
      case INT64:
        return RedshiftType.of(Family.BIGINT);
      case FLOAT32:
        return RedshiftType.of(Family.REAL);
      case FLOAT64:
        return RedshiftType.of(Family.DOUBLE_PRECISION);
      case BYTES:
        return RedshiftType.of(Family.VARBYTE);
      case DATE:
        return RedshiftType.of(Family.DATE);
      case TIME_MILLIS:
        return RedshiftType.of(Family.TIME);
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
        return RedshiftType.of(Family.TIMESTAMP);
      case DECIMAL:
        if (type.precision() > MAX_DECIMAL_PRECISION) {
          throw new IllegalArgumentException(
              "Cannot map "
                  + type
                  + " to Redshift: DECIMAL precision is at most "
                  + MAX_DECIMAL_PRECISION
                  + ". Narrow the field in the source schema or cast it to a string upstream.");
        }
        if (type.scale() > MAX_DECIMAL_SCALE) {
          throw new IllegalArgumentException(
              "Cannot map "
                  + type
                  + " to Redshift: DECIMAL scale is at most "
                  + MAX_DECIMAL_SCALE
                  + ". Lower the field's scale in the source schema or cast it to a string upstream.");
        }
        // Redshift keeps a DECIMAL of up to 19 digits in 64 bits: DECIMAL(19,s) holds unscaled
        // values up to 2^63-1 only, not every 19-digit one. DECIMAL(20,s) holds them all.
        return RedshiftType.decimal(
            type.precision() == INT64_DECIMAL_PRECISION ? 20 : type.precision(), type.scale());
      case STRUCT:
      case ARRAY:
      case MAP:
        return RedshiftType.of(Family.SUPER);
      default:
        throw new IllegalArgumentException("Cannot map column type " + type + " to Redshift");
    }
  }

  /**
   * The type of the column in the temporary staging table that COPY fills. Equal to the target
   * type, except that Avro's nested values arrive as JSON text (COPY AVRO 'auto' loads complex
   * types as strings), so they stage as VARCHAR and are parsed with JSON_PARSE on insert; and that
   * JSON Lines bytes stage as VARCHAR (below).
   */
  public RedshiftType stagingType(ColumnType type, FileFormat format) {
    if (type.isNested() && format == FileFormat.AVRO) {
      return RedshiftType.varchar(MAX_VARCHAR);
    }
    if (type.kind() == ColumnType.Kind.BYTES && format == FileFormat.JSONL) {
      return hexStaging();
    }
    if (type.kind() == ColumnType.Kind.STRING) {
      return RedshiftType.varchar(MAX_VARCHAR);
    }
    return targetType(type);
  }

  /**
   * The staging column of a JSON Lines column bound for VARBYTE. Redshift documents VARBYTE loads
   * from CSV, Parquet and ORC only (DG "Loading VARBYTE data"), not JSON; the connector writes such
   * a column as hex text, so it stages as text and the insert converts it with FROM_HEX. Hex takes
   * two characters a byte: a value over 32,767 bytes does not fit the widest VARCHAR.
   */
  public static RedshiftType hexStaging() {
    return RedshiftType.varchar(MAX_VARCHAR);
  }

  /**
   * Whether a staged column holds hex text that FROM_HEX must turn into the target's VARBYTE value:
   * JSON Lines, staged as text ({@link #hexStaging}), into a VARBYTE column.
   */
  public static boolean needsFromHex(FileFormat format, RedshiftType staged, RedshiftType target) {
    return format == FileFormat.JSONL
        && staged.family() == Family.VARCHAR
        && target.family() == Family.VARBYTE;
  }

  /** True when the staged value needs JSON_PARSE to become the target's SUPER value. */
  public boolean needsJsonParse(ColumnType type, FileFormat format) {
    return type.isNested() && format == FileFormat.AVRO;
  }

  /**
   * Whether values of file type {@code file} can be inserted into an existing column of type {@code
   * target}: the same type, a wider one of the same kind, or, for integers, a DECIMAL with room for
   * every digit or a floating-point column. Integers also go into a narrower integer column ({@link
   * #narrows}): the INSERT casts each value, one that fits is stored as it is and one that does not
   * fails the statement with Redshift's overflow error, so only its unit ends in quarantine. That
   * is the common schema evolution, int promoted to long, while the values still fit the column the
   * first units created. Integers into DOUBLE PRECISION is the one lossy case (beyond 2^53),
   * accepted because JSON producers do not tell 10 from 10.0: a price column whose unit happens to
   * hold only whole numbers must still load into the DOUBLE PRECISION column earlier units created.
   */
  public static boolean insertable(ColumnType file, RedshiftType target) {
    Family f = target.family();
    switch (file.kind()) {
      case STRING:
        return f == Family.VARCHAR;
      case BOOLEAN:
        return f == Family.BOOLEAN;
      case INT8:
      case INT16:
        return f == Family.SMALLINT
            || f == Family.INTEGER
            || f == Family.BIGINT
            || f == Family.REAL
            || f == Family.DOUBLE_PRECISION
            || integerDigitsFit(target, 5);
      case INT32:
        return f == Family.SMALLINT
            || f == Family.INTEGER
            || f == Family.BIGINT
            || f == Family.DOUBLE_PRECISION
            || integerDigitsFit(target, 10);
      case INT64:
        return f == Family.SMALLINT
            || f == Family.INTEGER
            || f == Family.BIGINT
            || f == Family.DOUBLE_PRECISION
            || integerDigitsFit(target, 19);
      case FLOAT32:
        return f == Family.REAL || f == Family.DOUBLE_PRECISION;
      case FLOAT64:
        return f == Family.DOUBLE_PRECISION;
      case BYTES:
        return f == Family.VARBYTE;
      case DATE:
        return f == Family.DATE;
      case TIME_MILLIS:
        return f == Family.TIME;
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
        return f == Family.TIMESTAMP || f == Family.TIMESTAMPTZ;
      case DECIMAL:
        return f == Family.DECIMAL
            && target.scale() == file.scale()
            && target.precision() - target.scale() >= file.precision() - file.scale();
      case STRUCT:
      case ARRAY:
      case MAP:
        return f == Family.SUPER;
      default:
        return false;
    }
  }

  /**
   * Whether COPY, given values of file type {@code file} for a column of type {@code target}, would
   * store changed values without an error: a decimal of a larger scale is cut to the column's scale
   * (rounded with ROUNDEC, truncated without), a decimal in a floating-point column and a double or
   * an integer wider than 16 bits in a REAL lose digits, a timestamp in a DATE or TIME column loses
   * its time or its date, a string in a VARBYTE column is read as the hex text a JSON Lines bytes
   * column carries ("1234" becomes the bytes 0x12 0x34), and that hex text in a VARCHAR or CHAR
   * column (CHAR too) is stored as the text. COPY's row-level errors (load.json.max-errors) set
   * aside values that do not fit; these fit, changed, so the loader refuses them by type even then.
   * Floating-point values into a DECIMAL column are let through on purpose: it is how schemaless
   * JSON numbers, which can only be float64 in a marker, keep their exact text in a DECIMAL column
   * created for them (docs/bad-records.md), rounded to the column's scale by the JSON Lines COPY's
   * ROUNDEC (CopySql).
   */
  public static boolean changesSilently(ColumnType file, RedshiftType target) {
    Family f = target.family();
    switch (file.kind()) {
      case DECIMAL:
        return f == Family.DECIMAL && file.scale() > target.scale()
            || f == Family.REAL
            || f == Family.DOUBLE_PRECISION;
      case FLOAT64:
      case INT32:
      case INT64:
        return f == Family.REAL;
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
        return f == Family.DATE || f == Family.TIME;
      case STRING:
        return f == Family.VARBYTE;
      case BYTES:
        return f == Family.VARCHAR;
      default:
        return false;
    }
  }

  /** Whether integers of file type {@code file} go into a narrower integer column. */
  public static boolean narrows(ColumnType file, RedshiftType target) {
    int fileBytes =
        file.kind() == ColumnType.Kind.INT64 ? 8 : file.kind() == ColumnType.Kind.INT32 ? 4 : 0;
    int columnBytes =
        target.family() == Family.SMALLINT ? 2 : target.family() == Family.INTEGER ? 4 : 8;
    return fileBytes > columnBytes;
  }

  /** A DECIMAL target with at least {@code digits} digits before the point. */
  private static boolean integerDigitsFit(RedshiftType target, int digits) {
    return target.family() == Family.DECIMAL && target.precision() - target.scale() >= digits;
  }

  /**
   * The type a new column takes when files of one batch disagree in a way {@link #insertable}
   * allows one way only: integers of two widths become the wider (an INTEGER column cannot take the
   * other file's int64 values), likewise FLOAT32 and FLOAT64 and decimals of one scale, and
   * integers and floating point become the floating-point type.
   */
  public static ColumnType wider(ColumnType a, ColumnType b) {
    if (isInteger(a) && isInteger(b)) {
      return a.kind().ordinal() >= b.kind().ordinal() ? a : b;
    }
    if (isFloat(a) && isFloat(b)) {
      return a.kind() == ColumnType.Kind.FLOAT64 ? a : b;
    }
    if (a.kind() == ColumnType.Kind.DECIMAL
        && b.kind() == ColumnType.Kind.DECIMAL
        && a.scale() == b.scale()) {
      // a DECIMAL column takes values of its scale with at most as many integer digits
      return a.precision() >= b.precision() ? a : b;
    }
    ColumnType integer = isInteger(a) && isFloat(b) ? a : isFloat(a) && isInteger(b) ? b : null;
    if (integer == null) {
      return a;
    }
    ColumnType floating = integer == a ? b : a;
    boolean small =
        integer.kind() == ColumnType.Kind.INT8 || integer.kind() == ColumnType.Kind.INT16;
    // REAL holds 24 bits: only small integers keep their value in it; anything wider needs DOUBLE
    // PRECISION
    return floating.kind() == ColumnType.Kind.FLOAT32 && small
        ? floating
        : ColumnType.of(ColumnType.Kind.FLOAT64);
  }

  private static boolean isInteger(ColumnType t) {
    switch (t.kind()) {
      case INT8:
      case INT16:
      case INT32:
      case INT64:
        return true;
      default:
        return false;
    }
  }

  private static boolean isFloat(ColumnType t) {
    return t.kind() == ColumnType.Kind.FLOAT32 || t.kind() == ColumnType.Kind.FLOAT64;
  }
}
