package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class HttpProxySettingsTest {
  @Test
  void userAndPasswordComeFromTheUrlUnlessSetApart() {
    HttpProxySettings inUrl =
        HttpProxySettings.parse("http://alice:pw1@proxy.example.com:3128", null, null)
            .orElseThrow();
    assertThat(inUrl.endpoint()).isEqualTo(URI.create("http://proxy.example.com:3128"));
    assertThat(inUrl.user()).contains("alice");
    assertThat(inUrl.password().map(Password::value)).contains("pw1");
    assertThat(inUrl.toString()).doesNotContain("pw1");

    HttpProxySettings apart =
        HttpProxySettings.parse("https://proxy.example.com", "bob", new Password("pw2"))
            .orElseThrow();
    assertThat(apart.endpoint()).isEqualTo(URI.create("https://proxy.example.com:443"));
    assertThat(apart.user()).contains("bob");
    assertThat(apart.password().map(Password::value)).contains("pw2");
    assertThat(HttpProxySettings.parse(" ", "bob", null)).isEmpty();
  }

  @Test
  void aBadUrlIsRejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> HttpProxySettings.parse("socks5://u:secretpw@proxy:1080", null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.proxy.url")
        .hasMessageNotContaining("secretpw");
  }

  @Test
  void s3CallsGoThroughTheProxy() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext(
        "/",
        exchange -> {
          seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    proxy.start();
    try {
      S3Settings settings =
          TestS3Settings.builder()
              .bucket("b")
              .region("us-east-1")
              .endpoint(URI.create("http://s3.redstage-test.invalid:9000"))
              .staticCredentials("AKIA1", new Password("s1"))
              .maxRetries(0)
              .apiCallTimeout(Duration.ofSeconds(20))
              .proxy(
                  HttpProxySettings.parse(
                          "http://127.0.0.1:" + proxy.getAddress().getPort(), null, null)
                      .orElseThrow())
              .build();
      try (S3Client s3 = S3ClientFactory.create(settings)) {
        // the stand-in proxy answers every request 404: the SDK reports what came back through it
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket("b").key("k")))
            .isInstanceOf(S3Exception.class)
            .hasMessageContaining("404");
      }
    } finally {
      proxy.stop(0);
    }
    // a proxied request names the target host in its request line; the host does not even resolve
    // here
    assertThat(seen).containsExactly("HEAD http://s3.redstage-test.invalid:9000/b/k");
  }
}
