package dev.vdisk.baseline;

import dev.vdisk.core.VdiskException;
import java.nio.file.Path;

/**
 * A baseline file is invalid: the message names the file and the entry (for example {@code
 * baselines[2].static[0]}) and what is wrong with it.
 */
public class BaselineException extends VdiskException {
  private static final long serialVersionUID = 1L;

  private final String entry;

  /**
   * Creates the exception.
   *
   * @param file the baseline file, or null
   * @param entry the entry, as a path into the document ({@code baselines[0].dynamic}), or "" for
   *     the whole document
   * @param detail what is wrong
   */
  public BaselineException(Path file, String entry, String detail) {
    super(file, (file == null ? "<baseline>" : file.toString())
        + (entry.isEmpty() ? "" : ": " + entry) + ": " + detail);
    this.entry = entry;
  }

  /**
   * The entry that is wrong.
   *
   * @return the path into the document, "" for the whole document
   */
  public String entry() {
    return entry;
  }
}
