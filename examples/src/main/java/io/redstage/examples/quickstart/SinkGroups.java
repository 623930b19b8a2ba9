package io.redstage.examples.quickstart;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.ConsumerGroupState;

/**
 * Waits until the sink connectors' consumer groups ({@code connect-<connector name>}) are stable
 * with every partition assigned, so that freshness measures a running pipeline rather than the
 * first group join.
 */
final class SinkGroups {
  private SinkGroups() {}

  /**
   * @param partitionsByConnector connector name to the partitions its topics have
   */
  static void awaitAssigned(
      String bootstrapServers, Map<String, Integer> partitionsByConnector, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      for (Map.Entry<String, Integer> e : partitionsByConnector.entrySet()) {
        String group = "connect-" + e.getKey();
        while (assigned(admin, group) < e.getValue()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Cannot start producing: the consumer group "
                    + group
                    + " of connector "
                    + e.getKey()
                    + " has not been assigned its "
                    + e.getValue()
                    + " partitions within "
                    + timeout
                    + ". Check the connector's status at GET /connectors/"
                    + e.getKey()
                    + "/status.");
          }
          // polling the broker's view of the group; not a test
          Thread.sleep(200);
        }
      }
    }
  }

  private static int assigned(Admin admin, String group) throws InterruptedException {
    try {
      ConsumerGroupDescription d =
          admin
              .describeConsumerGroups(List.of(group))
              .describedGroups()
              .get(group)
              .get(10, TimeUnit.SECONDS);
      if (d.state() != ConsumerGroupState.STABLE) {
        return 0;
      }
      int partitions = 0;
      for (MemberDescription m : d.members()) {
        partitions += m.assignment().topicPartitions().size();
      }
      return partitions;
    } catch (ExecutionException | TimeoutException e) {
      return 0; // the group does not exist yet
    }
  }
}
