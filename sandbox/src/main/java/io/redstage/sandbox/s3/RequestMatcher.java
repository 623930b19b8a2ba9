package io.redstage.sandbox.s3;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Selects the requests a {@link FaultRule} applies to: by operation (or HTTP method), bucket and
 * key. Immutable; each {@code with...}/{@code key...} call returns a narrower copy. Examples:
 *
 * <pre>
 *   RequestMatcher.methods("PUT", "POST").keyPrefix("topics/")
 *   RequestMatcher.operations(ObjectOperation.COMPLETE_MULTIPART_UPLOAD).keyMatching(Pattern.compile(".*\\.parquet"))
 * </pre>
 *
 * For list operations the "key" is the request's prefix (empty when none).
 */
public final class RequestMatcher {
  private final Set<ObjectOperation> operations;
  private final String bucket;
  private final String keyPrefix;
  private final Pattern keyPattern;

  private RequestMatcher(
      Set<ObjectOperation> operations, String bucket, String keyPrefix, Pattern keyPattern) {
    this.operations = Collections.unmodifiableSet(operations);
    this.bucket = bucket;
    this.keyPrefix = keyPrefix;
    this.keyPattern = keyPattern;
  }

  /** Every object-level request. */
  public static RequestMatcher any() {
    return new RequestMatcher(EnumSet.allOf(ObjectOperation.class), null, "", null);
  }

  public static RequestMatcher operations(ObjectOperation first, ObjectOperation... more) {
    return new RequestMatcher(EnumSet.of(first, more), null, "", null);
  }

  /** Every operation whose REST request uses one of these HTTP methods (e.g. "PUT", "POST"). */
  public static RequestMatcher methods(String... httpMethods) {
    if (httpMethods.length == 0) {
      throw new IllegalArgumentException(
          "Cannot match by HTTP method: no method given. Pass e.g. \"PUT\", \"POST\".");
    }
    Set<ObjectOperation> ops = EnumSet.noneOf(ObjectOperation.class);
    for (String method : httpMethods) {
      String m = method.toUpperCase(Locale.ROOT);
      boolean known = false;
      for (ObjectOperation op : ObjectOperation.values()) {
        if (op.httpMethod().equals(m)) {
          ops.add(op);
          known = true;
        }
      }
      if (!known) {
        throw new IllegalArgumentException(
            "Cannot match by HTTP method "
                + method
                + ": no S3 object operation uses it. Use GET, HEAD, PUT, POST or DELETE.");
      }
    }
    return new RequestMatcher(ops, null, "", null);
  }

  public RequestMatcher bucket(String bucketName) {
    return new RequestMatcher(
        EnumSet.copyOf(operations), Objects.requireNonNull(bucketName), keyPrefix, keyPattern);
  }

  public RequestMatcher keyPrefix(String prefix) {
    return new RequestMatcher(
        EnumSet.copyOf(operations), bucket, Objects.requireNonNull(prefix), keyPattern);
  }

  /** Keys that match {@code pattern} as a whole ({@link java.util.regex.Matcher#matches()}). */
  public RequestMatcher keyMatching(Pattern pattern) {
    return new RequestMatcher(
        EnumSet.copyOf(operations), bucket, keyPrefix, Objects.requireNonNull(pattern));
  }

  boolean matches(ObjectOperation operation, String bucketName, String key) {
    String k = key == null ? "" : key;
    return operations.contains(operation)
        && (bucket == null || bucket.equals(bucketName))
        && k.startsWith(keyPrefix)
        && (keyPattern == null || keyPattern.matcher(k).matches());
  }

  @Override
  public String toString() {
    return "RequestMatcher{operations="
        + operations
        + (bucket == null ? "" : ", bucket=" + bucket)
        + (keyPrefix.isEmpty() ? "" : ", keyPrefix=" + keyPrefix)
        + (keyPattern == null ? "" : ", keyPattern=" + keyPattern)
        + "}";
  }
}
