package dev.ttstack.tt.api;

import org.springframework.http.HttpStatus;

/**
 * The request is valid but the current state forbids it (seat taken, hold expired, not admitted):
 * 409.
 */
public class ConflictException extends ApiException {

  public ConflictException(String code, String detail) {
    super(HttpStatus.CONFLICT, code, detail);
  }
}
