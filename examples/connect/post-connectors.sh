#!/usr/bin/env bash
# Creates connectors from the example configs through the Kafka Connect REST API (Apache Kafka, Confluent Platform),
# filling ${STAGING_BUCKET} and ${AWS_REGION} first. The connector plugin must be on the worker's plugin.path.
#
#   CONNECT_URL=http://localhost:8083 STAGING_BUCKET=my-bucket AWS_REGION=eu-west-1 ./post-connectors.sh
#   ... ./post-connectors.sh ad-events-parquet.json          # only some files
#
# Each file is the body POST /connectors takes: {"name": ..., "config": {...}}. To change a running connector, PUT
# its "config" object to /connectors/<name>/config instead.
set -euo pipefail
cd "$(dirname "$0")"
CONNECT_URL="${CONNECT_URL:-http://localhost:8083}"
: "${STAGING_BUCKET:?Cannot fill the configs: set STAGING_BUCKET to the S3 bucket the connector writes to.}"
: "${AWS_REGION:?Cannot fill the configs: set AWS_REGION to the bucket region, e.g. eu-west-1.}"

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  files=(ad-events-parquet.json page-views-jsonl.json customers-cdc-avro.json)
fi

for file in "${files[@]}"; do
  body=$(sed -e "s|\${STAGING_BUCKET}|${STAGING_BUCKET}|g" -e "s|\${AWS_REGION}|${AWS_REGION}|g" "$file")
  echo "POST ${CONNECT_URL%/}/connectors  <- $file"
  curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' \
    --data "$body" "${CONNECT_URL%/}/connectors"
  echo
done
echo "Check them with: curl -s ${CONNECT_URL%/}/connectors?expand=status"
