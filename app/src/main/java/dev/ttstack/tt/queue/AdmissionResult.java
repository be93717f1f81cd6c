package dev.ttstack.tt.queue;

import java.util.List;

/**
 * The users admitted by one step, in arrival order, and how many still wait. Tokens are not listed:
 * each user reads their own from their queue status.
 */
public record AdmissionResult(List<String> admitted, long waiting) {}
