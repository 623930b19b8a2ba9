package io.redstage.connector.storage;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3Client (talking to the stand-in) with test hooks per operation, named as the client's
 * method (putObject, uploadPart): to hold a call at a latch, watch it, or fail it in ways the
 * stand-in's fault rules cannot (an Error from inside the SDK, an answer lost after S3 acted). One
 * hook per operation before and one after the call; they run on the calling thread. Register them
 * all before {@link #client()}.
 */
public final class InterceptedS3Client {
  /** What runs around a call, given its request (the first argument); throwing fails the call. */
  @FunctionalInterface
  public interface Hook {
    void run(Object request) throws Throwable;
  }

  private final S3Client real;
  private final Map<String, Hook> before = new HashMap<>();
  private final Map<String, Hook> after = new HashMap<>();

  private InterceptedS3Client(S3Client real) {
    this.real = real;
  }

  public static InterceptedS3Client around(S3Client real) {
    return new InterceptedS3Client(real);
  }

  /** Runs {@code hook} before each {@code operation} reaches S3. */
  public InterceptedS3Client before(String operation, Hook hook) {
    return add(before, operation, hook);
  }

  /** Runs {@code hook} after each {@code operation} S3 completed (not after one that failed). */
  public InterceptedS3Client after(String operation, Hook hook) {
    return add(after, operation, hook);
  }

  /** Each {@code operation} throws {@code failure} without reaching S3. */
  public InterceptedS3Client failing(String operation, Throwable failure) {
    return before(
        operation,
        request -> {
          throw failure;
        });
  }

  /**
   * Each {@code operation} reaches S3 and then throws {@code failure}, as if its answer was lost.
   */
  public InterceptedS3Client failingAfterTheCall(String operation, Throwable failure) {
    return after(
        operation,
        request -> {
          throw failure;
        });
  }

  public S3Client client() {
    Map<String, Hook> hooksBefore = Map.copyOf(before);
    Map<String, Hook> hooksAfter = Map.copyOf(after);
    return (S3Client)
        Proxy.newProxyInstance(
            S3Client.class.getClassLoader(),
            new Class<?>[] {S3Client.class},
            (proxy, method, args) -> {
              Object request = args == null || args.length == 0 ? null : args[0];
              Hook first = hooksBefore.get(method.getName());
              if (first != null) {
                first.run(request);
              }
              Object result;
              try {
                result = method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              Hook then = hooksAfter.get(method.getName());
              if (then != null) {
                then.run(request);
              }
              return result;
            });
  }

  private InterceptedS3Client add(Map<String, Hook> hooks, String operation, Hook hook) {
    if (hooks.putIfAbsent(operation, hook) != null) {
      throw new IllegalStateException(
          "Cannot add a second hook for "
              + operation
              + " at that point: give it one that does both.");
    }
    return this;
  }
}
