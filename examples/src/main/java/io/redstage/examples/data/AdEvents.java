package io.redstage.examples.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Ad-analytics events (impressions, clicks, conversions) per platform, campaign and ad, with the
 * viewer's demographics: typed values through JsonConverter, staged as Parquet and appended to
 * {@code public.ad_events}.
 */
public final class AdEvents implements Scenario {
  public static final String TOPIC = "ad-events";
  private static final ConnectJson SCHEMA =
      ConnectJson.struct("io.redstage.examples.AdEvent")
          .field("event_id", "string", false)
          .timestamp("event_time", false)
          .field("event_type", "string", false)
          .field("platform", "string", false)
          .field("campaign_id", "string", false)
          .field("ad_id", "string", false)
          .field("user_id", "string", false)
          .field("age_group", "string", true)
          .field("country", "string", true)
          .field("device", "string", false)
          .decimal("cost_usd", 12, 6, false)
          .decimal("revenue_usd", 12, 2, true)
          .field("dwell_ms", "int32", true);

  private final SplittableRandom random;
  private long produced;

  public AdEvents(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public String name() {
    return "ad events";
  }

  @Override
  public String topic() {
    return TOPIC;
  }

  @Override
  public int partitions() {
    return 3;
  }

  @Override
  public String connectorFile() {
    return "ad-events-parquet.json";
  }

  @Override
  public String table() {
    return "public.ad_events";
  }

  @Override
  public String mode() {
    return "append";
  }

  @Override
  public SampleRecord next(long producedAtMillis) {
    int roll = random.nextInt(100);
    String type = roll < 80 ? "impression" : roll < 96 ? "click" : "conversion";
    String platform = Vocabulary.pick(random, Vocabulary.PLATFORMS);
    int campaign = random.nextInt(24);
    String userId = "u-" + random.nextInt(5_000);
    ObjectNode p = ConnectJson.object();
    p.put("event_id", Vocabulary.uuid(random));
    p.put("event_time", producedAtMillis);
    p.put("event_type", type);
    p.put("platform", platform);
    p.put("campaign_id", String.format("cmp-%s-%02d", platform.substring(0, 2), campaign));
    p.put("ad_id", String.format("ad-%02d-%d", campaign, random.nextInt(6)));
    p.put("user_id", userId);
    if (random.nextInt(10) == 0) {
      p.putNull("age_group"); // not every platform shares demographics
    } else {
      p.put("age_group", Vocabulary.pick(random, Vocabulary.AGE_GROUPS));
    }
    if (random.nextInt(25) == 0) {
      p.putNull("country");
    } else {
      p.put("country", Vocabulary.pick(random, Vocabulary.COUNTRIES));
    }
    p.put("device", Vocabulary.pick(random, Vocabulary.DEVICES));
    double cpm =
        "impression".equals(type)
            ? 0.002 + random.nextDouble() * 0.01
            : 0.2 + random.nextDouble() * 2.5;
    p.put("cost_usd", BigDecimal.valueOf(cpm).setScale(6, RoundingMode.HALF_UP));
    if ("conversion".equals(type)) {
      p.put(
          "revenue_usd",
          BigDecimal.valueOf(5 + random.nextDouble() * 195).setScale(2, RoundingMode.HALF_UP));
    } else {
      p.putNull("revenue_usd");
    }
    if ("impression".equals(type)) {
      p.put("dwell_ms", 200 + random.nextInt(6_000));
    } else {
      p.putNull("dwell_ms");
    }
    produced++;
    return new SampleRecord(userId.getBytes(StandardCharsets.UTF_8), SCHEMA.envelope(p));
  }

  @Override
  public long expectedRows() {
    return produced;
  }
}
