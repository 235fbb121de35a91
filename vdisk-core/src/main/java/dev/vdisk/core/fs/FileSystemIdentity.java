package dev.vdisk.core.fs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a file system says about itself without being mounted: its type, label and UUID, as
 * {@code blkid} reports them, and facts particular to the file system that {@code vdisk info}
 * shows (an NTFS version, cluster size and volume state, say).
 *
 * @param type the file-system type, lower case, as {@code blkid} names it: {@code ext2},
 *     {@code ext3}, {@code ext4}, {@code ntfs}
 * @param label the volume label, empty when there is none
 * @param uuid the volume UUID or serial number in its usual text form, or {@code null}
 * @param details further facts by name, in the order the driver gives them (values are strings,
 *     numbers, booleans or lists of strings); empty when the driver gives none
 */
public record FileSystemIdentity(String type, String label, String uuid,
    Map<String, Object> details) {
  /**
   * Checks the fields.
   *
   * @param type the type
   * @param label the label
   * @param uuid the UUID, or {@code null}
   * @param details the further facts
   */
  public FileSystemIdentity {
    Objects.requireNonNull(type, "type");
    label = label == null ? "" : label;
    details = details == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * An identity without further facts.
   *
   * @param type the type
   * @param label the label
   * @param uuid the UUID, or {@code null}
   */
  public FileSystemIdentity(String type, String label, String uuid) {
    this(type, label, uuid, Map.of());
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
