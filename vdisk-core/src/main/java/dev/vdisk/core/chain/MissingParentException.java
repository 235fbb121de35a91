package dev.vdisk.core.chain;

import dev.vdisk.core.VdiskException;
import java.nio.file.Path;
import java.util.List;

/** A differencing disk's parent cannot be found at any of the places its locators name. */
public class MissingParentException extends VdiskException {
  private static final long serialVersionUID = 1L;

  private final transient List<Path> tried;

  /**
   * Creates the exception.
   *
   * @param child the differencing disk
   * @param parentName the parent's name as the child records it
   * @param tried every path that was tried, in order
   */
  public MissingParentException(Path child, String parentName, List<Path> tried) {
    super(child, child + ": parent disk '" + parentName + "' not found (tried: "
        + (tried.isEmpty() ? "nothing usable" : String.join(", ",
            tried.stream().map(Path::toString).toList())) + ")");
    this.tried = List.copyOf(tried);
  }

  /**
   * The paths tried.
   *
   * @return the paths
   */
  public List<Path> tried() {
    return tried;
  }
}
