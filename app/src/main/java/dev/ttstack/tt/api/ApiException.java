package dev.ttstack.tt.api;

import org.springframework.http.HttpStatus;

/**
 * A failure the client caused or can act on. Each carries a stable machine-readable {@code code}
 * (written into the problem body) so clients never have to parse the human-readable detail.
 */
public abstract class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final String code;

  protected ApiException(HttpStatus status, String code, String detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }

  public HttpStatus status() {
    return status;
  }

  public String code() {
    return code;
  }
}
