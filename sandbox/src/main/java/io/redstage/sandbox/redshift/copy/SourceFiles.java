package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.sandbox.redshift.exec.StatementFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Resolves COPY's FROM into the files to load: the entries of a manifest (with Redshift's manifest
 * rules) or every object under a key prefix.
 */
final class SourceFiles {
  /** One file to load; {@code declaredLength} is the manifest's meta.content_length (or -1). */
  record SourceFile(S3Objects.Location location, long size, long declaredLength) {
    String url() {
      return location.url();
    }
  }

  private SourceFiles() {}

  static List<SourceFile> resolve(CopyCommand cmd, S3Objects s3) {
    S3Objects.Location from = S3Objects.Location.parse(cmd.from);
    return cmd.manifest ? fromManifest(cmd, from, s3) : fromPrefix(from, s3);
  }

  private static List<SourceFile> fromPrefix(S3Objects.Location prefix, S3Objects s3) {
    List<S3Object> objects;
    try {
      objects = s3.list(prefix);
    } catch (S3Objects.S3Failure e) {
      throw new StatementFailedException(e.getMessage());
    }
    if (objects.isEmpty()) {
      throw new StatementFailedException(
          "The specified S3 prefix '" + prefix.key() + "' does not exist");
    }
    List<SourceFile> out = new ArrayList<>();
    for (S3Object o : objects) {
      out.add(new SourceFile(new S3Objects.Location(prefix.bucket(), o.key()), o.size(), -1));
    }
    return out;
  }

  private static List<SourceFile> fromManifest(
      CopyCommand cmd, S3Objects.Location manifestAt, S3Objects s3) {
    if (manifestAt.key().isEmpty() || manifestAt.key().endsWith("/")) {
      throw new StatementFailedException(
          "COPY with MANIFEST parameter requires full path of an S3 object "
              + "DETAIL: code: 8001 context: "
              + manifestAt.url());
    }
    byte[] bytes;
    try {
      bytes = s3.get(manifestAt);
    } catch (S3Objects.S3Failure e) {
      throw new StatementFailedException("Problem reading manifest file - " + e.getMessage());
    }
    JsonNode manifest;
    try {
      manifest = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw notJson(manifestAt);
    }
    JsonNode entries = manifest == null ? null : manifest.get("entries");
    if (entries == null || !entries.isArray()) {
      throw notJson(manifestAt);
    }
    List<SourceFile> out = new ArrayList<>();
    for (JsonNode entry : entries) {
      JsonNode urlNode = entry.get("url");
      if (urlNode == null || !urlNode.isTextual()) {
        throw notJson(manifestAt);
      }
      S3Objects.Location loc = S3Objects.Location.parse(urlNode.textValue());
      if (loc == null || loc.key().isEmpty() || loc.key().endsWith("/")) {
        throw new StatementFailedException(
            "COPY with MANIFEST parameter requires full path of an S3 object "
                + "DETAIL: code: 8001 context: "
                + urlNode.textValue());
      }
      boolean mandatory = entry.path("mandatory").asBoolean(false);
      long declared = -1;
      if (cmd.isColumnar()) {
        JsonNode meta = entry.get("meta");
        if (meta == null || !meta.isObject()) {
          throw new StatementFailedException(
              "File entry does not have 'meta' key. DETAIL: code: 15003 context: "
                  + loc.url()
                  + " in manifest "
                  + manifestAt.url());
        }
        JsonNode length = meta.get("content_length");
        if (length == null || !length.canConvertToLong()) {
          throw new StatementFailedException(
              "File entry does not have 'content_length' key. DETAIL: code: 15003 "
                  + "context: "
                  + loc.url()
                  + " in manifest "
                  + manifestAt.url());
        }
        declared = length.longValue();
      }
      long size;
      try {
        size = s3.size(loc);
      } catch (S3Objects.S3Failure e) {
        if (e.isNotFound() && !mandatory) {
          continue;
        }
        throw new StatementFailedException(
            e.getMessage()
                + " DETAIL: code: 8001 context: "
                + (mandatory ? "mandatory manifest entry " : "manifest entry ")
                + loc.url()
                + " could not be read");
      }
      out.add(new SourceFile(loc, size, declared));
    }
    if (out.isEmpty()) {
      throw new StatementFailedException(
          "Manifest file "
              + manifestAt.url()
              + " lists no file that exists: COPY found nothing to load");
    }
    return out;
  }

  private static StatementFailedException notJson(S3Objects.Location manifestAt) {
    return new StatementFailedException(
        "Manifest file is not in correct json format DETAIL: " + manifestAt.url());
  }
}
