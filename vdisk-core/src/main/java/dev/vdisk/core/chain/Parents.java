package dev.vdisk.core.chain;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finding and opening the parent of a differencing disk, shared by every format that has them
 * (VHD, VHDX, VMDK).
 *
 * <p>Locators are tried in the order the format gives them. Each may be relative (to the child's
 * directory) or absolute, in POSIX or Windows form ({@code C:\VMs\base.vhdx}, {@code
 * .\base.vhdx}, {@code \\server\share\base.vhd}); a Windows path that does not exist here is also
 * tried by its file name in the child's directory, which is where a copied chain usually sits.
 */
public final class Parents {
  private static final Logger LOG = LoggerFactory.getLogger(Parents.class);

  /** The deepest chain opened; deeper ones are treated as corrupt (they are loops in practice). */
  public static final int MAX_DEPTH = 256;

  private Parents() {}

  /**
   * Finds the parent file.
   *
   * @param child the differencing disk
   * @param locators parent locators in order of preference, as the format records them
   * @return the first locator that names an existing regular file or block device
   * @throws MissingParentException if none does
   */
  public static Path locate(Path child, List<String> locators) throws MissingParentException {
    Path dir = child.toAbsolutePath().getParent();
    Set<Path> tried = new LinkedHashSet<>();
    String name = locators.isEmpty() ? "?" : locators.get(0);
    for (String locator : locators) {
      if (locator == null || locator.isBlank() || locator.indexOf('\0') >= 0) {
        continue;
      }
      for (Path candidate : candidates(dir, locator)) {
        if (tried.add(candidate) && Files.exists(candidate) && !Files.isDirectory(candidate)) {
          LOG.debug("{}: parent '{}' found at {}", child, locator, candidate);
          return candidate;
        }
      }
    }
    throw new MissingParentException(child, name, new ArrayList<>(tried));
  }

  private static List<Path> candidates(Path dir, String locator) {
    List<Path> list = new ArrayList<>();
    String text = locator.trim();
    if (text.startsWith("file://")) {
      text = text.substring("file://".length());
    }
    boolean windows = text.indexOf('\\') >= 0 || text.matches("^[A-Za-z]:.*");
    String posix = windows ? text.replace('\\', '/') : text;
    try {
      if (windows && posix.matches("^[A-Za-z]:/.*|^//.*")) {
        // Absolute on Windows: meaningless here except for its file name.
      } else {
        Path path = Path.of(posix);
        list.add((path.isAbsolute() ? path : dir.resolve(path)).normalize());
      }
      String fileName = posix.substring(posix.lastIndexOf('/') + 1);
      if (!fileName.isEmpty()) {
        list.add(dir.resolve(fileName).normalize());
      }
    } catch (InvalidPathException e) {
      LOG.debug("ignoring unusable parent locator '{}'", locator, e);
    }
    return list;
  }

  /**
   * Opens the parent read-only, detecting its format from content, after checking that the chain
   * does not loop and is not absurdly deep.
   *
   * @param child the differencing disk
   * @param parent the parent file, usually from {@link #locate}
   * @param childOptions the options the child was opened with
   * @return the opened parent (which opens its own parents in turn)
   * @throws CorruptStructureException if the chain loops or is deeper than {@link #MAX_DEPTH}
   * @throws IOException if the parent cannot be opened
   */
  public static VirtualDisk open(Path child, Path parent, OpenOptions childOptions)
      throws IOException {
    Path childReal = child.toRealPath();
    Path parentReal = parent.toRealPath();
    List<Path> seen = new ArrayList<>(childOptions.children());
    seen.add(childReal);
    if (seen.contains(parentReal)) {
      throw new CorruptStructureException(child, -1, "parent chain",
          "the chain loops: " + parentReal + " is its own ancestor");
    }
    if (seen.size() >= MAX_DEPTH) {
      throw new CorruptStructureException(child, -1, "parent chain",
          "more than " + MAX_DEPTH + " levels of differencing disks");
    }
    return VirtualDisks.open(parent, childOptions.forParentOf(childReal));
  }
}
