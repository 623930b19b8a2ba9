package io.redstage.loader.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which data file a rejected row is in when the load-error views cannot say: they keep 256
 * characters of a file name ({@link LoadErrorReader#stored}), and what tells a batch's files apart
 * ({@code +<partition>+<start>+<end>}) comes last in the key, so with a long topic or path several
 * files share the name the views keep. Such a row is matched by its line: line N of each candidate
 * file is read and compared with the raw line the view gives (its first 1 KB, multibyte characters
 * as periods). A row whose file this cannot settle is listed with its candidates and no unit: a
 * wrong unit would name a good record as the bad one, and a guessed offset could let the
 * within-batch dedupe ({@link RepeatedRejects}) drop another real rejected row.
 */
final class SharedFileNames {
  /**
   * Characters of a line kept to match raw lines against: the views keep 1,024 bytes of a line,
   * never more characters, and a period stands for each multibyte character (two chars for one
   * outside the BMP).
   */
  static final int HEAD_CHARS = 2048;

  private SharedFileNames() {}

  /**
   * A line of a data file read to match it: its start (stripped, at most {@link #HEAD_CHARS}) and
   * the Kafka offset it holds (null when none).
   */
  record Line(String head, Long offset) {
    static Line of(String line, Long offset) {
      String s = line.strip();
      return new Line(s.length() > HEAD_CHARS ? s.substring(0, HEAD_CHARS) : s, offset);
    }
  }

  /**
   * Where a row is: its file ({@code file}), or, when that cannot be settled, the files it may be
   * in ({@code candidates}, {@code file} null).
   */
  record Where(String file, List<String> candidates) {}

  /**
   * The names the views keep that several of {@code urls} share, each with those URLs (in the order
   * given): only these rows need their file worked out.
   */
  static Map<String, List<String>> shared(Collection<String> urls) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (String u : urls) {
      List<String> same = byName.computeIfAbsent(LoadErrorReader.stored(u), n -> new ArrayList<>());
      if (!same.contains(u)) {
        same.add(u);
      }
    }
    byName.values().removeIf(same -> same.size() < 2);
    return byName;
  }

  /**
   * Where each of {@code found} is. A row whose file is a name in {@code shared} is matched against
   * line N of each candidate in {@code lines} (URL to line number to line; a URL that is absent
   * could not be read and is not ruled out). Rows that are alike in all the view gives (name, line,
   * column, reason, raw line) are settled together: as many alike rows as candidates left are one
   * row of each, and which is which does not matter as they are alike. Otherwise they are listed
   * with their candidates (every candidate when the lines ruled all of them out, which only a view
   * that changed a line in a way not known here can cause).
   */
  static List<Where> where(
      List<LoadErrorReader.LoadError> found,
      Map<String, List<String>> shared,
      Map<String, Map<Long, Line>> lines) {
    Where[] out = new Where[found.size()];
    Map<List<Object>, List<Integer>> alike = new LinkedHashMap<>();
    for (int i = 0; i < found.size(); i++) {
      LoadErrorReader.LoadError e = found.get(i);
      if (e.file() == null || !shared.containsKey(e.file())) {
        out[i] = new Where(e.file(), null);
      } else {
        alike
            .computeIfAbsent(
                Arrays.asList(e.file(), e.line(), e.column(), e.code(), e.reason(), e.rawLine()),
                k -> new ArrayList<>())
            .add(i);
      }
    }
    alike.forEach(
        (key, rows) -> {
          LoadErrorReader.LoadError e = found.get(rows.get(0));
          List<String> candidates = shared.get(e.file());
          List<String> possible = candidates.stream().filter(c -> possible(c, e, lines)).toList();
          for (int k = 0; k < rows.size(); k++) {
            out[rows.get(k)] =
                possible.size() == rows.size()
                    ? new Where(possible.get(k), null)
                    : new Where(null, possible.isEmpty() ? candidates : possible);
          }
        });
    return Arrays.asList(out);
  }

  /** Whether row {@code e} may be in file {@code url}, by what was read of it. */
  private static boolean possible(
      String url, LoadErrorReader.LoadError e, Map<String, Map<Long, Line>> lines) {
    Map<Long, Line> read = lines.get(url);
    if (read == null) {
      return true; // not read (S3 refused): nothing rules it out
    }
    Line line = read.get(e.line());
    if (line == null) {
      return false; // the file has no line of that number
    }
    return e.rawLine() == null || e.rawLine().isBlank() || matches(e.rawLine(), line.head());
  }

  /**
   * Whether the view's raw line is the start of {@code head}: the view keeps 1 KB of a line,
   * trimmed, with a period for each multibyte character (and the sandbox a space for NUL).
   */
  static boolean matches(String raw, String head) {
    String r = raw.strip();
    int i = 0;
    int j = 0;
    while (i < r.length()) {
      if (j >= head.length()) {
        return false;
      }
      int rc = r.codePointAt(i);
      int hc = head.codePointAt(j);
      boolean same = rc == hc || (rc == '.' && hc > 0x7F) || (rc == ' ' && hc == 0);
      if (!same) {
        return false;
      }
      i += Character.charCount(rc);
      j += Character.charCount(hc);
    }
    return true;
  }
}
