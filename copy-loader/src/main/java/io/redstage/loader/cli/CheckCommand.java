package io.redstage.loader.cli;

import static io.redstage.loader.config.LoaderConfigDef.REDSHIFT_RETRY_MAX_ATTEMPTS;

import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.check.CheckResult;
import io.redstage.loader.check.LoaderCheck;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.redshift.DataApi;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code check}: each thing the loader needs from AWS, OK, WARN or FAIL with the fix. */
@Command(
    name = "check",
    description =
        "Check credentials, bucket access on the loader's prefixes, the Data API, the COPY role (a probe COPY), "
            + "COPY of Avro times and bytes (probe COPYs; a WARN, as they concern format.class=avro only) and "
            + "the privileges on target.schema and control.schema; print OK, WARN, FAIL or SKIP for each, with "
            + "the fix for a WARN or FAIL. Exit code 1 when a check failed (a WARN does not), 2 for a config "
            + "error.")
final class CheckCommand implements Callable<Integer> {
  /**
   * A check should answer in seconds: an unreachable endpoint is tried twice, not retried at
   * length.
   */
  static final String CHECK_ATTEMPTS = "2";

  @ParentCommand LoaderCli parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    parent.overrides.putIfAbsent(REDSHIFT_RETRY_MAX_ATTEMPTS, CHECK_ATTEMPTS);
    LoaderConfig config = parent.config();
    PrintWriter out = spec.commandLine().getOut();
    List<CheckResult> results;
    try (AwsClients clients = new AwsClients(config)) {
      DataApi api = DataApi.of(config, clients.redshiftData(), DataApi.Sleeper.THREAD);
      results = new LoaderCheck(config, clients, api).run();
    }
    results.forEach(out::println);
    long failed = results.stream().filter(r -> r.status() == CheckResult.Status.FAIL).count();
    long skipped = results.stream().filter(r -> r.status() == CheckResult.Status.SKIP).count();
    long warned = results.stream().filter(r -> r.status() == CheckResult.Status.WARN).count();
    out.println(
        (results.size() - failed - skipped - warned)
            + " OK, "
            + failed
            + " failed, "
            + (warned == 0 ? "" : warned + " warning(s), ")
            + skipped
            + " skipped.");
    out.flush();
    return failed > 0 ? 1 : 0;
  }
}
