package io.redstage.connector.config;

import io.redstage.connector.format.ColumnNames;
import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.partition.Partitioners;
import io.redstage.connector.storage.CredentialsProviders;
import io.redstage.connector.storage.HttpProxySettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Single-key validators. Cross-key rules live in {@link CrossFieldValidator}. */
final class Validators {
  private Validators() {}

  /**
   * One of {@code allowed}, in any case. Kafka's check, with an error in the project's form
   * ("Cannot use key=value: expected one of ..."); its description (the reference docs show it) is
   * Kafka's.
   */
  static ConfigDef.Validator oneOf(List<String> allowed) {
    return explained(
        ConfigDef.CaseInsensitiveValidString.in(allowed.toArray(String[]::new)),
        (name, value) ->
            "Cannot use "
                + name
                + "="
                + value
                + ": expected one of "
                + String.join(", ", allowed)
                + " (in any case).");
  }

  /** A number from {@code min} to {@code max}: Kafka's Range, with an error that says so. */
  static ConfigDef.Validator between(Number min, Number max) {
    return explained(
        ConfigDef.Range.between(min, max),
        (name, value) ->
            "Cannot use "
                + name
                + "="
                + value
                + ": it is outside "
                + min
                + " to "
                + max
                + ". Set a value in that range.");
  }

  /** A number of at least {@code min}: Kafka's Range, with an error that says so. */
  static ConfigDef.Validator atLeast(Number min) {
    return explained(
        ConfigDef.Range.atLeast(min),
        (name, value) ->
            "Cannot use "
                + name
                + "="
                + value
                + ": it is below the minimum "
                + min
                + ". Set "
                + min
                + " or more.");
  }

  /** Not empty: Kafka's check, with an error that names the key and says what to do. */
  static final ConfigDef.Validator NON_EMPTY =
      explained(
          new ConfigDef.NonEmptyString(),
          (name, value) -> "Cannot leave " + name + " empty: set it (see docs/config.md).");

  /**
   * {@code kafka}'s check and description, with {@code message} instead of Kafka's "Invalid value
   * ... for configuration ...: ..." when it fails (values here are never secrets).
   */
  private static ConfigDef.Validator explained(
      ConfigDef.Validator kafka, java.util.function.BiFunction<String, Object, String> message) {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        try {
          kafka.ensureValid(name, value);
        } catch (ConfigException e) {
          throw new ConfigException(message.apply(name, value));
        }
      }

      @Override
      public String toString() {
        return kafka.toString();
      }
    };
  }

  /** As {@link #oneOf}, or empty (the setting is off). */
  static ConfigDef.Validator oneOfOrEmpty(List<String> allowed) {
    return orEmpty(oneOf(allowed));
  }

  /**
   * An http(s) endpoint without user information. The value is never echoed: a URL may carry a
   * password (http://user:pass@host), and this message reaches the validate response, the task's
   * status and the worker log. The SDK takes no credentials from the endpoint anyway.
   */
  static final ConfigDef.Validator URL =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          if (value == null || value.toString().isEmpty()) {
            return;
          }
          String why;
          try {
            URI uri = new URI(value.toString().trim());
            if (uri.getRawUserInfo() != null || value.toString().contains("@")) {
              why = "it holds user information (user:password@), which S3 never reads from the URL";
            } else if (uri.getScheme() == null || uri.getHost() == null) {
              why = "no scheme or host";
            } else if (!uri.getScheme().equalsIgnoreCase("http")
                && !uri.getScheme().equalsIgnoreCase("https")) {
              why = "its scheme is not http or https";
            } else {
              return;
            }
          } catch (URISyntaxException e) {
            why = e.getReason() + " at index " + e.getIndex(); // getMessage() repeats the input
          }
          throw new ConfigException(
              "Cannot use "
                  + name
                  + " (value not shown): "
                  + why
                  + ". Use a URL such as https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000, and"
                  + " give credentials with aws.access.key.id and aws.secret.access.key.");
        }

        @Override
        public String toString() {
          return "an http(s) URL without user information, or empty";
        }
      };

  /** Checks the proxy URL without echoing it: it may carry a password. */
  static final ConfigDef.Validator PROXY_URL =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          HttpProxySettings.parse(value == null ? null : value.toString(), null, null);
        }

        @Override
        public String toString() {
          return "an http(s) URL, or empty";
        }
      };

  static final ConfigDef.Validator CREDENTIALS_PROVIDER =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          if (value == null || value.toString().trim().isEmpty()) {
            return;
          }
          try {
            CredentialsProviders.resolve(value.toString());
          } catch (IllegalArgumentException e) {
            throw new ConfigException(
                name, value, "Cannot use this credentials provider: " + e.getMessage() + ".");
          }
        }

        @Override
        public String toString() {
          return "an AWS SDK v2 AwsCredentialsProvider class name, or empty";
        }
      };

  static final ConfigDef.Validator S3_PREFIX =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          String s = value == null ? "" : value.toString();
          if (s.startsWith("/") || s.contains("//") || s.contains("\\")) {
            throw new ConfigException(
                name,
                value,
                "Cannot use this S3 prefix: it must not start with '/', contain "
                    + "'//' or '\\'. Use a relative prefix such as topics or data/kafka.");
          }
        }

        @Override
        public String toString() {
          return "an S3 key prefix without a leading slash";
        }
      };

  static final ConfigDef.Validator COLUMN =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          String s = value == null ? "" : value.toString();
          if (!s.matches("[A-Za-z_][A-Za-z0-9_]{0,126}")) {
            throw new ConfigException(
                name,
                value,
                "Cannot use this column name: use 1 to 127 letters, digits or "
                    + "underscores, starting with a letter or underscore.");
          }
        }

        @Override
        public String toString() {
          return "[A-Za-z_][A-Za-z0-9_]*, at most 127 characters";
        }
      };

  static final ConfigDef.Validator COLUMN_NAME_MAP =
      listOf("a list of field:column pairs", ColumnNames::mapped);

  static final ConfigDef.Validator DICTIONARY_EXCLUDED_COLUMNS =
      listOf(
          "a list of column names or column.field paths",
          FormatOptions::checkDictionaryExcludedColumns);

  /**
   * A validator of a LIST key whose entries {@code check} accepts, or rejects with an
   * IllegalArgumentException whose message becomes the ConfigException's.
   */
  private static ConfigDef.Validator listOf(String description, Consumer<List<String>> check) {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null) {
          return;
        }
        List<String> entries = new ArrayList<>();
        for (Object entry : (List<?>) value) {
          entries.add(String.valueOf(entry));
        }
        try {
          check.accept(entries);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(name, value, e.getMessage());
        }
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  /**
   * A BCP-47 language tag (en, en-US, de-CH); Java's underscore spelling (en_US), common in
   * Confluent configs, is read as the same tag. A value Java cannot read as a language would
   * silently become the root locale and change month and day names in path.format.
   */
  static final ConfigDef.Validator LOCALE =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          if (value == null || SinkConfig.localeOf(value.toString()).getLanguage().isEmpty()) {
            throw new ConfigException(
                name,
                value,
                "Cannot read the locale: it is not a language tag. Use one such as en, en-US or de-CH.");
          }
        }

        @Override
        public String toString() {
          return "a language tag such as en or en-US";
        }
      };

  /**
   * A region name: letters, digits, '_' and '-' (S3-compatible stores take names such as
   * "my_zonegroup"). AWS's own form is checked by {@link CrossFieldValidator} when no store.url
   * points elsewhere: upper case there would break request signing, which the SDK only finds at the
   * first request.
   */
  static final ConfigDef.Validator REGION =
      pattern(
          "[A-Za-z0-9_-]+",
          "a region id such as us-east-1",
          "Cannot use this region: a region name has letters, digits, '_' and '-' only. Use one such as "
              + "us-east-1 or eu-central-1.");

  /** AWS's form of a region id: lower-case letters, digits and hyphens (us-gov-west-1). */
  static boolean isAwsRegionId(String region) {
    return region.matches("[a-z0-9]+(-[a-z0-9]+)*");
  }

  /** STS's rule for RoleSessionName. */
  static boolean isStsSessionName(String name) {
    return name.matches("[\\w+=,.@-]{2,64}");
  }

  /** An IAM role ARN, in any partition (aws, aws-cn, aws-us-gov). */
  static final ConfigDef.Validator ROLE_ARN =
      pattern(
          "arn:aws[a-z-]*:iam::\\d{12}:role/.+",
          "an IAM role ARN",
          "Cannot use this role: it is not an IAM role ARN. Use one such as "
              + "arn:aws:iam::123456789012:role/redstage-s3-sink.");

  /** {@code valid}, or empty (the setting is off). */
  static ConfigDef.Validator orEmpty(ConfigDef.Validator valid) {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value != null && !value.toString().trim().isEmpty()) {
          valid.ensureValid(name, value);
        }
      }

      @Override
      public String toString() {
        return valid + " (or empty)";
      }
    };
  }

  private static ConfigDef.Validator pattern(String regex, String description, String message) {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null || !p.matcher(value.toString().trim()).matches()) {
          throw new ConfigException(name, value, message);
        }
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  static final ConfigDef.Validator TIMEZONE =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          if (value == null || String.valueOf(value).trim().isEmpty()) {
            return; // Confluent's default: the default zone
          }
          try {
            ZoneId.of(String.valueOf(value).trim());
          } catch (Exception e) {
            throw new ConfigException(
                name,
                value,
                "Cannot parse the time zone: "
                    + e.getMessage()
                    + ". Use an IANA id such as UTC or Europe/Berlin, or an offset such as +02:00.");
          }
        }

        @Override
        public String toString() {
          return "an IANA time zone id or offset";
        }
      };

  static final ConfigDef.Validator FORMAT =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          Aliases.format(value == null ? "" : value.toString());
        }

        @Override
        public String toString() {
          return "parquet, avro, jsonl, or a Confluent format class name";
        }
      };

  static final ConfigDef.Validator PARTITIONER =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          Aliases.partitioner(value == null ? "" : value.toString());
        }

        @Override
        public String toString() {
          return "default, field, time, hourly, daily, or a Confluent partitioner class name";
        }
      };

  static final ConfigDef.Validator TIMESTAMP_EXTRACTOR =
      new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
          try {
            Partitioners.extractorName(value == null ? "" : value.toString());
          } catch (ConfigException e) {
            throw new ConfigException(name, value, e.getMessage());
          }
        }

        @Override
        public String toString() {
          return "Record, RecordField, Wallclock, or a Confluent extractor class name";
        }
      };
}
