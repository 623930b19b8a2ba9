package io.redstage.sandbox.redshift.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * CREATE TABLE in Redshift's dialect to PostgreSQL: drops distribution, sort key, ENCODE and BACKUP
 * attributes (storage hints with no PostgreSQL meaning), maps types, turns IDENTITY(seed, step)
 * into an identity column, drops PRIMARY KEY / UNIQUE / FOREIGN KEY (Redshift accepts but never
 * enforces them, so enforcing them here would hide duplicates a real cluster keeps), and adds a
 * byte-length CHECK for every VARCHAR/VARBYTE column. {@code LIKE t} copies those checks ({@code
 * INCLUDING CONSTRAINTS}), since Redshift's LIKE keeps the byte semantics of the copied types.
 */
final class CreateTableTranslator {
  private static final Set<String> COLUMN_ATTRIBUTE_STARTS =
      Set.of(
          "not",
          "null",
          "encode",
          "distkey",
          "sortkey",
          "primary",
          "unique",
          "references",
          "identity",
          "generated",
          "collate",
          "constraint",
          "default");

  private CreateTableTranslator() {}

  static String translate(List<Token> tokens, boolean forceTemp) {
    TokenCursor c = new TokenCursor(tokens);
    StringBuilder out = new StringBuilder("CREATE ");
    c.next(); // CREATE
    c.accept("local");
    boolean temp = forceTemp;
    if (c.accept("temp") || c.accept("temporary")) {
      temp = true;
    }
    if (temp) {
      out.append("TEMP ");
    }
    if (!c.accept("table")) {
      throw new SqlTranslationException("syntax error at or near \"" + text(c.peek()) + "\"");
    }
    out.append("TABLE ");
    if (c.peekIs("if")) {
      c.next();
      c.next();
      c.next();
      out.append("IF NOT EXISTS ");
    }
    int nameStart = c.position();
    int nameEnd = c.skipQualifiedName();
    out.append(SqlLexer.join(tokens.subList(nameStart, nameEnd)).trim());
    if (c.peekSymbol("(")) {
      int open = c.position();
      int close = TokenCursor.matchingParen(tokens, open);
      out.append(" (").append(elements(tokens.subList(open + 1, close))).append(')');
      c.seek(close + 1);
    }
    out.append(tableAttributes(tokens, c));
    return out.toString().trim();
  }

  /** Skips Redshift table attributes; copies anything else (ON COMMIT, AS query). */
  private static String tableAttributes(List<Token> tokens, TokenCursor c) {
    StringBuilder out = new StringBuilder();
    while (!c.atEnd()) {
      Token t = c.peek();
      if (t.is("diststyle") || t.is("backup")) {
        c.next();
        c.next();
      } else if (t.is("encode")) {
        c.next();
        c.next();
      } else if (t.is("distkey")) {
        c.next();
        skipParenGroup(tokens, c);
      } else if (t.is("compound") || t.is("interleaved") || t.is("sortkey")) {
        if (!t.is("sortkey")) {
          c.next();
        }
        c.next(); // SORTKEY
        if (c.peekIs("auto") || c.peekIs("none")) {
          c.next();
        } else {
          skipParenGroup(tokens, c);
        }
      } else if (t.is("as")) {
        out.append(' ').append(SqlLexer.join(tokens.subList(c.position(), tokens.size())).trim());
        break;
      } else {
        out.append(' ').append(c.next().text());
      }
    }
    return out.toString();
  }

  private static void skipParenGroup(List<Token> tokens, TokenCursor c) {
    if (c.peekSymbol("(")) {
      c.seek(TokenCursor.matchingParen(tokens, c.position()) + 1);
    }
  }

  private static String elements(List<Token> inner) {
    List<String> kept = new ArrayList<>();
    for (List<Token> element : splitTopLevel(inner)) {
      String translated = element(element);
      if (translated != null) {
        kept.add(translated);
      }
    }
    return String.join(", ", kept);
  }

  /** One column definition or table constraint; null when dropped. */
  private static String element(List<Token> element) {
    TokenCursor c = new TokenCursor(element);
    Token first = c.peek();
    if (first == null) {
      return null;
    }
    if (first.is("like")) {
      String like = SqlLexer.join(element).trim();
      String lower = like.toLowerCase();
      return lower.contains("constraints") ? like : like + " INCLUDING CONSTRAINTS";
    }
    if (first.is("constraint")) {
      c.next();
      c.next();
      first = c.peek();
    }
    if (first.is("primary") || first.is("unique") || first.is("foreign")) {
      return null;
    }
    if (first.is("check")) {
      return SqlLexer.join(element).trim();
    }
    return column(element, c);
  }

  private static String column(List<Token> tokens, TokenCursor c) {
    Token nameToken = c.next();
    if (!nameToken.isIdentifier()) {
      throw new SqlTranslationException("syntax error at or near \"" + nameToken.text() + "\"");
    }
    TypeMapper.Mapped type = TypeMapper.map(tokens, c.position(), true);
    c.seek(type.end());
    StringBuilder out = new StringBuilder(nameToken.text()).append(' ').append(type.pgType());
    out.append(columnAttributes(tokens, c));
    if (type.byteLimit() > 0) {
      boolean binary = type.pgType().equals("bytea");
      out.append(" CONSTRAINT ")
          .append(
              Identifiers.byteLimitConstraint(nameToken.identifierName(), type.byteLimit(), binary))
          .append(" CHECK (octet_length(")
          .append(nameToken.text())
          .append(") <= ")
          .append(type.byteLimit())
          .append(')');
    }
    return out.toString();
  }

  /** Column attributes after the type, as used in CREATE TABLE and ALTER TABLE ADD COLUMN. */
  static String columnAttributes(List<Token> tokens, TokenCursor c) {
    StringBuilder out = new StringBuilder();
    while (!c.atEnd()) {
      Token t = c.peek();
      if (t.is("encode")) {
        c.next();
        c.next();
      } else if (t.is("distkey") || t.is("sortkey") || t.is("unique")) {
        c.next();
      } else if (t.is("primary")) {
        c.next();
        c.accept("key");
      } else if (t.is("references")) {
        c.next();
        c.skipQualifiedName();
        skipParenGroup(tokens, c);
      } else if (t.is("collate")) {
        c.next();
        c.next();
      } else if (t.is("identity")) {
        c.next();
        out.append(" GENERATED ALWAYS AS IDENTITY").append(identityOptions(tokens, c));
      } else if (t.is("generated")) {
        c.next();
        boolean byDefault = c.accept("by");
        if (byDefault) {
          c.accept("default");
        } else {
          c.accept("always");
        }
        c.accept("as");
        c.accept("identity");
        out.append(
                byDefault ? " GENERATED BY DEFAULT AS IDENTITY" : " GENERATED ALWAYS AS IDENTITY")
            .append(identityOptions(tokens, c));
      } else if (t.is("default")) {
        c.next();
        out.append(" DEFAULT ").append(defaultExpression(tokens, c));
      } else {
        out.append(' ').append(c.next().text());
      }
    }
    return out.toString();
  }

  private static String identityOptions(List<Token> tokens, TokenCursor c) {
    if (!c.peekSymbol("(")) {
      return "";
    }
    int open = c.position();
    int close = TokenCursor.matchingParen(tokens, open);
    List<List<Token>> args = splitTopLevel(tokens.subList(open + 1, close));
    c.seek(close + 1);
    if (args.size() != 2) {
      throw new SqlTranslationException(
          "IDENTITY requires a seed and a step: IDENTITY(seed, step)");
    }
    return " (START WITH "
        + SqlLexer.join(args.get(0)).trim()
        + " INCREMENT BY "
        + SqlLexer.join(args.get(1)).trim()
        + ")";
  }

  private static String defaultExpression(List<Token> tokens, TokenCursor c) {
    int start = c.position();
    int depth = 0;
    boolean first = true;
    while (!c.atEnd()) {
      Token t = c.peek();
      if (!first
          && depth == 0
          && t.kind() == Token.Kind.WORD
          && COLUMN_ATTRIBUTE_STARTS.contains(t.text().toLowerCase())) {
        break;
      }
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")")) {
        depth--;
      }
      first = false;
      c.next();
    }
    int end = c.atEnd() ? tokens.size() : c.position();
    return SqlLexer.join(tokens.subList(start, end)).trim();
  }

  private static String text(Token t) {
    return t == null ? "end of input" : t.text();
  }

  /** Splits a token list at commas that are not inside parentheses. */
  static List<List<Token>> splitTopLevel(List<Token> tokens) {
    List<List<Token>> out = new ArrayList<>();
    List<Token> current = new ArrayList<>();
    int depth = 0;
    for (Token t : tokens) {
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")")) {
        depth--;
      }
      if (depth == 0 && t.isSymbol(",")) {
        out.add(current);
        current = new ArrayList<>();
      } else {
        current.add(t);
      }
    }
    out.add(current);
    return out;
  }
}
