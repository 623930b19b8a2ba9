package io.redstage.loader.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.MarkerCodec;
import io.redstage.loader.TestUnits;
import io.redstage.sandbox.s3.LocalS3;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Markers the scanner has not read yet are read several at once: a first scan of a long history (a
 * restart, or a CLI command, which starts without the cache) read them one after another. Against
 * S3Proxy, through a client that counts the GETs in flight.
 */
class MarkerScannerReadsTest {
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(TestUnits.BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void markersNotReadYetAreReadSeveralAtOnceAndListedInOrder() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Unit u = TestUnits.simple("many", 0, i * 10L, i * 10L + 9);
      s3.client()
          .putObject(
              b -> b.bucket(TestUnits.BUCKET).key(u.markerKey()),
              RequestBody.fromBytes(MarkerCodec.toJson(u.marker())));
      keys.add(u.markerKey());
    }
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    // each GET waits (at most 5 s) until four are in flight: read one after another, the scan
    // would see one at a time
    CountDownLatch four = new CountDownLatch(4);
    S3Client real = s3.client();
    S3Client observed =
        (S3Client)
            Proxy.newProxyInstance(
                S3Client.class.getClassLoader(),
                new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                  boolean get = method.getName().equals("getObject");
                  if (get) {
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    four.countDown();
                    four.await(5, TimeUnit.SECONDS);
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  } finally {
                    if (get) {
                      inFlight.decrementAndGet();
                    }
                  }
                });
    MarkerScanner scanner =
        new MarkerScanner(
            observed, TestUnits.BUCKET, TestUnits.MARKERS, List.of("many"), Pattern.compile(".*"));

    MarkerScanner.ScanResult scan = scanner.scan();

    assertThat(scan.units()).extracting(Unit::markerKey).containsExactlyElementsOf(keys);
    assertThat(scan.getRequests()).isEqualTo(12);
    assertThat(mostInFlight.get()).isGreaterThanOrEqualTo(4);
    assertThat(scanner.scan().getRequests()).as("read once: the cache holds them").isZero();
  }
}
