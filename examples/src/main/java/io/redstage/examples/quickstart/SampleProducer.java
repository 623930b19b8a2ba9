package io.redstage.examples.quickstart;

import io.redstage.examples.data.SampleRecord;
import io.redstage.examples.data.Scenario;
import io.redstage.examples.measure.LatencyTracker;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces the scenarios' records at a steady rate, interleaved by weight, so that freshness is
 * measured on a stream rather than on one burst. Every acknowledged record's send time goes to the
 * {@link LatencyTracker}.
 */
final class SampleProducer {
  private final KafkaProducer<byte[], byte[]> producer;
  private final List<Scenario> scenarios;
  private final double[] cumulativeWeights;
  private final LatencyTracker tracker;
  private final SplittableRandom random;
  private final Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  SampleProducer(
      KafkaProducer<byte[], byte[]> producer,
      List<Scenario> scenarios,
      double[] weights,
      LatencyTracker tracker,
      long seed) {
    this.producer = producer;
    this.scenarios = scenarios;
    this.tracker = tracker;
    this.random = new SplittableRandom(seed);
    this.cumulativeWeights = new double[weights.length];
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      total += weights[i];
      cumulativeWeights[i] = total;
    }
    for (int i = 0; i < cumulativeWeights.length; i++) {
      cumulativeWeights[i] /= total;
    }
    scenarios.forEach(s -> acked.put(s.topic(), new AtomicLong()));
  }

  /**
   * Sends {@code total} records at about {@code perSecond} records a second, then waits for every
   * acknowledgement.
   */
  void produce(long total, int perSecond) {
    long start = System.nanoTime();
    while (sent.get() < total) {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * perSecond) + 1);
      while (sent.get() < due) {
        send(pick());
      }
      if (failure.get() != null) {
        throw new IllegalStateException(
            "Cannot produce the sample data: " + failure.get().getMessage(), failure.get());
      }
      // pacing the generator, not waiting for a condition
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Cannot produce the sample data: " + failure.get().getMessage(), failure.get());
    }
  }

  private Scenario pick() {
    double r = random.nextDouble();
    for (int i = 0; i < cumulativeWeights.length; i++) {
      if (r < cumulativeWeights[i]) {
        return scenarios.get(i);
      }
    }
    return scenarios.get(scenarios.size() - 1);
  }

  private void send(Scenario scenario) {
    long now = System.currentTimeMillis();
    SampleRecord r = scenario.next(now);
    sent.incrementAndGet();
    producer.send(
        new ProducerRecord<>(scenario.topic(), null, now, r.key(), r.value()),
        (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          } else {
            tracker.produced(metadata.topic(), metadata.partition(), metadata.offset(), now);
            acked.get(metadata.topic()).incrementAndGet();
          }
        });
  }

  long acked(String topic) {
    return acked.get(topic).get();
  }

  long ackedTotal() {
    return acked.values().stream().mapToLong(AtomicLong::get).sum();
  }
}
