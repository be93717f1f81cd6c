package dev.ttstack.tt.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Assertions on application/problem+json error responses. */
public final class Problems {

  private Problems() {}

  /** A problem body with this status and code, and a human-readable title and detail. */
  public static void assertProblem(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.contentType()).as(r.text()).startsWith("application/problem+json");
    assertThat(r.json().path("status").asInt()).isEqualTo(status);
    assertThat(r.code()).as(r.text()).isEqualTo(code);
    assertThat(r.json().path("title").asString()).isNotBlank();
    assertThat(r.json().path("detail").asString()).isNotBlank();
  }

  /** A 400 that names exactly these inputs, in this order. */
  public static void assertInvalid(Api.Response r, String... fields) {
    assertProblem(r, 400, "INVALID_INPUT");
    List<String> named =
        r.json().path("errors").valueStream().map(e -> e.path("field").asString()).toList();
    assertThat(named).as(r.text()).containsExactly(fields);
    for (String field : fields) {
      assertThat(r.json().path("detail").asString()).contains(field);
    }
  }
}
