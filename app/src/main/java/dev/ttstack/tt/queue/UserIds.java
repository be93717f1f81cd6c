package dev.ttstack.tt.queue;

import dev.ttstack.tt.api.InvalidInputException;

/** The one shape of a user id, shared by bodies and path variables. */
final class UserIds {

  static final String PATTERN = "[A-Za-z0-9._@-]{1,64}";
  static final String MESSAGE = "must be 1-64 characters of A-Z a-z 0-9 . _ @ -";

  private UserIds() {}

  static String require(String field, String userId) {
    if (userId == null || !userId.matches(PATTERN)) {
      throw new InvalidInputException(field, MESSAGE);
    }
    return userId;
  }
}
