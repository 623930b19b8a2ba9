package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.exec.StatementFailedException;
import io.redstage.sandbox.redshift.sql.SqlLexer;
import io.redstage.sandbox.redshift.sql.Token;
import io.redstage.sandbox.redshift.sql.TokenCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses {@code COPY table [(cols)] FROM 's3://...' <authorization> [FORMAT [AS]] <format>
 * [params]} and checks the parameter rules Redshift enforces before reading any data.
 */
final class CopyCommandParser {
  /**
   * Parameters COPY accepts for PARQUET/ORC (DG copy-usage_notes-copy-from-columnar), plus
   * COMPUPDATE.
   */
  private static final Set<String> COLUMNAR_PARAMETERS =
      Set.of(
          "FILLRECORD",
          "IAM_ROLE",
          "CREDENTIALS",
          "ACCESS_KEY_ID",
          "SECRET_ACCESS_KEY",
          "SESSION_TOKEN",
          "STATUPDATE",
          "MANIFEST",
          "EXPLICIT_IDS",
          "SERIALIZETOJSON",
          "FORMAT",
          "PARQUET",
          "ORC",
          "COMPUPDATE");

  private CopyCommandParser() {}

  static CopyCommand parse(List<Token> tokens) {
    CopyCommand cmd = new CopyCommand();
    TokenCursor c = new TokenCursor(tokens);
    c.next(); // COPY
    int tableStart = c.position();
    if (c.peek() == null || !c.peek().isIdentifier()) {
      throw syntax(c);
    }
    int tableEnd = c.skipQualifiedName();
    cmd.table = SqlLexer.join(tokens.subList(tableStart, tableEnd)).trim();
    if (c.peekSymbol("(")) {
      cmd.columns = columnList(tokens, c);
    }
    if (!c.accept("from")) {
      throw syntax(c);
    }
    Token from = c.next();
    if (from == null || from.kind() != Token.Kind.STRING) {
      throw new StatementFailedException(
          "syntax error: COPY ... FROM expects a quoted 's3://bucket/key' location");
    }
    cmd.from = from.stringValue();
    while (!c.atEnd()) {
      parameter(cmd, c);
    }
    validate(cmd);
    return cmd;
  }

  private static List<String> columnList(List<Token> tokens, TokenCursor c) {
    int open = c.position();
    int close = TokenCursor.matchingParen(tokens, open);
    List<String> names = new ArrayList<>();
    for (Token t : tokens.subList(open + 1, close)) {
      if (t.isIdentifier()) {
        names.add(t.identifierName());
      }
    }
    c.seek(close + 1);
    return names;
  }

  private static void parameter(CopyCommand cmd, TokenCursor c) {
    Token t = c.next();
    if (t.isSymbol(",")) {
      return;
    }
    if (t.kind() != Token.Kind.WORD) {
      throw new StatementFailedException("syntax error at or near \"" + t.text() + "\"");
    }
    String kw = t.text().toUpperCase(Locale.ROOT);
    cmd.keywords.add(kw);
    switch (kw) {
      case "MANIFEST" -> cmd.manifest = true;
      case "IAM_ROLE" -> cmd.iamRole = c.peekIs("default") ? c.next().text() : string(c, kw);
      case "CREDENTIALS", "WITH" -> {
        if (kw.equals("WITH")) {
          c.accept("credentials");
          cmd.keywords.add("CREDENTIALS");
        }
        c.accept("as");
        cmd.credentials = string(c, "CREDENTIALS");
      }
      case "ACCESS_KEY_ID" -> cmd.accessKeyId = string(c, kw);
      case "SECRET_ACCESS_KEY", "SESSION_TOKEN", "MASTER_SYMMETRIC_KEY", "KMS_KEY_ID" ->
          string(c, kw);
      case "FORMAT" -> {
        c.accept("as");
        Token f = c.next();
        if (f == null) {
          throw new StatementFailedException("syntax error: FORMAT needs a format name");
        }
        cmd.keywords.add(f.text().toUpperCase(Locale.ROOT));
        format(cmd, f.text().toUpperCase(Locale.ROOT), c);
      }
      case "PARQUET", "ORC", "JSON", "AVRO", "CSV" -> format(cmd, kw, c);
      case "GZIP" -> cmd.compression = CopyCommand.Compression.GZIP;
      case "ZSTD" -> cmd.compression = CopyCommand.Compression.ZSTD;
      case "BZIP2" -> cmd.compression = CopyCommand.Compression.BZIP2;
      case "LZOP" -> cmd.compression = CopyCommand.Compression.LZOP;
      case "TIMEFORMAT" -> cmd.timeFormat = optionalAsString(c, kw);
      case "DATEFORMAT" -> cmd.dateFormat = optionalAsString(c, kw);
      case "ACCEPTINVCHARS", "TRUNCATECOLUMNS", "EMPTYASNULL", "BLANKSASNULL" ->
          // valid in Redshift, outside the sandbox's scope: refused so a test cannot pass on a
          // sandbox that ignored the parameter
          throw new StatementFailedException(
              "Cannot use COPY parameter "
                  + kw
                  + ": the Redshift sandbox does not implement it (its scope is in "
                  + "docs/redshift-sandbox.md). Remove it from the COPY.");
      case "SERIALIZETOJSON" -> cmd.serializeToJson = true;
      case "EXPLICIT_IDS" -> cmd.explicitIds = true;
      case "FILLRECORD" -> cmd.fillRecord = true;
      case "ROUNDEC" -> cmd.roundDecimals = true;
      case "ACCEPTANYDATE",
          "IGNOREBLANKLINES",
          "TRIMBLANKS",
          "REMOVEQUOTES",
          "ESCAPE",
          "NOLOAD" -> {
        // accepted flags with no effect on the formats the sandbox loads
      }
      case "REGION" -> cmd.region = optionalAsString(c, kw);
      case "MAXERROR" -> {
        c.accept("as");
        Token n = c.next();
        try {
          cmd.maxError = Math.min(100000, Integer.parseInt(n.text()));
        } catch (RuntimeException e) {
          throw new StatementFailedException("syntax error: MAXERROR needs a number");
        }
      }
      case "STATUPDATE" -> cmd.statUpdate = optionalSwitch(c);
      case "COMPUPDATE" -> cmd.compUpdate = optionalSwitch(c);
      case "COMPROWS" -> c.next();
      case "DELIMITER", "NULL", "QUOTE", "FIXEDWIDTH", "ENCODING", "IGNOREHEADER" -> {
        c.accept("as");
        c.next();
      }
      default ->
          throw new StatementFailedException(
              "syntax error at or near \"" + t.text() + "\": unknown COPY parameter");
    }
  }

  private static void format(CopyCommand cmd, String name, TokenCursor c) {
    switch (name) {
      case "PARQUET" -> cmd.format = CopyCommand.Format.PARQUET;
      case "ORC" -> cmd.format = CopyCommand.Format.ORC;
      case "CSV" -> cmd.format = CopyCommand.Format.CSV;
      case "JSON", "AVRO" -> {
        cmd.format = name.equals("JSON") ? CopyCommand.Format.JSON : CopyCommand.Format.AVRO;
        c.accept("as");
        Token arg = c.peek();
        cmd.formatArgument =
            arg != null && arg.kind() == Token.Kind.STRING ? c.next().stringValue() : "auto";
      }
      default -> throw new StatementFailedException("syntax error: unknown COPY format " + name);
    }
  }

  private static String string(TokenCursor c, String keyword) {
    Token v = c.next();
    if (v == null || v.kind() != Token.Kind.STRING) {
      throw new StatementFailedException("syntax error: " + keyword + " expects a quoted value");
    }
    return v.stringValue();
  }

  private static String optionalAsString(TokenCursor c, String keyword) {
    c.accept("as");
    return string(c, keyword);
  }

  private static String optionalSwitch(TokenCursor c) {
    Token v = c.peek();
    if (v != null
        && (v.is("on") || v.is("off") || v.is("true") || v.is("false") || v.is("preset"))) {
      return c.next().text().toUpperCase(Locale.ROOT);
    }
    return "ON";
  }

  private static void validate(CopyCommand cmd) {
    if (cmd.iamRole == null && cmd.credentials == null && cmd.accessKeyId == null) {
      throw new StatementFailedException(
          "Invalid credentials. Must be of the format: credentials "
              + "'aws_iam_role=...' or 'aws_access_key_id=...;aws_secret_access_key=...[;token=...]'");
    }
    if (cmd.iamRole != null && !cmd.iamRole.equalsIgnoreCase("default")) {
      for (String role : cmd.iamRole.split(",")) {
        if (!role.startsWith("arn:") || !role.contains(":role/")) {
          throw new StatementFailedException(
              "Invalid IAM_ROLE '"
                  + cmd.iamRole
                  + "': expected 'default' or "
                  + "'arn:aws:iam::<account>:role/<name>'");
        }
      }
    }
    if (cmd.credentials != null
        && !(cmd.credentials.contains("aws_iam_role=")
            || cmd.credentials.contains("aws_access_key_id="))) {
      throw new StatementFailedException(
          "Invalid credentials. Must be of the format: credentials "
              + "'aws_iam_role=...' or 'aws_access_key_id=...;aws_secret_access_key=...[;token=...]'");
    }
    if (!cmd.from.startsWith("s3://")) {
      throw new StatementFailedException(
          "Cannot COPY from '"
              + cmd.from
              + "': the Redshift sandbox reads only from "
              + "Amazon S3 locations (s3://bucket/key).");
    }
    if (cmd.isColumnar()) {
      String format = cmd.format.name();
      for (String kw : cmd.keywords) {
        if (!COLUMNAR_PARAMETERS.contains(kw)) {
          throw new StatementFailedException(
              kw + " argument is not supported for " + format + " based COPY");
        }
      }
    }
    autoOnly("TIMEFORMAT", cmd.timeFormat);
    autoOnly("DATEFORMAT", cmd.dateFormat);
  }

  /**
   * The loader writes TIMEFORMAT/DATEFORMAT 'auto'; explicit patterns and the epoch keywords are
   * outside the sandbox's scope, refused so a test cannot pass on a format the sandbox misread.
   */
  private static void autoOnly(String parameter, String value) {
    if (value != null && !value.equals("auto")) {
      throw new StatementFailedException(
          "Cannot use "
              + parameter
              + " '"
              + value
              + "': the Redshift sandbox reads the default format and 'auto' only (its scope is in "
              + "docs/redshift-sandbox.md). Use "
              + parameter
              + " 'auto' or leave it out.");
    }
  }

  private static StatementFailedException syntax(TokenCursor c) {
    Token t = c.peek();
    return new StatementFailedException(
        "syntax error at or near \"" + (t == null ? "end of input" : t.text()) + "\"");
  }
}
