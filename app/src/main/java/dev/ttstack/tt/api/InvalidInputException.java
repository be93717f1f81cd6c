package dev.ttstack.tt.api;

import org.springframework.http.HttpStatus;

/**
 * One input value is invalid; {@link #field()} names it (a body field, a header or a parameter):
 * 400.
 */
public class InvalidInputException extends ApiException {

  private final String field;

  public InvalidInputException(String field, String message) {
    super(HttpStatus.BAD_REQUEST, "INVALID_INPUT", field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }

  public String message() {
    return getMessage().substring(field.length() + 2);
  }
}
