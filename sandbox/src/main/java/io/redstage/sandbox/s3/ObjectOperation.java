package io.redstage.sandbox.s3;

/**
 * The object-level S3 operations the stand-in can observe and fail, each with the HTTP method the
 * S3 REST API uses for it. Bucket-level calls (create/list buckets, versioning, ACLs) are not
 * covered: tests have no use for failing them.
 */
public enum ObjectOperation {
  PUT_OBJECT("PUT"),
  COPY_OBJECT("PUT"),
  GET_OBJECT("GET"),
  HEAD_OBJECT("HEAD"),
  DELETE_OBJECT("DELETE"),
  DELETE_OBJECTS("POST"),
  LIST_OBJECTS("GET"),
  CREATE_MULTIPART_UPLOAD("POST"),
  UPLOAD_PART("PUT"),
  COMPLETE_MULTIPART_UPLOAD("POST"),
  ABORT_MULTIPART_UPLOAD("DELETE"),
  LIST_MULTIPART_UPLOADS("GET");

  private final String httpMethod;

  ObjectOperation(String httpMethod) {
    this.httpMethod = httpMethod;
  }

  /** The HTTP method of the REST request: GET, HEAD, PUT, POST or DELETE. */
  public String httpMethod() {
    return httpMethod;
  }
}
