package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.redstage.loader.TestHttp;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** What S3 answers a rejects-object write, against an endpoint that refuses every request. */
class RejectsTest {
  private static final String SECRET = "wJalrXUtnFEMI-test-secret";
  private HttpServer server;
  private S3Client s3;

  @BeforeEach
  void start() throws Exception {
    server =
        TestHttp.start(
            ex -> {
              ex.getRequestBody().readAllBytes();
              TestHttp.reply(
                  ex,
                  403,
                  "application/xml",
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                      + "<Message>Access Denied</Message><RequestId>R1</RequestId></Error>");
            });
    s3 =
        S3Client.builder()
            .endpointOverride(TestHttp.endpoint(server))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", SECRET)))
            .build();
  }

  @AfterEach
  void stop() {
    s3.close();
    server.stop(0);
  }

  /**
   * The ERROR lines of a refused rejects object said only that it "cannot be written": S3's reason
   * was logged at DEBUG. It is now returned for them, without the credentials.
   */
  @Test
  void aRefusedWriteTellsS3sError() {
    // write() reads neither the load-error views nor the metrics
    Rejects rejects = new Rejects(s3, "staging", "rejects", null, null, 1000, null);

    assertThat(rejects.write(RejectsIntentTest.INTENT, Map.of()))
        .hasValueSatisfying(
            error ->
                assertThat(error).contains("Access Denied").contains("403").doesNotContain(SECRET));
  }
}
