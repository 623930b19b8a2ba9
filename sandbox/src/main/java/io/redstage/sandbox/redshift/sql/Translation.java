package io.redstage.sandbox.redshift.sql;

import java.util.List;

/**
 * What one Redshift statement becomes on PostgreSQL: a statement to execute (with helper statements
 * before and after it that produce no result), a COPY for the COPY engine, a transaction-control
 * verb, or nothing (Redshift-only maintenance that has no PostgreSQL counterpart).
 */
public final class Translation {
  /** The kinds of translated statements. */
  public enum Kind {
    EXECUTE,
    COPY,
    NOOP,
    BEGIN,
    COMMIT,
    ROLLBACK
  }

  private final Kind kind;
  private final String original;
  private final List<String> before;
  private final String sql;
  private final List<String> after;
  private final List<Token> copyTokens;
  private final String forbiddenInTransaction;
  private final boolean commitsTransaction;

  private Translation(Builder b) {
    this.kind = b.kind;
    this.original = b.original;
    this.before = List.copyOf(b.before);
    this.sql = b.sql;
    this.after = List.copyOf(b.after);
    this.copyTokens = b.copyTokens == null ? List.of() : List.copyOf(b.copyTokens);
    this.forbiddenInTransaction = b.forbiddenInTransaction;
    this.commitsTransaction = b.commitsTransaction;
  }

  public static Builder builder(Kind kind, String original) {
    return new Builder(kind, original);
  }

  public Kind kind() {
    return kind;
  }

  /** The Redshift statement as the caller wrote it. */
  public String original() {
    return original;
  }

  /** Helper statements to run before {@link #sql()}; their results are ignored. */
  public List<String> before() {
    return before;
  }

  /**
   * The PostgreSQL statement whose result or row count is the statement's result (EXECUTE only).
   */
  public String sql() {
    return sql;
  }

  public List<String> after() {
    return after;
  }

  /** The normalized tokens of a COPY statement (COPY only). */
  public List<Token> copyTokens() {
    return copyTokens;
  }

  /**
   * Non-null when Redshift refuses this statement inside a transaction block: the error to raise.
   */
  public String forbiddenInTransaction() {
    return forbiddenInTransaction;
  }

  /** True when Redshift commits the open transaction after this statement (TRUNCATE). */
  public boolean commitsTransaction() {
    return commitsTransaction;
  }

  /** Builder; all lists start empty. */
  public static final class Builder {
    private final Kind kind;
    private final String original;
    private List<String> before = List.of();
    private String sql;
    private List<String> after = List.of();
    private List<Token> copyTokens;
    private String forbiddenInTransaction;
    private boolean commitsTransaction;

    private Builder(Kind kind, String original) {
      this.kind = kind;
      this.original = original;
    }

    public Builder before(List<String> statements) {
      this.before = statements;
      return this;
    }

    public Builder sql(String sql) {
      this.sql = sql;
      return this;
    }

    public Builder after(List<String> statements) {
      this.after = statements;
      return this;
    }

    public Builder copyTokens(List<Token> tokens) {
      this.copyTokens = tokens;
      return this;
    }

    public Builder forbiddenInTransaction(String error) {
      this.forbiddenInTransaction = error;
      return this;
    }

    public Builder commitsTransaction(boolean commits) {
      this.commitsTransaction = commits;
      return this;
    }

    public Translation build() {
      return new Translation(this);
    }
  }
}
