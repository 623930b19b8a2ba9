# Least-privilege roles, as in examples/iam/: the connector (MSK Connect service execution role), the COPY role
# Redshift assumes to read the staging files, and the loader's ECS task role.

locals {
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.staging_bucket}"
  account    = data.aws_caller_identity.current.account_id
  cluster    = "arn:${data.aws_partition.current.partition}:redshift:${var.region}:${local.account}"
  # MSK IAM resources of the cluster's topics and groups: arn:...:topic/<cluster name>/<cluster uuid>/<name>
  msk_topic_arn = replace(var.msk_cluster_arn, ":cluster/", ":topic/")
  msk_group_arn = replace(var.msk_cluster_arn, ":cluster/", ":group/")
  # the topics of the connector's 'topics' (var.topics, comma-separated; Connect trims the spaces around a name)
  connector_topics = split(",", replace(var.topics, " ", ""))
}

# --- connector -------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "connector_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["kafkaconnect.amazonaws.com"]
    }
    # confused deputy: MSK Connect may assume the role only for a connector of this account
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:kafkaconnect:${var.region}:${local.account}:connector/*"]
    }
  }
}

resource "aws_iam_role" "connector" {
  name               = "redstage-msk-connect"
  assume_role_policy = data.aws_iam_policy_document.connector_trust.json
}

data "aws_iam_policy_document" "connector" {
  statement {
    sid       = "WriteDataFilesAndMarkers"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/topics/*", "${local.bucket_arn}/_redstage/markers/*"]
  }
  # files over s3.part.size stream in parts under _redstage/tmp, then are copied to their key and deleted
  statement {
    sid       = "StreamLargeFilesThroughTmpThenCopyAndDelete"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn}/_redstage/tmp/*"]
  }
  # each task lists the stale uploads under _redstage/tmp at start to abort them (the action has no s3:prefix key)
  statement {
    sid       = "FindStaleUploadsUnderTmpAtTaskStart"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [local.bucket_arn]
  }
  statement {
    sid       = "MskIamAuth"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [var.msk_cluster_arn]
  }
  # only the topics the connector reads (var.topics)
  statement {
    sid       = "ReadTheSinkTopics"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
    resources = formatlist("%s/%s", local.msk_topic_arn, local.connector_topics)
  }
  # a sink connector's consumer group is connect-<connector name>
  statement {
    sid       = "CommitOffsetsOfTheConnectorsGroup"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = ["${local.msk_group_arn}/connect-*"]
  }
  # MSK Connect creates its own topics and keeps the connector's offsets, config and status there
  statement {
    sid       = "MskConnectInternalTopics"
    actions   = ["kafka-cluster:CreateTopic", "kafka-cluster:WriteData", "kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"]
    resources = ["${local.msk_topic_arn}/__amazon_msk_connect_*"]
  }
  statement {
    sid       = "MskConnectWorkerGroup"
    actions   = ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]
    resources = ["${local.msk_group_arn}/__amazon_msk_connect_*"]
  }
}

resource "aws_iam_role_policy" "connector" {
  name   = "redstage-connector-s3-staging"
  role   = aws_iam_role.connector.id
  policy = data.aws_iam_policy_document.connector.json
}

# --- COPY role (associate it with the cluster: aws redshift modify-cluster-iam-roles --add-iam-roles) --------

data "aws_iam_policy_document" "copy_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com"]
    }
    # confused deputy: Redshift may assume the role only for a cluster of this account
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "copy" {
  name               = "redstage-redshift-copy"
  assume_role_policy = data.aws_iam_policy_document.copy_trust.json
}

data "aws_iam_policy_document" "copy" {
  statement {
    sid       = "ReadStagedFilesAndManifests"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/topics/*", "${local.bucket_arn}/_redstage/manifests/*"]
  }
  statement {
    sid       = "ListBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }
}

resource "aws_iam_role_policy" "copy" {
  name   = "redstage-redshift-copy"
  role   = aws_iam_role.copy.id
  policy = data.aws_iam_policy_document.copy.json
}

# --- loader (ECS task role) ------------------------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "loader" {
  name               = "redstage-loader"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "loader" {
  # no s3:prefix condition: without a plain ListBucket, S3 answers 403 instead of 404 for a missing key
  statement {
    sid       = "ListMarkersAndPendingRejectsAndSee404ForMissingKeys"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
  }
  # markers.dir: only the connector writes markers (they direct what COPY loads); the loader reads them and, after
  # markers.retention, moves them (markers.loaded.action=move, the default: copy, then delete) or deletes them
  statement {
    sid       = "ReadMarkersMoveLoadedOnes"
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = ["${local.bucket_arn}/_redstage/markers/*"]
  }
  # the loader's own prefixes (their defaults): manifests.dir, quarantine.dir, rejects.dir, markers.loaded.dir.
  # Nothing else under _redstage/: not _redstage/plugins/ (the connector plugin ZIP MSK Connect runs), nor tmp.dir
  statement {
    sid     = "WriteManifestsQuarantineAndRejectsReportsAndLoadedMarkers"
    actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
    resources = [
      "${local.bucket_arn}/_redstage/manifests/*",
      "${local.bucket_arn}/_redstage/quarantine/*",
      "${local.bucket_arn}/_redstage/rejects/*",
      "${local.bucket_arn}/_redstage/markers-loaded/*",
    ]
  }
  # the JSON Lines file of a rejected row whose offset Redshift cut off
  statement {
    sid       = "ReadDataFilesForTheOffsetsOfRejectedRows"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/topics/*"]
  }
  statement {
    sid       = "RunStatements"
    actions   = ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"]
    resources = ["${local.cluster}:cluster:${var.redshift_cluster_identifier}"]
  }
  statement {
    sid       = "FollowOwnStatements"
    actions   = ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"]
    resources = ["*"]
    # only statements this session of the role ran; "$${aws:userid}" is written to the policy as ${aws:userid}, an IAM
    # policy variable (role id:session name), not a Terraform interpolation
    condition {
      test     = "StringEquals"
      variable = "redshift-data:statement-owner-iam-userid"
      values   = ["$${aws:userid}"]
    }
  }
  statement {
    sid = "FindOwnStatementsAgain"
    # lists only the statements of the caller's role: how a restarted loader finds a batch's statement to read
    # the rows its COPYs rejected (docs/loader-operations.md, crash safety)
    actions   = ["redshift-data:ListStatements"]
    resources = ["*"]
  }
  statement {
    sid     = "SignInAsDbUser"
    actions = ["redshift:GetClusterCredentials"]
    resources = [
      "${local.cluster}:dbuser:${var.redshift_cluster_identifier}/${var.redshift_db_user}",
      "${local.cluster}:dbname:${var.redshift_cluster_identifier}/${var.redshift_database}",
    ]
  }
  statement {
    sid       = "CheckWhoAmI"
    actions   = ["sts:GetCallerIdentity"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "loader" {
  name   = "redstage-loader"
  role   = aws_iam_role.loader.id
  policy = data.aws_iam_policy_document.loader.json
}

resource "aws_iam_role" "loader_execution" {
  name               = "redstage-loader-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy_attachment" "loader_execution" {
  role       = aws_iam_role.loader_execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}
