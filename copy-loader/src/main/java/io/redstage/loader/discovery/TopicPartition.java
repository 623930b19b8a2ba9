package io.redstage.loader.discovery;

/** A Kafka topic-partition, as named in markers and in the load-marker table. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
  @Override
  public int compareTo(TopicPartition o) {
    int c = topic.compareTo(o.topic);
    return c != 0 ? c : Integer.compare(partition, o.partition);
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
