package io.redstage.loader.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.MarkerKeys;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * An object with a marker's name larger than any marker is not read: read whole on every scan, a
 * large one could exhaust the loader's heap. Against S3Proxy.
 */
class MarkerScannerLimitsTest {
  static final String BUCKET = "limits";
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void anObjectLargerThanAnyMarkerIsRejectedUnread() {
    String key = MarkerKeys.markerKey("_redstage/markers", "big", 0, 0, 9);
    s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(new byte[4096]));
    MarkerScanner scanner =
        new MarkerScanner(
            s3.client(), BUCKET, "_redstage/markers", List.of("big"), Pattern.compile(".*"), 1024);
    s3.resetRequestCounts();

    MarkerScanner.ScanResult scan = scanner.scan();

    assertThat(scan.units()).isEmpty();
    assertThat(scan.rejected().get(key))
        .contains("it is 4096 bytes, more than any marker the connector writes (1024)");
    assertThat(scan.getRequests()).isZero();
    assertThat(s3.requestCount(ObjectOperation.GET_OBJECT)).isZero();
    assertThat(scan.unreadableFrom()).containsKey(new TopicPartition("big", 0));
  }
}
