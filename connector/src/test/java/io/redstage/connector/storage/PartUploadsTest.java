package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the task takes from the part failures it has not looked at yet (pure logic). */
class PartUploadsTest {
  @Test
  void takingFailuresChargesEachPartitionOnceSkipsDroppedFilesAndReturnsTheOldest() {
    PartUploads parts = new PartUploads(Runnable::run);
    AtomicInteger partition0 = new AtomicInteger();
    AtomicInteger partition1 = new AtomicInteger();
    AtomicInteger partition2 = new AtomicInteger();
    Runnable charge0 = partition0::incrementAndGet;
    Runnable charge1 = partition1::incrementAndGet;
    Runnable charge2 = partition2::incrementAndGet;
    AtomicBoolean fileA = new AtomicBoolean();
    AtomicBoolean fileB = new AtomicBoolean();
    AtomicBoolean fileC = new AtomicBoolean();
    AtomicBoolean fileD = new AtomicBoolean();
    S3StorageException first = failure("a");
    parts.failed(first, charge0, fileA::get);
    parts.failed(failure("b"), charge0, fileB::get); // another file of partition 0
    parts.failed(failure("c"), charge1, fileC::get);
    parts.failed(failure("d"), charge2, fileD::get);
    fileD.set(true); // dropped (or disowned) since its part failed

    assertThat(parts.failed()).isTrue();
    assertThat(parts.takeFailure()).isSameAs(first);
    assertThat(partition0).hasValue(1);
    assertThat(partition1).hasValue(1);
    assertThat(partition2).as("its file was dropped: nobody's failure").hasValue(0);
    assertThat(parts.failed()).isFalse();
    assertThat(parts.takeFailure()).isNull();
  }

  @Test
  void aFailureOfAFileDroppedBeforeItIsRecordedIsNotKept() {
    PartUploads parts = new PartUploads(Runnable::run);
    parts.failed(failure("late"), () -> {}, () -> true);
    assertThat(parts.failed()).isFalse();
    assertThat(parts.takeFailure()).isNull();
  }

  private static S3StorageException failure(String what) {
    return new S3StorageException("Cannot upload part 1 of s3://b/" + what + ": boom.", true, null);
  }
}
