package io.redstage.connector.storage;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.apache.kafka.common.Configurable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;

/**
 * The credentials provider named by {@code s3.credentials.provider.class}: an AWS SDK v2 {@link
 * AwsCredentialsProvider} class, created through its static {@code create()} or its public no-arg
 * constructor and, when it implements Kafka's {@link Configurable}, configured with the {@code
 * s3.credentials.provider.*} settings (as Confluent's S3 sink does). Confluent configs name AWS SDK
 * v1 classes; the v1 providers with a v2 equivalent of the same behaviour are mapped to it.
 */
public final class CredentialsProviders {
  /**
   * AWS SDK v1 provider class names (as pasted from Confluent configs) and their v2 equivalents.
   */
  static final Map<String, Class<? extends AwsCredentialsProvider>> V1_EQUIVALENTS =
      Map.of(
          "com.amazonaws.auth.DefaultAWSCredentialsProviderChain", DefaultCredentialsProvider.class,
          "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
              EnvironmentVariableCredentialsProvider.class,
          "com.amazonaws.auth.SystemPropertiesCredentialsProvider",
              SystemPropertyCredentialsProvider.class,
          "com.amazonaws.auth.profile.ProfileCredentialsProvider", ProfileCredentialsProvider.class,
          "com.amazonaws.auth.InstanceProfileCredentialsProvider",
              InstanceProfileCredentialsProvider.class,
          "com.amazonaws.auth.ContainerCredentialsProvider", ContainerCredentialsProvider.class,
          "com.amazonaws.auth.WebIdentityTokenCredentialsProvider",
              WebIdentityTokenFileCredentialsProvider.class);

  private static final String CONFLUENT_ASSUME_ROLE =
      "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider";

  private CredentialsProviders() {}

  /**
   * The provider class for a configured name.
   *
   * @throws IllegalArgumentException with the reason and what to use instead, when the name cannot
   *     be used
   */
  public static Class<? extends AwsCredentialsProvider> resolve(String name) {
    String n = name.trim();
    Class<? extends AwsCredentialsProvider> mapped = V1_EQUIVALENTS.get(n);
    if (mapped != null) {
      return mapped;
    }
    if (n.equals(CONFLUENT_ASSUME_ROLE)) {
      throw new IllegalArgumentException(
          "Confluent's assume-role provider is not part of Redstage. Remove "
              + "s3.credentials.provider.class and its s3.credentials.provider.sts.* settings, and set sts.role.arn, "
              + "sts.role.external.id and sts.role.session.name instead");
    }
    if (n.startsWith("com.amazonaws.")) {
      throw new IllegalArgumentException(
          "it is an AWS SDK v1 class without a clear AWS SDK v2 equivalent. Use a class "
              + "implementing "
              + AwsCredentialsProvider.class.getName()
              + ", or one of the mapped v1 names "
              + V1_EQUIVALENTS.keySet());
    }
    Class<?> c;
    try {
      c = Class.forName(n, false, CredentialsProviders.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          "the class is not found on the plugin's class path. Put its jar into the "
              + "plugin's lib/ directory, or check the spelling");
    }
    if (!AwsCredentialsProvider.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(
          "the class does not implement "
              + AwsCredentialsProvider.class.getName()
              + " (AWS SDK v2). Use an AWS SDK v2 credentials provider");
    }
    if (factoryMethod(c) == null && noArgConstructor(c) == null) {
      throw new IllegalArgumentException(
          "the class has neither a public static create() method nor a public no-arg "
              + "constructor, so it cannot be created from its name");
    }
    return c.asSubclass(AwsCredentialsProvider.class);
  }

  /**
   * True for the names of the default credentials chain (v1 and v2), which is what an empty setting
   * means.
   */
  public static boolean isDefaultChain(String name) {
    return name != null && resolveQuietly(name) == DefaultCredentialsProvider.class;
  }

  /**
   * True when the named class implements {@link Configurable}, i.e. takes the
   * s3.credentials.provider.* settings.
   */
  public static boolean isConfigurable(String name) {
    Class<?> c = resolveQuietly(name);
    return c != null && Configurable.class.isAssignableFrom(c);
  }

  /**
   * Creates the provider and configures it with {@code settings} (the s3.credentials.provider.*
   * values without that prefix) when it implements {@link Configurable}.
   */
  public static AwsCredentialsProvider create(String name, Map<String, String> settings) {
    Class<? extends AwsCredentialsProvider> c = resolve(name);
    AwsCredentialsProvider provider;
    try {
      Method create = factoryMethod(c);
      provider =
          (AwsCredentialsProvider)
              (create != null ? create.invoke(null) : noArgConstructor(c).newInstance());
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "Cannot create the credentials provider "
              + name
              + ": it failed with "
              + e.getCause()
              + ". Check the provider's own requirements (environment, files, settings).",
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(
          "Cannot create the credentials provider "
              + name
              + ": "
              + e
              + ". Give it a public static create() method or a public no-arg constructor.",
          e);
    }
    if (provider instanceof Configurable) {
      ((Configurable) provider).configure(settings);
    }
    return provider;
  }

  private static Class<?> resolveQuietly(String name) {
    try {
      return resolve(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Method factoryMethod(Class<?> c) {
    try {
      Method m = c.getMethod("create");
      return Modifier.isStatic(m.getModifiers())
              && AwsCredentialsProvider.class.isAssignableFrom(m.getReturnType())
          ? m
          : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static Constructor<?> noArgConstructor(Class<?> c) {
    try {
      return Modifier.isAbstract(c.getModifiers()) ? null : c.getConstructor();
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
