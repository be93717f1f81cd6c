package dev.ttstack.tt.api;

import io.lettuce.core.RedisException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/**
 * Turns every failure into {@code application/problem+json} (RFC 9457). Each body carries a stable
 * {@code code}; a 400 also names the offending input in {@code errors[].field}, so a client can
 * point at the right form field without parsing text. Framework errors (404 route, 405, 415) keep
 * Spring's problem bodies from {@link ResponseEntityExceptionHandler}.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

  /** One invalid input: the field (body property, header or parameter name) and what is wrong. */
  public record FieldProblem(String field, String message) {}

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ProblemDetail> api(ApiException e) {
    List<FieldProblem> errors =
        e instanceof InvalidInputException invalid
            ? List.of(new FieldProblem(invalid.field(), invalid.message()))
            : List.of();
    return respond(problem(e.status(), e.code(), e.getMessage(), errors));
  }

  /**
   * A backing store is unreachable (Redis failover in progress, database restarting): the request
   * may well succeed in a few seconds, so say 503 with Retry-After rather than 500.
   */
  @ExceptionHandler({
    RedisException.class,
    DataAccessResourceFailureException.class,
    TransientDataAccessException.class
  })
  ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
    LOG.warn("backing store unavailable: {}", e.toString());
    ProblemDetail body =
        problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "STORE_UNAVAILABLE",
            "A backing store is temporarily unavailable; retry shortly",
            List.of());
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "1")
        .body(body);
  }

  /**
   * Anything else is a bug: logged with its stack trace, answered as a problem without internals.
   */
  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    LOG.error("unexpected failure", e);
    return respond(
        problem(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "An unexpected error occurred; it has been logged",
            List.of()));
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<FieldProblem> errors =
        e.getBindingResult().getFieldErrors().stream()
            .map(f -> new FieldProblem(f.getField(), f.getDefaultMessage()))
            .sorted((a, b) -> a.field().compareTo(b.field()))
            .toList();
    return invalid(errors);
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String field =
        e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
    String type = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
    return invalid(
        List.of(new FieldProblem(field, "must be a valid " + type.toLowerCase(Locale.ROOT))));
  }

  @Override
  protected ResponseEntity<Object> handleServletRequestBindingException(
      ServletRequestBindingException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    if (e instanceof MissingRequestHeaderException missing) {
      return invalid(List.of(new FieldProblem(missing.getHeaderName(), "header is required")));
    }
    return super.handleServletRequestBindingException(e, headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(
      MissingServletRequestParameterException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    return invalid(List.of(new FieldProblem(e.getParameterName(), "parameter is required")));
  }

  /** Malformed JSON or a value of the wrong type: name the JSON property when Jackson knows it. */
  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String field = "body";
    String message = "is missing or not valid JSON";
    if (e.getCause() instanceof JacksonException json && !json.getPath().isEmpty()) {
      field =
          json.getPath().stream()
              .map(
                  ref ->
                      ref.getPropertyName() != null
                          ? ref.getPropertyName()
                          : "[" + ref.getIndex() + "]")
              .collect(Collectors.joining("."));
      message = "has a value of the wrong type or format";
    }
    return invalid(List.of(new FieldProblem(field, message)));
  }

  private static ResponseEntity<Object> invalid(List<FieldProblem> errors) {
    String detail =
        errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
    return ResponseEntity.badRequest()
        .body(problem(HttpStatus.BAD_REQUEST, "INVALID_INPUT", detail, errors));
  }

  private static ResponseEntity<ProblemDetail> respond(ProblemDetail body) {
    return ResponseEntity.status(body.getStatus()).body(body);
  }

  static ProblemDetail problem(
      HttpStatus status, String code, String detail, List<FieldProblem> errors) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
    body.setType(URI.create("urn:tt:problem:" + code.toLowerCase(Locale.ROOT).replace('_', '-')));
    body.setProperty("code", code);
    if (!errors.isEmpty()) {
      body.setProperty(
          "errors",
          errors.stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList());
    }
    return body;
  }
}
