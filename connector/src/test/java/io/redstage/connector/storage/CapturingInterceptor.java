package io.redstage.connector.storage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Records every HTTP request the client sends (each retry attempt too), with its operation name.
 */
final class CapturingInterceptor implements ExecutionInterceptor {
  static final class Sent {
    final String operation;
    final SdkHttpRequest request;

    Sent(String operation, SdkHttpRequest request) {
      this.operation = operation;
      this.request = request;
    }

    String header(String name) {
      return request.firstMatchingHeader(name).orElse(null);
    }
  }

  private final List<Sent> sent = new CopyOnWriteArrayList<>();

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    sent.add(
        new Sent(
            attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), context.httpRequest()));
  }

  List<Sent> of(String operation) {
    return sent.stream().filter(s -> s.operation.equals(operation)).collect(Collectors.toList());
  }

  List<Sent> sent() {
    return List.copyOf(sent);
  }

  void clear() {
    sent.clear();
  }
}
