package dev.vdisk.core.fs.internal;

import java.nio.file.attribute.GroupPrincipal;

/**
 * A user or group known only by its number (names live in the image's {@code /etc/passwd}, which
 * the file system does not interpret). {@link #getName()} is the decimal id.
 */
public final class NumericPrincipal implements GroupPrincipal {
  private final long id;
  private final boolean group;

  /**
   * Creates the principal.
   *
   * @param id the uid or gid
   * @param group whether it is a group
   */
  public NumericPrincipal(long id, boolean group) {
    this.id = id;
    this.group = group;
  }

  /**
   * The numeric id.
   *
   * @return the uid or gid
   */
  public long id() {
    return id;
  }

  @Override
  public String getName() {
    return Long.toString(id);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NumericPrincipal && ((NumericPrincipal) o).id == id
        && ((NumericPrincipal) o).group == group;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * (group ? 31 : 17);
  }

  @Override
  public String toString() {
    return getName();
  }
}
