package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BuildSlotsTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void runsAtMostAsManyBuildsAtOnceAsItHasSlots() throws Exception {
    BuildSlots slots = new BuildSlots(2);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    CountDownLatch finish = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String key = "file-" + i;
      Thread t =
          new Thread(
              () -> {
                try {
                  slots.build(
                      key,
                      () -> {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                          finish.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                          throw new InterruptedIOException();
                        }
                        running.decrementAndGet();
                      });
                  done.incrementAndGet();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      threads.add(t);
      t.start();
    }
    // two builds hold the slots; the other three threads wait for one
    await().atMost(WAIT).until(() -> running.get() == 2 && waitingThreads(threads) == 3);
    assertThat(done).hasValue(0);
    finish.countDown();
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
    }
    assertThat(done).hasValue(5);
    assertThat(mostAtOnce).hasValue(2);
  }

  @Test
  void aFailedBuildFreesItsSlot() throws IOException {
    BuildSlots slots = new BuildSlots(1);
    assertThatThrownBy(
            () ->
                slots.build(
                    "bad",
                    () -> {
                      throw new IOException("encoder failed");
                    }))
        .hasMessage("encoder failed");
    AtomicInteger built = new AtomicInteger();
    slots.build("next", built::incrementAndGet);
    assertThat(built).hasValue(1);
  }

  @Test
  void aBuildInterruptedWhileWaitingForASlotFailsAndKeepsTheInterrupt() throws Exception {
    BuildSlots slots = new BuildSlots(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread holder = holding(slots, new CountDownLatch(1), finish);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> interruptKept = new AtomicReference<>();
    AtomicInteger built = new AtomicInteger();
    Thread waiter =
        new Thread(
            () -> {
              try {
                slots.build("s3://bucket/second.parquet", built::incrementAndGet);
              } catch (IOException e) {
                failure.set(e);
                interruptKept.set(Thread.currentThread().isInterrupted());
              }
            });
    await().atMost(WAIT).until(() -> holder.getState() == Thread.State.TIMED_WAITING);
    waiter.start();
    await().atMost(WAIT).until(() -> waiter.getState() == Thread.State.WAITING);
    waiter.interrupt();
    waiter.join(WAIT.toMillis());
    finish.countDown();
    holder.join(WAIT.toMillis());

    assertThat(failure.get())
        .isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("Cannot build the file s3://bucket/second.parquet")
        .hasMessageContaining("interrupted while waiting for a build slot");
    assertThat(interruptKept.get()).isTrue();
    assertThat(built).hasValue(0);
  }

  /**
   * A build waiting for S3 gives its slot back, so another build runs meanwhile, and takes a slot
   * again before it goes on: a third build then waits for it.
   */
  @Test
  void aBuildWaitingForS3LetsAnotherBuildRunAndTakesTheSlotAgain() throws Exception {
    BuildSlots slots = new BuildSlots(1);
    AtomicInteger otherBuilt = new AtomicInteger();
    AtomicInteger laterBuilt = new AtomicInteger();
    AtomicReference<Thread> later = new AtomicReference<>();
    slots.build(
        "streamed",
        () -> {
          slots
              .waitsWithoutSlot("streamed")
              .await(
                  () -> {
                    // S3 takes its time: a build of another unit runs meanwhile
                    Thread other = buildOn(slots, "small", otherBuilt);
                    join(other);
                    assertThat(otherBuilt).as("built while the slot was given back").hasValue(1);
                  });
          later.set(buildOn(slots, "later", laterBuilt));
          await().atMost(WAIT).until(() -> slots.waiting() == 1);
          assertThat(laterBuilt).as("waits for the slot taken again").hasValue(0);
        });
    join(later.get());
    assertThat(otherBuilt).hasValue(1);
    assertThat(laterBuilt).hasValue(1);
  }

  /**
   * While as many builds wait for S3 without their slot as there are slots, the next build that
   * waits for S3 keeps its slot: builds part-way, each holding a row group and a part besides its
   * unit's rows, stay at most twice the slots instead of one per commit thread.
   */
  @Test
  void aBuildWaitingForS3KeepsItsSlotWhileAsManyWaitWithoutTheirs() throws Exception {
    BuildSlots slots = new BuildSlots(1);
    CountDownLatch firstWaiting = new CountDownLatch(1);
    CountDownLatch firstSent = new CountDownLatch(1);
    CountDownLatch secondWaiting = new CountDownLatch(1);
    CountDownLatch secondSent = new CountDownLatch(1);
    Thread first = waitingForS3(slots, "first", firstWaiting, firstSent, new AtomicInteger());
    assertThat(firstWaiting.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    Thread second = waitingForS3(slots, "second", secondWaiting, secondSent, new AtomicInteger());
    assertThat(secondWaiting.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("the slot the first build gave back lets the second build start")
        .isTrue();
    AtomicInteger thirdBuilt = new AtomicInteger();
    Thread third = buildOn(slots, "third", thirdBuilt);
    await().atMost(WAIT).until(() -> slots.waiting() == 1);
    assertThat(thirdBuilt).as("the second build waits for S3 in its slot").hasValue(0);
    secondSent.countDown();
    join(second);
    join(third);
    assertThat(thirdBuilt).hasValue(1);
    firstSent.countDown();
    join(first);
  }

  /**
   * A build whose wait for S3 has ended but that has not taken its slot back still holds its row
   * group and part: it counts among the builds waiting without a slot until it has the slot again.
   * Before, it stopped counting as soon as S3 answered, so while it queued for a slot the next
   * build that waited for S3 gave its slot away too, and builds part-way reached one per commit
   * thread.
   */
  @Test
  void aBuildQueuedForItsSlotAfterS3StillCountsAsWaitingWithoutIt() throws Exception {
    BuildSlots slots = new BuildSlots(1);
    CountDownLatch firstWaiting = new CountDownLatch(1);
    CountDownLatch firstSent = new CountDownLatch(1);
    AtomicInteger firstResumed = new AtomicInteger();
    Thread first = waitingForS3(slots, "first", firstWaiting, firstSent, firstResumed);
    assertThat(firstWaiting.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    CountDownLatch secondInSecondWait = new CountDownLatch(1);
    CountDownLatch secondSent = new CountDownLatch(1);
    Thread second =
        building(
            slots,
            "second",
            () -> {
              // the first wait: the first build waits without its slot, this one keeps it
              slots.waitsWithoutSlot("second").await(() -> {});
              firstSent.countDown(); // S3 answers the first build, which queues for a slot
              await().atMost(WAIT).until(() -> slots.waiting() == 1);
              slots
                  .waitsWithoutSlot("second")
                  .await(
                      () -> {
                        secondInSecondWait.countDown();
                        awaitLatch(secondSent);
                      });
            });
    assertThat(secondInSecondWait.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    await()
        .during(Duration.ofMillis(300))
        .atMost(WAIT)
        .until(() -> slots.waiting() == 1 && firstResumed.get() == 0);
    secondSent.countDown();
    join(second);
    join(first);
    assertThat(firstResumed).hasValue(1);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts a thread whose build waits for S3 through {@link BuildSlots#waitsWithoutSlot}: {@code
   * waiting} opens inside the wait, which ends once {@code sent} opens; {@code resumed} counts the
   * build going on after it.
   */
  private static Thread waitingForS3(
      BuildSlots slots,
      String key,
      CountDownLatch waiting,
      CountDownLatch sent,
      AtomicInteger resumed) {
    return building(
        slots,
        key,
        () -> {
          slots
              .waitsWithoutSlot(key)
              .await(
                  () -> {
                    waiting.countDown();
                    awaitLatch(sent);
                  });
          resumed.incrementAndGet();
        });
  }

  /**
   * A build interrupted while it takes its slot back after waiting for S3 fails, keeps the
   * interrupt, and gives back no slot it does not hold: afterwards one build still runs at a time.
   */
  @Test
  void aBuildInterruptedWhileTakingItsSlotBackReleasesNoSlotItDoesNotHold() throws Exception {
    BuildSlots slots = new BuildSlots(1);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> holder = new AtomicReference<>();
    assertThatThrownBy(
            () ->
                slots.build(
                    "streamed",
                    () ->
                        slots
                            .waitsWithoutSlot("streamed")
                            .await(
                                () -> {
                                  // another build takes the slot given back
                                  holder.set(holding(slots, holding, release));
                                  await().atMost(WAIT).until(() -> holding.getCount() == 0);
                                  Thread.currentThread().interrupt();
                                })))
        .isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("Cannot build the file streamed");
    assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    release.countDown();
    join(holder.get());

    CountDownLatch holdingAgain = new CountDownLatch(1);
    CountDownLatch releaseAgain = new CountDownLatch(1);
    Thread again = holding(slots, holdingAgain, releaseAgain);
    assertThat(holdingAgain.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    AtomicInteger built = new AtomicInteger();
    Thread next = buildOn(slots, "next", built);
    await().atMost(WAIT).until(() -> slots.waiting() == 1);
    assertThat(built).as("one slot, held: the next build waits").hasValue(0);
    releaseAgain.countDown();
    join(again);
    join(next);
    assertThat(built).hasValue(1);
  }

  /** Starts a thread whose build holds a slot from {@code holding} until {@code release}. */
  private static Thread holding(BuildSlots slots, CountDownLatch holding, CountDownLatch release) {
    return building(
        slots,
        "holding",
        () -> {
          holding.countDown();
          try {
            release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            throw new InterruptedIOException();
          }
        });
  }

  /** Starts a thread that builds {@code key}, counting the build in {@code built}. */
  private static Thread buildOn(BuildSlots slots, String key, AtomicInteger built) {
    return building(slots, key, built::incrementAndGet);
  }

  /** Starts a thread that runs {@code body} as the build of {@code key}. */
  private static Thread building(BuildSlots slots, String key, BuildSlots.Build body) {
    Thread t =
        new Thread(
            () -> {
              try {
                slots.build(key, body);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    t.start();
    return t;
  }

  private static void join(Thread t) {
    try {
      t.join(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    assertThat(t.isAlive()).as("%s ended within %s", t.getName(), WAIT).isFalse();
  }

  @Test
  void needsAtLeastOneSlot() {
    assertThatThrownBy(() -> new BuildSlots(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static long waitingThreads(List<Thread> threads) {
    return threads.stream().filter(t -> t.getState() == Thread.State.WAITING).count();
  }
}
