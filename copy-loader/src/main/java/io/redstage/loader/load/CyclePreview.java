package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.manifest.CopyManifest;
import io.redstage.loader.sql.DeleteFlagTypeException;
import io.redstage.loader.sql.IncompatibleSchemaException;
import io.redstage.loader.sql.TablePlan;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import io.redstage.loader.sql.TableSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 'dry-run' view: what the next cycle would do, planned as a cycle plans it (manifests and SQL
 * per batch, units the schema check would set aside), without writing anything. The tables a cycle
 * would not load (waiting for their settings, stopped by their environment, held by a load now) and
 * the quarantined batches come first and last, in the words of 'status'.
 */
final class CyclePreview {
  private final LoadCycle.Parts p;

  CyclePreview(LoadCycle.Parts parts) {
    this.p = parts;
  }

  void print(PrintStream out) throws InterruptedException {
    MarkerScanner.ScanResult scan = p.scanner().scan();
    ControlReader.ReadOnlyState read =
        p.reader().readOnlyState(scan.units(), scan.unreadable(), t -> p.planner().tableOf(t));
    boolean control = read.control();
    LoadState state = read.state();
    FailureLog.Rows rows = control ? p.failureLog().readIfPresent() : FailureLog.Rows.NONE;
    p.failures().restore(rows.units());
    CyclePlanner.Plan plan =
        p.planner().plan(read.units(), scan.unreadable(), state, p.clock().millis());
    Map<TableRef, String> waiting = TableGuards.waitingForSettings(plan, p.settings(), p.reader());
    List<TableRef> loading = new ArrayList<>(plan.batches().keySet());
    loading.removeAll(waiting.keySet());
    Map<TableRef, TableSchema> schemas =
        loading.isEmpty() ? Map.of() : p.reader().describe(loading);
    p.reader().readSchemasOf(loading, schemas, p.evolution().existingSchemas());
    out.println(
        "-- dry run: "
            + scan.units().size()
            + " unit(s) listed, "
            + plan.loaded().size()
            + " already loaded, "
            + plan.pendingUnits()
            + " pending; nothing is written or executed");
    // the tables a cycle would not load or would stop at, in the words of 'status'
    List<Status.TableWaiting> waitingList = new ArrayList<>();
    waiting.forEach((t, why) -> waitingList.add(new Status.TableWaiting(t.name(), why)));
    StatusReport.printWaitingForSettings(waitingList, out, "-- ");
    Set<String> pendingTables = new HashSet<>();
    plan.backlog().keySet().forEach(t -> pendingTables.add(t.name()));
    read.loading().keySet().forEach(t -> pendingTables.add(t.name()));
    StatusReport.printEnvironmentFailures(
        StatusReport.environmentFailures(p.reader(), rows.tables(), pendingTables), out, "-- ");
    read.loading()
        .forEach(
            (t, lock) ->
                out.println(
                    "-- would leave out "
                        + t.name()
                        + ": a load holds its lock now ("
                        + lock.holder()
                        + ")"));
    for (Map.Entry<TableRef, List<Batch>> e : plan.batches().entrySet()) {
      if (waiting.containsKey(e.getKey())) {
        continue; // listed above: a cycle does not load it
      }
      TableSettings settings =
          p.settings()
              .settings(
                  e.getKey(), e.getValue().stream().flatMap(b -> b.units().stream()).toList());
      TableSchema schema = schemas.get(e.getKey());
      // as a cycle does: in upsert mode a unit that would be quarantined, or load in a later batch,
      // holds its partition's later units back
      FailedBatches holds = new FailedBatches(p, e.getKey(), new LoadCycle.Tally());
      holds.use(settings);
      SchemaScreen.OnConflict holding = holds.holdingPartitions();
      for (Batch planned : e.getValue()) {
        out.println();
        out.println("-- " + planned.describe());
        SchemaScreen.Verdict v =
            p.screen().screen(e.getKey(), schema, planned.units(), settings, holding);
        for (Unit u : planned.units()) {
          if (!v.accepted().contains(u)
              && !v.conflicts().containsKey(u)
              && !v.deferred().contains(u)) {
            out.println("-- would wait for an earlier unit of its partition: " + u.id());
          }
        }
        v.conflicts()
            .values()
            .forEach(reason -> out.println("-- would quarantine alone: " + reason));
        v.deferred()
            .forEach(
                u ->
                    out.println(
                        "-- would load in a later batch (it fits the table, not beside this"
                            + " batch's other units): "
                            + u.id()));
        if (v.accepted().isEmpty()) {
          continue;
        }
        Batch b =
            v.accepted().size() == planned.units().size()
                ? planned
                : p.builder().build(e.getKey(), v.accepted());
        try {
          TablePlan tp = p.evolution().plan(b.table(), schema, b.fileSchemas(), settings);
          List<String> urls = p.executor().manifestUrls(b);
          for (int i = 0; i < b.groups().size(); i++) {
            out.println("-- manifest " + urls.get(i));
            out.println(new String(CopyManifest.json(b.groups().get(i)), StandardCharsets.UTF_8));
          }
          for (String sql : p.executor().statements(b, tp, settings)) {
            out.println(sql + ";");
          }
          schema = TableLoad.afterDdl(schema, tp);
        } catch (IncompatibleSchemaException | IllegalArgumentException ex) {
          out.println("-- would split or quarantine: " + ex.getMessage());
        } catch (DeleteFlagTypeException ex) {
          // a setting the table's columns contradict: the table waits, nothing is quarantined
          out.println("-- the table waits for its settings: " + ex.getMessage());
        }
      }
    }
    if (control) {
      QuarantineListing.Split q = QuarantineListing.read(p.reader(), p.scanner());
      QuarantineListing.print(q.ours(), out, "-- ");
      QuarantineListing.printOthers(q.others(), out, "-- ");
    }
  }
}
