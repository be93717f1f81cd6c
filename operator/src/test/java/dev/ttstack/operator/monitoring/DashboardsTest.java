package dev.ttstack.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboards: valid JSON (jq), unique panel ids, every panel on the provisioned
 * data source, and every query valid PromQL (promtool). {@code LivePrometheusTest} runs the
 * queries.
 */
class DashboardsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** One panel query: dashboard, panel title, refId, expression. */
  record Query(String dashboard, String panel, String refId, String expr) {
    /**
     * The expression as Grafana sends it, with its one variable at a value for a 1 s scrape
     * interval.
     */
    String resolved() {
      return expr.replace("$__rate_interval", "1m");
    }
  }

  static Map<String, JsonNode> dashboards() {
    Map<String, JsonNode> all = new java.util.LinkedHashMap<>();
    GrafanaConfig.dashboards()
        .forEach(
            (file, text) -> {
              try {
                all.put(file, JSON.readTree(text));
              } catch (IOException e) {
                throw new AssertionError(file + " is not JSON", e);
              }
            });
    return all;
  }

  static List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    dashboards()
        .forEach(
            (file, d) ->
                d.get("panels")
                    .forEach(
                        p ->
                            p.get("targets")
                                .forEach(
                                    t ->
                                        queries.add(
                                            new Query(
                                                file,
                                                p.get("title").asText(),
                                                t.get("refId").asText(),
                                                t.get("expr").asText())))));
    return queries;
  }

  @Test
  void everyDashboardIsValidJsonForJq() throws IOException {
    assertThat(GrafanaConfig.dashboards()).containsOnlyKeys(GrafanaConfig.DASHBOARDS);
    for (var e : GrafanaConfig.dashboards().entrySet()) {
      Path file = dir.resolve(e.getKey());
      Files.writeString(file, e.getValue());
      Tools.Result jq =
          Tools.run(dir, Tools.binary("jq", "jq"), "-e", ".panels | length > 0", file.toString());
      assertThat(jq.ok()).as(e.getKey() + ": " + jq).isTrue();
    }
  }

  @Test
  void panelsAreWellFormed() {
    Set<String> uids = new HashSet<>();
    for (var e : dashboards().entrySet()) {
      String file = e.getKey();
      JsonNode d = e.getValue();
      assertThat(uids.add(d.get("uid").asText())).as(file + " uid unique").isTrue();
      assertThat(file).isEqualTo(d.get("uid").asText() + ".json");
      assertThat(d.get("title").asText()).as(file).isNotBlank();
      Set<Integer> ids = new HashSet<>();
      Set<String> titles = new HashSet<>();
      List<int[]> boxes = new ArrayList<>();
      for (JsonNode p : d.get("panels")) {
        String panel = file + " / " + p.path("title").asText();
        assertThat(ids.add(p.get("id").asInt()))
            .as(panel + ": unique panel id " + p.get("id"))
            .isTrue();
        assertThat(titles.add(p.get("title").asText())).as(panel + ": unique title").isTrue();
        assertThat(p.get("type").asText()).as(panel).isIn("timeseries", "stat");
        assertThat(p.get("datasource").get("uid").asText())
            .as(panel)
            .isEqualTo(GrafanaConfig.DATASOURCE_UID);
        JsonNode g = p.get("gridPos");
        int[] box = {
          g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt()
        };
        assertThat(box[0] + box[2]).as(panel + " fits the 24-column grid").isLessThanOrEqualTo(24);
        for (int[] other : boxes) {
          boolean overlap =
              box[0] < other[0] + other[2]
                  && other[0] < box[0] + box[2]
                  && box[1] < other[1] + other[3]
                  && other[1] < box[1] + box[3];
          assertThat(overlap).as(panel + " overlaps another panel").isFalse();
        }
        boxes.add(box);
        Set<String> refIds = new HashSet<>();
        assertThat(p.get("targets")).as(panel).isNotEmpty();
        for (JsonNode t : p.get("targets")) {
          assertThat(refIds.add(t.get("refId").asText())).as(panel + " refId").isTrue();
          assertThat(t.get("expr").asText()).as(panel).isNotBlank();
          assertThat(t.get("datasource").get("uid").asText())
              .as(panel)
              .isEqualTo(GrafanaConfig.DATASOURCE_UID);
        }
      }
    }
  }

  @Test
  void everyQueryIsValidPromql() throws IOException {
    // promtool parses expressions in rule files: every query becomes a recording rule.
    ObjectNode file = JSON.createObjectNode();
    ArrayNode rules =
        file.putArray("groups").addObject().put("name", "dashboards").putArray("rules");
    List<Query> queries = queries();
    for (int i = 0; i < queries.size(); i++) {
      rules
          .addObject()
          .put("record", "dashboard:query_" + i)
          .put("expr", queries.get(i).resolved());
    }
    Path path = dir.resolve("queries.yml");
    Files.writeString(path, LocalConfig.write(file));
    Tools.Result check = Tools.run(dir, Tools.promtool(), "check", "rules", path.toString());
    assertThat(check.ok()).as("promtool check rules on every dashboard query: %s", check).isTrue();
    assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
  }
}
