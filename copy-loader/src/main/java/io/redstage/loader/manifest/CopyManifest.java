package io.redstage.loader.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.loader.batch.StagingGroup;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The COPY manifest of one staging group: every file with {@code mandatory: true} (a missing file
 * fails the load rather than silently skipping rows) and {@code meta.content_length} from the
 * marker, which Redshift requires for Parquet and which lets it skip a HEAD per file.
 */
public final class CopyManifest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CopyManifest() {}

  public static byte[] json(StagingGroup group) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode entries = root.putArray("entries");
    for (StagingGroup.FileRef f : group.files()) {
      ObjectNode e = entries.addObject();
      e.put("url", f.url());
      e.put("mandatory", true);
      e.putObject("meta").put("content_length", f.bytes());
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write COPY manifest", e);
    }
  }
}
