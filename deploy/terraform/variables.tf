variable "region" {
  description = "AWS region of the MSK cluster, the staging bucket and Redshift."
  type        = string
}

variable "staging_bucket" {
  description = "Existing S3 bucket the connector stages files in and the loader reads (s3.bucket.name on both sides)."
  type        = string
}

variable "plugin_zip_path" {
  description = "Local path of the connector plugin ZIP (connector/target/redstage-kafka-connect-s3-<version>.zip)."
  type        = string
}

variable "redstage_version" {
  description = "Version in the plugin ZIP's name (the project version in pom.xml): names the plugin object in S3."
  type        = string
  default     = "0.1.0-SNAPSHOT"
}

variable "msk_bootstrap_servers" {
  description = "MSK bootstrap brokers for IAM authentication (port 9098), comma-separated."
  type        = string
}

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster (for the connector's kafka-cluster:* permissions)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for MSK Connect workers and the loader's Fargate tasks."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups for MSK Connect workers and the loader (reach MSK, S3, the Data API)."
  type        = list(string)
}

variable "topics" {
  description = "Kafka topics the connector stages (comma-separated, as the connector's 'topics'). The connector's role may read these topics only (kafka-cluster:ReadData on each)."
  type        = string
  default     = "ad-events"
  validation {
    # names only: a wildcard here would widen the connector's kafka-cluster:ReadData grant
    condition     = can(regex("^ *[a-zA-Z0-9._-]+( *, *[a-zA-Z0-9._-]+)* *$", var.topics))
    error_message = "topics must be comma-separated Kafka topic names (letters, digits, '.', '_', '-'; spaces only around the commas), with no empty entry and no wildcard."
  }
}

variable "redshift_cluster_identifier" {
  description = "Provisioned Redshift cluster the loader loads into (redshift.cluster-identifier)."
  type        = string
}

variable "redshift_database" {
  description = "Redshift database (redshift.database)."
  type        = string
  default     = "dev"
}

variable "redshift_db_user" {
  description = "Database user the loader signs in as through GetClusterCredentials (redshift.db-user)."
  type        = string
  default     = "redstage_loader"
}

variable "target_schema" {
  description = "Schema of the target tables (target.schema)."
  type        = string
  default     = "public"
}

variable "loader_image" {
  description = "The loader image (built by mvn package into copy-loader/target/redstage-copy-loader-image.tar, pushed to ECR)."
  type        = string
}

variable "loader_mode" {
  description = "'service': the loader runs continuously ('run') as an ECS service; 'scheduled': an EventBridge rule starts a 'once' task on loader_schedule."
  type        = string
  default     = "service"
  validation {
    condition     = contains(["service", "scheduled"], var.loader_mode)
    error_message = "loader_mode must be 'service' or 'scheduled'."
  }
}

variable "loader_schedule" {
  description = "EventBridge schedule expression for loader_mode = 'scheduled'."
  type        = string
  default     = "rate(5 minutes)"
}
