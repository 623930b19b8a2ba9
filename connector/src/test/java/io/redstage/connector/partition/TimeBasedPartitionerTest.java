package io.redstage.connector.partition;

import static io.redstage.connector.partition.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class TimeBasedPartitionerTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  private static PartitionerSettings.Builder time(String pathFormat, long durationMs) {
    return TestPartitionerSettings.builder()
        .type("time")
        .pathFormat(pathFormat)
        .partitionDurationMs(durationMs)
        .timestampExtractor("Record");
  }

  private static String path(PartitionerSettings.Builder settings, String instant) {
    return Partitioners.create(settings.build())
        .encodePartition(record(null, Map.of(), ms(instant)), 0);
  }

  @Test
  void hourlyAndDailyPresetsInUtc() {
    PartitionerSettings.Builder hourly =
        TestPartitionerSettings.builder().type("hourly").timestampExtractor("Record");
    PartitionerSettings.Builder daily =
        TestPartitionerSettings.builder().type("daily").timestampExtractor("Record");

    assertThat(path(hourly, "2024-01-02T13:59:59.999Z"))
        .isEqualTo("year=2024/month=01/day=02/hour=13");
    assertThat(path(daily, "2024-01-02T23:59:59Z")).isEqualTo("year=2024/month=01/day=02");
  }

  /** The presets join their levels with directory.delim, as Confluent's do. */
  @Test
  void presetsUseTheDirectoryDelimiter() {
    PartitionerSettings.Builder hourly =
        TestPartitionerSettings.builder()
            .type("hourly")
            .directoryDelim("_")
            .timestampExtractor("Record");

    assertThat(path(hourly, "2024-06-10T06:00:00Z")).isEqualTo("year=2024_month=06_day=10_hour=06");
  }

  /**
   * A path.format written with a trailing delimiter, as many Confluent configs are: the delimiter
   * is dropped (Confluent drops it too), or every key got an empty folder before the file name.
   */
  @Test
  void aTrailingDelimiterInThePathFormatIsDropped() {
    assertThat(
            path(
                time("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH/", 3_600_000L),
                "2024-06-10T06:30:00Z"))
        .isEqualTo("year=2024/month=06/day=10/hour=06");
  }

  @Test
  void presetsIgnoreAnyConfiguredFormatAndDuration() {
    PartitionerSettings.Builder hourly =
        TestPartitionerSettings.builder()
            .type("io.confluent.connect.storage.partitioner.HourlyPartitioner")
            .pathFormat("'ignored'")
            .partitionDurationMs(1)
            .timestampExtractor("Record");

    assertThat(path(hourly, "2024-07-08T09:10:11Z")).isEqualTo("year=2024/month=07/day=08/hour=09");
  }

  @Test
  void bucketsFollowTheLocalTimeOfTheConfiguredZone() {
    PartitionerSettings.Builder daily =
        TestPartitionerSettings.builder()
            .type("daily")
            .timestampExtractor("Record")
            .timezone(NEW_YORK);

    // 03:00 UTC on Jan 2 is still Jan 1 in New York (UTC-5)
    assertThat(path(daily, "2024-01-02T03:00:00Z")).isEqualTo("year=2024/month=01/day=01");
    assertThat(path(daily, "2024-01-02T05:00:00Z")).isEqualTo("year=2024/month=01/day=02");
    // fixed offsets work too
    assertThat(path(daily.timezone(ZoneOffset.ofHours(10)), "2024-01-01T14:00:00Z"))
        .isEqualTo("year=2024/month=01/day=02");
  }

  @Test
  void durationBucketsRoundDownInLocalTime() {
    PartitionerSettings.Builder sixHours =
        time("YYYY-MM-dd'/'HH", 6 * Partitioners.HOUR_MS).timezone(BERLIN);
    PartitionerSettings.Builder quarter = time("HH-mm", 15 * 60_000L);

    // 12:30 UTC = 13:30 in Berlin (CET) -> bucket 12:00 local
    assertThat(path(sixHours, "2024-01-02T12:30:00Z")).isEqualTo("2024-01-02/12");
    assertThat(path(sixHours, "2024-01-02T04:59:00Z")).isEqualTo("2024-01-02/00");
    assertThat(path(quarter, "2024-01-02T10:44:59Z")).isEqualTo("10-30");
    assertThat(path(quarter, "2024-01-02T10:45:00Z")).isEqualTo("10-45");
    // before the epoch rounds down too, not towards zero
    assertThat(path(quarter, "1969-12-31T23:59:00Z")).isEqualTo("23-45");
  }

  @Test
  void daylightSavingTransitionsInBerlin() {
    PartitionerSettings.Builder hourly =
        TestPartitionerSettings.builder()
            .type("hourly")
            .timestampExtractor("Record")
            .timezone(BERLIN);
    PartitionerSettings.Builder daily =
        TestPartitionerSettings.builder()
            .type("daily")
            .timestampExtractor("Record")
            .timezone(BERLIN);

    // spring forward 2024-03-31: 02:00 CET jumps to 03:00 CEST; 00:59Z is 01:59 CET, 01:00Z is
    // 03:00 CEST
    assertThat(path(hourly, "2024-03-31T00:59:00Z")).isEqualTo("year=2024/month=03/day=31/hour=01");
    assertThat(path(hourly, "2024-03-31T01:00:00Z")).isEqualTo("year=2024/month=03/day=31/hour=03");
    // fall back 2024-10-27: 03:00 CEST becomes 02:00 CET; both 02:xx hours share one path
    assertThat(path(hourly, "2024-10-27T00:30:00Z")).isEqualTo("year=2024/month=10/day=27/hour=02");
    assertThat(path(hourly, "2024-10-27T01:30:00Z")).isEqualTo("year=2024/month=10/day=27/hour=02");
    assertThat(path(hourly, "2024-10-27T02:30:00Z")).isEqualTo("year=2024/month=10/day=27/hour=03");
    // a 25-hour local day still maps to one daily path, from local midnight to local midnight
    assertThat(path(daily, "2024-10-26T22:00:00Z")).isEqualTo("year=2024/month=10/day=27");
    assertThat(path(daily, "2024-10-27T22:59:59Z")).isEqualTo("year=2024/month=10/day=27");
    assertThat(path(daily, "2024-10-27T23:00:00Z")).isEqualTo("year=2024/month=10/day=28");
  }

  @Test
  void jodaYearLettersMeanCalendarYearNotWeekBasedYear() {
    // 2024-12-30 is in ISO week 1 of 2025; Joda's YYYY (and yyyy) still print 2024
    assertThat(
            path(
                time("'year'=YYYY", Partitioners.DAY_MS).locale(Locale.US), "2024-12-30T10:00:00Z"))
        .isEqualTo("year=2024");
    assertThat(
            path(
                time("'year'=yyyy", Partitioners.DAY_MS).locale(Locale.GERMANY),
                "2024-12-30T10:00:00Z"))
        .isEqualTo("year=2024");
    assertThat(path(time("YY", Partitioners.DAY_MS), "2024-12-30T10:00:00Z")).isEqualTo("24");
    // Joda's xxxx and ww are the ISO week-year and week, whatever the locale
    assertThat(
            path(
                time("xxxx-'W'ww-e", Partitioners.DAY_MS).locale(Locale.US),
                "2024-12-30T10:00:00Z"))
        .isEqualTo("2025-W01-1");
    assertThat(
            path(
                time("xxxx-'W'ww-e", Partitioners.DAY_MS).locale(Locale.US),
                "2024-01-07T10:00:00Z"))
        .isEqualTo("2024-W01-7");
  }

  @Test
  void otherJodaLettersAndLiterals() {
    assertThat(path(time("'dt'=YYYY-MM-dd'T'HH'h'", Partitioners.HOUR_MS), "2024-02-03T04:05:06Z"))
        .isEqualTo("dt=2024-02-03T04h");
    assertThat(
            path(
                time("D/k/KK/hh/a", Partitioners.HOUR_MS).locale(Locale.US),
                "2024-02-03T13:05:06Z"))
        .isEqualTo("34/13/01/01/PM");
    assertThat(path(time("'it''s' mm:ss.SSS", 1), "2024-02-03T13:05:06.789Z"))
        .isEqualTo("it's 05:06.789");
    assertThat(
            path(time("Z|ZZ|ZZZ", Partitioners.HOUR_MS).timezone(BERLIN), "2024-07-01T10:00:00Z"))
        .isEqualTo("+0200|+02:00|Europe/Berlin");
    assertThat(path(time("ZZ", Partitioners.HOUR_MS), "2024-07-01T10:00:00Z")).isEqualTo("+00:00");
  }

  @Test
  void localeChangesMonthAndDayNames() {
    assertThat(
            path(
                time("MMMM/EEE", Partitioners.DAY_MS).locale(Locale.GERMAN),
                "2024-03-05T10:00:00Z"))
        .isEqualTo("März/Di.");
    assertThat(
            path(
                time("MMMM/EEE", Partitioners.DAY_MS).locale(Locale.FRENCH),
                "2024-03-05T10:00:00Z"))
        .isEqualTo("mars/mar.");
    assertThat(
            path(time("MMM", Partitioners.DAY_MS).locale(Locale.ENGLISH), "2024-03-05T10:00:00Z"))
        .isEqualTo("Mar");
  }

  @Test
  void recordExtractorWithoutTimestampNamesTheRecord() {
    Partitioner p =
        Partitioners.create(
            TestPartitionerSettings.builder().type("hourly").timestampExtractor("Record").build());

    assertThatThrownBy(() -> p.encodePartition(record(null, Map.of(), null), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("no Kafka timestamp")
        .hasMessageContaining("timestamp.extractor=RecordField");
  }

  /**
   * A time in microseconds read as milliseconds would make a path of year 55873; Long.MAX_VALUE in
   * a zone east of UTC would wrap to a year BC. Both are bad records, named, without the value.
   */
  @Test
  void timesOutsideYearsOneTo9999AreBadRecords() {
    Partitioner p =
        Partitioners.create(
            TestPartitionerSettings.builder()
                .type("hourly")
                .timestampExtractor("Record")
                .timezone(BERLIN)
                .build());
    long micros = ms("2024-03-01T10:00:00Z") * 1000;
    for (long t : new long[] {micros, Long.MAX_VALUE, ms("0000-12-31T20:00:00Z")}) {
      assertThatThrownBy(() -> p.encodePartition(record(null, Map.of(), t), 0))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("orders/3/42")
          .hasMessageContaining("outside years 1 to 9999")
          .hasMessageNotContaining(Long.toString(t));
    }
    // the path's year is local: 23:30 UTC is already year 10000 in Berlin, 22:30 still 9999
    assertThatThrownBy(
            () -> p.encodePartition(record(null, Map.of(), ms("9999-12-31T23:30:00Z")), 0))
        .hasMessageContaining("outside years 1 to 9999");
    assertThat(p.encodePartition(record(null, Map.of(), ms("9999-12-31T22:30:00Z")), 0))
        .startsWith("year=9999/");
  }

  @Test
  void wallclockUsesTheGivenTimeNotTheRecord() {
    Partitioner p =
        Partitioners.create(
            TestPartitionerSettings.builder()
                .type("hourly")
                .timestampExtractor("Wallclock")
                .build());

    assertThat(
            p.encodePartition(
                record(null, Map.of(), ms("2020-01-01T00:00:00Z")), ms("2024-05-06T07:08:09Z")))
        .isEqualTo("year=2024/month=05/day=06/hour=07");
  }

  @Test
  void recordFieldExtractorReadsNestedFieldsOfStructsAndMaps() {
    Schema meta =
        SchemaBuilder.struct()
            .field("created", Timestamp.SCHEMA)
            .field("epoch", Schema.INT64_SCHEMA)
            .field("text", Schema.STRING_SCHEMA)
            .build();
    Schema value = SchemaBuilder.struct().field("meta", meta).build();
    Struct struct =
        new Struct(value)
            .put(
                "meta",
                new Struct(meta)
                    .put("created", Date.from(Instant.parse("2024-01-02T13:45:00Z")))
                    .put("epoch", ms("2023-06-07T08:00:00Z"))
                    .put("text", "2022-03-04T05:06:07+01:00"));

    assertThat(hourlyByField("meta.created").encodePartition(record(value, struct), 0))
        .isEqualTo("year=2024/month=01/day=02/hour=13");
    assertThat(hourlyByField("meta.epoch").encodePartition(record(value, struct), 0))
        .isEqualTo("year=2023/month=06/day=07/hour=08");
    assertThat(hourlyByField("meta.text").encodePartition(record(value, struct), 0))
        .isEqualTo("year=2022/month=03/day=04/hour=04");
    assertThat(
            hourlyByField("meta.epoch")
                .encodePartition(record(null, Map.of("meta", Map.of("epoch", 0L))), 0))
        .isEqualTo("year=1970/month=01/day=01/hour=00");
  }

  /**
   * A Connect Date is midnight UTC of its day: it is read, like an ISO date, as the start of that
   * day in the partitioner's timezone, so its path shows the same day in every zone. A Connect Time
   * has no date: a bad record, not a path in January 1970.
   */
  @Test
  void recordFieldExtractorReadsConnectDatesAsTheirDayAndRefusesTimes() {
    Schema value =
        SchemaBuilder.struct()
            .field("day", org.apache.kafka.connect.data.Date.SCHEMA)
            .field("at", org.apache.kafka.connect.data.Time.SCHEMA)
            .build();
    Struct struct =
        new Struct(value)
            .put("day", Date.from(Instant.parse("2024-01-02T00:00:00Z")))
            .put("at", Date.from(Instant.parse("1970-01-01T13:45:00Z")));
    Partitioner dailyNewYork =
        Partitioners.create(
            TestPartitionerSettings.builder()
                .type("daily")
                .timestampExtractor("RecordField")
                .timestampField("day")
                .timezone(NEW_YORK)
                .build());

    assertThat(dailyNewYork.encodePartition(record(value, struct), 0))
        .isEqualTo("year=2024/month=01/day=02");
    assertThat(new RecordFieldTimestampExtractor("day", BERLIN).extract(record(value, struct), 0))
        .isEqualTo(ms("2024-01-01T23:00:00Z"));
    assertThatThrownBy(() -> hourlyByField("at").encodePartition(record(value, struct), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'at'")
        .hasMessageContaining("holds a Connect Time, a time of day without a date");
  }

  @Test
  void aConnectDateWhoseStartInTheZoneHasNoMillisecondTimeIsABadRecord() {
    Schema value =
        SchemaBuilder.struct().field("day", org.apache.kafka.connect.data.Date.SCHEMA).build();
    // the last millisecond time is 07:12 UTC of its day; that day starts at 12:00 UTC at UTC-12
    Struct struct = new Struct(value).put("day", new Date(Long.MAX_VALUE - 1_000));
    assertThatThrownBy(
            () ->
                new RecordFieldTimestampExtractor("day", ZoneId.of("Etc/GMT+12"))
                    .extract(record(value, struct), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("is outside the range of millisecond times");
  }

  @Test
  void recordFieldExtractorAcceptsIsoStringsAndDigits() {
    TimestampExtractor utc = new RecordFieldTimestampExtractor("ts", ZoneOffset.UTC);
    TimestampExtractor berlin = new RecordFieldTimestampExtractor("ts", BERLIN);

    assertThat(utc.extract(record(null, Map.of("ts", "2024-01-02T13:45:00Z")), 0))
        .isEqualTo(ms("2024-01-02T13:45:00Z"));
    assertThat(utc.extract(record(null, Map.of("ts", "2024-01-02T13:45:00.123+02:00")), 0))
        .isEqualTo(ms("2024-01-02T11:45:00.123Z"));
    assertThat(
            utc.extract(record(null, Map.of("ts", "2024-01-02T13:45:00+01:00[Europe/Paris]")), 0))
        .isEqualTo(ms("2024-01-02T12:45:00Z"));
    assertThat(utc.extract(record(null, Map.of("ts", "1704203100000")), 0))
        .isEqualTo(1704203100000L);
    // a 32-bit integer cannot hold a millisecond time after January 1970: seconds, most likely
    assertThatThrownBy(() -> utc.extract(record(null, Map.of("ts", 1704203100)), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'ts'")
        .hasMessageContaining("holds a 32-bit integer, too narrow for epoch milliseconds")
        .hasMessageContaining("TimestampConverter")
        .hasMessageNotContaining("1704203100");
    // no offset: read in the partitioner's zone
    assertThat(berlin.extract(record(null, Map.of("ts", "2024-07-02T13:45:00")), 0))
        .isEqualTo(ms("2024-07-02T11:45:00Z"));
    assertThat(berlin.extract(record(null, Map.of("ts", "2024-07-02")), 0))
        .isEqualTo(ms("2024-07-01T22:00:00Z"));
  }

  /**
   * The ISO-8601 forms Confluent's sink reads (Joda's parser) and java.time's strict one refused,
   * which sent every such record to the dead letter queue: offsets without a colon, decimal commas,
   * hour-only times.
   */
  @Test
  void recordFieldExtractorAcceptsTheIsoFormsConfluentAccepts() {
    TimestampExtractor utc = new RecordFieldTimestampExtractor("ts", ZoneOffset.UTC);
    Map<String, String> forms =
        Map.of(
            "2024-01-02T13:45:00+0100", "2024-01-02T12:45:00Z",
            "2024-01-02T13:45:00.000+0000", "2024-01-02T13:45:00Z",
            "2024-01-02T13:45:00.000+01", "2024-01-02T12:45:00Z",
            "2024-01-02T13:45:00,123Z", "2024-01-02T13:45:00.123Z",
            "2024-01-02T13Z", "2024-01-02T13:00:00Z",
            "2024-01-02T13:45-0530", "2024-01-02T19:15:00Z");
    forms.forEach(
        (text, instant) ->
            assertThat(utc.extract(record(null, Map.of("ts", text)), 0))
                .as(text)
                .isEqualTo(ms(instant)));
  }

  @Test
  void unusableTimestampFieldsNameRecordFieldAndAcceptedFormats() {
    assertThatThrownBy(
            () -> hourlyByField("ts").encodePartition(record(null, Map.of("ts", "yesterday")), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'ts'")
        .hasMessageContaining("holds a string of 9 characters that is not a timestamp")
        .hasMessageNotContaining("yesterday")
        .hasMessageContaining("epoch milliseconds")
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(
            () -> hourlyByField("ts").encodePartition(record(null, Map.of("ts", 1.5)), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("holds a Double")
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(
            () -> hourlyByField("ts").encodePartition(record(null, Map.of("other", 1L)), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'ts' is missing")
        .hasMessageContaining("epoch milliseconds");
  }

  @Test
  void confluentExtractorClassNamesAreAccepted() {
    Partitioner p =
        Partitioners.create(
            TestPartitionerSettings.builder()
                .type("hourly")
                .timestampExtractor(
                    "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor")
                .build());

    assertThat(p.encodePartition(record(null, Map.of(), ms("2024-01-02T13:00:00Z")), 0))
        .isEqualTo("year=2024/month=01/day=02/hour=13");
  }

  @Test
  void invalidTimeSettingsAreConfigErrorsNamingTheKey() {
    assertThatThrownBy(() -> Partitioners.create(time(null, Partitioners.HOUR_MS).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("path.format is empty");
    assertThatThrownBy(() -> Partitioners.create(time("YYYY", 0).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("partition.duration.ms");
    assertThatThrownBy(() -> Partitioners.create(time("'year=YYYY", Partitioners.HOUR_MS).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("path.format")
        .hasMessageContaining("never closed");
    assertThatThrownBy(() -> Partitioners.create(time("CC", Partitioners.HOUR_MS).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("century");
    assertThatThrownBy(() -> Partitioners.create(time("year=YYYY", Partitioners.HOUR_MS).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("path.format")
        .hasMessageContaining("quote literal text");
    assertThatThrownBy(
            () ->
                Partitioners.create(
                    time("YYYY", Partitioners.HOUR_MS).timestampExtractor("Sundial").build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("timestamp.extractor=Sundial");
    assertThatThrownBy(
            () ->
                Partitioners.create(
                    time("YYYY", Partitioners.HOUR_MS)
                        .timestampExtractor("RecordField")
                        .timestampField(" ")
                        .build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("timestamp.field");
  }

  private static Partitioner hourlyByField(String field) {
    return Partitioners.create(
        TestPartitionerSettings.builder()
            .type("hourly")
            .timestampExtractor("RecordField")
            .timestampField(field)
            .build());
  }
}
