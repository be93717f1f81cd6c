package dev.ttstack.tt.performance;

import java.time.Instant;

/** A performance with its seat counts by status, as the API returns it. */
public record PerformanceView(
    long id, String name, Instant startsAt, long available, long held, long sold) {}
