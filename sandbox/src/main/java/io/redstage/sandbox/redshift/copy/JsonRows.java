package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.exec.StatementFailedException;
import java.io.ByteArrayInputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads JSON for COPY with {@code JSON 'auto'} or {@code 'auto ignorecase'}: a stream of JSON
 * objects (one per line or spread over lines). 'auto' maps top-level keys to columns by exact
 * (lowercase) name, 'auto ignorecase' in any case; other keys are ignored, columns without a key
 * get DEFAULT or NULL; nested values go to SUPER (or VARCHAR as JSON text). GZIP input (what the
 * connector writes) is decompressed.
 */
final class JsonRows {
  private JsonRows() {}

  static void read(String url, byte[] data, List<Column> targets, CopyCommand cmd, RowSink sink) {
    Map<String, Integer> columnIndex = new HashMap<>();
    for (int i = 0; i < targets.size(); i++) {
      columnIndex.put(targets.get(i).name(), i);
    }
    long line = 0;
    try (InputStream in = decompress(url, data, cmd);
        JsonParser parser = Json.MAPPER.getFactory().createParser(in)) {
      JsonToken token;
      while (true) {
        try {
          token = parser.nextToken();
          if (token == null) {
            break;
          }
          line = parser.currentTokenLocation().getLineNr();
          if (token != JsonToken.START_OBJECT) {
            String raw = token == JsonToken.START_ARRAY ? "[" : parser.getText();
            sink.unreadable(
                new LoadError(
                    1216,
                    token == JsonToken.START_ARRAY
                        ? "Invalid JSON object: a top-level JSON array needs a JSONPaths file; 'auto' reads JSON objects"
                        : "Invalid JSON object: top-level value is not a JSON object",
                    raw),
                line,
                raw);
            return;
          }
          JsonNode record = Json.MAPPER.readTree(parser);
          Object[] values = shred(record, columnIndex, cmd.ignoreCase(), targets.size());
          sink.row(values, line, () -> ColumnWriter.abbreviate(record.toString()));
        } catch (CharConversionException e) {
          sink.unreadable(
              new LoadError(
                  1220,
                  "String contains invalid or unsupported UTF8 codepoints: " + e.getMessage(),
                  ""),
              line == 0 ? 1 : line,
              "");
          return;
        } catch (JsonParseException e) {
          long at = e.getLocation() == null ? line : e.getLocation().getLineNr();
          String reason = e.getOriginalMessage();
          if (reason != null && reason.startsWith("Invalid UTF-8")) {
            sink.unreadable(
                new LoadError(
                    1220, "String contains invalid or unsupported UTF8 codepoints: " + reason, ""),
                at,
                "");
          } else {
            sink.unreadable(new LoadError(1216, "Invalid JSON: " + reason, ""), at, "");
          }
          return;
        }
      }
    } catch (IOException e) {
      throw new StatementFailedException("Cannot read JSON file " + url + ": " + e.getMessage());
    }
  }

  private static Object[] shred(
      JsonNode record, Map<String, Integer> columnIndex, boolean ignoreCase, int n) {
    Object[] values = new Object[n];
    Arrays.fill(values, ColumnWriter.MISSING);
    for (Map.Entry<String, JsonNode> f : record.properties()) {
      Integer i = columnIndex.get(ignoreCase ? f.getKey().toLowerCase(Locale.ROOT) : f.getKey());
      if (i != null) {
        values[i] = f.getValue();
      }
    }
    return values;
  }

  private static InputStream decompress(String url, byte[] data, CopyCommand cmd)
      throws IOException {
    InputStream in = new ByteArrayInputStream(data);
    switch (cmd.compression) {
      case GZIP -> in = new GZIPInputStream(in, 64 * 1024);
      case NONE -> {}
      default ->
          throw new StatementFailedException(
              "Cannot COPY "
                  + url
                  + " with "
                  + cmd.compression
                  + ": the Redshift sandbox decompresses GZIP only (its scope is in "
                  + "docs/redshift-sandbox.md)");
    }
    return in;
  }
}
