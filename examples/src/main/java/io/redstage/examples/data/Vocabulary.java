package io.redstage.examples.data;

import java.util.List;
import java.util.SplittableRandom;

/** Small fixed vocabularies that make the sample data read like real traffic. */
final class Vocabulary {
  static final List<String> PLATFORMS =
      List.of("google_ads", "meta", "tiktok", "linkedin", "snapchat");
  static final List<String> DEVICES =
      List.of("mobile", "mobile", "mobile", "desktop", "desktop", "tablet");
  static final List<String> AGE_GROUPS =
      List.of("18-24", "25-34", "25-34", "35-44", "45-54", "55+");
  static final List<String> COUNTRIES =
      List.of("US", "US", "US", "DE", "GB", "FR", "BR", "IN", "JP", "CA");
  static final List<String> PAGES =
      List.of(
          "/",
          "/pricing",
          "/docs/getting-started",
          "/blog/kafka-to-redshift",
          "/products/streaming",
          "/products/warehouse",
          "/signup",
          "/login",
          "/careers",
          "/contact");
  static final List<String> REFERRERS =
      List.of(
          "(direct)",
          "(direct)",
          "https://www.google.com/",
          "https://www.bing.com/",
          "https://news.ycombinator.com/",
          "https://www.linkedin.com/",
          "https://t.co/");
  static final List<String> FIRST_NAMES =
      List.of(
          "Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Sofia", "Mateo", "Hana", "Yuki", "Amara",
          "Omar", "Lea", "Jonas", "Priya", "Arjun", "Chloe", "Diego", "Ines", "Kofi");
  static final List<String> LAST_NAMES =
      List.of(
          "Garcia",
          "Smith",
          "Müller",
          "Rossi",
          "Dubois",
          "Kowalski",
          "Silva",
          "Nakamura",
          "Okafor",
          "Patel",
          "Jensen",
          "O'Brien",
          "Novak",
          "Haddad",
          "Kim",
          "Larsen");
  static final List<String> CITIES =
      List.of(
          "Seattle",
          "Austin",
          "Berlin",
          "London",
          "Paris",
          "São Paulo",
          "Bengaluru",
          "Tokyo",
          "Toronto",
          "Lisbon");
  static final List<String> STATUSES = List.of("active", "active", "active", "trial", "suspended");

  private Vocabulary() {}

  static String pick(SplittableRandom random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  /**
   * A UUID-shaped id from the seeded generator, so a run with the same seed produces the same data.
   */
  static String uuid(SplittableRandom random) {
    return String.format(
        "%08x-%04x-4%03x-%04x-%012x",
        random.nextInt() & 0xffffffffL,
        random.nextInt(0x10000),
        random.nextInt(0x1000),
        0x8000 | random.nextInt(0x4000),
        random.nextLong() & 0xffffffffffffL);
  }
}
