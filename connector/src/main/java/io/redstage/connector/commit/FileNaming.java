package io.redstage.connector.commit;

import io.redstage.contract.DataFileNames;
import io.redstage.contract.MarkerKeys;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Names data files. A committed file's key carries the unit's zero-padded start and end offsets:
 * {@code <topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start>+<end><ext>}. Keys
 * sort in offset order, a replay with the same boundaries rewrites the same key with the same
 * bytes, and a replay with other boundaries writes other keys, so a committed key never receives
 * different bytes.
 */
public final class FileNaming {
  private final String topicsDir;
  private final String tmpDir;
  private final String directoryDelim;
  private final String fileDelim;
  private final int padWidth;

  /** Characters of a connector's encoded name kept in its temporary prefix; longer ones hash. */
  private static final int MAX_SCOPE_CHARS = 100;

  /**
   * The temporary prefix of one connector: {@code <tmp.dir>/<its name, URL-encoded>/}, or tmp.dir
   * itself without a name (a task run outside Connect). A starting task aborts stale uploads under
   * it: connectors sharing tmp.dir (the default is one prefix for all) close their units by other
   * rules, and one whose units stay open longer than another's age limit must not have its uploads
   * aborted by the other's start. A name too long for a key is replaced by a hash of it.
   */
  public static String connectorTmpDir(String tmpDir, String connectorName) {
    String dir = MarkerKeys.normalizeDir(tmpDir);
    if (connectorName == null || connectorName.isBlank()) {
      return dir;
    }
    String scope = URLEncoder.encode(connectorName, StandardCharsets.UTF_8);
    if (scope.length() > MAX_SCOPE_CHARS) {
      try {
        byte[] d =
            MessageDigest.getInstance("SHA-256")
                .digest(connectorName.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder("sha256-");
        for (int i = 0; i < 8; i++) {
          hex.append(Character.forDigit((d[i] >> 4) & 0xf, 16))
              .append(Character.forDigit(d[i] & 0xf, 16));
        }
        scope = hex.toString(); // HexFormat is Java 17; the connector runs on 11
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("Every JVM has SHA-256", e);
      }
    }
    return dir + scope + "/";
  }

  public FileNaming(
      String topicsDir, String tmpDir, String directoryDelim, String fileDelim, int padWidth) {
    this.topicsDir = MarkerKeys.normalizeDir(topicsDir);
    this.tmpDir = MarkerKeys.normalizeDir(tmpDir);
    this.directoryDelim = directoryDelim;
    this.fileDelim = fileDelim;
    this.padWidth = padWidth;
  }

  /** The directory of one encoded partition of a topic, ending with the directory delimiter. */
  public String directory(String topic, String encodedPartition) {
    return topicsDir + topic + directoryDelim + encodedPartition + directoryDelim;
  }

  /** The final key of a file of unit {@code [start, end]}. */
  public String committedKey(
      String topic,
      int partition,
      String encodedPartition,
      long start,
      long end,
      String extension) {
    return directory(topic, encodedPartition)
        + DataFileNames.fileName(topic, partition, start, end, fileDelim, padWidth, extension);
  }

  /**
   * The UTF-8 bytes of the longest committed key a file under {@code encodedPartition} can get
   * (both offsets at their widest); over {@link MarkerKeys#MAX_KEY_BYTES}, S3 refuses the upload.
   */
  public int longestKeyBytes(
      String topic, int partition, String encodedPartition, String extension) {
    String longest =
        committedKey(topic, partition, encodedPartition, Long.MAX_VALUE, Long.MAX_VALUE, extension);
    // no encoding needed while even three bytes per character fit
    if (longest.length() * 3 <= MarkerKeys.MAX_KEY_BYTES) {
      return longest.length();
    }
    return longest.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * A stable identity of a file before its unit's end is known: same topic, partition, encoded
   * partition and start offset give the same id. Writers derive any otherwise random bytes (Avro
   * sync markers) from it.
   */
  public String fileIdentity(String topic, int partition, String encodedPartition, long start) {
    return directory(topic, encodedPartition)
        + DataFileNames.unitPrefix(topic, partition, start, fileDelim, padWidth);
  }

  /**
   * Where a file larger than one part is streamed while its unit is open; a fresh name per attempt,
   * so concurrent or replayed attempts never share an in-progress upload.
   */
  public String temporaryKey(String topic, int partition, long start, String extension) {
    return tmpDir
        + topic
        + "/"
        + partition
        + "/"
        + MarkerKeys.pad(start, padWidth)
        + "-"
        + UUID.randomUUID()
        + extension;
  }

  public String tmpPrefix() {
    return tmpDir;
  }
}
