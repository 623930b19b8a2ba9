package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * S3UploadStream against S3Proxy, through the client S3ClientFactory builds (SigV4, SDK retries).
 */
class S3UploadStreamTest {
  static final String BUCKET = "upload-test";
  static final int PART = S3Settings.MIN_PART_SIZE;
  static final int MIB = 1024 * 1024;

  static LocalS3 s3;
  static S3Storage storage;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
    storage = new S3Storage(S3ClientFactory.create(settings(s3).build()), settings(s3).build());
  }

  @AfterAll
  static void stop() {
    storage.close();
    s3.close();
  }

  @BeforeEach
  void resetCounts() {
    s3.resetRequestCounts();
  }

  @AfterEach
  void clearFaults() {
    s3.faults().clear();
  }

  /** Settings for the stand-in: 5 MiB parts, 3 retries with a short backoff. */
  static S3Settings.Builder settings(LocalS3 s3) {
    return TestS3Settings.builder()
        .bucket(BUCKET)
        .region(s3.region())
        .endpoint(s3.endpoint())
        .staticCredentials(s3.accessKey(), new Password(s3.secretKey()))
        .partSizeBytes(PART)
        .maxRetries(3)
        .retryBackoff(Duration.ofMillis(10));
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  static byte[] read(String key) {
    return s3.client().getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
  }

  static boolean exists(String key) {
    return s3.client().listObjectsV2(b -> b.bucket(BUCKET).prefix(key)).contents().stream()
        .anyMatch(o -> o.key().equals(key));
  }

  static int openUploads() {
    return s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads().size();
  }

  /** Writes in odd-sized chunks, checking position and the heap bound after every write. */
  static void writeChecked(S3UploadStream out, byte[] data) throws IOException {
    long base = out.position();
    int chunk = 100_003;
    for (int off = 0; off < data.length; off += chunk) {
      int len = Math.min(chunk, data.length - off);
      out.write(data, off, len);
      assertThat(out.position()).isEqualTo(base + off + len);
      assertThat(out.bufferedBytes()).isLessThanOrEqualTo(PART);
    }
  }

  @Test
  void twelveMebibytesGoAsThreePartsAndReadBackIdentical() throws IOException {
    byte[] data = randomBytes(12 * MIB, 1);
    S3UploadStream out = storage.create("multi/twelve.bin");

    out.write(data, 0, 10);
    long afterFirstWrite = out.bufferedBytes();
    writeChecked(out, Arrays.copyOfRange(data, 10, data.length));
    long size = out.complete();

    assertThat(afterFirstWrite)
        .isEqualTo(8 * 1024); // grows from 8 KiB, not allocated at part size up front
    assertThat(size).isEqualTo(data.length);
    assertThat(out.position()).isEqualTo(data.length);
    assertThat(out.bufferedBytes()).isZero();
    assertThat(read("multi/twelve.bin")).isEqualTo(data);
    assertThat(s3.requestCount(ObjectOperation.CREATE_MULTIPART_UPLOAD)).isEqualTo(1);
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(3);
    assertThat(s3.requestCount(ObjectOperation.COMPLETE_MULTIPART_UPLOAD)).isEqualTo(1);
    assertThat(s3.requestCount(ObjectOperation.PUT_OBJECT)).isZero();
    assertThat(openUploads()).isZero();
  }

  @Test
  void singleByteWritesWork() throws IOException {
    byte[] data = randomBytes(PART + 3, 2);
    S3UploadStream out = storage.create("multi/bytewise.bin");
    for (byte b : data) {
      out.write(b);
    }
    assertThat(out.bufferedBytes()).isLessThanOrEqualTo(PART);

    assertThat(out.complete()).isEqualTo(PART + 3);
    assertThat(read("multi/bytewise.bin")).isEqualTo(data);
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(2);
  }

  @Test
  void smallFilesGoAsOnePutObject() throws IOException {
    byte[] small = randomBytes(1000, 3);
    byte[] onePart = randomBytes(PART, 4);

    S3UploadStream a = storage.create("single/small.bin");
    a.write(small);
    a.close(); // format writers close their stream; that must not upload or abort
    a.complete();
    S3UploadStream b = storage.create("single/exactly-one-part.bin");
    b.write(onePart);
    b.complete();
    S3UploadStream empty = storage.create("single/empty.bin");
    assertThat(empty.complete()).isZero();

    assertThat(read("single/small.bin")).isEqualTo(small);
    assertThat(read("single/exactly-one-part.bin")).isEqualTo(onePart);
    assertThat(read("single/empty.bin")).isEmpty();
    assertThat(s3.requestCount(ObjectOperation.PUT_OBJECT)).isEqualTo(3);
    assertThat(s3.requestCount(ObjectOperation.CREATE_MULTIPART_UPLOAD)).isZero();
  }

  @Test
  void abortLeavesNoObjectAndNoOpenUpload() throws IOException {
    S3UploadStream out = storage.create("abort/big.bin");
    out.write(randomBytes(6 * MIB, 5)); // the first part is uploaded while writing
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(1);
    assertThat(openUploads()).isEqualTo(1);

    out.abort();
    out.abort(); // idempotent

    assertThat(exists("abort/big.bin")).isFalse();
    assertThat(openUploads()).isZero();
    assertThat(out.bufferedBytes()).isZero();
    assertThat(s3.requestCount(ObjectOperation.ABORT_MULTIPART_UPLOAD)).isEqualTo(1);
    assertThatThrownBy(out::complete)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("aborted");
    assertThatThrownBy(() -> out.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("aborted");
  }

  @Test
  void abortOfASmallFileSendsNothing() throws IOException {
    S3UploadStream out = storage.create("abort/small.bin");
    out.write(new byte[100]);
    out.abort();

    assertThat(exists("abort/small.bin")).isFalse();
    assertThat(s3.requestCount(ObjectOperation.PUT_OBJECT)).isZero();
    assertThat(s3.requestCount(ObjectOperation.ABORT_MULTIPART_UPLOAD)).isZero();
  }

  @Test
  void abortAfterCompleteKeepsTheObject() throws IOException {
    S3UploadStream out = storage.create("abort/kept.bin");
    out.write(new byte[] {1, 2, 3});
    out.complete();
    out.abort();

    assertThat(read("abort/kept.bin")).containsExactly(1, 2, 3);
  }

  @Test
  void withAPartUploaderFullPartsGoOutInTheBackgroundAndWritingGoesOn() throws IOException {
    List<Runnable> queued = new ArrayList<>();
    byte[] data = randomBytes(2 * PART + 10, 11);
    S3UploadStream out = storage.create("background/three.bin", queued::add);

    out.write(data, 0, PART + 1);
    assertThat(queued).as("part 1 handed to the uploader").hasSize(1);
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART))
        .as("not sent by the writing thread")
        .isZero();
    assertThat(out.bufferedBytes()).isLessThanOrEqualTo(2L * PART);
    queued.remove(0).run();
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(1);

    out.write(data, PART + 1, PART + 9);
    assertThat(queued).as("part 2 handed to the uploader").hasSize(1);
    queued.remove(0).run();
    assertThat(out.bufferedBytes()).isLessThanOrEqualTo(2L * PART);
    out.complete();

    assertThat(read("background/three.bin")).isEqualTo(data);
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(3);
    assertThat(out.bufferedBytes()).isZero();
    assertThat(openUploads()).isZero();
  }

  /**
   * The writing thread never waits for S3: full parts queue behind the one being sent, counted by
   * the task's PartUploads (which the memory budget reads), and go out in order, one at a time.
   */
  @Test
  void fullPartsQueueBehindThePartBeingSentWithoutTheWriterWaiting() throws IOException {
    List<Runnable> pool = new ArrayList<>();
    PartUploads parts = new PartUploads(pool::add);
    byte[] data = randomBytes(3 * PART + 10, 21);
    S3UploadStream out = storage.create("queued/four.bin", parts);

    out.write(data, 0, 3 * PART + 1);
    assertThat(pool).as("only part 1 is handed to the pool; parts 2 and 3 wait for it").hasSize(1);
    assertThat(parts.bytes()).isEqualTo(3L * PART);
    assertThat(parts.waiting()).as("parts 2 and 3, for the task to wait on").isEqualTo(2);
    assertThat(out.bufferedBytes()).isLessThanOrEqualTo(PART);
    assertThat(s3.requestCount(ObjectOperation.CREATE_MULTIPART_UPLOAD))
        .as("the writing thread makes no S3 call")
        .isZero();

    for (int part = 1; part <= 3; part++) {
      assertThat(pool).as("part %d", part).hasSize(1);
      pool.remove(0).run();
      assertThat(parts.bytes()).isEqualTo((3L - part) * PART);
    }
    assertThat(parts.waiting()).isZero();
    out.write(data, 3 * PART + 1, 9);
    out.complete();

    assertThat(read("queued/four.bin")).isEqualTo(data);
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(4);
    assertThat(parts.bytes()).isZero();
  }

  /** Parts queued behind one that fails are never sent; the upload is aborted once it has ended. */
  @Test
  void partsQueuedBehindAFailedPartAreNeverSent() throws IOException {
    s3.faults()
        .failAlways(
            S3Fault.INTERNAL_ERROR,
            RequestMatcher.operations(ObjectOperation.UPLOAD_PART).keyPrefix("queued-fail/"));
    List<Runnable> pool = new ArrayList<>();
    PartUploads parts = new PartUploads(pool::add);
    S3UploadStream out = storage.create("queued-fail/file.bin", parts);
    out.write(randomBytes(3 * PART + 1, 22));
    pool.remove(0).run(); // part 1 fails after the SDK's retries

    assertThat(pool).as("parts 2 and 3 were never handed to the pool").isEmpty();
    assertThat(parts.bytes()).isZero();
    assertThatThrownBy(out::complete)
        .isInstanceOf(S3StorageException.class)
        .hasMessageStartingWith("Cannot upload part 1 of s3://upload-test/queued-fail/file.bin: ");
    pool.forEach(Runnable::run); // the abort
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(4); // part 1, 3 retries
    assertThat(openUploads()).isZero();
  }

  @Test
  void aBackgroundPartThatFailsFailsTheStreamAtTheNextPartAndAbortsTheUpload() throws IOException {
    s3.faults()
        .failAlways(
            S3Fault.INTERNAL_ERROR,
            RequestMatcher.operations(ObjectOperation.UPLOAD_PART).keyPrefix("background-fail/"));
    List<Runnable> queued = new ArrayList<>();
    S3UploadStream out = storage.create("background-fail/file.bin", queued::add);
    out.write(randomBytes(PART + 1, 12));
    queued.remove(0).run(); // part 1 fails after the SDK's retries, in the uploader

    assertThatThrownBy(() -> out.write(randomBytes(PART, 13)))
        .isInstanceOfSatisfying(
            S3StorageException.class,
            e ->
                assertThat(e)
                    .hasMessageStartingWith(
                        "Cannot upload part 1 of s3://upload-test/background-fail/file.bin: "));
    assertThat(queued).as("the abort, handed to the uploader").hasSize(1);
    queued.remove(0).run();
    assertThat(openUploads()).isZero();
    assertThat(exists("background-fail/file.bin")).isFalse();
    assertThatThrownBy(out::complete)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed");
  }

  @Test
  void aPartTheUploaderWillNotRunFailsTheStreamAndAbortsTheUploadAtOnce() throws IOException {
    S3UploadStream out =
        storage.create(
            "background-rejected/file.bin",
            part -> {
              throw new java.util.concurrent.RejectedExecutionException("shut down");
            });
    // part 1 is refused by the stopped uploader, when the byte after it comes
    assertThatThrownBy(() -> out.write(randomBytes(PART + 1, 15)))
        .isInstanceOf(S3StorageException.class)
        .hasMessage(
            "Cannot upload part 1 of s3://upload-test/background-rejected/file.bin: the file was "
                + "dropped (the task stopping or rewinding, or its partition closed) before the part "
                + "was sent. The unit is written again.");
    assertThat(s3.requestCount(ObjectOperation.CREATE_MULTIPART_UPLOAD)).isZero();
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isZero();
    assertThat(openUploads()).isZero();
  }

  /**
   * A stream dropped (a rewind, a partition closed) while its part waits for the uploader: the part
   * is never sent, a whole part into an upload about to go, and the abort does not wait for it.
   */
  @Test
  void aStreamDroppedWithItsPartStillQueuedAbortsAtOnceAndNeverSendsThePart() throws IOException {
    List<Runnable> queued = new ArrayList<>();
    S3UploadStream out = storage.create("background-dropped/file.bin", queued::add);
    out.write(randomBytes(PART + 1, 17));
    out.abort();

    assertThat(((QueuedPart) queued.get(0)).drop()).as("already dropped by the abort").isFalse();
    queued.forEach(Runnable::run); // an uploader that gets to it after all sends nothing
    assertThat(s3.requestCount(ObjectOperation.CREATE_MULTIPART_UPLOAD))
        .as("the upload starts with its first part, which never ran")
        .isZero();
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isZero();
    assertThat(openUploads()).isZero();
  }

  /**
   * A part the uploader is sending is not dropped: the abort waits until it has ended, since
   * aborting first could let the part land afterwards and keep storage.
   */
  @Test
  void anAbortWhileAPartIsBeingSentTakesEffectAfterThatPartEnds() throws Exception {
    ExecutorService uploader = Executors.newSingleThreadExecutor();
    try (HeldParts held = new HeldParts()) {
      S3UploadStream out = held.storage.create("background-abort/file.bin", uploader);
      out.write(randomBytes(PART + 1, 14));
      held.awaitSending();

      out.abort();
      assertThat(s3.requestCount(ObjectOperation.ABORT_MULTIPART_UPLOAD))
          .as("the part is being sent: the abort waits for it")
          .isZero();
      assertThat(out.bufferedBytes()).isZero();

      held.release();
      await().atMost(Duration.ofSeconds(30)).until(() -> openUploads() == 0);
      assertThat(s3.requestCount(ObjectOperation.ABORT_MULTIPART_UPLOAD)).isEqualTo(1);
      assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(1);
      assertThat(exists("background-abort/file.bin")).isFalse();
    } finally {
      uploader.shutdownNow();
    }
  }

  /**
   * A part queued behind one being sent stops counting as waiting when its file is dropped, not
   * only when the part being sent ends (which may take as long as S3 does): the task would
   * otherwise wait after put() and pause for a file it no longer has.
   */
  @Test
  void aQueuedPartOfADroppedFileStopsWaitingAtOnce() throws Exception {
    ExecutorService uploader = Executors.newSingleThreadExecutor();
    PartUploads parts = new PartUploads(uploader);
    try (HeldParts held = new HeldParts()) {
      S3UploadStream out = held.storage.create("waiting-dropped/file.bin", parts);
      out.write(randomBytes(PART + 1, 23));
      held.awaitSending();
      out.write(randomBytes(PART, 24)); // part 2, queued behind part 1
      assertThat(parts.waiting()).isEqualTo(1);

      out.abort();
      assertThat(parts.waiting()).isZero();

      held.release();
      await().atMost(Duration.ofSeconds(30)).until(() -> openUploads() == 0);
      assertThat(parts.waiting()).isZero();
      assertThat(parts.bytes()).isZero();
    } finally {
      uploader.shutdownNow();
    }
  }

  /**
   * A file built on a commit thread (ownerWaitsForParts): the owner waits for each part before it
   * hands over the next, as the task thread must not, and its parts never count as waiting for the
   * task.
   */
  @Test
  void anOwnerThatMayWaitSendsOnePartAtATimeAndNothingCountsAsWaiting() throws Exception {
    ExecutorService uploader = Executors.newSingleThreadExecutor();
    ExecutorService owner = Executors.newSingleThreadExecutor();
    PartUploads parts = new PartUploads(uploader);
    byte[] data = randomBytes(2 * PART + 5, 25);
    try (HeldParts held = new HeldParts()) {
      S3UploadStream out = held.storage.create("owner-waits/file.bin", parts);
      out.ownerWaitsForParts(S3UploadStream.PartsSent::await);
      AtomicReference<Thread> ownerThread = new AtomicReference<>();
      Future<?> writing =
          owner.submit(
              () -> {
                ownerThread.set(Thread.currentThread());
                out.write(data);
                return out.complete();
              });
      held.awaitSending();
      // part 1 is held: the owner waits for it before handing part 2 over
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ownerThread.get() != null
                      && ownerThread.get().getState() == Thread.State.WAITING);
      assertThat(writing).isNotDone();
      assertThat(parts.waiting()).isZero();
      assertThat(parts.bytes()).isEqualTo(PART);

      held.release();
      writing.get(30, TimeUnit.SECONDS);
      assertThat(read("owner-waits/file.bin")).isEqualTo(data);
      assertThat(parts.bytes()).isZero();
    } finally {
      owner.shutdownNow();
      uploader.shutdownNow();
    }
  }

  /** A client of the stand-in whose calls a test holds or fails. */
  private static InterceptedS3Client intercepted() {
    return InterceptedS3Client.around(S3ClientFactory.create(settings(s3).build()));
  }

  /**
   * Storage over the stand-in whose part uploads stay in the SDK's hands until the test releases
   * them; closing releases them too.
   */
  private static final class HeldParts implements AutoCloseable {
    private final CountDownLatch sending = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    final S3Storage storage =
        new S3Storage(
            intercepted()
                .before(
                    "uploadPart",
                    request -> {
                      sending.countDown();
                      released.await();
                    })
                .client(),
            settings(s3).build());

    /** Waits until a part is being sent (held). */
    void awaitSending() throws InterruptedException {
      assertThat(sending.await(30, TimeUnit.SECONDS)).as("a part is being sent").isTrue();
    }

    void release() {
      released.countDown();
    }

    @Override
    public void close() {
      released.countDown();
      storage.close();
    }
  }

  /**
   * An Error in the part uploader (a class the SDK cannot load): the stream fails when it completes
   * instead of waiting for ever for a part that will never end, and its upload is aborted.
   */
  @Test
  void anErrorInThePartUploaderFailsTheStreamInsteadOfHangingIt() {
    S3Storage broken =
        new S3Storage(
            intercepted()
                .failing("uploadPart", new NoClassDefFoundError("a/MissingClass"))
                .client(),
            settings(s3).build());
    ExecutorService uploader = Executors.newSingleThreadExecutor();
    try {
      S3UploadStream out = broken.create("background-error/file.bin", uploader);
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () -> {
            // the write that hands the part over fails too if the part has failed by then
            assertThatThrownBy(
                    () -> {
                      out.write(randomBytes(PART + 1, 18));
                      out.complete();
                    })
                .isInstanceOf(S3StorageException.class)
                .hasMessageStartingWith(
                    "Cannot upload part 1 of s3://upload-test/background-error/file.bin: "
                        + "java.lang.NoClassDefFoundError: a/MissingClass");
          });
      // the Error is thrown again on the uploader's thread, by design: not this test's failure
      await()
          .dontCatchUncaughtExceptions()
          .atMost(Duration.ofSeconds(10))
          .until(() -> openUploads() == 0);
    } finally {
      uploader.shutdownNow();
    }
  }

  /**
   * S3 completed the multipart upload but its answer was lost: the complete object under the
   * temporary key is deleted, as after a failed copy; no abort or stale-upload cleanup would remove
   * it.
   */
  @Test
  void aCompleteWhoseAnswerIsLostDeletesTheTemporaryObject() throws IOException {
    S3Storage lossy =
        new S3Storage(
            intercepted()
                .failingAfterTheCall(
                    "completeMultipartUpload",
                    SdkClientException.create("Unable to execute HTTP request: Connection reset"))
                .client(),
            settings(s3).build());
    S3UploadStream out = lossy.create("tmp-lost/file.bin");
    out.write(randomBytes(PART + 10, 20));

    assertThatThrownBy(() -> out.completeAs("final-lost/file.bin"))
        .isInstanceOf(S3StorageException.class)
        .hasMessageStartingWith(
            "Cannot complete the multipart upload of s3://upload-test/tmp-lost/");
    assertThat(exists("tmp-lost/file.bin")).as("the completed temporary object").isFalse();
    assertThat(exists("final-lost/file.bin")).isFalse();
    assertThat(openUploads()).isZero();
  }

  @Test
  void injectedSlowDownOnUploadPartIsRetriedByTheSdk() throws IOException {
    FaultRule rule =
        s3.faults()
            .failNext(
                2,
                S3Fault.SLOW_DOWN,
                RequestMatcher.operations(ObjectOperation.UPLOAD_PART).keyPrefix("retry/"));
    byte[] data = randomBytes(12 * MIB, 6);

    S3UploadStream out = storage.create("retry/twelve.bin");
    writeChecked(out, data);
    out.complete();

    assertThat(rule.fired()).isEqualTo(2);
    assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(3 + 2);
    assertThat(read("retry/twelve.bin")).isEqualTo(data);
  }

  @Test
  void internalErrorOnCompleteIsRetriedByTheSdk() throws IOException {
    FaultRule rule =
        s3.faults()
            .failNext(
                1,
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.COMPLETE_MULTIPART_UPLOAD));
    byte[] data = randomBytes(PART + 10, 7);

    S3UploadStream out = storage.create("retry/complete.bin");
    out.write(data);
    out.complete();

    assertThat(rule.fired()).isEqualTo(1);
    assertThat(read("retry/complete.bin")).isEqualTo(data);
  }

  /**
   * A multipart file whose copy to its final key fails: the complete temporary object is deleted
   * (nothing else would remove it), and the abort that follows sends nothing.
   */
  @Test
  void aFailedCopyToTheFinalKeyDeletesTheTemporaryObject() throws IOException {
    s3.faults()
        .failAlways(
            S3Fault.INTERNAL_ERROR,
            RequestMatcher.operations(ObjectOperation.COPY_OBJECT).keyPrefix("moved/"));
    S3UploadStream out = storage.create("tmp-copy/file.bin");
    out.write(randomBytes(PART + 1, 9));

    assertThatThrownBy(() -> out.completeAs("moved/file.bin"))
        .isInstanceOf(S3StorageException.class)
        .hasMessageStartingWith("Cannot copy s3://upload-test/tmp-copy/file.bin to moved/file.bin");
    out.abort();

    assertThat(exists("tmp-copy/file.bin")).as("the temporary object").isFalse();
    assertThat(exists("moved/file.bin")).isFalse();
    assertThat(s3.requestCount(ObjectOperation.ABORT_MULTIPART_UPLOAD)).isZero();
    assertThat(openUploads()).isZero();
  }

  @Test
  void exhaustedRetriesGiveARetriableIOExceptionAndAbortTheUpload() throws IOException {
    FaultRule rule =
        s3.faults()
            .failAlways(
                S3Fault.SLOW_DOWN,
                RequestMatcher.operations(ObjectOperation.UPLOAD_PART).keyPrefix("exhausted/"));
    S3UploadStream out = storage.create("exhausted/file.bin");
    out.write(randomBytes(PART, 8));

    assertThatThrownBy(() -> out.write(1)) // the full first part is sent when more bytes come
        .isInstanceOfSatisfying(
            S3StorageException.class,
            e -> {
              assertThat(e.isRetriable()).isTrue();
              assertThat(e)
                  .hasMessageStartingWith(
                      "Cannot upload part 1 of s3://upload-test/exhausted/file.bin: ")
                  .hasMessageContaining("HTTP 503 SlowDown")
                  .hasMessageContaining("gave up after 4 attempts (s3.part.retries=3)");
            });

    assertThat(rule.fired()).isEqualTo(4); // 1 attempt + 3 retries
    assertThat(openUploads()).isZero();
    assertThat(exists("exhausted/file.bin")).isFalse();
    assertThatThrownBy(() -> out.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed");
    out.abort(); // still safe
  }

  @Test
  void permanentErrorsAreNotRetried() throws IOException {
    FaultRule rule =
        s3.faults()
            .failAlways(
                S3Fault.ACCESS_DENIED,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix("denied/"));
    S3UploadStream out = storage.create("denied/file.bin");
    out.write(new byte[10]);

    assertThatThrownBy(out::complete)
        .isInstanceOfSatisfying(
            S3StorageException.class,
            e -> {
              assertThat(e.isRetriable()).isFalse();
              assertThat(e)
                  .hasMessageStartingWith(
                      "Cannot upload s3://upload-test/denied/file.bin: S3 answered HTTP 403 AccessDenied")
                  .hasMessageContaining("Allow s3:PutObject");
            });
    assertThat(rule.fired()).isEqualTo(1);
  }

  @Test
  void wrongSecretFailsWithAClearErrorThatHidesTheSecret() throws IOException {
    S3Settings wrong =
        settings(s3).staticCredentials(s3.accessKey(), new Password("not-the-secret")).build();
    try (S3Storage badStorage = new S3Storage(S3ClientFactory.create(wrong), wrong)) {
      S3UploadStream out = badStorage.create("auth/file.bin");
      out.write(new byte[10]);

      assertThatThrownBy(out::complete)
          .isInstanceOfSatisfying(
              S3StorageException.class,
              e -> {
                assertThat(e.isRetriable()).isFalse();
                assertThat(e)
                    .hasMessageContaining("HTTP 403 SignatureDoesNotMatch")
                    .hasMessageContaining("Check aws.access.key.id and aws.secret.access.key")
                    .hasMessageNotContaining("not-the-secret");
              });
    }
    assertThat(exists("auth/file.bin")).isFalse();
  }
}
