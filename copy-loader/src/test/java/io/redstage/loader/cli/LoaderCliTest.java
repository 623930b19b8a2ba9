package io.redstage.loader.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.config.ConfigDocs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderCliTest {
  record Run(int code, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LoaderCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void configDocsPrintsTheReference() {
    Run r = run(Map.of(), "config-docs");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(ConfigDocs.markdown());
  }

  @Test
  void badConfigExitsWithTheKeyAndNoStackTrace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("loader.properties");
    Files.writeString(
        file,
        "s3.bucket.name=b\nredshift.database=dev\nredshift.workgroup-name=wg\nbatch.max-files=0\n");
    Run r = run(Map.of(), "once", "--config", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("Cannot use '0' for config key 'batch.max-files'")
        .doesNotContain("at io.redstage");
    Run env =
        run(Map.of("REDSTAGE_S3_BUCKET_NAME", "b", "REDSTAGE_REDSHIFT_DATABASE", "dev"), "status");
    assertThat(env.code()).isEqualTo(2);
    assertThat(env.err()).contains("set exactly one of 'redshift.cluster-identifier'");
  }

  /** README: "--help on each" command; a required option must not get in the way of asking. */
  @Test
  void everyCommandTakesHelpAndShowsTheExitCodes() {
    for (String command :
        new String[] {"run", "once", "dry-run", "status", "release", "skip", "sweep", "check"}) {
      for (String[] args : new String[][] {{command, "--help"}, {"help", command}}) {
        Run r = run(Map.of(), args);
        assertThat(r.code()).as(String.join(" ", args)).isZero();
        assertThat(r.out())
            .as(String.join(" ", args))
            .contains("Usage: redstage-loader " + command)
            .contains("Exit codes:")
            .contains("3   once: a batch failed")
            .contains("status: units of");
      }
    }
  }

  /**
   * dry-run's help said it writes nothing, but like status it puts and deletes the start-up probe
   * objects, and read-only credentials stop it with exit code 2 (copy-loader/README.md).
   */
  @Test
  void theHelpOfReadingCommandsNamesTheProbeObjectsTheyWrite() {
    // without white space: picocli wraps the help, within names too ("rejects.", "dir")
    String probes =
        "nothing but the start-up probe objects (one put and deleted at once under each of"
            + " manifests.dir, quarantine.dir, rejects.dir and, when loaded markers move there,"
            + " markers.loaded.dir; credentials that may not write"
            + " there stop it with exit code 2)";
    for (String command : new String[] {"dry-run", "status", "sweep"}) {
      String help = run(Map.of(), command, "--help").out().replaceAll("\\s+", "");
      assertThat(help)
          .as(command)
          .contains(probes.replaceAll("\\s+", ""))
          .doesNotContain("writeandexecutenothing");
    }
  }

  @Test
  void statusTakesTextOrJsonOutputAndRefusesOthersAsACommandLineError() {
    Run r = run(Map.of(), "status", "--output", "xml");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--output").contains("xml");
    Run help = run(Map.of(), "status", "--help");
    assertThat(help.out()).contains("--output=text|json");
  }

  @Test
  void versionIsTheBuiltProjectVersion() {
    Run r = run(Map.of(), "--version");
    assertThat(r.code()).isZero();
    assertThat(r.out().trim())
        .matches(
            "redstage copy-loader \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?(\\+[0-9a-f]{7,}(\\.dirty)?)?");
  }

  @Test
  void anUnsetPlaceholderExitsWithTheKeyAndVariable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("loader.yaml");
    Files.writeString(
        file,
        "s3:\n  bucket.name: ${STAGING_BUCKET}\nredshift:\n  database: dev\n  workgroup-name: wg\n");
    Run r = run(Map.of(), "status", "--config", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("'s3.bucket.name'")
        .contains("STAGING_BUCKET is not set")
        .doesNotContain("at io.redstage");
  }

  @Test
  void skipNeedsOneBatchId() {
    Run r = run(Map.of(), "skip");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--batch");
  }

  @Test
  void releaseNeedsABatchIdOrAll() {
    Run r = run(Map.of(), "release");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--batch").contains("--all");
  }
}
