package io.sparkvae.data.celeba;

/**
 * An input image that cannot become a training example, with a reason written for the person who owns
 * the data (what is wrong with the file, not which Java call failed). It is checked so that callers
 * decide per image whether to skip and count it or to stop: one bad file in 200,000 should not kill a
 * Spark job, but it must never become a silently grey or half-decoded example either.
 */
public final class RejectedImageException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /** A rejection with a reason a user can act on, e.g. "image 100x120 is smaller than the 140x140 crop". */
  public RejectedImageException(String reason) {
    super(reason);
    this.reason = reason;
  }

  /** As {@link #RejectedImageException(String)}, keeping the decoder's exception for debugging. */
  public RejectedImageException(String reason, Throwable cause) {
    super(reason, cause);
    this.reason = reason;
  }

  /** Why the image was rejected, suitable for a log line or a per-file report next to the file name. */
  public String reason() {
    return reason;
  }
}
