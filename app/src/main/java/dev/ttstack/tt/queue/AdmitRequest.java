package dev.ttstack.tt.queue;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** How many waiting users to admit now, in arrival order. */
public record AdmitRequest(@NotNull @Min(1) @Max(1000) Integer count) {}
