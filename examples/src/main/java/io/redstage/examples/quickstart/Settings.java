package io.redstage.examples.quickstart;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a quickstart run behaves.
 *
 * @param records records to produce across all scenarios
 * @param ratePerSecond records produced per second
 * @param seed seed of the data generators (same seed, same data)
 * @param plugin the connector plugin ZIP or directory; null finds
 *     connector/target/redstage-kafka-connect-s3-*.zip
 * @param timeout how long to wait for everything to be queryable before giving up
 * @param postgresPort PostgreSQL port of the Redshift stand-in, 0 for any free port
 * @param progressInterval time between progress lines
 */
record Settings(
    long records,
    int ratePerSecond,
    long seed,
    Path plugin,
    Duration timeout,
    int postgresPort,
    Duration progressInterval) {

  Settings {
    if (records < 10) {
      throw new IllegalArgumentException(
          "Cannot run the quickstart with --records " + records + ": use at least 10.");
    }
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException(
          "Cannot run the quickstart with --rate " + ratePerSecond + ": use at least 1.");
    }
  }
}
