package io.redstage.sandbox.redshift.sql;

import java.util.List;

/** Walks a token list over significant tokens only (whitespace and comments are skipped). */
public final class TokenCursor {
  private final List<Token> tokens;
  private int pos;
  private int lastEnd;

  public TokenCursor(List<Token> tokens, int start) {
    this.tokens = tokens;
    this.pos = start;
    this.lastEnd = start;
    skipTrivia();
  }

  public TokenCursor(List<Token> tokens) {
    this(tokens, 0);
  }

  /** Index of the next significant token (or the list size at the end). */
  public int position() {
    return pos;
  }

  /** Index just past the last token consumed (trivia after it not included). */
  public int lastEnd() {
    return lastEnd;
  }

  public void seek(int index) {
    pos = index;
    lastEnd = index;
    skipTrivia();
  }

  public boolean atEnd() {
    return pos >= tokens.size();
  }

  public Token peek() {
    return atEnd() ? null : tokens.get(pos);
  }

  /** The significant token after the next one, or null. */
  public Token peekSecond() {
    TokenCursor c = new TokenCursor(tokens, pos);
    c.next();
    return c.peek();
  }

  public boolean peekIs(String keyword) {
    Token t = peek();
    return t != null && t.is(keyword);
  }

  public boolean peekSymbol(String symbol) {
    Token t = peek();
    return t != null && t.isSymbol(symbol);
  }

  public Token next() {
    if (atEnd()) {
      return null;
    }
    Token t = tokens.get(pos);
    pos++;
    lastEnd = pos;
    skipTrivia();
    return t;
  }

  /** Consumes the keyword if it is next; returns whether it was. */
  public boolean accept(String keyword) {
    if (peekIs(keyword)) {
      next();
      return true;
    }
    return false;
  }

  public boolean acceptSymbol(String symbol) {
    if (peekSymbol(symbol)) {
      next();
      return true;
    }
    return false;
  }

  /** Consumes a possibly qualified name ({@code a.b.c}) and returns the index just past it. */
  public int skipQualifiedName() {
    next();
    while (peekSymbol(".")) {
      next();
      next();
    }
    return pos;
  }

  private void skipTrivia() {
    while (pos < tokens.size() && tokens.get(pos).isTrivia()) {
      pos++;
    }
  }

  /** Index of the ')' matching the '(' at {@code open}. */
  public static int matchingParen(List<Token> tokens, int open) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")")) {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    throw new SqlTranslationException("syntax error: unbalanced parentheses");
  }
}
