package io.redstage.sandbox.redshift.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All statements the endpoint knows, by Id and by ClientToken. Finished statements and their
 * results are kept for the Data API's retention period (24 hours), as the real service keeps them.
 */
public final class StatementRegistry {
  /** The Data API keeps statements and results for 24 hours; ClientTokens for 8 hours. */
  public static final Duration RETENTION = Duration.ofHours(24);

  public static final Duration CLIENT_TOKEN_RETENTION = Duration.ofHours(8);

  private record TokenEntry(String statementId, Instant createdAt) {}

  /** A statement Id resolved to its record and, for a sub-statement Id, the sub-statement. */
  public record Resolved(StatementRecord statement, SubStatement subStatement) {}

  private final Map<String, StatementRecord> byId = new ConcurrentHashMap<>();
  private final Map<String, TokenEntry> byClientToken = new ConcurrentHashMap<>();

  void add(StatementRecord record, String clientToken) {
    evictExpired();
    byId.put(record.id(), record);
    if (clientToken != null) {
      byClientToken.put(clientToken, new TokenEntry(record.id(), record.createdAt()));
    }
  }

  /** The statement an earlier request with this ClientToken created, if still remembered. */
  public StatementRecord forClientToken(String clientToken) {
    if (clientToken == null) {
      return null;
    }
    TokenEntry e = byClientToken.get(clientToken);
    if (e == null || e.createdAt().isBefore(Instant.now().minus(CLIENT_TOKEN_RETENTION))) {
      return null;
    }
    return byId.get(e.statementId());
  }

  /** Resolves {@code <uuid>} or {@code <uuid>:n}; null when unknown. */
  public Resolved resolve(String id) {
    int colon = id.indexOf(':');
    if (colon < 0) {
      StatementRecord r = byId.get(id);
      return r == null ? null : new Resolved(r, r.isBatch() ? null : r.subStatements().get(0));
    }
    StatementRecord r = byId.get(id.substring(0, colon));
    if (r == null || !r.isBatch()) {
      return null;
    }
    int n = Integer.parseInt(id.substring(colon + 1));
    if (n < 1 || n > r.subStatements().size()) {
      return null;
    }
    return new Resolved(r, r.subStatements().get(n - 1));
  }

  /**
   * Statements not yet in a terminal state (the Data API's active-statement quota counts these).
   */
  public int activeCount() {
    int n = 0;
    for (StatementRecord r : byId.values()) {
      if (!r.status().isTerminal()) {
        n++;
      }
    }
    return n;
  }

  /** All statements, newest first. */
  public List<StatementRecord> newestFirst() {
    List<StatementRecord> all = new ArrayList<>(byId.values());
    all.sort(
        Comparator.comparing(StatementRecord::createdAt)
            .reversed()
            .thenComparing(StatementRecord::id));
    return all;
  }

  private void evictExpired() {
    Instant statementCutoff = Instant.now().minus(RETENTION);
    byId.values().removeIf(r -> r.status().isTerminal() && r.createdAt().isBefore(statementCutoff));
    Instant tokenCutoff = Instant.now().minus(CLIENT_TOKEN_RETENTION);
    byClientToken.values().removeIf(e -> e.createdAt().isBefore(tokenCutoff));
  }
}
