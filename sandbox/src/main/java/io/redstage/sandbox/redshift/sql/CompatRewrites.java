package io.redstage.sandbox.redshift.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Rewrites that apply anywhere in a statement: Redshift system views and catalog views go to the
 * stand-in's {@code redstage_sys} schema, Redshift type names in casts map to PostgreSQL types,
 * {@code SYSDATE} (a keyword in Redshift) becomes a function call, and DATEADD/DATEDIFF date parts
 * (bare words in Redshift) become string arguments for the compatibility functions.
 */
final class CompatRewrites {
  /** The schema holding the stand-in's system views and compatibility functions. */
  static final String SYS_SCHEMA = "redstage_sys";

  private static final Set<String> SYSTEM_RELATIONS =
      Set.of(
          "sys_load_history",
          "sys_load_error_detail",
          "stl_load_errors",
          "stl_loaderror_detail",
          "stl_load_commits",
          "svv_columns",
          "svv_tables",
          "svv_table_info",
          "svv_transactions",
          "pg_table_def");
  private static final Set<String> DATE_PART_FUNCTIONS = Set.of("dateadd", "datediff");

  private CompatRewrites() {}

  static List<Token> apply(List<Token> in) {
    List<Token> tokens = systemRelations(in);
    tokens = casts(tokens);
    List<Token> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.is("notnull") && isColumnPosition(tokens, i)) {
        // PG_TABLE_DEF's column "notnull" is a PostgreSQL keyword (postfix IS NOT NULL): quote it
        out.add(new Token(Token.Kind.QUOTED_IDENT, "\"notnull\""));
      } else if (t.is("sysdate") && !previousIsDot(tokens, i)) {
        out.add(Token.word(SYS_SCHEMA + ".sysdate()"));
      } else if (t.kind() == Token.Kind.WORD
          && DATE_PART_FUNCTIONS.contains(t.text().toLowerCase(Locale.ROOT))
          && !previousIsDot(tokens, i)) {
        out.add(t);
        TokenCursor c = new TokenCursor(tokens, i + 1);
        if (c.peekSymbol("(")) {
          c.next();
          Token part = c.peek();
          if (part != null && part.kind() == Token.Kind.WORD) {
            int partAt = c.position();
            out.addAll(tokens.subList(i + 1, partAt));
            out.add(new Token(Token.Kind.STRING, "'" + part.text().toLowerCase(Locale.ROOT) + "'"));
            i = partAt;
          }
        }
      } else {
        out.add(t);
      }
    }
    return out;
  }

  private static List<Token> systemRelations(List<Token> tokens) {
    List<Token> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind() == Token.Kind.WORD && t.is("information_schema")) {
        TokenCursor c = new TokenCursor(tokens, i + 1);
        if (c.peekSymbol(".")) {
          c.next();
          if (c.peekIs("columns") && !isDotAt(tokens, c)) {
            out.add(Token.word(SYS_SCHEMA + ".information_schema_columns"));
            i = c.position();
            continue;
          }
        }
        out.add(t);
        continue;
      }
      if (t.isIdentifier() && SYSTEM_RELATIONS.contains(t.identifierName())) {
        int prev = previousSignificant(tokens, i);
        if (prev < 0 || !tokens.get(prev).isSymbol(".")) {
          out.add(Token.word(SYS_SCHEMA + "." + t.identifierName()));
          continue;
        }
        int schemaAt = previousSignificant(tokens, prev);
        if (schemaAt >= 0
            && tokens.get(schemaAt).isIdentifier()
            && tokens.get(schemaAt).identifierName().equals("pg_catalog")) {
          // drop "pg_catalog ." already emitted
          while (out.size() > 0
              && !(out.get(out.size() - 1).isIdentifier()
                  && out.get(out.size() - 1).identifierName().equals("pg_catalog"))) {
            out.remove(out.size() - 1);
          }
          out.remove(out.size() - 1);
          out.add(Token.word(SYS_SCHEMA + "." + t.identifierName()));
          continue;
        }
      }
      out.add(t);
    }
    return out;
  }

  private static boolean isDotAt(List<Token> tokens, TokenCursor c) {
    TokenCursor probe = new TokenCursor(tokens, c.position());
    probe.next();
    return probe.peekSymbol(".");
  }

  /** Maps the Redshift type after {@code ::} and in {@code CAST(x AS type)}. */
  private static List<Token> casts(List<Token> tokens) {
    List<Token> out = new ArrayList<>(tokens.size());
    int i = 0;
    while (i < tokens.size()) {
      Token t = tokens.get(i);
      out.add(t);
      if (t.isSymbol("::") || isCastAs(tokens, i)) {
        TokenCursor c = new TokenCursor(tokens, i + 1);
        int typeAt = c.position();
        if (typeAt < tokens.size() && tokens.get(typeAt).isIdentifier()) {
          TypeMapper.Mapped m = TypeMapper.map(tokens, typeAt, false);
          out.addAll(tokens.subList(i + 1, typeAt));
          out.add(Token.word(m.pgType()));
          i = m.end();
          continue;
        }
      }
      i++;
    }
    return out;
  }

  /** True when the token at {@code i} is the AS of a {@code CAST(expr AS type)}. */
  private static boolean isCastAs(List<Token> tokens, int i) {
    if (!tokens.get(i).is("as")) {
      return false;
    }
    int depth = 0;
    for (int j = i - 1; j >= 0; j--) {
      Token t = tokens.get(j);
      if (t.isSymbol(")")) {
        depth++;
      } else if (t.isSymbol("(")) {
        if (depth == 0) {
          int fn = previousSignificant(tokens, j);
          return fn >= 0 && (tokens.get(fn).is("cast") || tokens.get(fn).is("try_cast"));
        }
        depth--;
      }
    }
    return false;
  }

  private static boolean isColumnPosition(List<Token> tokens, int i) {
    int p = previousSignificant(tokens, i);
    if (p < 0) {
      return false;
    }
    Token prev = tokens.get(p);
    return prev.isSymbol(",")
        || prev.isSymbol(".")
        || prev.isSymbol("(")
        || prev.is("select")
        || prev.is("where")
        || prev.is("and")
        || prev.is("or")
        || prev.is("by");
  }

  private static boolean previousIsDot(List<Token> tokens, int i) {
    int p = previousSignificant(tokens, i);
    return p >= 0 && tokens.get(p).isSymbol(".");
  }

  static int previousSignificant(List<Token> tokens, int i) {
    for (int j = i - 1; j >= 0; j--) {
      if (!tokens.get(j).isTrivia()) {
        return j;
      }
    }
    return -1;
  }
}
