package dev.vdisk.baseline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A baseline file: named baselines, baseline groups, and which targets (by tag) they apply to.
 * The YAML format is documented in the README ("Baselines").
 */
public final class BaselineSet {
  private BaselineSet() {}

  /**
   * Reads and checks a baseline file.
   *
   * @param file the YAML file
   * @return the baselines
   * @throws IOException if it cannot be read or is invalid (a {@link
   *     dev.vdisk.core.VdiskException} naming the file and the entry)
   */
  public static BaselineSet load(Path file) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The baselines that apply to a target carrying these tags.
   *
   * @param tags the target's tags (empty: the default group)
   * @return the baselines' names, in file order
   */
  public List<String> select(Set<String> tags) {
    throw new UnsupportedOperationException("not yet");
  }
}
