package dev.ttstack.tt.performance;

/** One seat as clients see it; who holds it is not disclosed. */
public record Seat(long id, String label, String status) {}
