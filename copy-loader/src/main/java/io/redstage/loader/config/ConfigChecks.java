package io.redstage.loader.config;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.TableMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Checks that involve more than one key. */
final class ConfigChecks {
  private ConfigChecks() {}

  static void check(LoaderConfig c) {
    boolean cluster = c.optional(REDSHIFT_CLUSTER).isPresent();
    boolean workgroup = c.optional(REDSHIFT_WORKGROUP).isPresent();
    boolean dbUser = c.optional(REDSHIFT_DB_USER).isPresent();
    if (cluster == workgroup) {
      throw new ConfigException(
          "Cannot choose a Redshift target: set exactly one of '"
              + REDSHIFT_CLUSTER
              + "' (provisioned) or '"
              + REDSHIFT_WORKGROUP
              + "' (Serverless).");
    }
    int markersBytes = c.string(CONTROL_MARKERS_TABLE).getBytes(StandardCharsets.UTF_8).length;
    if (!ControlTables.derivedNamesFit(c.string(CONTROL_MARKERS_TABLE))) {
      // found at start, not when the first cycle names the claims or a per-target table
      throw new ConfigException(
          "Cannot use '"
              + CONTROL_MARKERS_TABLE
              + "' of "
              + markersBytes
              + " bytes: the loader names its claims, seed-watermark and per-target tables after it"
              + " (the per-target ones after its first 40 characters), and Redshift names have at"
              + " most 127 bytes. Use a name of at most "
              + ControlTables.MAX_MARKERS_TABLE_BYTES
              + " bytes, whose first 40 characters take at most 110.");
    }
    if (dbUser && !cluster) {
      throw new ConfigException(
          "Cannot use '"
              + REDSHIFT_DB_USER
              + "' with a Serverless workgroup: temporary database users exist "
              + "only on provisioned clusters. Remove it, or use '"
              + REDSHIFT_SECRET_ARN
              + "'.");
    }
    if (dbUser && c.optional(REDSHIFT_SECRET_ARN).isPresent()) {
      throw new ConfigException(
          "Cannot use both '"
              + REDSHIFT_DB_USER
              + "' and '"
              + REDSHIFT_SECRET_ARN
              + "': the Data API takes one authentication mode. Keep one of them.");
    }
    if (c.optional(AWS_ACCESS_KEY_ID).isPresent()
        != c.optional(AWS_SECRET_ACCESS_KEY).isPresent()) {
      throw new ConfigException(
          "Cannot use static AWS credentials: set both '"
              + AWS_ACCESS_KEY_ID
              + "' and '"
              + AWS_SECRET_ACCESS_KEY
              + "', or neither to use the default credentials chain.");
    }
    String markers = MarkerKeys.normalizeDir(c.string(MARKERS_DIR));
    String loaded = MarkerKeys.normalizeDir(c.string(MARKERS_LOADED_DIR));
    if (markers.isEmpty()) {
      throw new ConfigException(
          "Cannot use an empty '"
              + MARKERS_DIR
              + "': the loader lists it every cycle. Use the connector's markers prefix.");
    }
    for (String other :
        new String[] {MARKERS_LOADED_DIR, MANIFESTS_DIR, QUARANTINE_DIR, REJECTS_DIR}) {
      String dir = MarkerKeys.normalizeDir(c.string(other));
      if (c.string(other).contains("://") || c.string(other).startsWith("/")) {
        throw new ConfigException(
            "Cannot use '"
                + other
                + "' = '"
                + c.string(other)
                + "': it is a key prefix inside '"
                + S3_BUCKET
                + "', not a URL or path. Use a prefix such as "
                + LoaderConfigDef.key(other).orElseThrow().defaultValue()
                + ".");
      }
      if (dir.startsWith(markers) || markers.startsWith(dir)) {
        throw new ConfigException(
            "Cannot use '"
                + other
                + "' = '"
                + c.string(other)
                + "': it overlaps '"
                + MARKERS_DIR
                + "' = '"
                + c.string(MARKERS_DIR)
                + "', so listings would mix them. Use a separate prefix.");
      }
    }
    if (loaded.isEmpty()) {
      throw new ConfigException(
          "Cannot use an empty '"
              + MARKERS_LOADED_DIR
              + "'. Use a prefix such as _redstage/markers-loaded.");
    }
    checkSweepPrefixes(c, markers);
    endpoint(c, S3_ENDPOINT);
    endpoint(c, REDSHIFT_ENDPOINT);
    region(c);
    compile(c, TOPICS_REGEX);
    compile(c, TABLES_REGEX);
    checkReplacement(c);
    for (String pair : c.list(TABLES_MAP)) {
      // found at start, not when the first unit of that topic stops every cycle
      Optional<TableMapper.Entry> entry;
      try {
        entry = TableMapper.Entry.parse(pair, c.string(TARGET_SCHEMA));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "Cannot use '"
                + TABLES_MAP
                + "' entry '"
                + pair
                + "': "
                + stripPeriod(e.getMessage())
                + ". Name a table Redshift takes (at most 127 bytes per name).",
            e);
      }
      if (entry.isEmpty()) {
        throw new ConfigException(
            "Cannot read '"
                + TABLES_MAP
                + "' entry '"
                + pair
                + "': expected topic:table or topic:schema.table.");
      }
    }
    if (c.duration(REDSHIFT_POLL_MAX).compareTo(c.duration(REDSHIFT_POLL_INITIAL)) < 0) {
      throw new ConfigException(
          "Cannot use '"
              + REDSHIFT_POLL_MAX
              + "' below '"
              + REDSHIFT_POLL_INITIAL
              + "'. Raise the maximum.");
    }
  }

  /**
   * The sweep lists topics.dir (may be empty, as the connector allows) and writes sweep.moved-dir
   * and the cursor: those must lie outside it, or moved files would be listed again. Marker keys
   * never parse as data files, so markers.dir may be anywhere.
   */
  private static void checkSweepPrefixes(LoaderConfig c, String markers) {
    String topics = MarkerKeys.normalizeDir(c.string(TOPICS_DIR));
    for (String other : new String[] {SWEEP_MOVED_DIR, SWEEP_CURSOR_KEY}) {
      String dir = MarkerKeys.normalizeDir(c.string(other));
      boolean inTopics = !topics.isEmpty() && (dir.startsWith(topics) || topics.startsWith(dir));
      if (dir.isEmpty() || inTopics || dir.startsWith(markers)) {
        throw new ConfigException(
            "Cannot use '"
                + other
                + "' = '"
                + c.string(other)
                + "': it overlaps '"
                + TOPICS_DIR
                + "' or '"
                + MARKERS_DIR
                + "', so a sweep would list what it writes. Use a separate prefix such as "
                + LoaderConfigDef.key(other).orElseThrow().defaultValue()
                + ".");
      }
    }
  }

  /**
   * The replacement is applied only when a topic matches tables.regex, during planning, where a
   * group the pattern does not have ({@code $2} of a one-group pattern) or a trailing backslash
   * would stop every cycle: try it on the pattern's own groups here.
   */
  private static void checkReplacement(LoaderConfig c) {
    String regex = c.string(TABLES_REGEX);
    String replacement = c.string(TABLES_REPLACEMENT);
    if (regex == null || replacement == null) {
      return;
    }
    Matcher m = Pattern.compile(regex).matcher("");
    try {
      // a pattern that matches "" with as many groups, named as the real ones are; a name found in
      // the text is real when the pattern cannot take a second group of that name
      StringBuilder groups = new StringBuilder();
      Matcher named = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>").matcher(regex);
      Set<String> names = new HashSet<>();
      while (named.find()) {
        String name = named.group(1);
        if (!names.contains(name) && definesGroup(regex, name)) {
          names.add(name);
          groups.append("(?<").append(name).append(">)");
        }
      }
      for (int count = names.size(); count < m.groupCount(); count++) {
        groups.append("()");
      }
      Matcher probe = Pattern.compile(groups.toString()).matcher("");
      probe.find();
      probe.appendReplacement(new StringBuilder(), replacement);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new ConfigException(
          "Cannot use '"
              + TABLES_REPLACEMENT
              + "' = '"
              + replacement
              + "' with "
              + TABLES_REGEX
              + " ("
              + m.groupCount()
              + " group(s)): "
              + e.getMessage()
              + ". Refer to groups $0 to $"
              + m.groupCount()
              + " (or by name), and write a literal $ or \\ as \\$ or \\\\.",
          e);
    }
  }

  /**
   * An endpoint override the SDK would take only at its first request, and then not name the key.
   */
  private static void endpoint(LoaderConfig c, String key) {
    String url = c.optional(key).orElse(null);
    if (url == null) {
      return;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      uri = null;
    }
    // The value is never echoed: a URL can carry a password (http://user:pass@host), and neither
    // S3 nor the Data API reads credentials from it
    if (url.contains("@") || (uri != null && uri.getRawUserInfo() != null)) {
      throw new ConfigException(
          "Cannot use '"
              + key
              + "' (value not shown): it holds user information (user:password@). Give credentials"
              + " with aws.access.key.id and aws.secret.access.key or the default chain, and write"
              + " the URL as https://host[:port].");
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      throw new ConfigException(
          "Cannot use '"
              + key
              + "' = '"
              + url
              + "': not an http or https URL with a host. Write it as https://host[:port].");
    }
  }

  /**
   * The Data API is AWS's, so the region is in AWS's form (lower case: upper case breaks request
   * signing, which the SDK finds only at the first request).
   */
  private static void region(LoaderConfig c) {
    String region = c.optional(AWS_REGION).orElse(null);
    if (region != null && !region.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
      throw new ConfigException(
          "Cannot use '"
              + AWS_REGION
              + "' = '"
              + region
              + "': not an AWS Region name. Write it in lower case, e.g. us-east-1.");
    }
  }

  private static boolean definesGroup(String regex, String name) {
    try {
      Pattern.compile("(?:" + regex + ")|(?<" + name + ">)");
      return false;
    } catch (PatternSyntaxException e) {
      return true;
    }
  }

  private static void compile(LoaderConfig c, String key) {
    String regex = c.string(key);
    if (regex == null) {
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(
          "Cannot use '"
              + key
              + "' = '"
              + regex
              + "': not a valid regular expression ("
              + e.getDescription()
              + "). Fix the pattern.",
          e);
    }
  }

  private static String stripPeriod(String s) {
    return s != null && s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
