package dev.ttstack.tt.api;

import org.springframework.http.HttpStatus;

/** An id in the request names nothing this caller may see: 404. */
public class NotFoundException extends ApiException {

  public NotFoundException(String code, String detail) {
    super(HttpStatus.NOT_FOUND, code, detail);
  }
}
