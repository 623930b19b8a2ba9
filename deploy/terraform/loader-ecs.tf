# The copy-loader on ECS Fargate, configured through REDSTAGE_* environment variables (one per config key, see
# docs/loader-config.md): either a service running 'run' continuously, or a 'once' task on a schedule.

resource "aws_ecs_cluster" "redstage" {
  name = "redstage"
}

resource "aws_cloudwatch_log_group" "loader" {
  name              = "/ecs/redstage-loader"
  retention_in_days = 14
}

locals {
  loader_environment = [
    { name = "REDSTAGE_AWS_REGION", value = var.region },
    { name = "REDSTAGE_S3_BUCKET_NAME", value = var.staging_bucket },
    { name = "REDSTAGE_MARKERS_DIR", value = "_redstage/markers" },
    { name = "REDSTAGE_REDSHIFT_CLUSTER_IDENTIFIER", value = var.redshift_cluster_identifier },
    { name = "REDSTAGE_REDSHIFT_DATABASE", value = var.redshift_database },
    { name = "REDSTAGE_REDSHIFT_DB_USER", value = var.redshift_db_user },
    { name = "REDSTAGE_COPY_IAM_ROLE", value = aws_iam_role.copy.arn },
    { name = "REDSTAGE_TARGET_SCHEMA", value = var.target_schema },
    { name = "REDSTAGE_METRICS_ENABLED", value = "true" },
  ]
}

resource "aws_ecs_task_definition" "loader" {
  family                   = "redstage-loader"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"
  task_role_arn            = aws_iam_role.loader.arn
  execution_role_arn       = aws_iam_role.loader_execution.arn

  container_definitions = jsonencode([
    {
      name        = "loader"
      image       = var.loader_image
      essential   = true
      command     = [var.loader_mode == "service" ? "run" : "once"]
      environment = local.loader_environment
      # the loader lets the running batch finish on SIGTERM; Fargate allows at most 120 s
      stopTimeout  = 120
      portMappings = [{ containerPort = 9464, protocol = "tcp" }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.loader.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "loader"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "loader" {
  count           = var.loader_mode == "service" ? 1 : 0
  name            = "redstage-loader"
  cluster         = aws_ecs_cluster.redstage.id
  task_definition = aws_ecs_task_definition.loader.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  # one loader at a time during deployments (two would be safe: they split the tables by claims)
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets         = var.subnet_ids
    security_groups = var.security_group_ids
  }
}

# --- scheduled 'once' ------------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "loader" {
  count               = var.loader_mode == "scheduled" ? 1 : 0
  name                = "redstage-loader-once"
  schedule_expression = var.loader_schedule
}

data "aws_iam_policy_document" "events_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "events" {
  count              = var.loader_mode == "scheduled" ? 1 : 0
  name               = "redstage-loader-schedule"
  assume_role_policy = data.aws_iam_policy_document.events_trust.json
}

data "aws_iam_policy_document" "events" {
  statement {
    actions = ["ecs:RunTask"]
    # EventBridge runs the task by its ARN with the revision
    resources = ["${aws_ecs_task_definition.loader.arn_without_revision}:*"]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.loader.arn, aws_iam_role.loader_execution.arn]
  }
}

resource "aws_iam_role_policy" "events" {
  count  = var.loader_mode == "scheduled" ? 1 : 0
  name   = "redstage-loader-run-task"
  role   = aws_iam_role.events[0].id
  policy = data.aws_iam_policy_document.events.json
}

resource "aws_cloudwatch_event_target" "loader" {
  count    = var.loader_mode == "scheduled" ? 1 : 0
  rule     = aws_cloudwatch_event_rule.loader[0].name
  arn      = aws_ecs_cluster.redstage.arn
  role_arn = aws_iam_role.events[0].arn

  ecs_target {
    task_definition_arn = aws_ecs_task_definition.loader.arn
    launch_type         = "FARGATE"
    task_count          = 1
    network_configuration {
      subnets         = var.subnet_ids
      security_groups = var.security_group_ids
    }
  }
}
