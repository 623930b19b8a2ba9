package io.redstage.loader.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.MarkerKeys;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

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
        .contains("it is 4096 bytes, more than any marker the connector writes (1024 bytes)");
    assertThat(scan.getRequests()).isZero();
    assertThat(s3.requestCount(ObjectOperation.GET_OBJECT)).isZero();
    assertThat(scan.unreadableFrom()).containsKey(new TopicPartition("big", 0));
  }

  /**
   * An object listed at a marker's size but larger when read (replaced between the listing and the
   * GET, here a listing that says so) is read no further than a marker can be.
   */
  @Test
  void anObjectLargerWhenReadThanListedIsReadNoFurtherThanAMarker() {
    String key = MarkerKeys.markerKey("_redstage/markers", "grown", 0, 0, 9);
    s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(new byte[4096]));
    S3Client real = s3.client();
    S3Client listingSmall =
        (S3Client)
            Proxy.newProxyInstance(
                S3Client.class.getClassLoader(),
                new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                  Object out;
                  try {
                    out = method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                  if (out instanceof ListObjectsV2Response) {
                    ListObjectsV2Response r = (ListObjectsV2Response) out;
                    return r.toBuilder()
                        .contents(
                            r.contents().stream()
                                .map(o -> o.toBuilder().size(10L).build())
                                .toList())
                        .build();
                  }
                  return out;
                });
    MarkerScanner scanner =
        new MarkerScanner(
            listingSmall,
            BUCKET,
            "_redstage/markers",
            List.of("grown"),
            Pattern.compile(".*"),
            1024);

    MarkerScanner.ScanResult scan = scanner.scan();

    assertThat(scan.units()).isEmpty();
    assertThat(scan.rejected().get(key))
        .contains("it is over 1024 bytes, more than any marker the connector writes");
  }
}
