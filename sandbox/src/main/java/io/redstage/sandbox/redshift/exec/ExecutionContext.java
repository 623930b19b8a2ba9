package io.redstage.sandbox.redshift.exec;

/**
 * What a COPY needs to know about the statement running it: its Redshift query id (the key of its
 * load history and load errors), the session's backend pid, the database and user, and whether it
 * runs inside a transaction block.
 */
public record ExecutionContext(
    long queryId, int sessionPid, String database, String user, boolean inTransactionBlock) {}
