output "copy_role_arn" {
  description = "Associate with the Redshift cluster (aws redshift modify-cluster-iam-roles --add-iam-roles); the loader's copy.iam-role."
  value       = aws_iam_role.copy.arn
}

output "connector_arn" {
  value = aws_mskconnect_connector.ad_events.arn
}

output "loader_task_definition_arn" {
  description = "Run 'check' once with it before the first load: aws ecs run-task ... --overrides '{\"containerOverrides\":[{\"name\":\"loader\",\"command\":[\"check\"]}]}'."
  value       = aws_ecs_task_definition.loader.arn
}
