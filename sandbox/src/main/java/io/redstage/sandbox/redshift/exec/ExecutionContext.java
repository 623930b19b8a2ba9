package io.redstage.sandbox.redshift.exec;

import java.util.function.BooleanSupplier;

/**
 * What a COPY needs to know about the statement running it: its Redshift query id (the key of its
 * load history and load errors), the session's backend pid, the database and user, whether it runs
 * inside a transaction block, and whether the caller cancelled it.
 */
public record ExecutionContext(
    long queryId,
    int sessionPid,
    String database,
    String user,
    boolean inTransactionBlock,
    BooleanSupplier cancelled) {}
