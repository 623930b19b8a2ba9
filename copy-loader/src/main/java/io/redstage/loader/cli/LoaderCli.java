package io.redstage.loader.cli;

import io.redstage.loader.config.ConfigDocs;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.ConfigSources;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.config.LoaderConfigDef;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.metrics.MetricsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The {@code redstage-loader} command line. */
@Command(
    name = "redstage-loader",
    mixinStandardHelpOptions = true,
    // every command takes --help and --version, and shows the exit codes
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = LoaderVersion.class,
    description =
        "Loads committed Kafka units from S3 into Amazon Redshift through the Data API, exactly once.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Done.",
      "1:The command failed: S3 or the Data API past its retries or refusing the loader (the "
          + "message says what to do, or that it may pass), a batch id skip or release does not "
          + "know, a refused skip, a failed check.",
      "2:The configuration or the command line is invalid (the message names the key or option).",
      "3:once: a batch failed or was quarantined, units wait for release or skip, a table's loads "
          + "stopped, or a marker cannot be read; status: units of this configuration's topics are "
          + "quarantined or failing alone, a marker cannot be read, or a table waits for its "
          + "settings or its environment (a privilege, disk space, COPY's access to S3); release: "
          + "some units were refused."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      LoaderCli.Run.class,
      LoaderCli.Once.class,
      LoaderCli.DryRun.class,
      LoaderCli.Status.class,
      LoaderCli.Release.class,
      LoaderCli.Skip.class,
      LoaderCli.Sweep.class,
      CheckCommand.class,
      LoaderCli.ConfigDoc.class
    })
public final class LoaderCli {
  /**
   * What every command that reads or loads writes before anything else (the start-up checks), said
   * in the help of those that write nothing else: read-only credentials stop them too.
   */
  static final String PROBES =
      "the start-up probe objects (one put and deleted at once under each of "
          + LoaderConfigDef.MANIFESTS_DIR
          + ", "
          + LoaderConfigDef.QUARANTINE_DIR
          + ", "
          + LoaderConfigDef.REJECTS_DIR
          + " and, when loaded markers move there, "
          + LoaderConfigDef.MARKERS_LOADED_DIR
          + "; credentials that may not write there stop it with exit code 2)";

  @Option(
      names = {"-c", "--config"},
      description = "Config file (.properties, .yaml or .yml).",
      scope = CommandLine.ScopeType.INHERIT)
  Path configFile;

  @Option(
      names = "-D",
      description = "Config override key=value (wins over file and environment).",
      mapFallbackValue = "",
      scope = CommandLine.ScopeType.INHERIT)
  Map<String, String> overrides = new LinkedHashMap<>();

  /** Environment used for REDSTAGE_* variables; tests replace it. */
  Map<String, String> env = System.getenv();

  public static void main(String[] args) {
    System.exit(
        execute(
            args,
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            System.getenv()));
  }

  /** Runs the CLI and returns the exit code. */
  public static int execute(
      String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    LoaderCli cli = new LoaderCli();
    cli.env = new HashMap<>(env);
    CommandLine cl = new CommandLine(cli);
    // --output json as well as JSON
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ConfigException) {
            err.println(e.getMessage());
            return 2;
          }
          String message = String.valueOf(e.getMessage());
          // most messages say what could not be done themselves ("Cannot release batch ...")
          err.println(
              message.startsWith("Cannot ")
                  ? message
                  : "Cannot complete '" + cmd.getCommandName() + "': " + message);
          return 1;
        });
    return cl.execute(args);
  }

  LoaderConfig config() {
    return ConfigSources.load(configFile, env, overrides);
  }

  /** Base of the subcommands that need a loader. */
  abstract static class LoaderCommand implements Callable<Integer> {
    @ParentCommand LoaderCli parent;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      LoaderConfig config = parent.config();
      try (Loader loader = new Loader(config)) {
        return run(loader, config);
      }
    }

    abstract int run(Loader loader, LoaderConfig config) throws Exception;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /**
     * Runs a report that writes to a PrintStream and copies it to picocli's writer (which tests
     * capture).
     */
    int printReport(ReportWriter report) throws Exception {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
        report.writeTo(ps);
      }
      out().print(buf.toString(StandardCharsets.UTF_8));
      out().flush();
      return 0;
    }
  }

  @FunctionalInterface
  interface ReportWriter {
    void writeTo(PrintStream out) throws Exception;
  }

  @Command(
      name = "run",
      description =
          "Load continuously: a cycle every loop.interval, until SIGTERM (the running batch finishes first).")
  static final class Run extends LoaderCommand {
    @Option(names = "--interval", description = "Override loop.interval, e.g. 10s.")
    String interval;

    @Override
    public Integer call() throws Exception {
      if (interval != null) {
        parent.overrides.put(LoaderConfigDef.LOOP_INTERVAL, interval);
      }
      return super.call();
    }

    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      MetricsServer metrics =
          config.bool(LoaderConfigDef.METRICS_ENABLED)
              ? new MetricsServer(
                  loader.metrics(),
                  config.string(LoaderConfigDef.METRICS_HOST),
                  config.integer(LoaderConfigDef.METRICS_PORT))
              : null;
      Thread hook =
          new Thread(
              () -> {
                loader.stop();
                try {
                  loader.awaitStopped(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "redstage-loader-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        if (metrics != null) {
          out()
              .println(
                  "Metrics at http://"
                      + config.string(LoaderConfigDef.METRICS_HOST)
                      + ":"
                      + metrics.port()
                      + "/metrics");
        }
        loader.runLoop();
      } finally {
        if (metrics != null) {
          metrics.close();
        }
      }
      return 0;
    }
  }

  @Command(
      name = "once",
      description =
          "Run one cycle and exit (exit code 3 when a batch failed or was quarantined, units quarantined"
              + " before are still waiting for release or skip, a table's loads stopped, or a listed marker"
              + " cannot be read; 0 when statements that outlived redshift.statement-timeout are still"
              + " running: the next run settles them).")
  static final class Once extends LoaderCommand {
    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      CycleReport r = loader.runOnce();
      out().println(r);
      return r.batchesFailed()
                  + r.batchesQuarantined()
                  + r.unitsInQuarantine()
                  + r.tablesStopped()
                  + r.unreadableMarkers()
              > 0
          ? 3
          : 0;
    }
  }

  @Command(
      name = "dry-run",
      description =
          "Print the manifests and SQL of the next cycle (reads markers and control tables), and, in"
              + " the words of 'status', the tables it would not load (waiting for their settings,"
              + " held by a load now) or whose loads the environment stopped, and the quarantined"
              + " batches; execute nothing, and write nothing but "
              + PROBES
              + ". Exit code 0 whatever it lists: 'status' is the command whose exit code says"
              + " whether something waits for a person.")
  static final class DryRun extends LoaderCommand {
    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      return printReport(loader::dryRun);
    }
  }

  @Command(
      name = "status",
      description =
          "Show pending units, held-back units and lag per table, tables whose loads a failure of"
              + " the environment stopped, unreadable markers, units failing alone and quarantined"
              + " batches (exit code 3 when units of this configuration's topics are quarantined,"
              + " units are failing alone, a marker cannot be read, or a table waits for its"
              + " settings or its environment: something for a person to look at; 0 otherwise, a"
              + " backlog included). Quarantined batches of topics outside this configuration"
              + " (another loader's, sharing the control tables) are counted in one line and leave"
              + " the exit code alone. Writes nothing but "
              + PROBES
              + ".")
  static final class Status extends LoaderCommand {
    /** How 'status' prints what it found. */
    enum Output {
      TEXT,
      JSON
    }

    @Option(
        names = "--output",
        paramLabel = "text|json",
        defaultValue = "text",
        description =
            "text (default): a table for people; json: one JSON document on stdout, for scripts"
                + " and monitoring.")
    Output output;

    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      io.redstage.loader.load.Status s = loader.status();
      printReport(
          out -> {
            if (output == Output.JSON) {
              out.println(s.json());
            } else {
              s.printText(out);
            }
          });
      return s.needsAttention() ? 3 : 0;
    }
  }

  @Command(
      name = "release",
      description =
          "Release a quarantined batch so its units load again, each alone. Units whose files the "
              + "table still cannot take are refused with the reason (exit code 3) unless --force.")
  static final class Release extends LoaderCommand {
    @CommandLine.ArgGroup(multiplicity = "1")
    Which which;

    @Option(
        names = "--force",
        description =
            "Release units even when the schema check says they would be quarantined again.")
    boolean force;

    static final class Which {
      @Option(names = "--batch", description = "Batch id to release.", required = true)
      String batch;

      @Option(
          names = "--all",
          description =
              "Release every quarantined batch of this configuration's topics, whatever table it"
                  + " names (not those of another loader's topics, sharing the control tables).",
          required = true)
      boolean all;
    }

    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      if (which.batch != null) {
        // batch ids are written in lower case; one copied from elsewhere may not be
        which.batch = which.batch.toLowerCase(Locale.ROOT);
      }
      if (which.batch != null && !which.batch.matches("[0-9a-f-]{36}")) {
        throw new IllegalArgumentException(
            "Cannot release batch '"
                + which.batch
                + "': it is not a batch id (a UUID). Copy the id from 'status'.");
      }
      Loader.ReleaseResult r = loader.release(which.all ? null : which.batch, force);
      for (String reason : r.refused().values()) {
        out()
            .println(
                "Not released: " + reason + " Fix that first, or add --force to release anyway.");
      }
      for (String reason : r.gone().values()) {
        out().println("Not released: " + reason);
      }
      if (r.leftToOtherLoaders() > 0) {
        out()
            .println(
                "Left "
                    + r.leftToOtherLoaders()
                    + " quarantined unit(s) of topics outside this configuration (another"
                    + " loader's, sharing the control tables): release them with that loader's"
                    + " configuration.");
      }
      int notReleased = r.refused().size() + r.gone().size();
      out()
          .println(
              "Released "
                  + r.released().size()
                  + " unit(s) of "
                  + (which.all ? "all quarantined batches" : "batch " + which.batch)
                  + "; each loads alone in the next cycle"
                  + (notReleased == 0 ? "." : ", " + notReleased + " refused."));
      return notReleased == 0 ? 0 : 3;
    }
  }

  @Command(
      name = "skip",
      description =
          "Give up the units of a quarantined batch that can never load (their files are gone, or their rows must "
              + "not reach the table): their offsets are recorded as handled with 0 rows, so the later units of their "
              + "partitions load (in upsert mode they wait behind a quarantined unit), and their records never do. "
              + "It cannot be undone by a command: run it with --dry-run first, which lists the units and why "
              + "they were quarantined.")
  static final class Skip extends LoaderCommand {
    @Option(
        names = "--batch",
        description =
            "Batch id to give up; repeat it to give up several batches at once (units of different"
                + " batches that overlap can only be given up together).",
        required = true)
    List<String> batches;

    @Option(
        names = "--dry-run",
        description =
            "List the units the skip would give up, with why each was quarantined, and run its checks;"
                + " record nothing.")
    boolean dryRun;

    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      List<String> ids = new ArrayList<>();
      for (String batch : batches) {
        String id = batch.toLowerCase(Locale.ROOT);
        if (!id.matches("[0-9a-f-]{36}")) {
          throw new IllegalArgumentException(
              "Cannot skip batch '"
                  + batch
                  + "': it is not a batch id (a UUID). Copy the id from 'status'.");
        }
        ids.add(id);
      }
      String batch = String.join(", ", ids);
      Loader.SkipResult r = loader.skip(ids, dryRun);
      out().println((dryRun ? "Would give up " : "Giving up ") + r.units().size() + " unit(s):");
      for (Loader.SkippedUnit u : r.units()) {
        out()
            .println(
                "  "
                    + u.table()
                    + " "
                    + u.topic()
                    + "/"
                    + u.partition()
                    + " offsets "
                    + u.start()
                    + ".."
                    + u.end()
                    + " (marker "
                    + u.markerKey()
                    + "), quarantined: "
                    + firstLine(u.reason()));
      }
      if (dryRun) {
        out().println("Nothing recorded (--dry-run). Run again without --dry-run to give them up.");
        return 0;
      }
      r.recordedAs()
          .forEach(
              (table, id) ->
                  out()
                      .println(
                          "Skipped units of batch "
                              + batch
                              + " for "
                              + table
                              + ": recorded in the load-marker table as batch "
                              + id
                              + " with 0 rows."));
      out().println("Skipped " + r.skipped().size() + " unit(s) of batch " + batch + ".");
      return 0;
    }
  }

  /** The first line of a reason, which is what a listing of units has room for. */
  static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }

  @Command(
      name = "sweep",
      description =
          "Remove orphan data files under topics.dir once (files no marker or loaded unit lists, whose "
              + "offsets other units loaded, older than sweep.grace), with at most sweep.max-requests S3 requests; sweep.action moves or deletes them.")
  static final class Sweep extends LoaderCommand {
    @Option(
        names = "--dry-run",
        description =
            "List the orphans and what would happen to them; move and delete nothing, and write"
                + " nothing but "
                + PROBES
                + ".")
    boolean dryRun;

    @Override
    int run(Loader loader, LoaderConfig config) throws Exception {
      return printReport(loader.sweep(dryRun)::print);
    }
  }

  @Command(name = "config-docs", description = "Print the configuration reference (Markdown).")
  static final class ConfigDoc implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(ConfigDocs.markdown());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
