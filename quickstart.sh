#!/usr/bin/env bash
# The local pipeline in one command: builds what it needs (connector plugin ZIP, copy-loader, sandbox, quickstart),
# then runs Kafka -> Redstage connector -> S3 -> copy-loader -> Redshift on local stand-ins with sample data.
# Arguments go to the quickstart: ./quickstart.sh --exit-when-done, ./quickstart.sh --records 50000, ./quickstart.sh --help
# Needs Java 17+ and Maven; everything else comes from Maven Central. REDSTAGE_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
cd "$(dirname "$0")"

command -v java >/dev/null || { echo "Cannot run the quickstart: java is not on the PATH. Install a JDK 17 or newer." >&2; exit 2; }
command -v mvn >/dev/null || { echo "Cannot run the quickstart: mvn is not on the PATH. Install Maven 3.8.7 or newer." >&2; exit 2; }

if [[ "${REDSTAGE_SKIP_BUILD:-0}" != "1" ]]; then
  echo "Building the connector plugin ZIP, the loader, the sandbox and the quickstart (mvn package, tests skipped)..."
  mvn -B -q -DskipTests package -pl examples -am
fi

jar=$(ls examples/target/redstage-examples-*.jar 2>/dev/null | grep -v -- '-sources' | head -1 || true)
if [[ -z "$jar" || ! -f examples/target/quickstart.classpath ]]; then
  echo "Cannot run the quickstart: examples/target holds no build. Run without REDSTAGE_SKIP_BUILD." >&2
  exit 2
fi

# The embedded PostgreSQL refuses to run as root and then runs as 'nobody': its files live in a directory anyone
# may write to, like /tmp (sticky bit).
tmp="$PWD/examples/target/quickstart-tmp"
mkdir -p "$tmp"
chmod 1777 "$tmp"

exec java -Xmx1536m -XX:+UseParallelGC ${JAVA_OPTS:-} \
  -Djava.io.tmpdir="$tmp" -Dot.epg.working-dir="$tmp/embedded-pg" \
  -cp "$jar:$(cat examples/target/quickstart.classpath)" \
  io.redstage.examples.quickstart.Quickstart "$@"
