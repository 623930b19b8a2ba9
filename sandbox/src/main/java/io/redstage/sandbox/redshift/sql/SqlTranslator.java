package io.redstage.sandbox.redshift.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Translates Redshift SQL into what the stand-in runs on PostgreSQL. One input text may hold
 * several statements separated by semicolons; each becomes one {@link Translation}.
 */
public final class SqlTranslator {
  /** Redshift-only session settings accepted and ignored (PostgreSQL would reject them). */
  private static final Set<String> IGNORED_SETTINGS =
      Set.of(
          "enable_case_sensitive_identifier",
          "query_group",
          "analyze_threshold_percent",
          "wlm_query_slot_count",
          "enable_result_cache_for_session",
          "json_parse_dedupe_keys",
          "auto_analyze",
          "describe_field_name_in_uppercase",
          "spectrum_query_maxerror",
          "mv_enable_aqmv_for_session",
          "downcase_delimited_identifier");

  private SqlTranslator() {}

  public static List<Translation> translate(String sql, Catalog catalog) {
    List<Translation> out = new ArrayList<>();
    for (List<Token> statement : SqlLexer.splitStatements(SqlLexer.lex(sql))) {
      out.add(translateOne(statement, catalog));
    }
    return out;
  }

  private static Translation translateOne(List<Token> raw, Catalog catalog) {
    String original = SqlLexer.join(raw).trim();
    boolean hashTemp = isCreateHashTable(raw);
    List<Token> tokens = Identifiers.normalize(raw);
    TokenCursor c = new TokenCursor(tokens);
    Token first = c.peek();
    String verb = first.kind() == Token.Kind.WORD ? first.text().toLowerCase(Locale.ROOT) : "";
    Token second = c.peekSecond();
    switch (verb) {
      case "begin":
      case "start":
        return Translation.builder(Translation.Kind.BEGIN, original).build();
      case "commit":
      case "end":
        return Translation.builder(Translation.Kind.COMMIT, original).build();
      case "rollback":
      case "abort":
        return Translation.builder(Translation.Kind.ROLLBACK, original).build();
      case "copy":
        return Translation.builder(Translation.Kind.COPY, original).copyTokens(tokens).build();
      case "unload":
        throw new SqlTranslationException(
            "Cannot run UNLOAD: the Redshift sandbox does not write to S3. "
                + "Query the rows with SELECT instead.");
      case "vacuum":
        return Translation.builder(Translation.Kind.NOOP, original)
            .forbiddenInTransaction("VACUUM cannot run inside a transaction block")
            .build();
      case "analyze":
        if (second != null && second.is("compression")) {
          return Translation.builder(Translation.Kind.NOOP, original).build();
        }
        break;
      case "set":
      case "reset":
        if (isIgnoredSetting(tokens)) {
          return Translation.builder(Translation.Kind.NOOP, original).build();
        }
        break;
      default:
        break;
    }
    List<Token> rewritten = CompatRewrites.apply(tokens);
    switch (verb) {
      case "create":
        if (isCreateTable(rewritten)) {
          String design = hashTemp ? null : TableDesignRecorder.record(rewritten);
          return Translation.builder(Translation.Kind.EXECUTE, original)
              .sql(CreateTableTranslator.translate(rewritten, hashTemp))
              .after(design == null ? List.of() : List.of(design))
              .build();
        }
        break;
      case "alter":
        if (second != null && second.is("table")) {
          return AlterTableTranslator.translate(rewritten, original);
        }
        break;
      case "lock":
        if (second != null && !second.is("table")) {
          return execute(
              original,
              "LOCK TABLE "
                  + SqlLexer.join(
                          rewritten.subList(
                              new TokenCursor(rewritten).position() + 1, rewritten.size()))
                      .trim());
        }
        break;
      case "delete":
        if (second != null && !second.is("from")) {
          return execute(
              original,
              "DELETE FROM "
                  + SqlLexer.join(
                          rewritten.subList(
                              new TokenCursor(rewritten).position() + 1, rewritten.size()))
                      .trim());
        }
        break;
      case "merge":
        return MergeTranslator.translate(rewritten, original, catalog);
      case "truncate":
        return Translation.builder(Translation.Kind.EXECUTE, original)
            .sql(SqlLexer.join(rewritten).trim())
            .commitsTransaction(true)
            .build();
      default:
        break;
    }
    return execute(original, SqlLexer.join(rewritten).trim());
  }

  private static Translation execute(String original, String sql) {
    return Translation.builder(Translation.Kind.EXECUTE, original).sql(sql).build();
  }

  private static boolean isCreateTable(List<Token> tokens) {
    TokenCursor c = new TokenCursor(tokens);
    c.next();
    c.accept("local");
    if (!c.accept("temp")) {
      c.accept("temporary");
    }
    return c.peekIs("table");
  }

  private static boolean isCreateHashTable(List<Token> raw) {
    TokenCursor c = new TokenCursor(raw);
    if (!c.accept("create")) {
      return false;
    }
    c.accept("local");
    if (!c.accept("temp")) {
      c.accept("temporary");
    }
    if (!c.accept("table")) {
      return false;
    }
    if (c.peekIs("if")) {
      c.next();
      c.next();
      c.next();
    }
    Token name = c.peek();
    return name != null && name.kind() == Token.Kind.WORD && name.text().startsWith("#");
  }

  private static boolean isIgnoredSetting(List<Token> tokens) {
    TokenCursor c = new TokenCursor(tokens);
    c.next();
    c.accept("session");
    Token name = c.peek();
    if (name == null || !name.isIdentifier()) {
      return false;
    }
    if (name.identifierName().equals("enable_case_sensitive_identifier")) {
      c.next();
      if (!c.accept("to")) {
        c.acceptSymbol("=");
      }
      Token value = c.peek();
      String v = value == null ? "" : value.text().replace("'", "").toLowerCase(Locale.ROOT);
      if (v.equals("true") || v.equals("on")) {
        throw new SqlTranslationException(
            "Cannot turn on enable_case_sensitive_identifier: the Redshift sandbox folds "
                + "identifiers to lowercase as Redshift does by default, and does not implement "
                + "case-sensitive names. Use lowercase names.");
      }
    }
    return IGNORED_SETTINGS.contains(name.identifierName());
  }
}
