package io.redstage.sandbox.redshift.pg;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real PostgreSQL behind the stand-in: zonky's embedded binaries from Maven Central (no root,
 * no apt), one database named like the Redshift database, with the {@link CompatSchema} installed.
 * Sessions run in UTC like Redshift's, with {@code redstage_sys} on the search path for the
 * compatibility functions.
 */
public final class PostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  public static final String USER = "postgres";

  /** The embedded cluster trusts local connections; the password is accepted and ignored. */
  public static final String PASSWORD = "postgres";

  private final EmbeddedPostgres postgres;
  private final String database;
  private final String jdbcUrl;

  private PostgresServer(EmbeddedPostgres postgres, String database) {
    this.postgres = postgres;
    this.database = database;
    this.jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
  }

  /**
   * Starts PostgreSQL.
   *
   * @param dataDir the cluster directory to use and keep, or null for a fresh temporary cluster
   * @param port the PostgreSQL port, 0 for a free one
   */
  public static PostgresServer start(Path dataDir, String database, int port) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .setServerConfig("timezone", "UTC")
              // Redshift runs transactions with serializable isolation (error 1023 on conflicts)
              .setServerConfig("default_transaction_isolation", "serializable")
              .setServerConfig("max_connections", "200")
              .setServerConfig("max_locks_per_transaction", "256");
      if (port > 0) {
        builder.setPort(port);
      }
      if (dataDir != null) {
        Files.createDirectories(dataDir);
        builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      EmbeddedPostgres pg = builder.start();
      PostgresServer server = new PostgresServer(pg, database);
      server.prepareDatabase();
      LOG.info("PostgreSQL for the Redshift sandbox started: {}", server.jdbcUrl);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start the embedded PostgreSQL: "
              + e.getMessage()
              + ". Check that java.io.tmpdir (and the data directory, if given) is writable",
          e);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot prepare database '"
              + database
              + "' in the embedded PostgreSQL: "
              + e.getMessage(),
          e);
    }
  }

  private void prepareDatabase() throws SQLException {
    String adminUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    try (Connection admin = DriverManager.getConnection(adminUrl, properties())) {
      boolean exists;
      try (PreparedStatement ps =
          admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        ps.setString(1, database);
        try (ResultSet rs = ps.executeQuery()) {
          exists = rs.next();
        }
      }
      if (!exists) {
        try (Statement s = admin.createStatement()) {
          s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
        }
      }
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl, properties())) {
      CompatSchema.install(c);
      try (Statement s = c.createStatement()) {
        s.execute(
            "ALTER DATABASE \""
                + database.replace("\"", "\"\"")
                + "\" SET search_path = \"$user\", public, "
                + CompatSchema.SCHEMA);
      }
    }
  }

  /** A new session: UTC, compatibility schema on the search path, autocommit on. */
  public Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl, properties());
    initSession(c);
    return c;
  }

  /** Settings every session needs; re-applied after DISCARD ALL when a pooled session is reset. */
  public static void initSession(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      // pgjdbc sends the JVM's time zone at startup; Redshift sessions are UTC
      s.execute("SET TIME ZONE 'UTC'");
    }
  }

  private static Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    // no server-side prepared statements: pooled sessions are reset with DISCARD ALL between
    // statements
    p.setProperty("prepareThreshold", "0");
    p.setProperty("ApplicationName", "redstage-redshift-sandbox");
    return p;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String database() {
    return database;
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("Cannot stop the embedded PostgreSQL cleanly: {}", e.getMessage());
    }
  }
}
