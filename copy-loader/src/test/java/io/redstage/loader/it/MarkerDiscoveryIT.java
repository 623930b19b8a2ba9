package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.TestUnits;
import io.redstage.loader.discovery.MarkerRetention;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Discovery against a real S3 API (S3Proxy): the loader lists only the markers prefix, GETs each
 * marker once, and after retention the loaded markers leave the prefix so that per-cycle requests
 * stay flat.
 */
class MarkerDiscoveryIT {
  static final String BUCKET = "staging";
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  static MarkerRetention retention(
      S3Client client, Duration window, MarkerRetention.Action action) {
    return new MarkerRetention(
        client, BUCKET, TestUnits.MARKERS, "_redstage/markers-loaded", window, action);
  }

  static void put(S3Client client, Unit u) {
    client.putObject(
        b -> b.bucket(BUCKET).key(u.markerKey()),
        RequestBody.fromBytes(MarkerCodec.toJson(u.marker())));
  }

  @Test
  void listsOnlyMarkersCachesParsedOnesAndRetiresLoadedOnes() {
    S3Client client = s3.client();
    String topic = "disc-" + System.nanoTime();
    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Unit u = TestUnits.simple(topic, i % 3, i * 100L, i * 100L + 99);
      units.add(u);
      put(client, u);
      // a data file next to the markers must never be listed by the loader
      client.putObject(
          b -> b.bucket(BUCKET).key("topics/" + u.markerKey()), RequestBody.fromString("data"));
    }
    client.putObject(
        b ->
            b.bucket(BUCKET)
                .key(
                    TestUnits.MARKERS
                        + "/"
                        + topic
                        + "/0000000000/"
                        + "00000000000000099999+00000000000000099999.json"),
        RequestBody.fromString("{not json"));
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));

    s3.resetRequestCounts();
    MarkerScanner.ScanResult first = scanner.scan();
    assertThat(first.units()).hasSize(30);
    assertThat(first.rejected())
        .hasSize(1)
        .allSatisfy((k, v) -> assertThat(v).contains("Cannot read commit marker"));
    assertThat(first.unreadableFrom())
        .as("upsert tables hold this partition's units from the unreadable one on")
        .containsExactly(entry(new TopicPartition(topic, 0), 99_999L));
    assertThat(first.listRequests()).isEqualTo(1);
    assertThat(first.getRequests()).isEqualTo(31);
    assertThat(s3.requestCount(ObjectOperation.LIST_OBJECTS)).isEqualTo(1);
    assertThat(s3.requestCount(ObjectOperation.GET_OBJECT)).isEqualTo(31);

    MarkerScanner.ScanResult second = scanner.scan();
    assertThat(second.units()).hasSize(30);
    assertThat(second.getRequests()).as("parsed and rejected markers are cached").isZero();

    MarkerRetention retention = retention(client, Duration.ofHours(1), MarkerRetention.Action.MOVE);
    long committedAt = units.get(0).marker().committedAtMs();
    assertThat(
            retention
                .apply(units.subList(0, 20), committedAt + Duration.ofMinutes(59).toMillis())
                .removedKeys())
        .as("younger than retention")
        .isEmpty();
    MarkerRetention.Result moved =
        retention.apply(units.subList(0, 20), committedAt + Duration.ofHours(1).toMillis());
    assertThat(moved.removedKeys()).hasSize(20);
    moved.removedKeys().forEach(scanner::forget);
    assertThat(
            client
                .headObject(
                    b -> b.bucket(BUCKET).key(retention.loadedKey(units.get(0).markerKey())))
                .contentLength())
        .isPositive();

    s3.resetRequestCounts();
    MarkerScanner.ScanResult third = scanner.scan();
    assertThat(third.units())
        .extracting(Unit::markerKey)
        .containsExactlyInAnyOrderElementsOf(
            units.subList(20, 30).stream().map(Unit::markerKey).toList());
    assertThat(s3.requestCount(ObjectOperation.GET_OBJECT)).isZero();
  }

  /**
   * A replay after a settings change rewrites a unit's marker under the same key with other file
   * sizes: the scanner reads it again (its ETag changed) instead of keeping the sizes it cached. A
   * rejected marker fixed in place is read again too.
   */
  @Test
  void aMarkerRewrittenUnderItsKeyIsReadAgain() {
    S3Client client = s3.client();
    String topic = "rewritten-" + System.nanoTime();
    Unit u = TestUnits.simple(topic, 0, 0, 99);
    put(client, u);
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    assertThat(scanner.scan().units().get(0).marker().files().get(0).bytes()).isEqualTo(1000);

    byte[] resized =
        new String(MarkerCodec.toJson(u.marker()), java.nio.charset.StandardCharsets.UTF_8)
            .replace("\"bytes\":1000", "\"bytes\":1234")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    client.putObject(b -> b.bucket(BUCKET).key(u.markerKey()), RequestBody.fromBytes(resized));
    MarkerScanner.ScanResult again = scanner.scan();
    assertThat(again.getRequests()).isEqualTo(1);
    assertThat(again.units().get(0).marker().files().get(0).bytes()).isEqualTo(1234);
    assertThat(scanner.scan().getRequests()).as("unchanged: cached").isZero();

    client.putObject(b -> b.bucket(BUCKET).key(u.markerKey()), RequestBody.fromString("{not json"));
    MarkerScanner.ScanResult broken = scanner.scan();
    assertThat(broken.units()).isEmpty();
    assertThat(broken.rejected()).containsOnlyKeys(u.markerKey());
    assertThat(scanner.scan().getRequests()).as("rejected as is: not read again").isZero();
    put(client, u);
    MarkerScanner.ScanResult fixed = scanner.scan();
    assertThat(fixed.units()).hasSize(1);
    assertThat(fixed.rejected()).isEmpty();
    assertThat(fixed.unreadableFrom()).isEmpty();
  }

  /**
   * A marker whose metadata column Redshift cannot name (here 200 bytes) stopped its whole table
   * every cycle, since a cycle's units share the metadata names; it is an unreadable marker now.
   */
  @Test
  void aMarkerWithAMetadataColumnRedshiftCannotNameIsUnreadable() {
    S3Client client = s3.client();
    String topic = "badmeta-" + System.nanoTime();
    Unit good = TestUnits.simple(topic, 0, 0, 99);
    put(client, good);
    Unit bad = TestUnits.simple(topic, 0, 100, 199);
    String json =
        new String(MarkerCodec.toJson(bad.marker()), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).contains("\"kafka_offset\"");
    client.putObject(
        b -> b.bucket(BUCKET).key(bad.markerKey()),
        RequestBody.fromString(json.replace("\"kafka_offset\"", "\"" + "o".repeat(200) + "\"")));
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));

    MarkerScanner.ScanResult scan = scanner.scan();
    assertThat(scan.units()).containsExactly(good);
    assertThat(scan.rejected())
        .containsOnlyKeys(bad.markerKey())
        .allSatisfy(
            (k, v) ->
                assertThat(v)
                    .contains("Cannot use commit marker s3://")
                    .contains("its offset column name is not one Redshift takes")
                    .contains("200 bytes long"));
    assertThat(scan.unreadableFrom()).containsExactly(entry(new TopicPartition(topic, 0), 100L));
  }

  /**
   * A marker S3 refuses to return (here 403: a policy or KMS key the loader may not use) stopped
   * every scan, so every table; now only its unit waits, and it is read again once S3 allows it.
   */
  @Test
  void aMarkerS3RefusesIsUnreadableUntilS3AllowsIt() {
    S3Client client = s3.client();
    String topic = "refused-" + System.nanoTime();
    Unit good = TestUnits.simple(topic, 0, 0, 99);
    Unit refused = TestUnits.simple(topic, 1, 0, 99);
    put(client, good);
    put(client, refused);
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    FaultRule denied =
        s3.faults()
            .failAlways(
                S3Fault.ACCESS_DENIED,
                RequestMatcher.operations(ObjectOperation.GET_OBJECT)
                    .bucket(BUCKET)
                    .keyPrefix(refused.markerKey()));
    try {
      MarkerScanner.ScanResult scan = scanner.scan();
      assertThat(scan.units()).containsExactly(good);
      assertThat(scan.rejected())
          .containsOnlyKeys(refused.markerKey())
          .allSatisfy(
              (k, v) ->
                  assertThat(v)
                      .startsWith("Cannot read commit marker s3://" + BUCKET + "/" + k)
                      .contains("HTTP 403 AccessDenied")
                      .contains("Grant the loader s3:GetObject on markers.dir"));
      assertThat(scan.unreadableFrom()).containsExactly(entry(new TopicPartition(topic, 1), 0L));
    } finally {
      s3.faults().remove(denied);
    }

    MarkerScanner.ScanResult after = scanner.scan();
    assertThat(after.units()).containsExactlyInAnyOrder(good, refused);
    assertThat(after.rejected()).isEmpty();
  }

  /**
   * An answer about the call itself (here expired credentials) comes for every marker alike: the
   * scan fails, and the cycle is retried, instead of each marker being rejected as unreadable.
   */
  @Test
  void aMarkerReadRefusedForTheCallFailsTheScan() {
    S3Client client = s3.client();
    String topic = "expired-" + System.nanoTime();
    Unit unit = TestUnits.simple(topic, 0, 0, 99);
    put(client, unit);
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    FaultRule expired =
        s3.faults()
            .failAlways(
                S3Fault.EXPIRED_TOKEN,
                RequestMatcher.operations(ObjectOperation.GET_OBJECT)
                    .bucket(BUCKET)
                    .keyPrefix(unit.markerKey()));
    try {
      assertThatThrownBy(scanner::scan)
          .isInstanceOfSatisfying(
              S3Exception.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken"));
    } finally {
      s3.faults().remove(expired);
    }
    assertThat(scanner.scan().units()).containsExactly(unit);
  }

  @Test
  void callersThatAskWhileAListingRunsShareTheNextOne() {
    S3Client client = s3.client();
    String topic = "shared-" + System.nanoTime();
    put(client, TestUnits.simple(topic, 0, 0, 9));
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    long askedBefore = System.nanoTime();
    MarkerScanner.ScanResult first = scanner.scan();
    s3.resetRequestCounts();
    assertThat(scanner.scanStartedAfter(askedBefore))
        .as("a listing that started after the ask is fresh enough")
        .isSameAs(first);
    assertThat(s3.requestCount(ObjectOperation.LIST_OBJECTS)).isZero();

    put(client, TestUnits.simple(topic, 0, 10, 19));
    MarkerScanner.ScanResult later = scanner.scanStartedAfter(System.nanoTime());
    assertThat(later.units()).as("a listing older than the ask is not").hasSize(2);
    assertThat(s3.requestCount(ObjectOperation.LIST_OBJECTS)).isEqualTo(1);
  }

  /**
   * Markers are moved in parallel, and one S3 will not copy stays listed as loaded while the others
   * leave: before, the first failure ended the whole retention pass, and every copy made before it
   * was made again next cycle.
   */
  @Test
  void aMarkerThatCannotMoveStaysAndTheOthersMove() {
    S3Client client = s3.client();
    String topic = "retain-" + System.nanoTime();
    List<Unit> units = putUnits(client, topic, 40, 4);
    MarkerRetention retention = retention(client, Duration.ZERO, MarkerRetention.Action.MOVE);
    Unit stuck = units.get(7);
    FaultRule refused =
        s3.faults()
            .failAlways(
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.COPY_OBJECT)
                    .keyPrefix(retention.loadedKey(stuck.markerKey())));
    try {
      MarkerRetention.Result first = retention.apply(units, Long.MAX_VALUE / 2);
      assertThat(first.removedKeys()).hasSize(39).doesNotContain(stuck.markerKey());
    } finally {
      s3.faults().remove(refused);
    }
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    assertThat(scanner.scan().units()).containsExactly(stuck);
    assertThat(retention.apply(List.of(stuck), Long.MAX_VALUE / 2).removedKeys())
        .containsExactly(stuck.markerKey());
    assertThat(scanner.scan().units()).isEmpty();
  }

  /**
   * S3 refusing some keys of a quiet DeleteObjects answers 200 with an error per key (a policy
   * without s3:DeleteObject on markers.dir): those markers stay listed, and must not count as gone
   * (they were forgotten by the scanner and counted as retired, and moved again every cycle).
   */
  @Test
  void markersS3RefusesToDeleteAreNotCountedAsGone() {
    S3Client real = s3.client();
    String topic = "refused-" + System.nanoTime();
    List<Unit> units = threeUnits(real, topic);
    S3Client refusing = refusingDeletesOf(real, units.get(1).markerKey(), new AtomicInteger());
    MarkerRetention retention = retention(refusing, Duration.ZERO, MarkerRetention.Action.DELETE);

    assertThat(retention.apply(units, Long.MAX_VALUE / 2).removedKeys())
        .containsExactly(units.get(0).markerKey(), units.get(2).markerKey());
  }

  /**
   * A marker moved whose delete S3 refuses is not copied again by every later cycle: only its
   * delete is tried again, and once S3 takes it the marker is gone.
   */
  @Test
  void aMovedMarkerS3RefusesToDeleteIsNotCopiedAgain() {
    S3Client real = s3.client();
    String topic = "refused-move-" + System.nanoTime();
    List<Unit> units = threeUnits(real, topic);
    AtomicInteger copies = new AtomicInteger();
    S3Client refusing = refusingDeletesOf(real, units.get(1).markerKey(), copies);
    MarkerRetention retention = retention(refusing, Duration.ZERO, MarkerRetention.Action.MOVE);

    assertThat(retention.apply(units, Long.MAX_VALUE / 2).removedKeys())
        .containsExactly(units.get(0).markerKey(), units.get(2).markerKey());
    assertThat(copies).hasValue(3);
    for (int cycle = 0; cycle < 3; cycle++) {
      assertThat(retention.apply(List.of(units.get(1)), Long.MAX_VALUE / 2).removedKeys())
          .isEmpty();
    }
    assertThat(copies).as("CopyObject calls after the first cycle").hasValue(3);
    assertThat(
            real.headObject(
                b -> b.bucket(BUCKET).key(retention.loadedKey(units.get(1).markerKey()))))
        .isNotNull();

    MarkerRetention granted = retention(real, Duration.ZERO, MarkerRetention.Action.MOVE);
    assertThat(granted.apply(List.of(units.get(1)), Long.MAX_VALUE / 2).removedKeys())
        .containsExactly(units.get(1).markerKey());
  }

  /**
   * S3 refusing every copy to markers.loaded.dir (a role without s3:PutObject there) cost a copy
   * per loaded marker per cycle, each refused, while the markers piled up: after the first refusals
   * a cycle tries one copy, and once S3 takes copies again every marker moves.
   */
  @Test
  void copiesS3RefusesAreTriedOnceACycleUntilOneGoesThrough() {
    S3Client client = s3.client();
    String topic = "refused-copy-" + System.nanoTime();
    List<Unit> units = putUnits(client, topic, 20, 2);
    MarkerRetention retention = retention(client, Duration.ZERO, MarkerRetention.Action.MOVE);
    FaultRule refused =
        s3.faults()
            .failAlways(
                S3Fault.ACCESS_DENIED,
                RequestMatcher.operations(ObjectOperation.COPY_OBJECT)
                    .keyPrefix(retention.loadedKey(TestUnits.MARKERS + "/" + topic)));
    s3.resetRequestCounts();
    try {
      assertThat(retention.apply(units, Long.MAX_VALUE / 2).removedKeys()).isEmpty();
      long firstCycle = s3.requestCount(ObjectOperation.COPY_OBJECT);
      assertThat(firstCycle).as("copies of the first cycle").isEqualTo(20);
      for (int cycle = 0; cycle < 3; cycle++) {
        assertThat(retention.apply(units, Long.MAX_VALUE / 2).removedKeys()).isEmpty();
      }
      assertThat(s3.requestCount(ObjectOperation.COPY_OBJECT) - firstCycle)
          .as("copies of three later cycles")
          .isEqualTo(3);
    } finally {
      s3.faults().remove(refused);
    }
    assertThat(retention.apply(units, Long.MAX_VALUE / 2).removedKeys()).hasSize(20);
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    assertThat(scanner.scan().units()).isEmpty();
  }

  /**
   * {@code real}, except that a quiet DeleteObjects refuses {@code key} as S3 does for a policy
   * without s3:DeleteObject (200, with an error for that key), and CopyObject calls are counted.
   */
  private static S3Client refusingDeletesOf(S3Client real, String key, AtomicInteger copies) {
    return (S3Client)
        Proxy.newProxyInstance(
            S3Client.class.getClassLoader(),
            new Class<?>[] {S3Client.class},
            (proxy, method, args) -> {
              if (method.getName().equals("copyObject")) {
                copies.incrementAndGet();
              }
              if (method.getName().equals("deleteObjects")) {
                DeleteObjectsRequest asked;
                if (args[0] instanceof DeleteObjectsRequest r) {
                  asked = r;
                } else {
                  DeleteObjectsRequest.Builder b = DeleteObjectsRequest.builder();
                  @SuppressWarnings("unchecked")
                  Consumer<DeleteObjectsRequest.Builder> fill =
                      (Consumer<DeleteObjectsRequest.Builder>) args[0];
                  fill.accept(b);
                  asked = b.build();
                }
                List<ObjectIdentifier> others =
                    asked.delete().objects().stream().filter(o -> !o.key().equals(key)).toList();
                List<S3Error> errors = new ArrayList<>();
                if (!others.isEmpty()) {
                  // the other keys are deleted for real
                  errors.addAll(
                      real.deleteObjects(
                              asked.toBuilder()
                                  .delete(asked.delete().toBuilder().objects(others).build())
                                  .build())
                          .errors());
                }
                if (others.size() < asked.delete().objects().size()) {
                  errors.add(
                      S3Error.builder()
                          .key(key)
                          .code("AccessDenied")
                          .message("Access Denied")
                          .build());
                }
                return DeleteObjectsResponse.builder().errors(errors).build();
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /**
   * A marker's partition is its key's partition folder, not any folder of that name: a topic called
   * 0000000003 held a marker of partition 3 filed under partition 5. And a stray object in a folder
   * the connector never writes ("3", not 0000000003) no longer holds back partition 3 of an upsert
   * table as an unreadable unit.
   */
  @Test
  void thePartitionIsTheKeysPartitionFolder() {
    S3Client client = s3.client();
    String topic = "0000000003";
    Unit misfiled = TestUnits.simple(topic, 3, 0, 9);
    String wrongKey = MarkerKeys.markerKey(TestUnits.MARKERS, topic, 5, 0, 9);
    client.putObject(
        b -> b.bucket(BUCKET).key(wrongKey),
        RequestBody.fromBytes(MarkerCodec.toJson(misfiled.marker())));
    String stray =
        TestUnits.MARKERS
            + "/"
            + topic
            + "/3/"
            + misfiled.markerKey().substring(misfiled.markerKey().lastIndexOf('/') + 1);
    client.putObject(b -> b.bucket(BUCKET).key(stray), RequestBody.fromString("not a marker"));
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));

    MarkerScanner.ScanResult scan = scanner.scan();

    assertThat(scan.units()).isEmpty();
    assertThat(scan.rejected()).containsKey(wrongKey);
    assertThat(scan.rejected().get(wrongKey)).contains("does not match its key");
    assertThat(scan.unreadableFrom()).doesNotContainKey(new TopicPartition(topic, 3));
  }

  /**
   * The connector's record count is the sum of its files' records. A garbled marker whose file list
   * is truncated (or empty, with records counted) loaded what it listed and recorded every offset
   * of its unit as loaded, the rows of the files it lacked never; it is an unreadable marker now.
   */
  @Test
  void aMarkerWhoseFilesDoNotHoldItsRecordCountIsUnreadable() {
    S3Client client = s3.client();
    String topic = "truncated-" + System.nanoTime();
    Unit good = TestUnits.simple(topic, 0, 0, 9);
    put(client, good);
    // the unit of partition 1 has two files of 6 and 4 records; its marker lists only the first
    // one, and that of partition 2 none
    Map<String, String> keyOf = new LinkedHashMap<>();
    keyOf.put("truncated", garbled(client, topic, 1, 1));
    keyOf.put("empty", garbled(client, topic, 2, 0));
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));

    MarkerScanner.ScanResult scan = scanner.scan();

    assertThat(scan.units()).extracting(Unit::markerKey).containsExactly(good.markerKey());
    assertThat(scan.rejected()).containsOnlyKeys(keyOf.values());
    assertThat(scan.rejected().get(keyOf.get("truncated")))
        .startsWith("Cannot use commit marker s3://" + BUCKET + "/" + keyOf.get("truncated"))
        .contains("it counts 10 records, but the 1 file(s) it lists hold 6")
        .contains("Write the marker again with the files of its unit");
    assertThat(scan.rejected().get(keyOf.get("empty")))
        .contains("it counts 10 records, but the 0 file(s) it lists hold 0");
  }

  /**
   * Writes the marker of unit {@code [0, 9]} of {@code partition}, which has two files of 6 and 4
   * records, counting 10 records but listing only the first {@code listed} of its files; returns
   * its key.
   */
  private static String garbled(S3Client client, String topic, int partition, int listed) {
    List<MarkerFile> files = new ArrayList<>();
    for (String path : List.of("p=a", "p=b")) {
      files.add(
          TestUnits.file(
              TestUnits.dataKey(topic, path, partition, 0, 9, ".parquet"),
              100,
              files.isEmpty() ? 6 : 4,
              FileFormat.PARQUET,
              TestUnits.columns(TestUnits.col("id", ColumnType.Kind.INT64))));
    }
    CommitMarker m = TestUnits.unit(topic, partition, 0, 9, files).marker();
    assertThat(m.recordCount()).isEqualTo(10);
    CommitMarker bad =
        new CommitMarker(
            m.formatVersion(),
            topic,
            partition,
            0,
            9,
            m.recordCount(),
            m.bucket(),
            m.committedAtMs(),
            m.rotationReason(),
            files.subList(0, listed));
    String key = MarkerKeys.markerKey(TestUnits.MARKERS, topic, partition, 0, 9);
    client.putObject(
        b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(MarkerCodec.toJson(bad)));
    return key;
  }

  /**
   * COPY reads what a marker lists, with the COPY role's access: a marker that names another
   * bucket, or files that are not its unit's own (another topic's, a path that climbs out of its
   * directory), is refused as not the connector's, and so is not loaded.
   */
  @Test
  void aMarkerListingFilesThatAreNotItsUnitsIsRefused() {
    S3Client client = s3.client();
    String topic = "forged";
    Unit good = TestUnits.simple(topic, 0, 0, 9);
    MarkerFile file = good.marker().files().get(0);
    Map<String, CommitMarker> forged = new LinkedHashMap<>();
    forged.put("other bucket", withFiles(good, 10, 19, "attacker", file.key()));
    forged.put(
        "other topic",
        withFiles(good, 20, 29, BUCKET, "topics/payroll/partition=0/payroll+0+20+29.parquet"));
    forged.put(
        "climbing path",
        withFiles(
            good, 30, 39, BUCKET, "topics/forged/../payroll/partition=0/forged+0+30+39.parquet"));
    forged.put(
        "line break",
        withFiles(good, 40, 49, BUCKET, "topics/forged/partition=0\n/forged+0+40+49.parquet"));
    put(client, good);
    Map<String, String> keyOf = new LinkedHashMap<>();
    forged.forEach(
        (what, m) -> {
          String key =
              MarkerKeys.markerKey(TestUnits.MARKERS, topic, 0, m.startOffset(), m.endOffset());
          client.putObject(
              b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(MarkerCodec.toJson(m)));
          keyOf.put(what, key);
        });
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));

    MarkerScanner.ScanResult scan = scanner.scan();

    assertThat(scan.units()).extracting(Unit::markerKey).containsExactly(good.markerKey());
    assertThat(scan.rejected()).containsOnlyKeys(keyOf.values());
    assertThat(scan.rejected().get(keyOf.get("other bucket")))
        .contains("names its files in bucket 'attacker', not in staging")
        .contains("If no connector of yours wrote it, delete it");
    for (String what : List.of("other topic", "climbing path", "line break")) {
      assertThat(scan.rejected().get(keyOf.get(what)))
          .as(what)
          .contains("is not named as a file of its unit forged+0+");
    }
  }

  /** {@code unit}'s marker moved to {@code [start, end]}, listing one file at {@code key}. */
  private static CommitMarker withFiles(
      Unit unit, long start, long end, String bucket, String key) {
    CommitMarker m = unit.marker();
    MarkerFile f = m.files().get(0);
    return new CommitMarker(
        m.formatVersion(),
        m.topic(),
        m.partition(),
        start,
        end,
        f.records(),
        bucket,
        m.committedAtMs(),
        m.rotationReason(),
        List.of(
            new MarkerFile(
                key.replace("\\n", "\n"),
                f.bytes(),
                f.records(),
                f.format(),
                f.compression(),
                f.encodedPartition(),
                f.columns())));
  }

  @Test
  void requestsPerCycleStayFlatWithManyLoadedUnits() {
    S3Client client = s3.client();
    String topic = "flat-" + System.nanoTime();
    MarkerRetention retention = retention(client, Duration.ZERO, MarkerRetention.Action.DELETE);
    MarkerScanner scanner =
        new MarkerScanner(client, BUCKET, TestUnits.MARKERS, List.of(topic), Pattern.compile(".*"));
    List<Long> listsPerCycle = new ArrayList<>();
    long offset = 0;
    for (int round = 0; round < 4; round++) {
      List<Unit> loaded = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        Unit u = TestUnits.simple(topic, 0, offset, offset + 9);
        offset += 10;
        put(client, u);
        loaded.add(u);
      }
      scanner.scan();
      retention.apply(loaded, Long.MAX_VALUE / 2).removedKeys().forEach(scanner::forget);
      put(client, TestUnits.simple(topic, 1, round * 10L, round * 10L + 9));
      s3.resetRequestCounts();
      MarkerScanner.ScanResult r = scanner.scan();
      listsPerCycle.add(
          s3.requestCount(ObjectOperation.LIST_OBJECTS)
              + s3.requestCount(ObjectOperation.GET_OBJECT));
      assertThat(r.units()).hasSize(round + 1);
    }
    assertThat(listsPerCycle)
        .as("1 LIST + 1 GET of the new marker, whatever the history")
        .containsOnly(2L);
  }

  /**
   * Three units of {@code topic} partition 0, offsets 0-29, their markers written through {@code
   * s3}.
   */
  private static List<Unit> threeUnits(S3Client s3, String topic) {
    return putUnits(s3, topic, 3, 1);
  }

  /**
   * Puts the markers of {@code count} units of ten offsets each, spread round-robin over {@code
   * partitions} partitions, and returns them in that order.
   */
  private static List<Unit> putUnits(S3Client s3, String topic, int count, int partitions) {
    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Unit u = TestUnits.simple(topic, i % partitions, i * 10L, i * 10L + 9);
      put(s3, u);
      units.add(u);
    }
    return units;
  }
}
