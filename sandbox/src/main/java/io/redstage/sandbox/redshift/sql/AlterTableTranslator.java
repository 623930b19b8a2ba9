package io.redstage.sandbox.redshift.sql;

import java.util.List;

/**
 * ALTER TABLE in Redshift's dialect: ADD COLUMN (one column per statement, type mapped, ENCODE
 * dropped, byte check added), ALTER COLUMN ... TYPE (VARCHAR only, refused inside a transaction
 * block, byte check moved to the new length), and the storage-only forms (ALTER DISTKEY / DISTSTYLE
 * / SORTKEY / ENCODE, ADD informational constraints), which have no effect here. Redshift's other
 * limits on ALTER COLUMN TYPE are checked by {@link AlterColumnTypeRules}.
 */
final class AlterTableTranslator {
  private AlterTableTranslator() {}

  static Translation translate(List<Token> tokens, String original) {
    TokenCursor c = new TokenCursor(tokens);
    c.next(); // ALTER
    c.next(); // TABLE
    int nameStart = c.position();
    int nameEnd = c.skipQualifiedName();
    String table = SqlLexer.join(tokens.subList(nameStart, nameEnd)).trim();
    Token action = c.peek();
    if (action == null) {
      throw new SqlTranslationException("syntax error at end of input");
    }
    if (action.is("add")) {
      c.next();
      if (c.peekIs("constraint")
          || c.peekIs("primary")
          || c.peekIs("unique")
          || c.peekIs("foreign")) {
        return noop(original);
      }
      c.accept("column");
      Token added = c.peek();
      String encoding = encodingOf(tokens.subList(c.position(), tokens.size()));
      return Translation.builder(Translation.Kind.EXECUTE, original)
          .sql(addColumn(table, tokens, c))
          .after(
              encoding == null || added == null
                  ? List.of()
                  : List.of(
                      TableDesignRecorder.setEncoding(
                          "'" + table.replace("'", "''") + "'::regclass",
                          added.identifierName(),
                          encoding)))
          .build();
    }
    if (action.is("alter")) {
      c.next();
      if (c.peekIs("distkey")
          || c.peekIs("diststyle")
          || c.peekIs("sortkey")
          || c.peekIs("compound")
          || c.peekIs("interleaved")
          || c.peekIs("encode")) {
        return noop(original);
      }
      c.accept("column");
      Token column = c.next();
      if (c.accept("encode")) {
        Token encoding = c.next();
        if (encoding == null || c.peekSymbol(",")) {
          return noop(original);
        }
        // the design catalog keeps the new encoding: AlterColumnTypeRules checks it
        return Translation.builder(Translation.Kind.EXECUTE, original)
            .sql(
                TableDesignRecorder.setEncoding(
                    "'" + table.replace("'", "''") + "'::regclass",
                    column.identifierName(),
                    encoding.text()))
            .build();
      }
      if (c.accept("type")) {
        return alterColumnType(table, column, tokens, c, original);
      }
    }
    if (action.is("append")) {
      throw new SqlTranslationException(
          "Cannot run ALTER TABLE APPEND: the Redshift sandbox does not support it. "
              + "Use INSERT INTO ... SELECT and DELETE instead.");
    }
    return Translation.builder(Translation.Kind.EXECUTE, original)
        .sql(SqlLexer.join(tokens).trim())
        .build();
  }

  private static String addColumn(String table, List<Token> tokens, TokenCursor c) {
    Token column = c.next();
    if (column == null || !column.isIdentifier()) {
      throw new SqlTranslationException(
          "syntax error at or near \"" + (column == null ? "end of input" : column.text()) + "\"");
    }
    for (Token t : tokens.subList(c.position(), tokens.size())) {
      if (t.isSymbol(",") && depthAt(tokens, tokens.indexOf(t)) == 0) {
        throw new SqlTranslationException(
            "syntax error at or near \",\": ALTER TABLE ADD COLUMN adds one column per statement");
      }
    }
    TypeMapper.Mapped type = TypeMapper.map(tokens, c.position(), true);
    c.seek(type.end());
    StringBuilder sql =
        new StringBuilder("ALTER TABLE ")
            .append(table)
            .append(" ADD COLUMN ")
            .append(column.text())
            .append(' ')
            .append(type.pgType())
            .append(CreateTableTranslator.columnAttributes(tokens, c));
    if (type.byteLimit() > 0) {
      boolean binary = type.pgType().equals("bytea");
      sql.append(" CONSTRAINT ")
          .append(
              Identifiers.byteLimitConstraint(column.identifierName(), type.byteLimit(), binary))
          .append(" CHECK (octet_length(")
          .append(column.text())
          .append(") <= ")
          .append(type.byteLimit())
          .append(')');
    }
    return sql.toString();
  }

  private static Translation alterColumnType(
      String table, Token column, List<Token> tokens, TokenCursor c, String original) {
    TypeMapper.Mapped type = TypeMapper.map(tokens, c.position(), true);
    if (!type.pgType().startsWith("varchar")) {
      throw new SqlTranslationException(
          "target data type "
              + type.pgType()
              + " is not supported: "
              + "ALTER COLUMN TYPE only changes the length of a VARCHAR column");
    }
    String regclass = "'" + table.replace("'", "''") + "'::regclass";
    return Translation.builder(Translation.Kind.EXECUTE, original)
        .before(
            List.of(
                AlterColumnTypeRules.check(regclass, column.identifierName(), type.byteLimit())))
        .sql("ALTER TABLE " + table + " ALTER COLUMN " + column.text() + " TYPE " + type.pgType())
        .after(
            List.of(
                "SELECT "
                    + CompatRewrites.SYS_SCHEMA
                    + ".set_byte_limit("
                    + regclass
                    + ", '"
                    + column.identifierName().replace("'", "''")
                    + "', "
                    + type.byteLimit()
                    + ")"))
        .forbiddenInTransaction("ALTER TABLE ALTER COLUMN cannot run inside a transaction block")
        .build();
  }

  /** The encoding an ADD COLUMN sets ({@code ENCODE e}), or null. */
  private static String encodingOf(List<Token> column) {
    TokenCursor c = new TokenCursor(column);
    while (!c.atEnd()) {
      if (c.next().is("encode") && !c.atEnd()) {
        return c.next().text();
      }
    }
    return null;
  }

  private static int depthAt(List<Token> tokens, int index) {
    int depth = 0;
    for (int i = 0; i < index; i++) {
      if (tokens.get(i).isSymbol("(")) {
        depth++;
      } else if (tokens.get(i).isSymbol(")")) {
        depth--;
      }
    }
    return depth;
  }

  private static Translation noop(String original) {
    return Translation.builder(Translation.Kind.NOOP, original).build();
  }
}
