package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The value checks themselves: byte counting, NUL, surrogates, truncation, numbers and dates. */
class WarehouseLimitsTest {
  private static final String EURO = "\u20ac"; // 3 UTF-8 bytes
  private static final String EMOJI = "\ud83d\ude00"; // a surrogate pair, 4 UTF-8 bytes

  @Test
  void aStringWithinTheLimitIsReturnedAsItIs() {
    WarehouseLimits limits = new WarehouseLimits(12, false);
    String s = "ab" + EURO + EMOJI + "\u00e9"; // 1+1+3+4+2 = 11 bytes
    assertThat(limits.string(s, false)).isSameAs(s);
    String exact = s + "x"; // 12 bytes: exactly the limit
    assertThat(limits.string(exact, false)).isSameAs(exact);
  }

  @Test
  void aStringOneByteOverTheLimitIsRejectedWithItsSizeAndTheKey() {
    WarehouseLimits limits = new WarehouseLimits(12, false);
    String s = "ab" + EURO + EMOJI + "\u00e9" + "xy"; // 13 bytes
    assertThatThrownBy(() -> limits.string(s, false))
        .isInstanceOf(ConversionException.class)
        .hasMessage(
            "is a string of 13 UTF-8 bytes, over varchar.max.bytes=12 (the target VARCHAR size)")
        .extracting(e -> ((ConversionException) e).fix())
        .asString()
        .contains("behavior.on.oversize.string=truncate")
        .contains("errors.tolerance=all");
  }

  @Test
  void theDefaultLimitIsRedshiftsVarcharMaximumAndNestedStringsAlwaysGetIt() {
    WarehouseLimits small = new WarehouseLimits(10, false);
    String big = "x".repeat(WarehouseLimits.VARCHAR_MAX_BYTES);
    assertThat(small.string(big, true))
        .as("inside SUPER the column size does not apply")
        .isSameAs(big);
    assertThatThrownBy(() -> small.string(big + "y", true))
        .hasMessageContaining("65,536 UTF-8 bytes")
        .hasMessageContaining("inside a SUPER value");
    WarehouseLimits defaults = new WarehouseLimits(WarehouseLimits.VARCHAR_MAX_BYTES, false);
    assertThatThrownBy(() -> defaults.string("\u00e9".repeat(40_000), false))
        .hasMessage(
            "is a string of 80,000 UTF-8 bytes, over varchar.max.bytes=65535 (Redshift VARCHAR max)");
  }

  @Test
  void truncationCutsAtACharacterBoundaryAndCounts() {
    WarehouseLimits limits = new WarehouseLimits(6, true);
    // "a" + emoji = 5 bytes, the next emoji would make 9: the pair is never split.
    assertThat(limits.string("a" + EMOJI + EMOJI, false)).isEqualTo("a" + EMOJI);
    // "abcd" + euro = 7 bytes: the euro sign goes whole.
    String cut = limits.string("abcd" + EURO + "tail", false);
    assertThat(cut).isEqualTo("abcd");
    assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(6);
    assertThat(limits.truncated()).isEqualTo(2);
    assertThat(limits.string("short", false)).isEqualTo("short");
    assertThat(limits.truncated()).isEqualTo(2);
  }

  /**
   * 20 chars: under a limit of 65535 bytes the byte count is skipped, over a limit of 10 it runs.
   */
  @ParameterizedTest
  @ValueSource(ints = {10, WarehouseLimits.VARCHAR_MAX_BYTES})
  void nulIsRejectedWithOrWithoutTheByteCount(int limit) {
    WarehouseLimits limits = new WarehouseLimits(limit, true);
    assertThatThrownBy(() -> limits.string("ab\u0000cdefghijklmnopq", false))
        .isInstanceOf(ConversionException.class)
        .hasMessage(
            "contains U+0000 (NUL) at character 2, which Redshift VARCHAR and SUPER cannot hold");
    assertThat(limits.truncated()).isZero();
  }

  @Test
  void unpairedSurrogatesAreRejectedPairsAccepted() {
    WarehouseLimits limits = new WarehouseLimits(WarehouseLimits.VARCHAR_MAX_BYTES, false);
    assertThat(limits.string(EMOJI + EMOJI, false)).isEqualTo(EMOJI + EMOJI);
    assertThatThrownBy(() -> limits.string("ab\ud83d", false))
        .hasMessageStartingWith("contains an unpaired UTF-16 surrogate U+D83D at character 2");
    assertThatThrownBy(() -> limits.string("\ude00ab", false))
        .hasMessageStartingWith("contains an unpaired UTF-16 surrogate U+DE00 at character 0");
    assertThatThrownBy(() -> limits.string("a\ud83dx", false))
        .hasMessageContaining("U+D83D at character 1");
    String longOne = "x".repeat(30_000) + "\ud83d" + "y";
    assertThatThrownBy(() -> limits.string(longOne, false))
        .hasMessageContaining("at character 30000");
  }

  @Test
  void schemalessNumbersMustFitRedshiftsDecimalAndBigint() {
    BigDecimal digits38 = new BigDecimal("1234567890123456789012345678901234.5678");
    assertThat(WarehouseLimits.decimal(digits38)).isSameAs(digits38);
    assertThatThrownBy(
            () ->
                WarehouseLimits.decimal(new BigDecimal("123456789012345678901234567890123456.789")))
        .hasMessage("is a number of 39 digits, over Redshift's 38 for DECIMAL");
    assertThatThrownBy(() -> WarehouseLimits.decimal(new BigDecimal("1E+50")))
        .hasMessageContaining("51 digits");
    // precision minus scale overflowed an int here, and the number passed
    assertThatThrownBy(() -> WarehouseLimits.decimal(new BigDecimal("1e2147483647")))
        .hasMessageContaining("2147483648 digits");
    assertThatThrownBy(() -> WarehouseLimits.plainText(new BigDecimal("1e-2147483647")))
        .hasMessageContaining("2147483647 digits")
        .hasMessageContaining("VARCHAR");
    assertThat(WarehouseLimits.plainText(new BigDecimal("1.5E+3"))).isEqualTo("1500");
    BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
    assertThat(WarehouseLimits.bigint(max)).isSameAs(max);
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    assertThat(WarehouseLimits.bigint(min)).isSameAs(min);
    assertThatThrownBy(() -> WarehouseLimits.bigint(max.add(BigInteger.ONE)))
        .hasMessageContaining("an integer of 65 bits")
        .hasMessageNotContaining("9223372036854775808")
        .hasMessageContaining("BIGINT");
  }

  @Test
  void decimalSchemasOver38DigitsAreRejected() {
    WarehouseLimits.decimalPrecision(38, 2);
    assertThatThrownBy(() -> WarehouseLimits.decimalPrecision(40, 2))
        .hasMessage("is decimal(40,2), which exceeds Redshift's 38 digits");
    WarehouseLimits.decimalPrecision(38, 37);
    assertThatThrownBy(() -> WarehouseLimits.decimalPrecision(38, 38))
        .hasMessage(
            "is decimal(38,38), whose scale exceeds Redshift's 37 (the loader could not create its column)");
  }

  @Test
  void datesAndTimestampsOutsideYears1To9999AreRejected() {
    long first = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
    long last = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    assertThat(WarehouseLimits.epochMillis(first)).isEqualTo(first);
    assertThat(WarehouseLimits.epochMillis(last)).isEqualTo(last);
    assertThatThrownBy(() -> WarehouseLimits.epochMillis(last + 1))
        .hasMessageContaining("(year 10000)");
    assertThatThrownBy(() -> WarehouseLimits.epochMillis(first - 1))
        .hasMessageContaining("(year 0)");
    assertThatThrownBy(() -> WarehouseLimits.epochMillis(Long.MAX_VALUE))
        .hasMessageContaining("outside the years");
    int day = (int) LocalDate.of(9999, 12, 31).toEpochDay();
    assertThat(WarehouseLimits.epochDay(day)).isEqualTo(day);
    assertThatThrownBy(() -> WarehouseLimits.epochDay(day + 1))
        .hasMessage(
            "is the date +10000-01-01, outside the years 1 to 9999 that Redshift COPY reads");
  }

  @Test
  void keyAndHeaderTextIsCheckedButNeverCut() {
    WarehouseLimits limits = new WarehouseLimits(5, true);
    String key = "a key longer than varchar.max.bytes";
    assertThat(limits.text(key)).isSameAs(key);
    assertThatThrownBy(() -> limits.text("x".repeat(WarehouseLimits.VARCHAR_MAX_BYTES + 1)))
        .hasMessage("is text of 65,536 UTF-8 bytes, over the 65535 of Redshift's largest VARCHAR");
    assertThatThrownBy(() -> limits.text("k\u0000")).hasMessageContaining("U+0000");
    assertThat(limits.truncated()).isZero();
  }

  @Test
  void bytesFitVarbyteAsAColumnAndBase64InsideSuper() {
    WarehouseLimits.bytes(64_000, false);
    WarehouseLimits.bytes(49_149, true);
    assertThatThrownBy(() -> WarehouseLimits.bytes(64_001, false))
        .hasMessageContaining("64,000 of Redshift's VARBYTE");
    assertThatThrownBy(() -> WarehouseLimits.bytes(49_150, true))
        .hasMessageContaining("inside a SUPER value");
    // 49,149 bytes are 65,532 base64 chars; 49,150 would be 65,536.
    assertThat(Base64.getEncoder().encodeToString(new byte[49_149]))
        .hasSizeLessThanOrEqualTo(65_535);
    assertThat(Base64.getEncoder().encodeToString(new byte[49_150])).hasSizeGreaterThan(65_535);
  }

  @Test
  void theDigitsOfANestedIntegerAreCountedLikeItsText() {
    List<Long> values = new java.util.ArrayList<>(List.of(0L, Long.MAX_VALUE, Long.MIN_VALUE));
    for (long p = 1; p > 0; p *= 10) {
      values.addAll(List.of(p - 1, p, p + 1, -p, -p + 1, -p - 1));
    }
    for (int bit = 0; bit < 63; bit++) {
      long p = 1L << bit;
      values.addAll(List.of(p - 1, p, p + 1, -p, -p + 1));
    }
    assertThat(values)
        .allSatisfy(
            v ->
                assertThat(ConnectAvroValues.decimalChars(v))
                    .as("%d", v)
                    .isEqualTo(Long.toString(v).length()));
  }
}
