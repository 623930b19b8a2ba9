package io.redstage.examples.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.examples.badinput.Warehouse.QuarantineRow;
import io.redstage.examples.quickstart.PluginLocator;
import io.redstage.examples.quickstart.SandboxStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "Nothing lost, nothing stuck", on real parts: a Kafka broker and a Connect worker
 * loading the plugin ZIP, S3Proxy, the copy-loader run as separate CLI runs, and the Redshift
 * stand-in. Every {@link PoisonKind} is produced into Parquet, Avro and schemaless JSON Lines
 * topics between good records with unique ids. Then: every good record is in its table exactly once
 * with every value, within a bounded number of loader runs; every poison record is where the
 * catalogue says (DLQ with its reason, quarantine after the configured attempts, rejects object, or
 * its row); after widening a column, release loads the quarantined units. Prints the kind × format
 * table.
 */
class BadInputIT {
  private static final int GOOD_PER_FORMAT = 300;
  private static final int SECOND_PHASE_GOOD_PER_PARTITION = 3;
  private static final int PARTITIONS = 2;
  private static final int MAX_LOADER_RUNS = 15;
  private static final int MAX_RUNS_AFTER_RELEASE = 4;
  private static final int MAX_ATTEMPTS = 2;
  private static final Duration FIRST_PHASE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Shorter: the first phase showed the tasks commit; a tombstone that fails a task only makes this
   * wait run out.
   */
  private static final Duration SECOND_PHASE_TIMEOUT = Duration.ofSeconds(30);

  private final List<String> failures = new ArrayList<>();
  private final Map<String, Integer> firstQuarantinedInRun = new HashMap<>();

  /**
   * Table lines for checks that are about the loader, not one record (release refusing a unit that
   * would fail).
   */
  private final List<Verdicts.Line> loaderLines = new ArrayList<>();

  @Test
  void everyGoodRecordLandsOnceAndEveryPoisonRecordIsAccountedFor(@TempDir Path work)
      throws Exception {
    String zip = System.getProperty("redstage.plugin.zip");
    try (SandboxStack stack =
        SandboxStack.start(PluginLocator.pluginPath(zip == null ? null : Path.of(zip), work), 0)) {
      StagingArea staging = new StagingArea(stack.s3.client(), SandboxStack.BUCKET);
      Warehouse warehouse =
          new Warehouse(
              stack.redshift.jdbcUrl(), stack.redshift.jdbcUser(), stack.redshift.jdbcPassword());
      startConnectors(stack);

      List<Sent> sent = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = stack.connect.producer()) {
        List<Sent> first = send(producer, firstPhase());
        awaitCommitted(
            staging, first, "the first phase (every kind but tombstones)", FIRST_PHASE_TIMEOUT);
        // after the first phase is committed, so that a tombstone failing the task cannot take good
        // records with it
        List<Sent> second = send(producer, secondPhase());
        awaitCommitted(
            staging,
            second,
            "the second phase (tombstones, then good records)",
            SECOND_PHASE_TIMEOUT);
        sent.addAll(first);
        sent.addAll(second);
      }

      LoaderRuns loader = new LoaderRuns(loaderConfig(stack));
      runUntilSettled(loader, warehouse, sent);
      releaseRefusedWhileStillFailing(loader, warehouse, sent);
      fixAndRelease(loader, warehouse, sent);

      Verdicts verdicts = new Verdicts(observe(stack, staging, warehouse), MAX_ATTEMPTS);
      List<Verdicts.Line> lines = new ArrayList<>();
      for (Format f : Format.values()) {
        List<Sent> good = sent.stream().filter(s -> s.format() == f && s.record().good()).toList();
        List<String> goodFailures = verdicts.goodRecordFailures(f, good);
        goodFailures.forEach(g -> failures.add(f + " good records: " + g));
        lines.add(
            new Verdicts.Line(
                "(" + good.size() + " good records)",
                f,
                "each once, every value",
                goodFailures.isEmpty(),
                goodFailures.isEmpty()
                    ? "all in the table once, values equal, none in the DLQ"
                    : String.join(" / ", goodFailures)));
        sent.stream()
            .filter(s -> s.format() == f && !s.record().good())
            .forEach(s -> lines.add(verdicts.poison(s, good)));
      }
      lines.addAll(loaderLines);
      lines.stream()
          .filter(l -> !l.pass())
          .forEach(
              l ->
                  failures.add(
                      l.format()
                          + " "
                          + l.kind()
                          + ": expected "
                          + l.expected()
                          + ", observed "
                          + l.observed()));
      OutcomeTable.print(lines, loader.history().size());
    }
    assertThat(failures)
        .as("bad-input outcomes that differ from the catalogue (table above)")
        .isEmpty();
  }

  private void startConnectors(SandboxStack stack) {
    for (Format f : Format.values()) {
      stack.connect.createTopic(f.topic(), PARTITIONS);
      Map<String, String> config = f.connectorConfig(stack);
      assertThat(stack.connect.createConnector(f.connectorName(), config))
          .as("POST /connectors %s", f.connectorName())
          .isEqualTo(201);
    }
    for (Format f : Format.values()) {
      stack.connect.awaitRunning(f.connectorName(), 1, Duration.ofSeconds(60));
    }
  }

  /**
   * Good records spread over both partitions, a poison record of every first-phase kind every few
   * good ones.
   */
  private static List<Produced> firstPhase() {
    List<Produced> out = new ArrayList<>();
    for (Format f : Format.values()) {
      Records records = new Records(f);
      List<PoisonKind> kinds = new ArrayList<>();
      for (PoisonKind k : PoisonKind.values()) {
        if (!k.secondPhase() && k.expected(f) != Expect.NOT_APPLICABLE) {
          kinds.add(k);
        }
      }
      int every = GOOD_PER_FORMAT / (kinds.size() + 1);
      for (int i = 0; i < GOOD_PER_FORMAT; i++) {
        out.add(records.good(i, i % PARTITIONS));
        int k = i / every;
        if (i % every == every - 1 && k < kinds.size()) {
          out.add(records.poison(kinds.get(k), poisonId(f, k), k % PARTITIONS));
        }
      }
    }
    return out;
  }

  /** Per partition: a tombstone, then good records that must still commit and load. */
  private static List<Produced> secondPhase() {
    List<Produced> out = new ArrayList<>();
    for (Format f : Format.values()) {
      Records records = new Records(f);
      for (int p = 0; p < PARTITIONS; p++) {
        out.add(
            records.poison(PoisonKind.TOMBSTONE, poisonId(f, PoisonKind.values().length + p), p));
        for (int i = 0; i < SECOND_PHASE_GOOD_PER_PARTITION; i++) {
          out.add(records.good(GOOD_PER_FORMAT + p * SECOND_PHASE_GOOD_PER_PARTITION + i, p));
        }
      }
    }
    return out;
  }

  private static long poisonId(Format f, int n) {
    return f.ordinal() * 1_000_000L + 500_000 + n;
  }

  private static List<Sent> send(KafkaProducer<byte[], byte[]> producer, List<Produced> records)
      throws Exception {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (Produced r : records) {
      acks.add(
          producer.send(
              new ProducerRecord<>(
                  r.format().topic(),
                  r.partition(),
                  r.key().getBytes(StandardCharsets.UTF_8),
                  r.value())));
    }
    List<Sent> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      out.add(new Sent(records.get(i), acks.get(i).get().offset()));
    }
    return out;
  }

  /**
   * Waits until markers cover every offset sent to each topic-partition; a timeout is a failure,
   * and the suite goes on.
   */
  private void awaitCommitted(StagingArea staging, List<Sent> sent, String what, Duration timeout) {
    Map<String, Long> last = new LinkedHashMap<>();
    sent.forEach(s -> last.merge(s.format().topic() + "/" + s.partition(), s.offset(), Math::max));
    Map<String, Long> covered = new LinkedHashMap<>();
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                last.forEach(
                    (tp, offset) -> {
                      String[] parts = tp.split("/");
                      covered.put(tp, staging.coveredThrough(parts[0], Integer.parseInt(parts[1])));
                    });
                return last.entrySet().stream()
                    .allMatch(e -> covered.get(e.getKey()) >= e.getValue());
              });
    } catch (ConditionTimeoutException e) {
      failures.add(
          "The connectors did not commit "
              + what
              + " within "
              + timeout
              + ": last offsets "
              + last
              + ", markers cover through "
              + covered
              + " (a task failed? see the worker log)");
    }
  }

  private static Map<String, String> loaderConfig(SandboxStack stack) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("s3.bucket.name", SandboxStack.BUCKET);
    c.putAll(stack.loaderEndpointKeys());
    c.put("redshift.cluster-identifier", "badinput");
    c.put("redshift.db-user", "loader");
    c.put("redshift.database", "dev");
    c.put("redshift.poll.initial", "20ms");
    c.put("redshift.poll.max", "200ms");
    c.put("copy.iam-role", "arn:aws:iam::123456789012:role/redshift-copy");
    StringBuilder map = new StringBuilder();
    for (Format f : Format.values()) {
      map.append(map.length() == 0 ? "" : ",").append(f.topic()).append(':').append(f.table());
    }
    c.put("tables.map", map.toString());
    c.put("tables.varchar-length", "256");
    c.put("tables.varchar-widen", "false");
    c.put("load.retry.max-attempts", Integer.toString(MAX_ATTEMPTS));
    c.put("load.retry.backoff", "10ms");
    return c;
  }

  /**
   * Separate 'once' runs until every good record is loaded or held in quarantine and every unit
   * that must be quarantined is, at most {@link #MAX_LOADER_RUNS}. Notes the first run in which
   * each unit showed as quarantined.
   */
  private void runUntilSettled(LoaderRuns loader, Warehouse warehouse, List<Sent> sent)
      throws SQLException {
    for (int run = 1; run <= MAX_LOADER_RUNS; run++) {
      loader.once();
      List<QuarantineRow> quarantine = noteQuarantine(warehouse, run);
      if (settled(warehouse, sent, quarantine)) {
        return;
      }
    }
    failures.add(
        "The loader did not settle within "
            + MAX_LOADER_RUNS
            + " 'once' runs (good records neither loaded nor "
            + "quarantined, or units that must be quarantined were not)");
  }

  private boolean settled(Warehouse warehouse, List<Sent> sent, List<QuarantineRow> quarantine)
      throws SQLException {
    Map<Format, Map<String, List<Map<String, Object>>>> rows = new EnumMap<>(Format.class);
    for (Format f : Format.values()) {
      rows.put(f, warehouse.rowsByOffset(f.table()));
    }
    for (Sent s : sent) {
      boolean held = quarantine.stream().anyMatch(q -> !q.released() && q.covers(s));
      boolean loaded = rows.get(s.format()).containsKey(s.partition() + "/" + s.offset());
      if (s.record().good() && !loaded && !held) {
        return false;
      }
      Expect e = s.record().good() ? null : s.record().kind().expected(s.format());
      if ((e == Expect.QUARANTINED || e == Expect.QUARANTINED_THEN_RELEASED) && !held
          || e == Expect.LANDS && !loaded && !held) {
        return false;
      }
    }
    return true;
  }

  private List<QuarantineRow> noteQuarantine(Warehouse warehouse, int run) throws SQLException {
    List<QuarantineRow> quarantine = warehouse.quarantine();
    quarantine.forEach(q -> firstQuarantinedInRun.putIfAbsent(Verdicts.unitKey(q), run));
    return quarantine;
  }

  /**
   * 'release' of a unit whose type conflict is not fixed must refuse and say why (naming the
   * field), instead of releasing it into another failure.
   */
  private void releaseRefusedWhileStillFailing(
      LoaderRuns loader, Warehouse warehouse, List<Sent> sent) throws SQLException {
    List<QuarantineRow> quarantine = warehouse.quarantine();
    for (Format f : Format.values()) {
      if (PoisonKind.TYPE_CHANGE.expected(f) != Expect.QUARANTINED) {
        continue; // schemaless JSON Lines: COPY rejects the row, nothing is quarantined to release
      }
      List<Sent> conflicts =
          sent.stream()
              .filter(s -> s.format() == f && s.record().kind() == PoisonKind.TYPE_CHANGE)
              .toList();
      // batches whose units hold the type conflict and no other record
      List<String> batches =
          quarantine.stream()
              .filter(q -> !q.released() && conflicts.stream().anyMatch(q::covers))
              .map(QuarantineRow::batchId)
              .distinct()
              .filter(
                  b ->
                      quarantine.stream()
                          .filter(q -> q.batchId().equals(b))
                          .noneMatch(
                              q ->
                                  sent.stream()
                                      .anyMatch(
                                          s ->
                                              s.record().kind() != PoisonKind.TYPE_CHANGE
                                                  && q.covers(s))))
              .toList();
      String expected = "refused, naming " + PoisonKind.TYPE_CHANGE.field;
      if (batches.isEmpty()) {
        loaderLines.add(
            new Verdicts.Line(
                "RELEASE_UNFIXED",
                f,
                expected,
                false,
                "no quarantined batch holds only the type conflict"));
        continue;
      }
      for (String batch : batches) {
        LoaderRuns.Run r = loader.release(batch);
        boolean refused = r.exit() != 0 && r.output().contains(PoisonKind.TYPE_CHANGE.field);
        loaderLines.add(
            new Verdicts.Line(
                "RELEASE_UNFIXED",
                f,
                expected,
                refused,
                "exit " + r.exit() + ": " + Verdicts.shorten(r.output(), 150)));
      }
    }
  }

  /**
   * The operator's fix for the 300-byte strings in Parquet and Avro: widen the column through the
   * Data API, release the quarantined batches that hold them, and run 'once' until their rows are
   * in.
   */
  private void fixAndRelease(LoaderRuns loader, Warehouse warehouse, List<Sent> sent)
      throws SQLException, InterruptedException {
    List<Sent> pinned =
        sent.stream()
            .filter(
                s ->
                    !s.record().good()
                        && s.record().kind().expected(s.format())
                            == Expect.QUARANTINED_THEN_RELEASED)
            .toList();
    for (Format f : List.of(Format.PARQUET, Format.AVRO)) {
      try {
        loader.executeSql(
            "ALTER TABLE public." + f.table() + " ALTER COLUMN name TYPE VARCHAR(1000)");
      } catch (RuntimeException e) {
        failures.add("Cannot widen " + f.table() + ".name to VARCHAR(1000): " + e.getMessage());
      }
    }
    List<String> batches =
        warehouse.quarantine().stream()
            .filter(q -> !q.released() && pinned.stream().anyMatch(q::covers))
            .map(QuarantineRow::batchId)
            .distinct()
            .toList();
    for (String batch : batches) {
      LoaderRuns.Run r = loader.release(batch);
      if (r.exit() != 0) {
        failures.add("'release --batch " + batch + "' after the fix failed: " + r.output().strip());
      }
    }
    int last = loader.history().size();
    for (int run = 1; run <= MAX_RUNS_AFTER_RELEASE; run++) {
      loader.once();
      noteQuarantine(warehouse, last + run);
      Map<Format, Map<String, List<Map<String, Object>>>> rows = new EnumMap<>(Format.class);
      for (Format f : Format.values()) {
        rows.put(f, warehouse.rowsByOffset(f.table()));
      }
      if (pinned.stream()
          .allMatch(s -> rows.get(s.format()).containsKey(s.partition() + "/" + s.offset()))) {
        return;
      }
    }
  }

  private Verdicts.Observed observe(SandboxStack stack, StagingArea staging, Warehouse warehouse)
      throws SQLException {
    Map<Format, Map<String, DlqReader.Entry>> dlq = new EnumMap<>(Format.class);
    Map<Format, Map<String, List<Map<String, Object>>>> rows = new EnumMap<>(Format.class);
    for (Format f : Format.values()) {
      dlq.put(f, DlqReader.read(stack.connect.bootstrapServers(), f.dlqTopic()));
      rows.put(f, warehouse.rowsByOffset(f.table()));
    }
    return new Verdicts.Observed(
        dlq,
        rows,
        warehouse.quarantine(),
        firstQuarantinedInRun,
        staging.quarantineReports(),
        staging.rejectObjects());
  }
}
