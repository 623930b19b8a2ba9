package io.redstage.sandbox.redshift.sql;

/**
 * One lexical token of a SQL text. Concatenating the {@link #text()} of every token of a statement
 * gives back the statement, which is how the translator rewrites SQL without reformatting it.
 */
public final class Token {
  /** Token kinds; enough to rewrite statements safely (never inside literals or comments). */
  public enum Kind {
    WORD,
    QUOTED_IDENT,
    STRING,
    NUMBER,
    SYMBOL,
    SPACE,
    COMMENT
  }

  private final Kind kind;
  private final String text;

  public Token(Kind kind, String text) {
    this.kind = kind;
    this.text = text;
  }

  public static Token word(String text) {
    return new Token(Kind.WORD, text);
  }

  public static Token symbol(String text) {
    return new Token(Kind.SYMBOL, text);
  }

  public static Token space() {
    return new Token(Kind.SPACE, " ");
  }

  public Kind kind() {
    return kind;
  }

  public String text() {
    return text;
  }

  /** Whitespace and comments carry no meaning for the translator. */
  public boolean isTrivia() {
    return kind == Kind.SPACE || kind == Kind.COMMENT;
  }

  /** True for an unquoted word equal (case-insensitively) to {@code keyword}. */
  public boolean is(String keyword) {
    return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
  }

  public boolean isSymbol(String symbol) {
    return kind == Kind.SYMBOL && text.equals(symbol);
  }

  /** Identifier-like tokens: unquoted words and quoted identifiers. */
  public boolean isIdentifier() {
    return kind == Kind.WORD || kind == Kind.QUOTED_IDENT;
  }

  /** The identifier's name as the database sees it, by Redshift's rules ({@link Identifiers}). */
  public String identifierName() {
    return kind == Kind.QUOTED_IDENT ? Identifiers.delimitedName(text) : Identifiers.fold(text);
  }

  /** The value of a string literal, without quotes and with doubled quotes undone. */
  public String stringValue() {
    if (kind != Kind.STRING) {
      throw new IllegalStateException("not a string literal: " + text);
    }
    String t = text;
    if (t.startsWith("E'") || t.startsWith("e'")) {
      t = t.substring(1);
    }
    return t.substring(1, t.length() - 1).replace("''", "'");
  }

  @Override
  public String toString() {
    return kind + "(" + text + ")";
  }
}
