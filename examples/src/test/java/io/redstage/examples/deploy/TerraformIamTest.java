package io.redstage.examples.deploy;

import static io.redstage.examples.deploy.DeployFiles.DEPLOY;
import static io.redstage.examples.deploy.DeployFiles.JSON;
import static io.redstage.examples.deploy.DeployFiles.terraform;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The roles in deploy/terraform/iam.tf grant what the hand-reviewed policies in examples/iam/
 * grant, no more: the same S3 actions on the same prefixes, Data API results of the loader's own
 * statements only, the trust policies' confused-deputy conditions, and Kafka grants on the named
 * topics and on Connect's groups only.
 *
 * <p>hcl4j gives interpolations as their reference text (locals resolved, functions as null), so
 * both sides are compared after replacing references and placeholders by common names.
 */
class TerraformIamTest {
  static final Path IAM = Path.of("iam");

  @Test
  void loaderGetsTheS3GrantsOfLoaderJsonOnly() throws IOException {
    // not _redstage/*: that covered markers (which direct COPY) and plugins (code MSK Connect runs)
    assertThat(grants(terraformStatements("loader"), "s3:"))
        .isEqualTo(grants(exampleStatements("loader.json"), "s3:"))
        .noneMatch(g -> g.endsWith("/_redstage/*"))
        .noneMatch(g -> g.startsWith("s3:PutObject ") && g.contains("/_redstage/markers/"));
  }

  @Test
  void connectorAndCopyRoleGetTheS3GrantsOfTheirExamples() throws IOException {
    assertThat(grants(terraformStatements("connector"), "s3:"))
        .isEqualTo(grants(exampleStatements("connector-s3-staging.json"), "s3:"));
    assertThat(grants(terraformStatements("copy"), "s3:"))
        .isEqualTo(grants(exampleStatements("redshift-copy-role-policy.json"), "s3:"));
  }

  @Test
  void loaderFollowsOnlyItsOwnStatements() throws IOException {
    Map<String, Object> tf = terraformSid(terraformStatements("loader"), "FollowOwnStatements");
    JsonNode example = exampleSid(exampleStatements("loader.json"), "FollowOwnStatements");
    assertThat(strings(tf.get("actions"))).isEqualTo(strings(example.path("Action")));
    assertThat(conditions(tf))
        .isEqualTo(conditions(example))
        .containsExactly("StringEquals redshift-data:statement-owner-iam-userid ${aws:userid}");
    Map<String, Object> findTf =
        terraformSid(terraformStatements("loader"), "FindOwnStatementsAgain");
    JsonNode findExample = exampleSid(exampleStatements("loader.json"), "FindOwnStatementsAgain");
    assertThat(strings(findTf.get("actions")))
        .isEqualTo(strings(findExample.path("Action")))
        .containsExactly("redshift-data:ListStatements");
  }

  @Test
  void trustPoliciesHaveTheConfusedDeputyConditionsOfTheExamples() throws IOException {
    assertThat(conditions(only(terraformStatements("connector_trust"))))
        .isEqualTo(conditions(only(exampleStatements("msk-connect-execution-role-trust.json"))))
        .anyMatch(c -> c.startsWith("StringEquals aws:SourceAccount "))
        .anyMatch(c -> c.startsWith("ArnLike aws:SourceArn "));
    assertThat(conditions(only(terraformStatements("copy_trust"))))
        .isEqualTo(conditions(only(exampleStatements("redshift-copy-role-trust.json"))))
        .anyMatch(c -> c.startsWith("StringEquals aws:SourceAccount "));
  }

  @Test
  void connectorReadsTheDeployedTopicsAndConnectsGroupsOnly() throws IOException {
    List<Map<String, Object>> tf = terraformStatements("connector");
    List<JsonNode> example = exampleStatements("msk-connect-kafka-iam-auth.json");
    // the example names its sink topics; Terraform reads var.topics (formatlist: null to hcl4j)
    Map<String, Object> topics = terraformSid(tf, "ReadTheSinkTopics");
    assertThat(strings(topics.get("actions")))
        .isEqualTo(strings(exampleSid(example, "ReadTheSinkTopics").path("Action")));
    assertThat(Files.readString(DEPLOY.resolve("terraform").resolve("iam.tf")))
        .contains("resources = formatlist(\"%s/%s\", local.msk_topic_arn, local.connector_topics)");
    List<Map<String, Object>> tfRest = new ArrayList<>(tf);
    tfRest.remove(topics);
    List<JsonNode> exampleRest = new ArrayList<>(example);
    exampleRest.remove(exampleSid(example, "ReadTheSinkTopics"));
    assertThat(grants(tfRest, "kafka-cluster:"))
        .isEqualTo(grants(exampleRest, "kafka-cluster:"))
        .noneMatch(g -> g.endsWith("/*"));
  }

  /** The statements of a data "aws_iam_policy_document" in deploy/terraform. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> terraformStatements(String document) {
    Map<String, Object> documents =
        (Map<String, Object>) terraform().get("data").get("aws_iam_policy_document");
    Map<String, Object> body = (Map<String, Object>) documents.get(document);
    assertThat(body).as("data.aws_iam_policy_document." + document).isNotNull();
    return blocks(body.get("statement"));
  }

  static List<JsonNode> exampleStatements(String file) throws IOException {
    List<JsonNode> statements = new ArrayList<>();
    JSON.readTree(IAM.resolve(file).toFile()).path("Statement").forEach(statements::add);
    return statements;
  }

  /** "action resource" for every action with the prefix, over all statements. */
  @SuppressWarnings("unchecked")
  static Set<String> grants(List<?> statements, String actionPrefix) {
    Set<String> grants = new TreeSet<>();
    for (Object s : statements) {
      List<String> actions;
      List<String> resources;
      if (s instanceof JsonNode n) {
        actions = strings(n.path("Action"));
        resources = strings(n.path("Resource"));
      } else {
        Map<String, Object> m = (Map<String, Object>) s;
        actions = strings(m.get("actions"));
        resources = strings(m.get("resources"));
      }
      for (String a : actions) {
        if (a.startsWith(actionPrefix)) {
          for (String r : resources) {
            grants.add(a + " " + normalize(r));
          }
        }
      }
    }
    return grants;
  }

  /** "test variable value" for every value of every condition of a statement. */
  @SuppressWarnings("unchecked")
  static Set<String> conditions(Object statement) {
    Set<String> conditions = new TreeSet<>();
    if (statement instanceof JsonNode n) {
      n.path("Condition")
          .properties()
          .forEach(
              test ->
                  test.getValue()
                      .properties()
                      .forEach(
                          v ->
                              strings(v.getValue())
                                  .forEach(
                                      value ->
                                          conditions.add(
                                              test.getKey()
                                                  + " "
                                                  + v.getKey()
                                                  + " "
                                                  + normalize(value)))));
    } else {
      for (Map<String, Object> c : blocks(((Map<String, Object>) statement).get("condition"))) {
        for (String value : strings(c.get("values"))) {
          conditions.add(c.get("test") + " " + c.get("variable") + " " + normalize(value));
        }
      }
    }
    return conditions;
  }

  /** Terraform references and the examples' placeholders as common names. */
  static String normalize(String value) {
    return value
        // Terraform writes "$${" as "${" (an IAM policy variable)
        .replace("$${", "${")
        .replace("arn:data.aws_partition.current.partition:", "arn:aws:")
        .replace("data.aws_caller_identity.current.account_id", "ACCOUNT_ID")
        .replace("var.region", "REGION")
        .replace("var.staging_bucket", "STAGING_BUCKET")
        .replace("var.msk_cluster_arn", "CLUSTER")
        .replace("local.msk_topic_arn", "TOPIC")
        .replace("local.msk_group_arn", "GROUP")
        .replace(
            "arn:aws:kafka:REGION:ACCOUNT_ID:cluster/MSK_CLUSTER_NAME/MSK_CLUSTER_UUID", "CLUSTER")
        .replace("arn:aws:kafka:REGION:ACCOUNT_ID:topic/MSK_CLUSTER_NAME/MSK_CLUSTER_UUID", "TOPIC")
        .replace(
            "arn:aws:kafka:REGION:ACCOUNT_ID:group/MSK_CLUSTER_NAME/MSK_CLUSTER_UUID", "GROUP");
  }

  static <T> T only(List<T> statements) {
    assertThat(statements).hasSize(1);
    return statements.get(0);
  }

  static Map<String, Object> terraformSid(List<Map<String, Object>> statements, String sid) {
    return statements.stream()
        .filter(s -> sid.equals(s.get("sid")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no statement " + sid + " in iam.tf"));
  }

  static JsonNode exampleSid(List<JsonNode> statements, String sid) {
    return statements.stream()
        .filter(s -> sid.equals(s.path("Sid").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no statement " + sid + " in the example"));
  }

  /** hcl4j gives one block as a map, several as a list of maps. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> blocks(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof Map<?, ?> m) {
      return List.of((Map<String, Object>) m);
    }
    return (List<Map<String, Object>>) value;
  }

  static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof JsonNode n) {
      if (n.isArray()) {
        n.forEach(e -> out.add(e.asText()));
      } else if (!n.isMissingNode()) {
        out.add(n.asText());
      }
    } else if (value instanceof List<?> l) {
      l.forEach(e -> out.add(String.valueOf(e)));
    } else if (value != null) {
      out.add(String.valueOf(value));
    }
    return out;
  }
}
