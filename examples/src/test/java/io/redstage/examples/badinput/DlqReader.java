package io.redstage.examples.badinput;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a dead letter queue topic from the beginning to its end and indexes the entries by the
 * coordinates Connect's context headers name ({@code __connect.errors.topic/partition/offset}).
 */
final class DlqReader {
  static final String TOPIC = "__connect.errors.topic";
  static final String PARTITION = "__connect.errors.partition";
  static final String OFFSET = "__connect.errors.offset";
  static final String MESSAGE = "__connect.errors.exception.message";

  /** One DLQ entry: where the record came from and why it was sent here. */
  record Entry(String topic, int partition, long offset, String reason) {
    String coordinates() {
      return topic + "/" + partition + "/" + offset;
    }
  }

  private DlqReader() {}

  /**
   * Every entry of {@code dlqTopic}, keyed by "topic/partition/offset"; empty when the topic does
   * not exist.
   */
  static Map<String, Entry> read(String bootstrap, String dlqTopic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<String, Entry> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      if (!consumer.listTopics(Duration.ofSeconds(10)).containsKey(dlqTopic)) {
        return out;
      }
      List<TopicPartition> partitions =
          consumer.partitionsFor(dlqTopic, Duration.ofSeconds(10)).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Cannot read " + dlqTopic + " to its end " + end + " within 30 s.");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Entry e =
              new Entry(
                  header(r, TOPIC),
                  Integer.parseInt(header(r, PARTITION)),
                  Long.parseLong(header(r, OFFSET)),
                  header(r, MESSAGE));
          out.put(e.coordinates(), e);
        }
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    if (h == null) {
      throw new IllegalStateException(
          "Cannot read DLQ record "
              + r.topic()
              + "/"
              + r.partition()
              + "/"
              + r.offset()
              + ": header "
              + name
              + " is missing. The connector must set errors.deadletterqueue.context.headers.enable=true.");
    }
    return h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
