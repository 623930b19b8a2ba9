package io.redstage.examples.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Website page views as schemaless JSON (JsonConverter with {@code schemas.enable=false}), the way
 * many web trackers publish them: staged as gzipped JSON Lines and appended to {@code
 * public.page_views}. Every record carries every key so the column list guessed from a file's first
 * record fits the whole file.
 */
public final class PageViews implements Scenario {
  public static final String TOPIC = "page-views";
  private final SplittableRandom random;
  private long produced;

  public PageViews(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public String name() {
    return "page views";
  }

  @Override
  public String topic() {
    return TOPIC;
  }

  @Override
  public int partitions() {
    return 2;
  }

  @Override
  public String connectorFile() {
    return "page-views-jsonl.json";
  }

  @Override
  public String table() {
    return "public.page_views";
  }

  @Override
  public String mode() {
    return "append";
  }

  @Override
  public SampleRecord next(long producedAtMillis) {
    String session = "s-" + Integer.toHexString(random.nextInt(1 << 20));
    ObjectNode v = ConnectJson.object();
    v.put("view_id", Vocabulary.uuid(random));
    v.put("viewed_at", Instant.ofEpochMilli(producedAtMillis).toString());
    v.put("user_id", "User_" + random.nextInt(2_000));
    v.put("session_id", session);
    v.put("page", Vocabulary.pick(random, Vocabulary.PAGES));
    v.put("referrer", Vocabulary.pick(random, Vocabulary.REFERRERS));
    v.put("country", Vocabulary.pick(random, Vocabulary.COUNTRIES));
    v.put("device", Vocabulary.pick(random, Vocabulary.DEVICES));
    v.put("load_ms", 80 + random.nextInt(2_500));
    v.put("bounced", random.nextInt(3) == 0);
    produced++;
    return new SampleRecord(
        session.getBytes(StandardCharsets.UTF_8), v.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public long expectedRows() {
    return produced;
  }
}
