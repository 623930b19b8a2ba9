package io.redstage.sandbox.redshift.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into {@link Token}s. Hand-written because the translator must rewrite Redshift
 * SQL while leaving literals, comments and layout exactly as written, which a parser library
 * producing an AST would not preserve; the grammar needed here (identifiers, quotes, literals,
 * comments) is small.
 */
public final class SqlLexer {
  private SqlLexer() {}

  public static List<Token> lex(String sql) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int start = i;
      if (Character.isWhitespace(c)) {
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
          i++;
        }
        out.add(new Token(Token.Kind.SPACE, sql.substring(start, i)));
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        out.add(new Token(Token.Kind.COMMENT, sql.substring(start, i)));
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.add(new Token(Token.Kind.COMMENT, sql.substring(start, i)));
      } else if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'')) {
        i = endOfQuoted(sql, c == '\'' ? i : i + 1, '\'', c != '\'');
        out.add(new Token(Token.Kind.STRING, sql.substring(start, i)));
      } else if (c == '"') {
        i = endOfQuoted(sql, i, '"', false);
        out.add(new Token(Token.Kind.QUOTED_IDENT, sql.substring(start, i)));
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        i = end < 0 ? n : end + tag.length();
        out.add(new Token(Token.Kind.STRING, sql.substring(start, i)));
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
        while (i < n
            && (Character.isLetterOrDigit(sql.charAt(i))
                || sql.charAt(i) == '.'
                || ((sql.charAt(i) == '+' || sql.charAt(i) == '-')
                    && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) {
          i++;
        }
        out.add(new Token(Token.Kind.NUMBER, sql.substring(start, i)));
      } else if (isIdentStart(c)) {
        i++;
        while (i < n && isIdentPart(sql.charAt(i))) {
          i++;
        }
        out.add(new Token(Token.Kind.WORD, sql.substring(start, i)));
      } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
        i += 2;
        out.add(new Token(Token.Kind.SYMBOL, "::"));
      } else {
        i++;
        if (i < n && isTwoCharOperator(c, sql.charAt(i))) {
          i++;
        }
        out.add(new Token(Token.Kind.SYMBOL, sql.substring(start, i)));
      }
    }
    return out;
  }

  /** Splits a token list into statements at top-level semicolons; empty statements are dropped. */
  public static List<List<Token>> splitStatements(List<Token> tokens) {
    List<List<Token>> out = new ArrayList<>();
    List<Token> current = new ArrayList<>();
    for (Token t : tokens) {
      if (t.isSymbol(";")) {
        addIfMeaningful(out, current);
        current = new ArrayList<>();
      } else {
        current.add(t);
      }
    }
    addIfMeaningful(out, current);
    return out;
  }

  public static String join(List<Token> tokens) {
    StringBuilder sb = new StringBuilder();
    for (Token t : tokens) {
      sb.append(t.text());
    }
    return sb.toString();
  }

  private static void addIfMeaningful(List<List<Token>> out, List<Token> statement) {
    for (Token t : statement) {
      if (!t.isTrivia()) {
        out.add(statement);
        return;
      }
    }
  }

  private static int endOfQuoted(String sql, int openAt, char quote, boolean backslashEscapes) {
    int i = openAt + 1;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return n;
  }

  private static String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    if (j < sql.length()
        && sql.charAt(j) == '$'
        && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
      return sql.substring(i, j + 1);
    }
    return null;
  }

  /** Redshift's standard identifier characters, and {@code #} that starts a temp table's name. */
  private static boolean isIdentStart(char c) {
    return Identifiers.isStandardStart(c) || c == '#';
  }

  private static boolean isIdentPart(char c) {
    return Identifiers.isStandardPart(c);
  }

  private static boolean isTwoCharOperator(char a, char b) {
    String s = "" + a + b;
    return s.equals("<=")
        || s.equals(">=")
        || s.equals("<>")
        || s.equals("!=")
        || s.equals("||")
        || s.equals("->")
        || s.equals("=>");
  }
}
