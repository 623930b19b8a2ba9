# The Redstage sink on MSK Connect: the plugin ZIP uploaded to S3 and registered as a custom plugin, the worker
# configuration of examples/msk-connect/worker.properties, and the connector of examples/connect/ad-events-parquet.json.

resource "aws_s3_object" "plugin_zip" {
  bucket = var.staging_bucket
  key    = "_redstage/plugins/redstage-kafka-connect-s3-${var.redstage_version}.zip"
  source = var.plugin_zip_path
  etag   = filemd5(var.plugin_zip_path)
}

resource "aws_mskconnect_custom_plugin" "redstage" {
  name         = "redstage-kafka-connect-s3-${replace(var.redstage_version, ".", "-")}"
  content_type = "ZIP"
  location {
    s3 {
      bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.staging_bucket}"
      file_key   = aws_s3_object.plugin_zip.key
    }
  }
}

resource "aws_mskconnect_worker_configuration" "redstage" {
  name                    = "redstage-worker"
  properties_file_content = file("${path.module}/../../examples/msk-connect/worker.properties")
}

resource "aws_cloudwatch_log_group" "connect" {
  name              = "/msk-connect/redstage"
  retention_in_days = 14
}

resource "aws_mskconnect_connector" "ad_events" {
  name                 = "ad-events-to-s3"
  kafkaconnect_version = "3.7.x"

  capacity {
    autoscaling {
      mcu_count        = 1
      min_worker_count = 1
      max_worker_count = 2
      scale_in_policy {
        cpu_utilization_percentage = 20
      }
      scale_out_policy {
        cpu_utilization_percentage = 80
      }
    }
  }

  connector_configuration = {
    "connector.class"                = "io.redstage.connector.RedstageS3SinkConnector"
    "tasks.max"                      = "3"
    "topics"                         = var.topics
    "s3.bucket.name"                 = var.staging_bucket
    "s3.region"                      = var.region
    "topics.dir"                     = "topics"
    "markers.dir"                    = "_redstage/markers"
    "format.class"                   = "parquet"
    "parquet.codec"                  = "snappy"
    "partitioner.class"              = "hourly"
    "timestamp.extractor"            = "Record"
    "flush.size"                     = "500000"
    "rotate.schedule.interval.ms"    = "30000"
    "rotate.idle.ms"                 = "10000"
    "key.converter"                  = "org.apache.kafka.connect.storage.StringConverter"
    "value.converter"                = "org.apache.kafka.connect.json.JsonConverter"
    "value.converter.schemas.enable" = "true"
    "errors.tolerance"               = "none"
  }

  kafka_cluster {
    apache_kafka_cluster {
      bootstrap_servers = var.msk_bootstrap_servers
      vpc {
        security_groups = var.security_group_ids
        subnets         = var.subnet_ids
      }
    }
  }

  kafka_cluster_client_authentication {
    authentication_type = "IAM"
  }

  kafka_cluster_encryption_in_transit {
    encryption_type = "TLS"
  }

  plugin {
    custom_plugin {
      arn      = aws_mskconnect_custom_plugin.redstage.arn
      revision = aws_mskconnect_custom_plugin.redstage.latest_revision
    }
  }

  worker_configuration {
    arn      = aws_mskconnect_worker_configuration.redstage.arn
    revision = aws_mskconnect_worker_configuration.redstage.latest_revision
  }

  service_execution_role_arn = aws_iam_role.connector.arn

  log_delivery {
    worker_log_delivery {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.connect.name
      }
    }
  }
}
