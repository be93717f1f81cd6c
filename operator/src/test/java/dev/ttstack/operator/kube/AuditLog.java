package dev.ttstack.operator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The API server's audit log (Metadata level, every request, written before the response is sent:
 * {@code --audit-log-mode blocking}): the server's own account of who did what and what it
 * answered. Tests count the operator's writes and prove its RBAC from it.
 */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The verbs that change something (as the authorizer names them; SSA is a "patch"). */
  public static final Set<String> WRITES =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  private final Path file;

  AuditLog(Path file) {
    this.file = file;
  }

  /** One request as the API server saw it. */
  public record Entry(
      String user,
      String userAgent,
      String verb,
      String apiGroup,
      String resource,
      String subresource,
      String namespace,
      String name,
      int code,
      String uri,
      String timestamp) {

    public boolean isWrite() {
      return WRITES.contains(verb);
    }

    /** The resource as RBAC names it: {@code deployments}, {@code pods/status}, ... */
    public String rbacResource() {
      return subresource == null ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
      return verb
          + " "
          + (apiGroup == null || apiGroup.isEmpty() ? "" : apiGroup + "/")
          + rbacResource()
          + (namespace == null ? "" : " -n " + namespace)
          + (name == null ? "" : " " + name)
          + " -> "
          + code
          + " ("
          + user
          + ")";
    }
  }

  /** Where the log ends now: read {@link #since} this mark to see only what happens after it. */
  public long mark() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Entry> all() {
    return since(0);
  }

  /** Every completed request logged after {@code mark}. */
  public List<Entry> since(long mark) {
    List<Entry> entries = new ArrayList<>();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String text =
        new String(
            bytes,
            (int) Math.min(mark, bytes.length),
            (int) (bytes.length - Math.min(mark, bytes.length)),
            StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank() || !line.endsWith("}")) {
        continue; // the last line may still be being written
      }
      JsonNode event;
      try {
        event = JSON.readTree(line);
      } catch (IOException e) {
        continue;
      }
      if (!"ResponseComplete".equals(event.path("stage").asText())) {
        continue;
      }
      JsonNode ref = event.path("objectRef");
      entries.add(
          new Entry(
              event.path("user").path("username").asText(),
              event.path("userAgent").asText(null),
              event.path("verb").asText(),
              text(ref, "apiGroup"),
              text(ref, "resource"),
              text(ref, "subresource"),
              text(ref, "namespace"),
              text(ref, "name"),
              event.path("responseStatus").path("code").asInt(),
              event.path("requestURI").asText(),
              event.path("stageTimestamp").asText()));
    }
    return entries;
  }

  /** The entries after {@code mark} of this user that match. */
  public List<Entry> since(long mark, String user, Predicate<Entry> filter) {
    return since(mark).stream().filter(e -> e.user().equals(user)).filter(filter).toList();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
