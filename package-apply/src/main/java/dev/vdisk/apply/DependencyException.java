package dev.vdisk.apply;

import dev.vdisk.core.VdiskException;
import java.nio.file.Path;
import java.util.List;

/** A package set whose dependencies the guest plus the set cannot satisfy, or that conflicts. */
public class DependencyException extends VdiskException {
  private static final long serialVersionUID = 1L;

  /** The problems, one sentence each. */
  private final List<String> problems;

  /**
   * Creates the exception.
   *
   * @param image the image
   * @param problems the problems
   */
  public DependencyException(Path image, List<String> problems) {
    super(image, (image == null ? "" : image + ": ") + "unsatisfied package relationships: "
        + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * The problems.
   *
   * @return one sentence each
   */
  public List<String> problems() {
    return problems;
  }
}
