package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Redshift's limits on values, checked while a value is converted so that no file holds a value
 * that makes COPY fail (and pin its whole unit): strings by UTF-8 bytes, NUL and unpaired
 * surrogates; bytes by VARBYTE's size; decimals by digits; integers of schemaless values by
 * BIGINT's range; dates and timestamps by year; nested columns by the size of their JSON text
 * (Avro's against a VARCHAR, Parquet's against a SUPER value). A violation raises a {@link
 * ConversionException} that says what to do, so the record goes to the dead letter queue or fails
 * the task.
 *
 * <p>A value at the top of a row becomes a column, sized by {@code varchar.max.bytes}; a string
 * inside a struct, array or map lands in SUPER, where a string scalar may hold {@link
 * #VARCHAR_MAX_BYTES}. One instance per {@link RecordFormat}, used on the task thread only (it
 * counts truncations).
 */
public final class WarehouseLimits {
  /** Redshift's largest VARCHAR, in bytes; also the largest string scalar inside a SUPER value. */
  static final int VARCHAR_MAX_BYTES = 65_535;

  /** Bytes of Redshift's VARBYTE without a length, the column type the loader gives bytes. */
  static final int VARBYTE_DEFAULT_BYTES = 64_000;

  /**
   * Bytes whose base64 text (inside SUPER, as JSON) still fits a string scalar: 4 chars per 3
   * bytes.
   */
  static final int NESTED_BYTES_MAX = VARCHAR_MAX_BYTES / 4 * 3;

  /**
   * Bytes whose hex text still fits a string scalar: COPY renders bytes nested in a Parquet or Avro
   * file as hex in SUPER, two chars per byte (docs/loader-types.md, "Nested values in SUPER").
   */
  static final int NESTED_HEX_BYTES_MAX = VARCHAR_MAX_BYTES / 2;

  /** Redshift's largest DECIMAL precision. */
  static final int DECIMAL_MAX_DIGITS = 38;

  /** Redshift DECIMAL's largest scale: one less than its precision. */
  static final int DECIMAL_MAX_SCALE = 37;

  /** Most columns a Redshift table has. */
  static final int MAX_COLUMNS = 1_600;

  /**
   * Years 1 to 9999: Redshift's DATE and TIMESTAMP reach further (4713 BC to 294276 AD), but COPY's
   * date parser and the four-digit text of JSON Lines ({@link TimeText}) do not.
   */
  static final int MIN_EPOCH_DAY = (int) LocalDate.of(1, 1, 1).toEpochDay();

  static final int MAX_EPOCH_DAY = (int) LocalDate.of(9999, 12, 31).toEpochDay();
  private static final long MILLIS_PER_DAY = 86_400_000L;
  static final long MIN_EPOCH_MILLIS = MIN_EPOCH_DAY * MILLIS_PER_DAY;
  static final long MAX_EPOCH_MILLIS = (MAX_EPOCH_DAY + 1L) * MILLIS_PER_DAY - 1;

  static final String TO_DLQ =
      "or let errors.tolerance=all send such records to the dead letter queue.";
  private static final String FIX_STRING =
      "Shorten it in the producer, set behavior.on.oversize.string=truncate, " + TO_DLQ;
  private static final String FIX_TEXT =
      "Clean the text in the producer (or with an SMT), " + TO_DLQ;
  private static final String FIX_NUMBER = "Make the producer send a number that fits, " + TO_DLQ;
  private static final String FIX_TIME = "Fix the date in the producer, " + TO_DLQ;
  private static final String FIX_BYTES =
      "Store large binary data elsewhere (e.g. an S3 object) and send a " + "reference, " + TO_DLQ;

  private final int varcharMaxBytes;
  private final boolean truncate;
  private long truncated;

  WarehouseLimits(int varcharMaxBytes, boolean truncate) {
    this.varcharMaxBytes = varcharMaxBytes;
    this.truncate = truncate;
  }

  /** Strings cut to their byte limit so far (behavior.on.oversize.string=truncate). */
  long truncated() {
    return truncated;
  }

  /**
   * The string as it may be written: {@code s} itself, or with truncation on, its longest prefix
   * within the byte limit, cut at a character boundary. Rejects NUL (VARCHAR cannot hold it) and
   * unpaired surrogates (UTF-8 cannot encode them: writers would put '?' or invalid bytes in their
   * place). Allocation-free unless it truncates.
   */
  String string(String s, boolean nested) {
    int limit = nested ? VARCHAR_MAX_BYTES : varcharMaxBytes;
    int cut = cutIndex(s, limit);
    if (cut < 0) {
      return s;
    }
    if (!truncate) {
      throw new ConversionException(
          "is a string of "
              + grouped(utf8Bytes(s))
              + " UTF-8 bytes, over "
              + (nested
                  ? "the "
                      + VARCHAR_MAX_BYTES
                      + " bytes Redshift allows for a string inside a SUPER value"
                  : "varchar.max.bytes="
                      + limit
                      + (limit == VARCHAR_MAX_BYTES
                          ? " (Redshift VARCHAR max)"
                          : " (the target VARCHAR size)")),
          FIX_STRING);
    }
    truncated++;
    return s.substring(0, cut);
  }

  /**
   * Key and header text (string columns): NUL, unpaired surrogates and more than {@link
   * #VARCHAR_MAX_BYTES} are rejected, never cut, since a cut key could name another row.
   */
  String text(String s) {
    if (cutIndex(s, VARCHAR_MAX_BYTES) >= 0) {
      throw new ConversionException(
          "is text of "
              + grouped(utf8Bytes(s))
              + " UTF-8 bytes, over the "
              + VARCHAR_MAX_BYTES
              + " of Redshift's largest VARCHAR",
          "Shorten it in the producer (it is never "
              + "truncated: it could then name another row), "
              + TO_DLQ);
    }
    return s;
  }

  /**
   * One pass over the chars: throws for NUL or an unpaired surrogate, and returns the index of the
   * first char that takes the UTF-8 length over {@code limit}, or -1 when it fits. The byte count
   * is skipped when even 3 bytes per char fit (the most a char of the Basic Multilingual Plane
   * takes; a surrogate pair takes 4 for 2).
   */
  private static int cutIndex(String s, int limit) {
    int n = s.length();
    if ((long) n * 3 <= limit) {
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c == 0 || Character.isSurrogate(c)) {
          i = checkedCodePointEnd(s, i);
        }
      }
      return -1;
    }
    long bytes = 0;
    int cut = -1;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      int start = i;
      if (c < 0x80) {
        if (c == 0) {
          checkedCodePointEnd(s, i);
        }
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isSurrogate(c)) {
        i = checkedCodePointEnd(s, i);
        bytes += 4;
      } else {
        bytes += 3;
      }
      if (cut < 0 && bytes > limit) {
        cut = start;
      }
    }
    return cut;
  }

  /** UTF-8 length of a string already checked by {@link #cutIndex} (for messages only). */
  private static long utf8Bytes(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      bytes +=
          c < 0x80
              ? 1
              : c < 0x800
                  ? 2
                  : Character.isHighSurrogate(c) ? 4 : Character.isLowSurrogate(c) ? 0 : 3;
    }
    return bytes;
  }

  /**
   * A binary value of {@code length} bytes: a column is VARBYTE (64,000 bytes); inside SUPER it is
   * base64 text (JSON Lines), which must fit a string scalar.
   */
  static void bytes(int length, boolean nested) {
    bytes(length, nested, false);
  }

  /**
   * As {@link #bytes(int, boolean)}; {@code hex} when nested bytes reach SUPER as hex text (Parquet
   * and Avro files), which takes two chars per byte.
   */
  static void bytes(int length, boolean nested, boolean hex) {
    int limit = !nested ? VARBYTE_DEFAULT_BYTES : hex ? NESTED_HEX_BYTES_MAX : NESTED_BYTES_MAX;
    if (length > limit) {
      throw new ConversionException(
          "is "
              + grouped(length)
              + " bytes, over "
              + (nested
                  ? "the "
                      + grouped(limit)
                      + (hex ? " whose hex text" : " whose base64 text")
                      + " fits a string inside a SUPER value"
                  : "the "
                      + grouped(limit)
                      + " of Redshift's VARBYTE (the loader's column type for bytes)"),
          FIX_BYTES);
    }
  }

  /**
   * A JSON Lines bytes column of {@code length} bytes: written as hex text, which the loader stages
   * in a VARCHAR of {@link #VARCHAR_MAX_BYTES} before FROM_HEX makes it VARBYTE (COPY from JSON
   * does not load VARBYTE), so two chars per byte must fit there.
   */
  static void hexColumnBytes(int length) {
    if (length > NESTED_HEX_BYTES_MAX) {
      throw new ConversionException(
          "is "
              + grouped(length)
              + " bytes, over the "
              + grouped(NESTED_HEX_BYTES_MAX)
              + " whose hex text fits the VARCHAR in which the loader stages JSON Lines bytes",
          "Use format.class=parquet (bytes up to 64,000), "
              + FIX_BYTES.substring(0, 1).toLowerCase(Locale.ROOT)
              + FIX_BYTES.substring(1));
    }
  }

  /**
   * Avro files: a nested column of at least {@code jsonChars} chars of JSON text, which the loader
   * stages in a VARCHAR of {@link #VARCHAR_MAX_BYTES} before parsing it into SUPER.
   */
  static void nestedText(long jsonChars) {
    if (jsonChars > VARCHAR_MAX_BYTES) {
      throw new ConversionException(
          "is a nested value whose JSON text takes at least "
              + grouped(jsonChars)
              + " bytes, over the "
              + VARCHAR_MAX_BYTES
              + " in which Redshift's Avro COPY delivers nested values",
          "Use format.class=parquet or jsonl, which load nested values into SUPER directly, or make the value "
              + "smaller in the producer, "
              + TO_DLQ);
    }
  }

  /**
   * Largest SUPER value: Redshift documents "16 MB"; read as 16,000,000 bytes of JSON text, the
   * smaller of its meanings, like {@link #COPY_ROW_MAX_BYTES}.
   */
  static final long SUPER_MAX_BYTES = 16_000_000;

  /**
   * Parquet files: a nested column of at least {@code jsonChars} bytes of JSON text, which loads
   * into one SUPER value; more fails the unit's COPY whole. (Parquet rows have no size limit of
   * their own: COPY's scanner limit applies to row-based formats only.)
   */
  static void superText(long jsonChars) {
    if (jsonChars > SUPER_MAX_BYTES) {
      throw new ConversionException(
          "is a nested value whose JSON text takes at least "
              + grouped(jsonChars)
              + " bytes, over the "
              + grouped(SUPER_MAX_BYTES)
              + " Redshift allows for a SUPER value (16 MB)",
          "Store large values elsewhere (e.g. an S3 object) and send a reference, or make the value "
              + "smaller in the producer, "
              + TO_DLQ);
    }
  }

  /**
   * Index of the last char of the code point at {@code i}, which is NUL or a surrogate: rejects all
   * but a pair.
   */
  private static int checkedCodePointEnd(String s, int i) {
    char c = s.charAt(i);
    if (c == 0) {
      throw new ConversionException(
          "contains U+0000 (NUL) at character "
              + i
              + ", which Redshift VARCHAR and "
              + "SUPER cannot hold",
          FIX_TEXT);
    }
    if (Character.isHighSurrogate(c)
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1))) {
      return i + 1;
    }
    throw new ConversionException(
        String.format(
            Locale.ROOT,
            "contains an unpaired UTF-16 surrogate U+%04X at "
                + "character %d, which UTF-8 cannot encode (the producer's text encoding is broken)",
            (int) c,
            i),
        FIX_TEXT);
  }

  /**
   * A schemaless decimal, rejected when its plain text has more than 38 digits: Redshift's DECIMAL
   * cannot hold it, and 1E+50 (precision 1) is written as 51 digits.
   */
  static BigDecimal decimal(BigDecimal d) {
    long digits = plainDigits(d);
    if (digits > DECIMAL_MAX_DIGITS) {
      throw new ConversionException(
          "is a number of "
              + digits
              + " digits, over Redshift's "
              + DECIMAL_MAX_DIGITS
              + " for DECIMAL",
          FIX_NUMBER);
    }
    return d;
  }

  /**
   * The digits of {@code d}'s plain text (no exponent), counted without building it: {@code
   * 1e2147483647} has 2,147,483,648, which toPlainString cannot hold in a String (it throws or runs
   * out of memory).
   */
  public static long plainDigits(BigDecimal d) {
    return d.scale() < 0 ? (long) d.precision() - d.scale() : Math.max(d.precision(), d.scale());
  }

  /**
   * The plain text of a number that becomes text (a key or header column), rejected when it would
   * be longer than the longest VARCHAR.
   */
  static String plainText(BigDecimal d) {
    long digits = plainDigits(d);
    if (digits > VARCHAR_MAX_BYTES) {
      throw new ConversionException(
          "is a number whose text would have "
              + digits
              + " digits, over Redshift's "
              + VARCHAR_MAX_BYTES
              + "-byte VARCHAR",
          FIX_NUMBER);
    }
    return d.toPlainString();
  }

  /**
   * Rejects a record whose row would have more columns than a Redshift table: the loader could not
   * create or widen the table for its unit, and the unit, with every good record in it, would be
   * quarantined.
   */
  static void columnCount(SinkRecord record, FileFormat format, int columns) {
    if (columns > MAX_COLUMNS) {
      throw RecordErrors.cannotWrite(
          record,
          format,
          "its row would have "
              + columns
              + " columns (the metadata columns included), more than the "
              + MAX_COLUMNS
              + " a Redshift table holds",
          "Nest fields in a struct or map (one column), drop fields with the ReplaceField SMT, or let "
              + "errors.tolerance=all send such records to the dead letter queue.");
    }
  }

  /**
   * Largest Avro file header COPY reads (the schema and the file's metadata): Redshift documents "1
   * MB"; read as 1,000,000 bytes, and the schema held to it less a margin for the rest of the
   * header (the magic, the codec's entry, the sync marker: under a hundred bytes).
   */
  static final int AVRO_SCHEMA_MAX_BYTES = 1_000_000 - 1_024;

  /**
   * Rejects a record whose Avro schema, {@code schemaJsonBytes} of JSON in the file's header, would
   * make a header COPY refuses: every unit of that schema would be quarantined whole.
   */
  static void avroSchemaBytes(SinkRecord record, long schemaJsonBytes) {
    if (schemaJsonBytes > AVRO_SCHEMA_MAX_BYTES) {
      throw RecordErrors.cannotWrite(
          record,
          FileFormat.AVRO,
          String.format(
              Locale.ROOT,
              "its Avro schema takes %,d bytes of JSON in the file header, over the 1 MB header"
                  + " Redshift's COPY reads",
              schemaJsonBytes),
          "Use format.class=parquet or jsonl, or drop fields with the ReplaceField SMT, or let "
              + "errors.tolerance=all send such records to the dead letter queue.");
    }
  }

  /**
   * Largest input row COPY reads: Redshift documents "4 MB"; read as 4,000,000 bytes, the smaller
   * of its two meanings, so that no row it refuses passes here.
   */
  static final long COPY_ROW_MAX_BYTES = 4_000_000;

  /**
   * Largest encoded Avro row: COPY reads Avro data blocks of at most 4 MB, and a block holds the
   * rows appended before it reached Avro's sync interval plus the row that passed it.
   */
  static final long AVRO_ROW_MAX_BYTES =
      COPY_ROW_MAX_BYTES - org.apache.avro.file.DataFileConstants.DEFAULT_SYNC_INTERVAL;

  /**
   * Rejects a record whose row ({@code bytes} as written: a JSON line, an Avro encoding; for
   * Parquet the row's Avro encoding, smaller than the row COPY reads from the columns) is larger
   * than COPY reads: the whole unit would fail to load (Avro, Parquet), or the row be rejected in
   * the warehouse instead of here (JSON Lines).
   */
  static void rowBytes(SinkRecord record, FileFormat format, long bytes, long limit) {
    if (bytes > limit) {
      throw RecordErrors.cannotWrite(
          record,
          format,
          "its row is "
              + grouped(bytes)
              + " bytes, over the "
              + grouped(limit)
              + " Redshift COPY reads in one "
              + (format == FileFormat.AVRO ? "Avro data block" : "row")
              + " (4 MB)",
          "Store large values elsewhere (e.g. an S3 object) and send a reference, drop fields with the "
              + "ReplaceField SMT, or let errors.tolerance=all send such records to the dead letter queue.");
    }
  }

  /**
   * A schemaless integer, rejected outside BIGINT, the column type JSON Lines gives whole numbers.
   */
  static BigInteger bigint(BigInteger i) {
    if (i.bitLength() > 63) {
      throw new ConversionException(
          "is an integer of "
              + (i.bitLength() + 1)
              + " bits, outside Redshift BIGINT (64-bit), the column type "
              + "of whole numbers in schemaless records",
          FIX_NUMBER);
    }
    return i;
  }

  /** Schema-level: a Decimal schema whose precision or scale Redshift's DECIMAL cannot take. */
  static void decimalPrecision(int precision, int scale) {
    if (scale > DECIMAL_MAX_SCALE) {
      throw new ConversionException(
          "is decimal("
              + precision
              + ","
              + scale
              + "), whose scale exceeds Redshift's "
              + DECIMAL_MAX_SCALE
              + " (the loader could not create its column)",
          "Lower the scale in the producer's schema to at most "
              + DECIMAL_MAX_SCALE
              + ", "
              + TO_DLQ);
    }
    if (precision > DECIMAL_MAX_DIGITS) {
      throw new ConversionException(
          "is decimal("
              + precision
              + ","
              + scale
              + "), which exceeds Redshift's "
              + DECIMAL_MAX_DIGITS
              + " digits",
          "Lower connect.decimal.precision in the producer's schema to at most "
              + DECIMAL_MAX_DIGITS
              + ", "
              + TO_DLQ);
    }
  }

  static int epochDay(long day) {
    if (day < MIN_EPOCH_DAY || day > MAX_EPOCH_DAY) {
      throw new ConversionException(
          "is the date "
              + LocalDate.ofEpochDay(day)
              + ", outside the years 1 to 9999 "
              + "that Redshift COPY reads",
          FIX_TIME);
    }
    return (int) day;
  }

  /** Whether a time, in milliseconds since 1970, lies in years 1 to 9999. */
  public static boolean inYears1To9999(long epochMillis) {
    return epochMillis >= MIN_EPOCH_MILLIS && epochMillis <= MAX_EPOCH_MILLIS;
  }

  /** The day of a time in milliseconds since 1970, checked like {@link #epochDay}. */
  static int epochDayOfMillis(long epochMillis) {
    return epochDay(Math.floorDiv(epochMillis, MILLIS_PER_DAY));
  }

  static long epochMillis(long millis) {
    if (!inYears1To9999(millis)) {
      throw new ConversionException(
          "is the timestamp "
              + millis
              + " ms since 1970 (year "
              + LocalDate.ofEpochDay(Math.floorDiv(millis, MILLIS_PER_DAY)).getYear()
              + "), outside the years 1 to "
              + "9999 that Redshift COPY reads",
          FIX_TIME);
    }
    return millis;
  }

  private static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
