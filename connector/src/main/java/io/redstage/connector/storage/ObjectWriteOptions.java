package io.redstage.connector.storage;

import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** Server-side encryption and canned ACL, applied to every request that creates an object. */
final class ObjectWriteOptions {
  private final ServerSideEncryption sse;
  private final String kmsKeyId;
  private final ObjectCannedACL acl;

  ObjectWriteOptions(S3Settings settings) {
    this.sse = settings.sseAlgorithm().map(ServerSideEncryption::fromValue).orElse(null);
    this.kmsKeyId = settings.sseKmsKeyId().orElse(null);
    this.acl = settings.cannedAcl().map(ObjectCannedACL::fromValue).orElse(null);
  }

  PutObjectRequest.Builder applyTo(PutObjectRequest.Builder request) {
    return request.serverSideEncryption(sse).ssekmsKeyId(kmsKeyId).acl(acl);
  }

  CreateMultipartUploadRequest.Builder applyTo(CreateMultipartUploadRequest.Builder request) {
    return request.serverSideEncryption(sse).ssekmsKeyId(kmsKeyId).acl(acl);
  }

  software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder applyTo(
      software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder request) {
    return request.serverSideEncryption(sse).ssekmsKeyId(kmsKeyId).acl(acl);
  }
}
