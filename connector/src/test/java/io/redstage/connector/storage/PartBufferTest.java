package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartBufferTest {
  static final int LIMIT = 5 * 1024 * 1024 + 123;

  @Test
  void holdsWhatWasWrittenUpToTheLimitInChunksThatNeverExceedIt() throws IOException {
    Random random = new Random(3);
    byte[] data = new byte[LIMIT + 1000];
    random.nextBytes(data);
    PartBuffer buffer = new PartBuffer(LIMIT);
    int written = 0;
    while (!buffer.isFull()) {
      int len = Math.min(1 + random.nextInt(70_000), data.length - written);
      if (random.nextInt(10) == 0) {
        buffer.write(data[written]);
        written++;
      } else {
        written += buffer.write(data, written, len);
      }
      assertThat(buffer.size()).isEqualTo(written);
      assertThat(buffer.capacity()).isBetween(buffer.size(), LIMIT);
      // grows by chunks of at most MAX_CHUNK, so the spare room is less than one chunk
      assertThat(buffer.capacity() - buffer.size()).isLessThan(PartBuffer.MAX_CHUNK);
    }
    assertThat(written).isEqualTo(LIMIT);
    assertThat(buffer.write(data, 0, 10)).isZero();
    assertThat(read(buffer)).isEqualTo(java.util.Arrays.copyOf(data, LIMIT));
    assertThat(read(buffer))
        .as("re-readable for retries")
        .isEqualTo(java.util.Arrays.copyOf(data, LIMIT));
  }

  /** Half of G1's smallest region (1 MiB): an array this large or larger is a humongous object. */
  private static final int G1_HUMONGOUS_AT_LEAST = 512 * 1024;

  @Test
  void largestChunkIsNoHumongousObjectForG1() {
    // 16 bytes: an array's header on a 64-bit JVM, counted in the object's size
    assertThat(PartBuffer.MAX_CHUNK + 16).isLessThan(G1_HUMONGOUS_AT_LEAST);
  }

  @Test
  void startsWithOneSmallChunkAndClearKeepsTheChunksForTheNextPart() throws IOException {
    PartBuffer buffer = new PartBuffer(LIMIT);
    assertThat(buffer.capacity()).isZero();
    buffer.write(new byte[] {1, 2, 3}, 0, 3);
    assertThat(buffer.capacity()).isEqualTo(PartBuffer.FIRST_CHUNK);
    assertThat(read(buffer)).containsExactly(1, 2, 3);

    byte[] big = new byte[3 * 1024 * 1024];
    new Random(4).nextBytes(big);
    buffer.write(big, 0, big.length);
    int capacity = buffer.capacity();
    buffer.clear();
    assertThat(buffer.size()).isZero();
    assertThat(read(buffer)).isEmpty();
    buffer.write(big, 0, big.length);
    assertThat(buffer.capacity())
        .as("no new chunks for a part of the same size")
        .isEqualTo(capacity);
    assertThat(read(buffer)).isEqualTo(big);

    buffer.release();
    assertThat(buffer.capacity()).isZero();
    assertThat(read(buffer)).isEmpty();
  }

  private static byte[] read(PartBuffer buffer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = buffer.content().newStream()) {
      in.transferTo(out);
    }
    return out.toByteArray();
  }
}
