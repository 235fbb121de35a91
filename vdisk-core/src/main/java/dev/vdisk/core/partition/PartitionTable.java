package dev.vdisk.core.partition;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.partition.internal.MasterBootRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition table of a block device: an MBR (with extended and logical partitions), a GPT
 * (falling back to the backup header and array when the primary copy is damaged), or none.
 *
 * <pre>{@code
 * PartitionTable table = PartitionTable.read(disk);
 * for (Partition p : table.partitions()) {
 *   log.info("{} {} {}", p.index(), p.type().name(), p.size());
 * }
 * }</pre>
 *
 * <p>How the scheme is chosen: a sector 0 without the 0x55AA signature (or one that is the boot
 * sector of a FAT, exFAT or NTFS file system, or has invalid boot indicators) is no MBR; if there
 * is then a GPT header at LBA 1 it is read as a GPT (with a warning about the missing protective
 * MBR), otherwise the scheme is {@link Scheme#NONE}. An MBR with a protective (0xEE) entry is a
 * GPT, even when other entries are used too (a hybrid MBR): the GPT wins. Any other MBR is read as
 * an MBR.
 *
 * <p>Damage is handled like this:
 *
 * <ul>
 *   <li>GPT: a primary header or entry array that fails validation (signature, revision, sizes,
 *       CRC32, placement) is replaced by the backup, {@link #usedBackup()} is true and a warning
 *       says what was wrong; a damaged backup under a good primary is only a warning. When both
 *       copies are unusable, or a protective MBR has no GPT behind it,
 *       {@link CorruptStructureException} is thrown. An entry whose LBA range is reversed or leaves
 *       the device is corrupt.
 *   <li>MBR: a partition or EBR outside the device is corrupt. An EBR chain that loops back to an
 *       EBR already visited, or runs past 256 EBRs, is cut there: the logical partitions found
 *       until then are returned and a warning names the EBR where the chain was cut. An EBR
 *       without the 0x55AA signature ends the chain (with a warning unless the sector is all
 *       zero).
 * </ul>
 *
 * <p>Reading never allocates more than a few MiB, whatever the table says.
 */
public final class PartitionTable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionTable.class);

  /** The kind of partition table. */
  public enum Scheme {
    /** No partition table: the device holds a bare file system, or nothing recognisable. */
    NONE,
    /** A DOS/MBR partition table, with extended and logical partitions. */
    MBR,
    /** A GUID Partition Table. */
    GPT;

    /**
     * The name used in JSON output: {@code "none"}, {@code "mbr"} or {@code "gpt"}.
     *
     * @return the lower-case name
     */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Scheme scheme;
  private final List<Partition> partitions;
  private final String diskId;
  private final int sectorSize;
  private final List<String> warnings;
  private final boolean usedBackup;

  PartitionTable(
      Scheme scheme,
      List<Partition> partitions,
      String diskId,
      int sectorSize,
      List<String> warnings,
      boolean usedBackup) {
    this.scheme = Objects.requireNonNull(scheme, "scheme");
    List<Partition> sorted = new ArrayList<>(partitions);
    sorted.sort(Comparator.comparingInt(Partition::index));
    this.partitions = List.copyOf(sorted);
    this.diskId = diskId;
    this.sectorSize = sectorSize;
    this.warnings = List.copyOf(warnings);
    this.usedBackup = usedBackup;
  }

  /**
   * Reads the partition table of a device. The device is not closed; the partitions read through
   * it.
   *
   * @param device the device (a virtual disk, usually)
   * @return the table, never {@code null}; {@link Scheme#NONE} with no partitions when there is no
   *     partition table
   * @throws CorruptStructureException if a table is present but unusable; the message names the
   *     device, the byte offset and the structure
   * @throws IOException on an I/O error
   * @throws IllegalArgumentException if the device reports a sector size that is not a power of
   *     two between 512 and 65536
   */
  public static PartitionTable read(BlockDevice device) throws IOException {
    Objects.requireNonNull(device, "device");
    String source = device.description();
    int deviceSectorSize = device.sectorSize();
    if (deviceSectorSize < 512 || deviceSectorSize > (1 << 16) || Integer.bitCount(deviceSectorSize) != 1) {
      throw new IllegalArgumentException(
          source + " reports a sector size of " + deviceSectorSize + " bytes, not a power of two in 512..65536");
    }
    if (device.size() < MasterBootRecord.SIZE) {
      LOG.debug("{}: {} bytes is too small for a partition table", source, device.size());
      return none(device);
    }
    ByteBuffer sector0 = BlockDevices.read(device, 0, MasterBootRecord.SIZE);
    if (!MasterBootRecord.hasBootSignature(sector0)
        || MasterBootRecord.looksLikeVolumeBootRecord(sector0)) {
      if (GptReader.primaryHeaderPresent(device)) {
        LOG.debug("{}: no protective MBR, but a GPT header at LBA 1", source);
        return GptReader.read(device, List.of(
            "there is no protective MBR in LBA 0; reading the GPT found at LBA 1 anyway"));
      }
      LOG.debug("{}: no partition table", source);
      return none(device);
    }
    MasterBootRecord mbr = MasterBootRecord.parse(sector0, source, 0, "MBR");
    if (mbr.partitionRecords().stream().anyMatch(e -> e.isProtective())) {
      LOG.debug("{}: protective MBR, reading the GPT", source);
      return GptReader.read(device, List.of());
    }
    if (mbr.partitionRecords().stream().anyMatch(e -> !e.hasValidBootIndicator())) {
      LOG.debug("{}: 0x55AA present but boot indicators are invalid: not an MBR", source);
      return none(device);
    }
    return MbrReader.read(device, mbr);
  }

  private static PartitionTable none(BlockDevice device) {
    return new PartitionTable(Scheme.NONE, List.of(), null, device.sectorSize(), List.of(), false);
  }

  /**
   * The kind of table.
   *
   * @return the scheme
   */
  public Scheme scheme() {
    return scheme;
  }

  /**
   * The partitions, ordered by {@link Partition#index()}. For MBR the extended container is
   * included (see {@link Partition#isExtended()}).
   *
   * @return an unmodifiable list, empty for {@link Scheme#NONE}
   */
  public List<Partition> partitions() {
    return partitions;
  }

  /**
   * The disk's identifier: the GPT disk GUID in upper case, or the MBR disk signature as
   * {@code "0x1a2b3c4d"}.
   *
   * @return the id, empty for {@link Scheme#NONE}
   */
  public Optional<String> diskId() {
    return Optional.ofNullable(diskId);
  }

  /**
   * The logical sector size the table was found with (for GPT possibly different from the
   * device's own, when the GPT was written for 512- or 4096-byte sectors).
   *
   * @return the sector size in bytes
   */
  public int sectorSize() {
    return sectorSize;
  }

  /**
   * Problems that did not prevent reading the table, as sentences for a person, such as a damaged
   * backup GPT or an EBR chain that was cut.
   *
   * @return an unmodifiable list, empty when the table is clean
   */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * Whether the GPT was read from the backup header and entry array because the primary copy is
   * damaged.
   *
   * @return {@code true} if the backup was used
   */
  public boolean usedBackup() {
    return usedBackup;
  }

  @Override
  public String toString() {
    return "PartitionTable[" + scheme.jsonName() + ", " + partitions.size() + " partitions"
        + (diskId == null ? "" : ", id " + diskId) + ", sector size " + sectorSize
        + (usedBackup ? ", backup GPT" : "") + "]";
  }
}
