package io.redstage.sandbox.redshift.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the Redshift-only attributes of a CREATE TABLE (DISTSTYLE, DISTKEY, SORTKEY, ENCODE, per
 * table and per column) that the translation to PostgreSQL drops, and builds the statement that
 * records them in the stand-in's design catalog ({@code redstage_sys.table_design}). PG_TABLE_DEF
 * and SVV_TABLE_INFO report them from there, and {@link AlterColumnTypeRules} checks column
 * encodings against them. Temporary tables are not recorded (the loader's staging tables would only
 * fill the catalog).
 */
final class TableDesignRecorder {
  private TableDesignRecorder() {}

  /** The recording statement for a permanent CREATE TABLE; null for CREATE TABLE ... AS / LIKE. */
  static String record(List<Token> tokens) {
    TokenCursor c = new TokenCursor(tokens);
    c.next(); // CREATE
    c.accept("local");
    if (c.accept("temp") || c.accept("temporary")) {
      return null;
    }
    c.next(); // TABLE
    if (c.peekIs("if")) {
      c.next();
      c.next();
      c.next();
    }
    int nameStart = c.position();
    int nameEnd = c.skipQualifiedName();
    String table = SqlLexer.join(tokens.subList(nameStart, nameEnd)).trim();
    if (!c.peekSymbol("(")) {
      return null;
    }
    int close = TokenCursor.matchingParen(tokens, c.position());
    List<String> sortKey = new ArrayList<>();
    List<String> encodings = new ArrayList<>();
    String distKey = null;
    for (List<Token> element :
        CreateTableTranslator.splitTopLevel(tokens.subList(c.position() + 1, close))) {
      TokenCursor e = new TokenCursor(element);
      Token name = e.peek();
      if (name == null || !name.isIdentifier() || name.is("like") || name.is("constraint")) {
        continue;
      }
      String column = name.identifierName();
      while (!e.atEnd()) {
        Token t = e.next();
        if (t.is("encode") && !e.atEnd()) {
          encodings.add(column);
          encodings.add(e.next().text().toLowerCase(Locale.ROOT));
        } else if (t.is("sortkey")) {
          sortKey.add(column);
        } else if (t.is("distkey")) {
          distKey = column;
        }
      }
    }
    c.seek(close + 1);
    String distStyle = distKey == null ? "auto" : "key";
    String sortKind = sortKey.isEmpty() ? "auto" : "compound";
    boolean encodeAuto = encodings.isEmpty();
    while (!c.atEnd()) {
      Token t = c.next();
      if (t.is("diststyle") && !c.atEnd()) {
        distStyle = c.next().text().toLowerCase(Locale.ROOT);
      } else if (t.is("distkey") && c.peekSymbol("(")) {
        distKey = columnList(tokens, c).get(0);
        distStyle = "key";
      } else if (t.is("interleaved") || t.is("compound")) {
        sortKind = t.text().toLowerCase(Locale.ROOT);
      } else if (t.is("sortkey")) {
        if (c.peekIs("auto") || c.peekIs("none")) {
          sortKind = c.next().text().toLowerCase(Locale.ROOT);
          sortKey.clear();
        } else {
          sortKey = columnList(tokens, c);
          if (sortKind.equals("auto")) {
            sortKind = "compound";
          }
        }
      } else if (t.is("encode") && c.peekIs("auto")) {
        c.next();
        encodeAuto = true;
      }
    }
    if (sortKey.isEmpty() && sortKind.equals("compound")) {
      sortKind = "none";
    }
    return "SELECT "
        + CompatRewrites.SYS_SCHEMA
        + ".record_design("
        + literal(table)
        + "::regclass, "
        + literal(distStyle)
        + ", "
        + (distKey == null ? "NULL" : literal(distKey))
        + ", "
        + literal(sortKind)
        + ", "
        + array(sortKey)
        + ", "
        + encodeAuto
        + ", "
        + array(encodings)
        + ")";
  }

  /**
   * The statement that records {@code ALTER TABLE t ALTER COLUMN c ENCODE e} (a DO block: ALTER
   * returns no rows). Redshift turns ENCODE AUTO off for the table when a column's encoding is set.
   */
  static String setEncoding(String regclass, String column, String encoding) {
    return "DO $$BEGIN PERFORM "
        + CompatRewrites.SYS_SCHEMA
        + ".set_encoding("
        + regclass
        + ", "
        + literal(column)
        + ", "
        + literal(encoding.toLowerCase(Locale.ROOT))
        + "); END$$";
  }

  private static List<String> columnList(List<Token> tokens, TokenCursor c) {
    int open = c.position();
    int close = TokenCursor.matchingParen(tokens, open);
    List<String> names = new ArrayList<>();
    for (List<Token> part : CreateTableTranslator.splitTopLevel(tokens.subList(open + 1, close))) {
      Token t = new TokenCursor(part).peek();
      if (t != null && t.isIdentifier()) {
        names.add(t.identifierName());
      }
    }
    c.seek(close + 1);
    return names;
  }

  private static String array(List<String> values) {
    return "ARRAY["
        + String.join(", ", values.stream().map(TableDesignRecorder::literal).toList())
        + "]::text[]";
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
