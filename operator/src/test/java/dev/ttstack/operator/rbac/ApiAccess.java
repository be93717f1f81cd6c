package dev.ttstack.operator.rbac;

import dev.ttstack.operator.testing.RecordingApiServer;
import java.util.Comparator;
import java.util.List;

/**
 * What the Kubernetes authorizer sees of one API request: API group, resource (with its
 * subresource, as RBAC writes it: {@code ttstacks/status}), verb, namespace and name; or, for paths
 * outside {@code /api} and {@code /apis/...} resources, a non-resource URL.
 *
 * <p>Verbs as the API server derives them: GET of one object {@code get}, of a collection {@code
 * list} ({@code watch} with {@code ?watch=true}), POST {@code create}, PUT {@code update}, PATCH
 * {@code patch}, DELETE of one object {@code delete}, of a collection {@code deletecollection}.
 *
 * @param group API group ("" for the core group)
 * @param resource resource, or resource/subresource
 * @param verb RBAC verb
 * @param namespace namespace of the request, null when cluster-wide
 * @param name object name, null for collections
 * @param nonResourceUrl the path, for non-resource requests (then group and resource are null)
 */
public record ApiAccess(
    String group,
    String resource,
    String verb,
    String namespace,
    String name,
    String nonResourceUrl) {

  /** The part RBAC rules grant: (group, resource, verb). */
  public record Rule(String group, String resource, String verb) implements Comparable<Rule> {
    private static final Comparator<Rule> ORDER =
        Comparator.comparing(Rule::group).thenComparing(Rule::resource).thenComparing(Rule::verb);

    @Override
    public int compareTo(Rule other) {
      return ORDER.compare(this, other);
    }

    /** As a chart rule would say it. */
    @Override
    public String toString() {
      return "apiGroups: [\""
          + group
          + "\"], resources: [\""
          + resource
          + "\"], verbs: [\""
          + verb
          + "\"]";
    }
  }

  public Rule rule() {
    return new Rule(group, resource, verb);
  }

  public boolean isResource() {
    return nonResourceUrl == null;
  }

  /** Parses a request as recorded by {@link RecordingApiServer}. */
  public static ApiAccess of(RecordingApiServer.Request request) {
    String full = request.path();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    String query = q < 0 ? "" : full.substring(q + 1);
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
    String group;
    List<String> rest;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      rest = parts.subList(2, parts.size()); // api/v1/...
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size()); // apis/group/version/...
    } else {
      return new ApiAccess(null, null, verbOfNonResource(request.method()), null, null, path);
    }
    if (rest.isEmpty()) {
      return new ApiAccess(
          null, null, verbOfNonResource(request.method()), null, null, path); // discovery
    }
    String namespace = null;
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    String name = rest.size() >= 2 ? rest.get(1) : null;
    if (rest.size() >= 3) {
      resource = resource + "/" + rest.get(2);
    }
    boolean watch = List.of(query.split("&")).contains("watch=true");
    String verb =
        switch (request.method()) {
          case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default ->
              throw new IllegalArgumentException(
                  "unexpected method " + request.method() + " " + full);
        };
    return new ApiAccess(group, resource, verb, namespace, name, null);
  }

  private static String verbOfNonResource(String method) {
    return switch (method) {
      case "GET", "HEAD" -> "get";
      case "POST" -> "post";
      case "PUT" -> "put";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> method.toLowerCase();
    };
  }
}
