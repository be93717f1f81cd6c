package dev.ttstack.tt.queue;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * Who joins. The user id comes from TT's identity provider in front of this service; it is only
 * checked for shape here (it becomes part of Redis keys).
 */
public record JoinRequest(
    @NotNull @Pattern(regexp = UserIds.PATTERN, message = UserIds.MESSAGE) String userId) {}
