package io.redstage.sandbox.redshift.exec;

import java.util.List;

/**
 * A finished statement's result set, kept in memory for GetStatementResult. Values are already in
 * their Field form: Long, Double, Boolean, String (JSON text for SUPER), byte[] (VARBYTE) or null.
 */
public record QueryResult(List<ColumnMeta> columns, List<Object[]> rows, long sizeBytes) {}
