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
  # the body and the HTTP status on its last line (curl's --fail-with-body needs curl 7.76 or later)
  response=$(curl -sS -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H 'Accept: application/json' --data "$body" "${CONNECT_URL%/}/connectors")
  status=${response##*$'\n'}
  echo "${response%$'\n'*}"
  if [[ $status != 2?? ]]; then
    echo "Cannot create the connector of $file: HTTP $status, Connect's answer above. On 409 it exists already" \
      "(PUT its \"config\" to /connectors/<name>/config to change it); otherwise fix what the answer names and" \
      "run this script again for the files not created yet." >&2
    exit 1
  fi
done
echo "Check them with: curl -s ${CONNECT_URL%/}/connectors?expand=status"
