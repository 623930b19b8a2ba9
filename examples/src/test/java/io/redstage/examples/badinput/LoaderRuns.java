package io.redstage.examples.badinput;

import io.redstage.loader.cli.LoaderCli;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.load.Loader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The copy-loader as an operator runs it from cron: every call is a separate run of the CLI (a new
 * Loader, nothing kept in memory between runs), configured with -D overrides only.
 */
final class LoaderRuns {
  private final Map<String, String> config;
  private final List<Run> history = new ArrayList<>();

  /** One CLI run: its command, exit code and what it printed. */
  record Run(int number, String command, int exit, String output) {
    @Override
    public String toString() {
      return "run " + number + " '" + command + "' exit " + exit + ": " + output.strip();
    }
  }

  LoaderRuns(Map<String, String> config) {
    this.config = config;
  }

  Run once() {
    return execute("once");
  }

  Run release(String batchId) {
    return execute("release", "--batch", batchId);
  }

  List<Run> history() {
    return history;
  }

  /**
   * Runs one SQL statement through the Data API, as an operator fixing a table would (e.g. widening
   * a column).
   */
  void executeSql(String sql) throws InterruptedException {
    try (Loader loader = new Loader(LoaderConfig.of(config))) {
      loader.dataApi().execute(sql, "redstage-badinput-fix");
    }
  }

  private Run execute(String... command) {
    List<String> args = new ArrayList<>();
    config.forEach((k, v) -> args.add("-D" + k + "=" + v));
    args.addAll(List.of(command));
    StringWriter out = new StringWriter();
    int exit =
        LoaderCli.execute(
            args.toArray(String[]::new),
            new PrintWriter(out, true),
            new PrintWriter(out, true),
            Map.of());
    Run run = new Run(history.size() + 1, String.join(" ", command), exit, out.toString());
    history.add(run);
    System.out.println("[loader] " + run);
    return run;
  }
}
