package io.redstage.connector.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The HTTP proxy S3 and STS calls go through, from Confluent's {@code s3.proxy.url}, {@code
 * s3.proxy.user} and {@code s3.proxy.password}. {@link #toString()} never shows the password.
 */
public final class HttpProxySettings {
  public static final String URL_CONFIG = "s3.proxy.url";
  public static final String USER_CONFIG = "s3.proxy.user";
  public static final String PASSWORD_CONFIG = "s3.proxy.password";

  private final URI endpoint;
  private final String user;
  private final Password password;

  private HttpProxySettings(URI endpoint, String user, Password password) {
    this.endpoint = endpoint;
    this.user = user;
    this.password = password;
  }

  /**
   * Parses a proxy URL such as http://proxy:3128 or http://user:password@proxy:3128 (Confluent's
   * form); {@code user} and {@code password}, when set, win over those in the URL. Empty when the
   * URL is blank.
   */
  public static Optional<HttpProxySettings> parse(String url, String user, Password password) {
    if (url == null || url.trim().isEmpty()) {
      return Optional.empty();
    }
    URI parsed;
    try {
      parsed = new URI(url.trim());
    } catch (URISyntaxException e) {
      // the value is not echoed: it may carry a password
      throw new ConfigException(
          URL_CONFIG,
          "[hidden]",
          "Cannot parse the proxy URL: "
              + e.getReason()
              + ". Use a URL such as http://proxy.example.com:3128.");
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (parsed.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new ConfigException(
          URL_CONFIG,
          "[hidden]",
          "Cannot use this proxy URL: it is not an http(s) URL with a "
              + "host. Use a URL such as http://proxy.example.com:3128; put the user and password in "
              + "s3.proxy.user and s3.proxy.password, or percent-encode characters such as # / ? @ in them.");
    }
    String[] userInfo =
        parsed.getUserInfo() == null ? new String[0] : parsed.getUserInfo().split(":", 2);
    String u =
        user != null && !user.trim().isEmpty()
            ? user.trim()
            : userInfo.length > 0 ? userInfo[0] : null;
    boolean hasPassword =
        password != null && password.value() != null && !password.value().isEmpty();
    Password p = hasPassword ? password : userInfo.length > 1 ? new Password(userInfo[1]) : null;
    int port = parsed.getPort() > 0 ? parsed.getPort() : scheme.equals("https") ? 443 : 80;
    return Optional.of(
        new HttpProxySettings(URI.create(scheme + "://" + parsed.getHost() + ":" + port), u, p));
  }

  /**
   * {@code url} as it may be shown (Connect's validate endpoint returns every value of a STRING
   * key): a password in it replaced by [hidden]; the whole value hidden when it does not parse.
   */
  public static String shown(String url) {
    if (url == null || !url.contains("@")) {
      return url;
    }
    try {
      URI parsed = new URI(url.trim());
      String info = parsed.getRawUserInfo();
      if (info == null) {
        // an '@' the parser did not take for user information (an unencoded '#', '/' or '?' in a
        // password, a host it cannot read): whatever comes before it may be a password
        return "[hidden]";
      }
      if (!info.contains(":")) {
        return url; // a user, no password
      }
      String user = info.substring(0, info.indexOf(':'));
      String text = url.trim();
      int at = text.indexOf(info);
      return text.substring(0, at) + user + ":[hidden]" + text.substring(at + info.length());
    } catch (URISyntaxException e) {
      return "[hidden]";
    }
  }

  /** Scheme, host and port of the proxy, without user information. */
  public URI endpoint() {
    return endpoint;
  }

  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  public Optional<Password> password() {
    return Optional.ofNullable(password);
  }

  @Override
  public String toString() {
    return endpoint
        + (user == null
            ? ""
            : " (user " + user + (password == null ? "" : ", password [hidden]") + ")");
  }
}
