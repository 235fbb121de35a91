package dev.vdisk.inspect.internal.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@code SYSTEM\MountedDevices} value's data, decoded. The mount manager stores, for a basic
 * disk volume, either 12 bytes (the MBR disk signature as a little-endian u32, then the
 * partition's byte offset on the disk as a little-endian u64) or {@code DMIO:ID:} followed by
 * the 16 bytes of the GPT unique partition GUID in the GUID's binary layout (the first three
 * fields little-endian, as in the GPT entry). Anything else (a UTF-16 device path such as
 * {@code \??\IDE#CdRom...} for removable and optical drives) is {@link Other}.
 */
sealed interface MountedDevice {

  /** An MBR partition: disk signature and byte offset. */
  record Mbr(long diskSignature, long offset) implements MountedDevice {
    /** The signature as {@code PartitionTable.diskId()} writes it: {@code 0x1a2b3c4d}. */
    String diskId() {
      return String.format("0x%08x", diskSignature);
    }
  }

  /** A GPT partition by its unique partition GUID (upper case, as {@code Partition.uuid()}). */
  record Gpt(String partitionGuid) implements MountedDevice {}

  /** Something else (a device path, a dynamic disk's id). */
  record Other(int length) implements MountedDevice {}

  /** The marker before a GPT partition GUID. */
  byte[] DMIO_ID = "DMIO:ID:".getBytes(StandardCharsets.US_ASCII);

  /** A partition as {@link #match} needs it. */
  record Candidate(int index, long start, String uuid) {}

  /**
   * Decodes a value's data.
   *
   * @param data the REG_BINARY data
   * @return what it names
   */
  static MountedDevice decode(byte[] data) {
    if (data.length == 12) {
      ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      return new Mbr(Integer.toUnsignedLong(b.getInt()), b.getLong());
    }
    if (data.length == DMIO_ID.length + 16) {
      boolean marker = true;
      for (int i = 0; i < DMIO_ID.length; i++) {
        marker &= data[i] == DMIO_ID[i];
      }
      if (marker) {
        ByteBuffer b = ByteBuffer.wrap(data, DMIO_ID.length, 16);
        long d1 = Integer.toUnsignedLong(b.order(ByteOrder.LITTLE_ENDIAN).getInt());
        int d2 = Short.toUnsignedInt(b.getShort());
        int d3 = Short.toUnsignedInt(b.getShort());
        long rest = b.order(ByteOrder.BIG_ENDIAN).getLong();
        long msb = (d1 << 32) | ((long) d2 << 16) | d3;
        return new Gpt(new UUID(msb, rest).toString().toUpperCase(Locale.ROOT));
      }
    }
    return new Other(data.length);
  }

  /**
   * The partition this names on a disk.
   *
   * @param diskId the table's {@code diskId()} (MBR {@code 0x1a2b3c4d}, GPT disk GUID), or null
   * @param mbr whether the table is an MBR
   * @param partitions the disk's partitions
   * @return the partition's index, if it is on this disk
   */
  default Optional<Integer> match(String diskId, boolean mbr, List<Candidate> partitions) {
    for (Candidate p : partitions) {
      if (this instanceof Mbr m && mbr && m.diskId().equalsIgnoreCase(String.valueOf(diskId))
          && p.start() == m.offset()) {
        return Optional.of(p.index());
      }
      if (this instanceof Gpt g && !mbr && p.uuid() != null
          && p.uuid().equalsIgnoreCase(g.partitionGuid())) {
        return Optional.of(p.index());
      }
    }
    return Optional.empty();
  }
}
