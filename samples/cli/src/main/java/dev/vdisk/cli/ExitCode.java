package dev.vdisk.cli;

/** The exit codes of the {@code vdisk} command, as documented in the README. */
public final class ExitCode {
  private ExitCode() {}

  /** Success. */
  public static final int OK = 0;
  /** Bad command line: unknown option, missing argument. */
  public static final int USAGE = 1;
  /** The input is corrupt, unsupported, unreadable or missing. */
  public static final int BAD_INPUT = 2;
  /** Refused as unsafe (dirty, hibernated, locked, read-only) or untrusted. */
  public static final int REFUSED = 3;
  /** {@code scan}: a target does not comply with its baseline. */
  public static final int NON_COMPLIANT = 4;
  /** A bug or an unexpected failure. */
  public static final int INTERNAL = 5;
}
