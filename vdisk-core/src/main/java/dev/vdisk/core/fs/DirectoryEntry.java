package dev.vdisk.core.fs;

import java.util.Objects;

/**
 * One name in a directory, as a {@link Volume} lists it ({@code "."} and {@code ".."} are never
 * listed).
 *
 * @param name the name, decoded as UTF-8
 * @param id the {@link Node#id()} of the object it names; {@link Volume#node(long)} opens it
 * @param type the type the directory records for it, or {@code null} when the directory does not
 *     record types
 */
public record DirectoryEntry(String name, long id, NodeType type) {
  /**
   * Checks the name.
   *
   * @param name the name
   * @param id the object's id
   * @param type the recorded type, or {@code null}
   */
  public DirectoryEntry {
    Objects.requireNonNull(name, "name");
  }
}
