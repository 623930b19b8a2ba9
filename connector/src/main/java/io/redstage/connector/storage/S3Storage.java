package io.redstage.connector.storage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The connector's S3 bucket: streaming uploads of data files, small objects (commit markers),
 * reads, and cleanup of multipart uploads that crashed tasks left behind. Server-side encryption
 * and the canned ACL from the settings are applied to every object it creates. Owns the client:
 * {@link #close()} closes it.
 */
public final class S3Storage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);
  private static final String BINARY = "application/octet-stream";

  /** A stream whose failures surface only to its own writer, which counts them itself. */
  private static final Runnable NO_CHARGE = () -> {};

  private final S3Client client;
  private final S3Settings settings;
  private final ObjectWriteOptions writeOptions;
  private final Clock clock;

  public S3Storage(S3Client client, S3Settings settings) {
    this(client, settings, Clock.systemUTC());
  }

  /** With the clock that decides which uploads are stale (tests). */
  S3Storage(S3Client client, S3Settings settings, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.writeOptions = new ObjectWriteOptions(settings);
    this.clock = clock;
  }

  public S3Settings settings() {
    return settings;
  }

  /**
   * A streaming upload to {@code key} that sends each full part on the writing thread; nothing is
   * sent before the first part fills or {@code complete()}.
   */
  public S3UploadStream create(String key) {
    return create(key, BINARY);
  }

  public S3UploadStream create(String key, String contentType) {
    return new S3UploadStream(
        client,
        settings,
        writeOptions,
        key,
        contentType,
        new PartUploads(Runnable::run),
        NO_CHARGE);
  }

  /**
   * A streaming upload whose full parts are sent by {@code partUploads}, while writing goes on
   * without waiting for them (see {@link S3UploadStream}); {@code chargeFailure} counts a failed
   * part against the file's partition when the task takes the failure ({@link
   * PartUploads#takeFailure()}).
   */
  public S3UploadStream create(String key, PartUploads partUploads, Runnable chargeFailure) {
    return new S3UploadStream(
        client,
        settings,
        writeOptions,
        key,
        BINARY,
        Objects.requireNonNull(partUploads),
        Objects.requireNonNull(chargeFailure));
  }

  /** As {@link #create(String, PartUploads, Runnable)}, charging failures to nobody (tests). */
  S3UploadStream create(String key, PartUploads partUploads) {
    return create(key, partUploads, NO_CHARGE);
  }

  /** As {@link #create(String, PartUploads)}, with parts counted for this stream alone (tests). */
  S3UploadStream create(String key, Executor partUploader) {
    return create(key, new PartUploads(partUploader));
  }

  /** Writes a small object in one PutObject (commit markers). */
  public void putSmallObject(String key, byte[] bytes, String contentType) throws IOException {
    try {
      PutObjectRequest.Builder request =
          PutObjectRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .contentType(contentType)
              .contentLength((long) bytes.length);
      client.putObject(writeOptions.applyTo(request).build(), RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw S3Errors.failure("write s3://" + settings.bucket() + "/" + key, e, settings);
    }
    LOG.debug("Wrote s3://{}/{} ({} bytes)", settings.bucket(), key, bytes.length);
  }

  /** The object's bytes, or empty when there is no such key. */
  public Optional<byte[]> getIfExists(String key) throws IOException {
    try {
      return Optional.of(
          client.getObjectAsBytes(r -> r.bucket(settings.bucket()).key(key)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw S3Errors.failure("read s3://" + settings.bucket() + "/" + key, e, settings);
    }
  }

  /**
   * Aborts multipart uploads under {@code prefix} started more than {@code olderThan} ago (none
   * when empty, after listing them all the same): the parts of files whose task crashed before
   * complete or abort (S3 bills them until aborted). Use an age well above the longest time a file
   * stays open, so uploads of live tasks are left alone. Returns how many it aborted.
   */
  public int abortStaleUploads(String prefix, Optional<Duration> olderThan)
      throws S3StorageException {
    // none old enough: still listed, since the listing is what tells a bad bucket at start
    Instant cutoff = olderThan.map(clock.instant()::minus).orElse(Instant.MIN);
    int aborted = 0;
    int failed = 0;
    SdkException firstFailure = null;
    try {
      for (MultipartUpload upload :
          client
              .listMultipartUploadsPaginator(r -> r.bucket(settings.bucket()).prefix(prefix))
              .uploads()) {
        // filter again: S3-compatible stores do not all honour the prefix
        if (!upload.key().startsWith(prefix)
            || upload.initiated() == null
            || !upload.initiated().isBefore(cutoff)) {
          continue;
        }
        // One upload that cannot be aborted does not keep the others: every task of a connector
        // starts at once and lists the same uploads, so the ones another task aborted first are
        // gone by the time this one gets to them
        try {
          client.abortMultipartUpload(
              r -> r.bucket(settings.bucket()).key(upload.key()).uploadId(upload.uploadId()));
        } catch (SdkException e) {
          if (S3Errors.isNoSuchUpload(e)) {
            continue;
          }
          failed++;
          if (firstFailure == null) {
            firstFailure = e;
          }
          continue;
        }
        aborted++;
        LOG.info(
            "Aborted stale multipart upload of s3://{}/{} started {}",
            settings.bucket(),
            upload.key(),
            upload.initiated());
      }
    } catch (SdkException e) {
      throw S3Errors.failure(
          "abort stale multipart uploads under s3://" + settings.bucket() + "/" + prefix,
          e,
          settings);
    }
    if (firstFailure != null) {
      throw S3Errors.failure(
          "abort "
              + failed
              + " of the stale multipart uploads under s3://"
              + settings.bucket()
              + "/"
              + prefix
              + " ("
              + aborted
              + " aborted)",
          firstFailure,
          settings);
    }
    return aborted;
  }

  @Override
  public void close() {
    client.close();
  }
}
