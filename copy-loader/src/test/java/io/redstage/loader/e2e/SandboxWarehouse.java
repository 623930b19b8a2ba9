package io.redstage.loader.e2e;

import io.redstage.loader.it.LoaderStack;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The sandbox's S3 (S3Proxy) and Redshift (Data API over PostgreSQL); stopped on close. */
final class SandboxWarehouse implements StagingWarehouse {
  private final LoaderStack stack = LoaderStack.start();
  private final String run;

  SandboxWarehouse(String run) {
    this.run = run;
  }

  @Override
  public String description() {
    return "sandbox";
  }

  @Override
  public String topic(String base) {
    return StagingWarehouse.lower(base + "_" + run);
  }

  @Override
  public Map<String, String> connectorKeys() {
    Map<String, String> k = new HashMap<>();
    k.put("s3.bucket.name", LoaderStack.BUCKET);
    k.put("s3.region", stack.s3.region());
    k.put("store.url", stack.s3.endpoint().toString());
    k.put("aws.access.key.id", stack.s3.accessKey());
    k.put("aws.secret.access.key", stack.s3.secretKey());
    k.put("markers.dir", LoaderStack.MARKERS);
    return k;
  }

  @Override
  public Map<String, String> loaderConfig(String topics) {
    return stack.config(topics);
  }

  @Override
  public String schema() {
    return "public";
  }

  @Override
  public void created(List<String> tables) {
    // the whole stack goes away on close
  }

  @Override
  public void close() {
    stack.close();
  }
}
