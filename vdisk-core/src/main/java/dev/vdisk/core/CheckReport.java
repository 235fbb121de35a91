package dev.vdisk.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The result of a format-level consistency check ({@link DiskFormat#check(Path)}), in the spirit
 * of {@code qemu-img check}: corruptions make the image unsafe to use, leaks only waste space.
 *
 * @param file the image checked
 * @param format the format's name
 * @param problems what was found, in file order where that makes sense
 */
public record CheckReport(Path file, String format, List<Problem> problems) {

  /** How bad a problem is. */
  public enum Severity {
    /** Data may be lost or read wrongly: overlapping blocks, bad checksums, pointers past the end. */
    CORRUPTION,
    /** Space is allocated but unused; nothing reads wrongly. */
    LEAK,
    /** Unusual but valid, or a state the user should know about (a log awaiting replay). */
    WARNING
  }

  /**
   * One finding.
   *
   * @param severity how bad it is
   * @param offset byte offset of the structure in the image file, or -1
   * @param structure the structure, named as its specification names it
   * @param message what is wrong
   */
  public record Problem(Severity severity, long offset, String structure, String message) {
    /**
     * Validates the finding.
     *
     * @param severity how bad it is
     * @param offset the offset or -1
     * @param structure the structure
     * @param message the message
     */
    public Problem {
      Objects.requireNonNull(severity, "severity");
      Objects.requireNonNull(structure, "structure");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Copies the list.
   *
   * @param file the image
   * @param format the format
   * @param problems the findings
   */
  public CheckReport {
    problems = List.copyOf(problems);
  }

  /**
   * Whether no corruption was found (leaks and warnings allowed).
   *
   * @return {@code true} if the image is consistent
   */
  public boolean isClean() {
    return count(Severity.CORRUPTION) == 0;
  }

  /**
   * How many problems of a severity were found.
   *
   * @param severity the severity
   * @return the count
   */
  public long count(Severity severity) {
    return problems.stream().filter(p -> p.severity() == severity).count();
  }

  /** Collects problems while checking. */
  public static final class Builder {
    private final Path file;
    private final String format;
    private final List<Problem> problems = new ArrayList<>();
    private final int limit;

    /**
     * Starts a report; at most {@code limit} problems are kept (a badly damaged image must not use
     * unbounded memory), after which one final problem says how many were dropped.
     *
     * @param file the image
     * @param format the format's name
     * @param limit the most problems to keep, at least 1
     */
    public Builder(Path file, String format, int limit) {
      this.file = file;
      this.format = format;
      this.limit = Math.max(1, limit);
    }

    private long dropped;

    /**
     * Records a problem.
     *
     * @param severity how bad
     * @param offset the byte offset or -1
     * @param structure the structure's name
     * @param message what is wrong
     * @return this builder
     */
    public Builder add(Severity severity, long offset, String structure, String message) {
      if (problems.size() < limit) {
        problems.add(new Problem(severity, offset, structure, message));
      } else {
        dropped++;
      }
      return this;
    }

    /**
     * Finishes the report.
     *
     * @return the report
     */
    public CheckReport build() {
      List<Problem> all = new ArrayList<>(problems);
      if (dropped > 0) {
        all.add(new Problem(Severity.WARNING, -1, "report",
            dropped + " further problems were not listed"));
      }
      return new CheckReport(file, format, all);
    }
  }
}
