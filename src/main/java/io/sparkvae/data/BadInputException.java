package io.sparkvae.data;

/**
 * A raw input file that cannot be read as its format says (wrong size, malformed line, unsafe archive entry).
 * The message names the file and, where it helps, the line and byte offset; it is thrown before anything is
 * written.
 */
public final class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
