package io.redstage.sandbox.redshift.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * MERGE: PostgreSQL 15+ runs Redshift's MERGE syntax as is, so this only enforces Redshift's rule
 * that the source is a table (not a subquery or view) and strips target qualifiers in {@code UPDATE
 * SET t.c = ...}. The {@code REMOVE DUPLICATES} shorthand is outside the sandbox's scope (the
 * loader writes WHEN clauses) and refused.
 */
final class MergeTranslator {
  private MergeTranslator() {}

  static Translation translate(List<Token> tokens, String original, Catalog catalog) {
    TokenCursor c = new TokenCursor(tokens);
    c.next(); // MERGE
    c.accept("into");
    c.skipQualifiedName();
    skipAlias(c);
    if (!c.accept("using")) {
      throw new SqlTranslationException(
          "syntax error at or near \""
              + (c.peek() == null ? "end of input" : c.peek().text())
              + "\"");
    }
    if (c.peekSymbol("(") || c.peekIs("select") || c.peekIs("with")) {
      throw new SqlTranslationException(
          "Cannot MERGE from a subquery: the USING source must be a table. "
              + "Load the rows into a (temp) table first.");
    }
    int sourceStart = c.position();
    int sourceEnd = c.skipQualifiedName();
    String source = SqlLexer.join(tokens.subList(sourceStart, sourceEnd)).trim();
    if ("v".equals(catalog.relationKind(source)) || "m".equals(catalog.relationKind(source))) {
      throw new SqlTranslationException(
          "Cannot MERGE from view " + source + ": the USING source must be a table.");
    }
    skipAlias(c);
    if (!c.accept("on")) {
      throw new SqlTranslationException(
          "syntax error at or near \""
              + (c.peek() == null ? "end of input" : c.peek().text())
              + "\"");
    }
    if (hasRemoveDuplicates(tokens, c.position())) {
      throw new SqlTranslationException(
          "Cannot run MERGE ... REMOVE DUPLICATES: the Redshift sandbox does not implement it "
              + "(its scope is in docs/redshift-sandbox.md). Write WHEN MATCHED / WHEN NOT MATCHED "
              + "clauses.");
    }
    return Translation.builder(Translation.Kind.EXECUTE, original)
        .sql(stripSetQualifiers(tokens))
        .build();
  }

  private static void skipAlias(TokenCursor c) {
    if (c.accept("as")) {
      c.next();
      return;
    }
    Token t = c.peek();
    if (t != null && t.isIdentifier() && !t.is("using") && !t.is("on")) {
      c.next();
    }
  }

  private static boolean hasRemoveDuplicates(List<Token> tokens, int from) {
    for (int i = from; i < tokens.size(); i++) {
      if (tokens.get(i).is("remove") && new TokenCursor(tokens, i + 1).peekIs("duplicates")) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code UPDATE SET t.a = s.a} → {@code UPDATE SET a = s.a}: PostgreSQL refuses qualified SET
   * targets.
   */
  private static String stripSetQualifiers(List<Token> tokens) {
    List<Token> out = new ArrayList<>(tokens);
    for (int i = 0; i < out.size(); i++) {
      if (!out.get(i).is("set")) {
        continue;
      }
      int depth = 0;
      boolean expectTarget = true;
      for (int j = i + 1; j < out.size(); j++) {
        Token t = out.get(j);
        if (t.isTrivia()) {
          continue;
        }
        if (t.isSymbol("(")) {
          depth++;
        } else if (t.isSymbol(")")) {
          depth--;
        } else if (depth == 0 && t.isSymbol(",")) {
          expectTarget = true;
          continue;
        } else if (depth == 0 && (t.is("when") || t.is("where"))) {
          break;
        }
        if (expectTarget && depth == 0 && t.isIdentifier()) {
          TokenCursor c = new TokenCursor(out, j + 1);
          if (c.peekSymbol(".")) {
            int dot = c.position();
            for (int k = dot; k >= j; k--) {
              out.remove(k);
            }
            j--;
            continue;
          }
          expectTarget = false;
        }
      }
    }
    return SqlLexer.join(out).trim();
  }
}
