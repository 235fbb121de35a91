package dev.vdisk.core.partition;

import dev.vdisk.core.util.Guids;
import dev.vdisk.core.partition.internal.PartitionTypeNames;
import java.util.Objects;
import java.util.UUID;

/**
 * What a partition holds, as its table records it: an MBR type byte or a GPT type GUID, with the
 * name util-linux's fdisk and sfdisk give it.
 *
 * @param scheme the table scheme the type belongs to ({@link PartitionTable.Scheme#MBR} or {@link
 *     PartitionTable.Scheme#GPT})
 * @param id for MBR the type byte as {@code "0x83"} (lower-case hex, two digits); for GPT the type
 *     GUID in upper-case canonical form
 * @param name a readable name such as {@code "Linux filesystem"}, or {@code "Unknown"}
 */
public record PartitionType(PartitionTable.Scheme scheme, String id, String name) {

  /** The name of a type that has no known name. */
  public static final String UNKNOWN = "Unknown";

  /**
   * Validates the components.
   *
   * @param scheme the scheme
   * @param id the id
   * @param name the name
   */
  public PartitionType {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }

  /**
   * The type of an MBR type byte.
   *
   * @param typeByte 0..255
   * @return the type, named {@code "Unknown"} if util-linux has no name for it
   * @throws IllegalArgumentException if {@code typeByte} is not 0..255
   */
  public static PartitionType mbr(int typeByte) {
    if (typeByte < 0 || typeByte > 0xFF) {
      throw new IllegalArgumentException("MBR type byte out of range: " + typeByte);
    }
    return new PartitionType(PartitionTable.Scheme.MBR, String.format("0x%02x", typeByte),
        PartitionTypeNames.mbr(typeByte).orElse(UNKNOWN));
  }

  /**
   * The type of a GPT type GUID.
   *
   * @param typeGuid the type GUID
   * @return the type, named {@code "Unknown"} if util-linux has no name for it
   */
  public static PartitionType gpt(UUID typeGuid) {
    String id = Guids.format(typeGuid);
    return new PartitionType(PartitionTable.Scheme.GPT, id, PartitionTypeNames.gpt(id).orElse(UNKNOWN));
  }
}
