package io.redstage.examples.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A Debezium-style change stream of a {@code customers} table: a snapshot (op r), then inserts (c),
 * updates (u) and deletes (d), keyed by the primary key. Values look like Debezium's output after
 * its {@code ExtractNewRecordState} transform with {@code add.fields=op,source.ts_ms} and {@code
 * delete.handling.mode=rewrite}: the row's columns plus {@code __op}, {@code __source_ts_ms} and
 * {@code __deleted}; a delete is followed by a tombstone (null value), as with {@code
 * drop.tombstones=false}. The loader applies it in upsert mode on {@code id}, so {@code
 * public.customers} must equal {@link #finalState()}.
 */
public final class CustomerCdc implements Scenario {
  public static final String TOPIC = "shop.public.customers";
  private static final ConnectJson KEY =
      ConnectJson.struct("shop.public.customers.Key").field("id", "int64", false);
  private static final ConnectJson VALUE =
      ConnectJson.struct("shop.public.customers.Value")
          .field("id", "int64", false)
          .field("first_name", "string", false)
          .field("last_name", "string", false)
          .field("email", "string", false)
          .field("phone", "string", true)
          .field("city", "string", true)
          .field("country", "string", false)
          .field("status", "string", false)
          .date("registration_date", false)
          .decimal("lifetime_value", 12, 2, false)
          .timestamp("updated_at", false)
          .field("__op", "string", false)
          .field("__source_ts_ms", "int64", false)
          .field("__deleted", "string", false);

  private final SplittableRandom random;
  private final int snapshotSize;
  private final Map<Long, Customer> rows = new TreeMap<>();
  private final List<Long> liveIds = new ArrayList<>();
  private final Map<String, Long> operations = new TreeMap<>();
  private long nextId = 1;
  private Long pendingTombstone;

  /**
   * @param snapshotSize rows the initial snapshot reads (op r) before live changes start
   */
  public CustomerCdc(long seed, int snapshotSize) {
    this.random = new SplittableRandom(seed);
    this.snapshotSize = snapshotSize;
  }

  @Override
  public String name() {
    return "customers (CDC)";
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
    return "customers-cdc-avro.json";
  }

  @Override
  public String table() {
    return "public.customers";
  }

  @Override
  public String mode() {
    return "upsert";
  }

  @Override
  public SampleRecord next(long producedAtMillis) {
    if (pendingTombstone != null) {
      long id = pendingTombstone;
      pendingTombstone = null;
      count("tombstone");
      return new SampleRecord(key(id), null);
    }
    if (nextId <= snapshotSize) {
      return emit(insert(producedAtMillis), "r", producedAtMillis);
    }
    int roll = random.nextInt(100);
    if (liveIds.isEmpty() || roll < 35) {
      return emit(insert(producedAtMillis), "c", producedAtMillis);
    }
    int index = random.nextInt(liveIds.size());
    long id = liveIds.get(index);
    if (roll < 85) {
      Customer updated = update(rows.get(id), producedAtMillis);
      rows.put(id, updated);
      return emit(updated, "u", producedAtMillis);
    }
    Customer before = rows.remove(id);
    Collections.swap(liveIds, index, liveIds.size() - 1);
    liveIds.remove(liveIds.size() - 1);
    pendingTombstone = id;
    return emit(before, "d", producedAtMillis);
  }

  private Customer insert(long now) {
    long id = nextId++;
    String first = Vocabulary.pick(random, Vocabulary.FIRST_NAMES);
    String last = Vocabulary.pick(random, Vocabulary.LAST_NAMES);
    String email =
        (first + "." + last.replaceAll("[^A-Za-z]", "") + id + "@example.com")
            .toLowerCase(Locale.ROOT);
    String phone =
        random.nextInt(5) == 0
            ? null
            : String.format("+1-555-%03d-%04d", random.nextInt(1000), random.nextInt(10_000));
    String city = random.nextInt(12) == 0 ? null : Vocabulary.pick(random, Vocabulary.CITIES);
    LocalDate registered = LocalDate.of(2019, 1, 1).plusDays(random.nextInt(2_500));
    Customer c =
        new Customer(
            id,
            first,
            last,
            email,
            phone,
            city,
            Vocabulary.pick(random, Vocabulary.COUNTRIES),
            Vocabulary.pick(random, Vocabulary.STATUSES),
            registered,
            BigDecimal.ZERO.setScale(2),
            now);
    rows.put(id, c);
    liveIds.add(id);
    return c;
  }

  private Customer update(Customer c, long now) {
    switch (random.nextInt(4)) {
      case 0:
        return new Customer(
            c.id(),
            c.firstName(),
            c.lastName(),
            c.email(),
            c.phone(),
            c.city(),
            c.country(),
            Vocabulary.pick(random, Vocabulary.STATUSES),
            c.registrationDate(),
            c.lifetimeValue(),
            now);
      case 1:
        return new Customer(
            c.id(),
            c.firstName(),
            c.lastName(),
            c.email().replace("@example.com", "@mail.example.org"),
            c.phone(),
            Vocabulary.pick(random, Vocabulary.CITIES),
            c.country(),
            c.status(),
            c.registrationDate(),
            c.lifetimeValue(),
            now);
      default:
        BigDecimal purchase =
            BigDecimal.valueOf(10 + random.nextDouble() * 490).setScale(2, RoundingMode.HALF_UP);
        return new Customer(
            c.id(),
            c.firstName(),
            c.lastName(),
            c.email(),
            c.phone(),
            c.city(),
            c.country(),
            c.status(),
            c.registrationDate(),
            c.lifetimeValue().add(purchase),
            now);
    }
  }

  private SampleRecord emit(Customer c, String op, long sourceTsMillis) {
    count(op);
    ObjectNode v = ConnectJson.object();
    v.put("id", c.id());
    v.put("first_name", c.firstName());
    v.put("last_name", c.lastName());
    v.put("email", c.email());
    v.put("phone", c.phone());
    v.put("city", c.city());
    v.put("country", c.country());
    v.put("status", c.status());
    v.put("registration_date", (int) c.registrationDate().toEpochDay());
    v.put("lifetime_value", c.lifetimeValue());
    v.put("updated_at", c.updatedAtMillis());
    v.put("__op", op);
    v.put("__source_ts_ms", sourceTsMillis);
    v.put("__deleted", Boolean.toString("d".equals(op)));
    return new SampleRecord(key(c.id()), VALUE.envelope(v));
  }

  private static byte[] key(long id) {
    ObjectNode k = ConnectJson.object();
    k.put("id", id);
    return KEY.envelope(k);
  }

  private void count(String op) {
    operations.merge(op, 1L, Long::sum);
  }

  /** The source table now: what {@code public.customers} must hold once every change is loaded. */
  public Map<Long, Customer> finalState() {
    return Collections.unmodifiableMap(rows);
  }

  /** Change events produced per operation (r, c, u, d, tombstone). */
  public Map<String, Long> operations() {
    return Collections.unmodifiableMap(operations);
  }

  @Override
  public long expectedRows() {
    return rows.size();
  }
}
