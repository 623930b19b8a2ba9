package io.redstage.examples.quickstart;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one-command local pipeline: Kafka -> Redstage connector -> S3 -> copy-loader -> Redshift, all
 * in this JVM on the sandbox stand-ins, with sample ad events, page views and a CDC stream. Run it
 * with {@code ./quickstart.sh}.
 */
@Command(
    name = "quickstart",
    sortOptions = false,
    description = {
      "Runs the whole Redstage pipeline locally: S3 (S3Proxy), the Redshift Data API over PostgreSQL, a Kafka "
          + "broker and a Connect worker with the Redstage connector loaded from its plugin ZIP, and the copy-loader. "
          + "Produces sample data, shows progress, and prints a summary with freshness and how to query the tables."
    })
public final class Quickstart implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--exit-when-done",
      description =
          "Stop and exit once every record is queryable (exit code 0 when the "
              + "warehouse matches what was produced). Default: keep the sandbox running for queries until Enter or Ctrl-C.")
  boolean exitWhenDone;

  @Option(
      names = "--keep-running",
      description =
          "Keep the sandbox running after the summary until Enter or Ctrl-C (the default "
              + "unless --exit-when-done).")
  boolean keepRunning;

  @Option(
      names = "--records",
      paramLabel = "N",
      description = "Records to produce across all streams (default ${DEFAULT-VALUE}).")
  long records = 10_000;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      description = "Records produced per second (default ${DEFAULT-VALUE}).")
  int rate = 500;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "Seed of the sample data generators (default ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(
      names = "--plugin",
      paramLabel = "ZIP_OR_DIR",
      description =
          "Connector plugin ZIP or unpacked plugin directory "
              + "(default: connector/target/redstage-kafka-connect-s3-*.zip).")
  Path plugin;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description =
          "How long to wait for every record to be queryable, e.g. 90s or 10m (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--postgres-port",
      paramLabel = "PORT",
      description =
          "PostgreSQL port of the Redshift stand-in; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int postgresPort = 0;

  @Option(
      names = "--progress-interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      description = "Time between progress lines (default ${DEFAULT-VALUE}).")
  Duration progressInterval;

  private final PrintStream out;

  /**
   * Runs in exit mode after the summary, before the sandbox stops: lets the end-to-end test query
   * it.
   */
  Consumer<QuickstartRun> beforeStop = run -> {};

  Quickstart(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    // quiet third-party logging unless asked otherwise; the quickstart prints its own progress
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "error"));
    System.setProperty(
        "org.slf4j.simpleLogger.log.io.redstage",
        System.getProperty("org.slf4j.simpleLogger.log.io.redstage", "warn"));
    int code = command(new Quickstart(System.out)).execute(args);
    System.exit(code);
  }

  static CommandLine command(Quickstart quickstart) {
    return new CommandLine(quickstart).registerConverter(Duration.class, Quickstart::duration);
  }

  /** Durations as 90s, 5m, 500ms or ISO-8601 (PT5M). */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("pt")) {
      return Duration.parse(t);
    }
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(t);
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "Cannot read duration '" + text + "': use e.g. 500ms, 90s, 5m or 1h.");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** True once Enter is pressed; false when stdin has no console (at end or unreadable). */
  private static boolean awaitEnter() {
    try {
      return System.in.read() >= 0;
    } catch (IOException e) {
      return false;
    }
  }

  Settings settings() {
    return new Settings(records, rate, seed, plugin, timeout, postgresPort, progressInterval);
  }

  @Override
  public Integer call() throws Exception {
    if (exitWhenDone && keepRunning) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "Cannot use --exit-when-done with --keep-running: pick one.");
    }
    QuickstartRun run = new QuickstartRun(settings(), out);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              run.close();
              stopped.countDown();
            },
            "quickstart-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Summary summary;
    boolean keepUp = false;
    try {
      summary = run.execute();
      keepUp = !exitWhenDone;
      if (!keepUp) {
        beforeStop.accept(run);
      }
    } catch (RuntimeException | InterruptedException e) {
      out.println("Cannot complete the quickstart: " + e.getMessage());
      throw e;
    } finally {
      if (!keepUp) {
        // stop here rather than in the hook: Kafka's own exit hooks would race with a late shutdown
        Runtime.getRuntime().removeShutdownHook(hook);
        run.close();
      }
    }
    if (keepUp) {
      run.printEndpoints();
      if (awaitEnter()) {
        Runtime.getRuntime().removeShutdownHook(hook);
        run.close();
      } else {
        stopped.await(); // Ctrl-C: the hook stops the run
      }
    }
    return summary.exactlyOnce() ? 0 : 1;
  }
}
