package dev.vdisk.core.fs;

import java.util.Objects;
import java.util.Optional;

/**
 * What a file system says about itself without being mounted: its type, label and UUID, as
 * {@code blkid} reports them.
 *
 * @param type the file-system type, lower case, as {@code blkid} names it: {@code ext2},
 *     {@code ext3}, {@code ext4}, {@code ntfs}
 * @param label the volume label, empty when there is none
 * @param uuid the volume UUID or serial number in its usual text form, or {@code null}
 */
public record FileSystemIdentity(String type, String label, String uuid) {
  /**
   * Checks the fields.
   *
   * @param type the type
   * @param label the label
   * @param uuid the UUID, or {@code null}
   */
  public FileSystemIdentity {
    Objects.requireNonNull(type, "type");
    label = label == null ? "" : label;
  }

  /**
   * The UUID, when the file system has one.
   *
   * @return the UUID
   */
  public Optional<String> uuidIfAny() {
    return Optional.ofNullable(uuid);
  }
}
