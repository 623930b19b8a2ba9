package io.redstage.connector.partition;

import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalField;
import java.util.Arrays;
import java.util.Locale;

/**
 * Builds a java.time formatter from a {@code path.format} written in Joda-Time syntax, as
 * Confluent's S3 sink users write it. Most letters mean the same in both, but some do not, and a
 * verbatim copy would silently write other paths: Joda {@code Y} is year-of-era while java.time
 * {@code Y} is the locale's week-based year (so {@code 'year'=YYYY} would print 2025 for
 * 2024-12-30), Joda {@code x} is the ISO week-year while java.time {@code x} is a zone offset, Joda
 * {@code w}/{@code e} are ISO week/day numbers while java.time's depend on the locale, and Joda
 * {@code Z}/{@code ZZ}/{@code ZZZ} are offset/offset-with-colon/zone id. Those letters are
 * translated:
 *
 * <pre>
 *   Joda  Y    -> y (year of era)          Joda y  -> u (proleptic year)
 *   Joda  x    -> ISO week-based year      Joda w  -> ISO week of week-based year
 *   Joda  e    -> ISO day of week (1 = Monday)
 *   Joda  Z    -> +HHMM   ZZ -> +HH:MM    ZZZ -> zone id
 * </pre>
 *
 * Other Joda letters (G, E, D, M, d, a, K, h, H, k, m, s, S, z) mean the same in java.time and are
 * kept; letters Joda does not define are passed to java.time unchanged, so java.time-only letters
 * (e.g. Q for quarter) still work. Joda's century ({@code C}) has no java.time equivalent and is
 * rejected. Quoting is the same in both: {@code 'text'} is literal, {@code ''} is a quote.
 */
final class JodaPatterns {
  private JodaPatterns() {}

  /**
   * @throws IllegalArgumentException naming the problem in the pattern
   */
  static DateTimeFormatter toFormatter(String jodaPattern, Locale locale) {
    DateTimeFormatterBuilder builder = new DateTimeFormatterBuilder();
    int i = 0;
    while (i < jodaPattern.length()) {
      char c = jodaPattern.charAt(i);
      if (c == '\'') {
        i = appendQuoted(jodaPattern, i, builder);
      } else if (isLetter(c)) {
        int end = i;
        while (end < jodaPattern.length() && jodaPattern.charAt(end) == c) {
          end++;
        }
        appendLetters(c, end - i, builder, jodaPattern);
        i = end;
      } else {
        builder.appendLiteral(c);
        i++;
      }
    }
    return builder.toFormatter(locale);
  }

  /**
   * Appends the literal starting at the quote at {@code start}; returns the index after its closing
   * quote.
   */
  private static int appendQuoted(String pattern, int start, DateTimeFormatterBuilder builder) {
    if (start + 1 < pattern.length() && pattern.charAt(start + 1) == '\'') {
      builder.appendLiteral('\'');
      return start + 2;
    }
    StringBuilder literal = new StringBuilder();
    int i = start + 1;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
          literal.append('\'');
          i += 2;
          continue;
        }
        builder.appendLiteral(literal.toString());
        return i + 1;
      }
      literal.append(c);
      i++;
    }
    throw new IllegalArgumentException(
        "the quote at position " + start + " of '" + pattern + "' is never closed");
  }

  private static void appendLetters(
      char letter, int count, DateTimeFormatterBuilder builder, String pattern) {
    switch (letter) {
      case 'Y':
        builder.appendPattern(repeat('y', count));
        break;
      case 'y':
        builder.appendPattern(repeat('u', count));
        break;
      case 'x':
        if (count == 2) {
          builder.appendValueReduced(IsoFields.WEEK_BASED_YEAR, 2, 2, 2000);
        } else {
          builder.appendValue(
              IsoFields.WEEK_BASED_YEAR,
              count,
              19,
              count >= 4 ? SignStyle.EXCEEDS_PAD : SignStyle.NORMAL);
        }
        break;
      case 'w':
        appendNumber(builder, IsoFields.WEEK_OF_WEEK_BASED_YEAR, count);
        break;
      case 'e':
        appendNumber(builder, ChronoField.DAY_OF_WEEK, count);
        break;
      case 'Z':
        if (count == 1) {
          builder.appendOffset("+HHMM", "+0000");
        } else if (count == 2) {
          builder.appendOffset("+HH:MM", "+00:00");
        } else {
          builder.appendZoneId();
        }
        break;
      case 'C':
        throw new IllegalArgumentException(
            "'C' (Joda's century of era) has no java.time equivalent; "
                + "use the year (YYYY) instead");
      default:
        // the same in Joda and java.time, or not a Joda letter: java.time interprets it (and
        // rejects unknown ones)
        try {
          builder.appendPattern(repeat(letter, count));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "'"
                  + repeat(letter, count)
                  + "' in '"
                  + pattern
                  + "' is not a date/time field ("
                  + e.getMessage()
                  + "); quote literal text like 'year'");
        }
    }
  }

  private static void appendNumber(
      DateTimeFormatterBuilder builder, TemporalField field, int count) {
    if (count == 1) {
      builder.appendValue(field);
    } else {
      builder.appendValue(field, count);
    }
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static String repeat(char c, int count) {
    char[] chars = new char[count];
    Arrays.fill(chars, c);
    return new String(chars);
  }
}
