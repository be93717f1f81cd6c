package dev.ttstack.tt.performance;

import java.time.Instant;

/**
 * A performance on sale. Immutable once created, which is what makes {@link PerformanceCatalog}'s
 * cache safe.
 */
public record Performance(long id, String name, Instant startsAt) {}
