package io.sparkvae.data;

import java.io.Serializable;

/** An image that {@code prepare} skipped: where it was and why, as written to the {@code _rejects} table. */
public record Reject(String path, String reason) implements Serializable {}
