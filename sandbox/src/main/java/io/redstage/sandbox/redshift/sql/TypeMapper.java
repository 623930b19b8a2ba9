package io.redstage.sandbox.redshift.sql;

import java.util.List;
import java.util.Locale;

/**
 * Maps a Redshift type name (as written in DDL or a cast) to the PostgreSQL type that stores the
 * same values, and reports the byte limit Redshift enforces for it (Redshift counts VARCHAR and
 * VARBYTE lengths in bytes, PostgreSQL counts characters, so the translator adds a byte check).
 */
public final class TypeMapper {
  /** Redshift's VARCHAR(MAX). */
  public static final int VARCHAR_MAX = 65535;

  /** Redshift's CHAR(MAX). */
  public static final int CHAR_MAX = 4096;

  /** Redshift's default VARBYTE length and its maximum. */
  public static final int VARBYTE_DEFAULT = 64000;

  public static final int VARBYTE_MAX = 1024000;

  /**
   * A mapped type: the PostgreSQL type text, the byte limit to enforce (or -1) and where the type
   * ended.
   */
  public static final class Mapped {
    private final String pgType;
    private final int byteLimit;
    private final int end;

    Mapped(String pgType, int byteLimit, int end) {
      this.pgType = pgType;
      this.byteLimit = byteLimit;
      this.end = end;
    }

    public String pgType() {
      return pgType;
    }

    public int byteLimit() {
      return byteLimit;
    }

    /** Index just past the last token of the type. */
    public int end() {
      return end;
    }
  }

  private TypeMapper() {}

  /**
   * Reads the type that starts at {@code start} (a significant token) and maps it.
   *
   * @param ddl true in column definitions, where Redshift's defaults apply (VARCHAR = VARCHAR(256),
   *     TEXT = VARCHAR(256)); false in casts, where the PostgreSQL meaning is kept
   */
  public static Mapped map(List<Token> tokens, int start, boolean ddl) {
    TokenCursor c = new TokenCursor(tokens, start);
    Token first = c.peek();
    if (first == null || !first.isIdentifier()) {
      throw new SqlTranslationException(
          "syntax error: expected a type name near \""
              + (first == null ? "end of input" : first.text())
              + "\"");
    }
    if (first.kind() == Token.Kind.QUOTED_IDENT) {
      c.next();
      return new Mapped(first.text(), -1, c.lastEnd());
    }
    String name = c.next().text().toLowerCase(Locale.ROOT);
    // multi-word type names
    if (name.equals("double") && c.peekIs("precision")) {
      c.next();
      name = "double precision";
    } else if ((name.equals("character")
            || name.equals("char")
            || name.equals("nchar")
            || name.equals("national"))
        && c.peekIs("varying")) {
      c.next();
      name = "varchar";
    } else if (name.equals("binary") && c.peekIs("varying")) {
      c.next();
      name = "varbyte";
    } else if (name.equals("national") && c.peekIs("character")) {
      c.next();
      name = "nchar";
      if (c.peekIs("varying")) {
        c.next();
        name = "varchar";
      }
    }
    String args = null;
    if (c.peekSymbol("(")) {
      int open = c.position();
      int close = TokenCursor.matchingParen(tokens, open);
      args = SqlLexer.join(tokens.subList(open + 1, close)).trim();
      c.seek(close + 1);
    }
    if (name.equals("timestamp") || name.equals("time")) {
      boolean tz = false;
      if (c.peekIs("with") || c.peekIs("without")) {
        tz = c.next().is("with");
        expect(c, "time");
        expect(c, "zone");
      }
      String base = tz ? (name.equals("time") ? "timetz" : "timestamptz") : name;
      return new Mapped(args == null ? base : base + "(" + args + ")", -1, c.lastEnd());
    }
    String mapped;
    int limit = -1;
    switch (name) {
      case "varchar":
      case "nvarchar":
      case "text":
        if (!ddl && args == null) {
          mapped = name.equals("text") ? "text" : "varchar";
          break;
        }
        limit = length(args, 256, VARCHAR_MAX, "varchar");
        mapped = "varchar(" + limit + ")";
        break;
      case "char":
      case "character":
      case "nchar":
      case "bpchar":
        int chars = length(args, name.equals("bpchar") ? 256 : 1, CHAR_MAX, "bpchar");
        mapped = "char(" + chars + ")";
        break;
      case "varbyte":
      case "varbinary":
        limit = length(args, VARBYTE_DEFAULT, VARBYTE_MAX, "varbyte");
        mapped = "bytea";
        break;
      case "super":
        mapped = "jsonb";
        break;
      case "decimal":
      case "numeric":
        mapped = numeric(args);
        break;
      case "float":
        mapped = args == null ? "double precision" : "float(" + args + ")";
        break;
      case "geometry":
      case "geography":
      case "hllsketch":
        throw new SqlTranslationException(
            "Cannot use type "
                + name.toUpperCase(Locale.ROOT)
                + ": the Redshift sandbox (PostgreSQL) does not support it. Use a supported type.");
      default:
        mapped = args == null ? name : name + "(" + args + ")";
    }
    return new Mapped(mapped, limit, c.lastEnd());
  }

  private static void expect(TokenCursor c, String word) {
    Token t = c.next();
    if (t == null || !t.is(word)) {
      throw new SqlTranslationException(
          "syntax error at or near \"" + (t == null ? "end of input" : t.text()) + "\"");
    }
  }

  private static int length(String args, int dflt, int max, String typeName) {
    if (args == null) {
      return dflt;
    }
    if (args.equalsIgnoreCase("max")) {
      return max;
    }
    int n;
    try {
      n = Integer.parseInt(args.trim());
    } catch (NumberFormatException e) {
      throw new SqlTranslationException(
          "syntax error: invalid length '" + args + "' for type " + typeName);
    }
    if (n < 1) {
      throw new SqlTranslationException("length for type " + typeName + " must be at least 1");
    }
    if (n > max) {
      throw new SqlTranslationException("length for type " + typeName + " cannot exceed " + max);
    }
    return n;
  }

  private static String numeric(String args) {
    if (args == null) {
      return "numeric(18,0)";
    }
    String[] parts = args.split(",");
    int precision;
    int scale = 0;
    try {
      precision = Integer.parseInt(parts[0].trim());
      if (parts.length > 1) {
        scale = Integer.parseInt(parts[1].trim());
      }
    } catch (NumberFormatException e) {
      throw new SqlTranslationException("syntax error: invalid NUMERIC arguments (" + args + ")");
    }
    if (precision < 1 || precision > 38) {
      throw new SqlTranslationException(
          "NUMERIC precision " + precision + " must be between 1 and 38");
    }
    if (scale < 0 || scale > precision) {
      throw new SqlTranslationException(
          "NUMERIC scale " + scale + " must be between 0 and precision " + precision);
    }
    return "numeric(" + precision + "," + scale + ")";
  }
}
