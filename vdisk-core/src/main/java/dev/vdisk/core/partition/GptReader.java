package dev.vdisk.core.partition;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.partition.internal.GptHeader;
import dev.vdisk.core.partition.internal.GptPartitionEntry;
import dev.vdisk.core.util.Guids;
import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a GPT: finds the sector size it was written with, validates the primary header and entry
 * array, and falls back to the backup copy when the primary is damaged.
 */
final class GptReader {
  private static final Logger LOG = LoggerFactory.getLogger(GptReader.class);

  private final BlockDevice device;
  private final String source;
  private final int sectorSize;
  private final long lastLba;
  private final List<String> warnings = new ArrayList<>();

  /** A header with its validated entry array. */
  private record Copy(GptHeader header, ByteBuffer array, long lba) {}

  private GptReader(BlockDevice device, int sectorSize, List<String> warnings) {
    this.device = device;
    this.source = device.description();
    this.sectorSize = sectorSize;
    this.lastLba = device.size() / sectorSize - 1;
    this.warnings.addAll(warnings);
  }

  /**
   * The sector sizes to try, in order: the device's own, then 512 and 4096.
   *
   * @param device the device
   * @return distinct sector sizes
   */
  private static Set<Integer> sectorSizes(BlockDevice device) {
    Set<Integer> sizes = new LinkedHashSet<>();
    sizes.add(device.sectorSize());
    sizes.add(512);
    sizes.add(4096);
    return sizes;
  }

  /**
   * Whether LBA 1 holds a sector starting with "EFI PART", for any of the sector sizes tried.
   *
   * @param device the device
   * @return {@code true} if a primary GPT header signature is present
   * @throws IOException on an I/O error
   */
  static boolean primaryHeaderPresent(BlockDevice device) throws IOException {
    for (int size : sectorSizes(device)) {
      if (hasSignatureAt(device, 1, size)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasSignatureAt(BlockDevice device, long lba, int sectorSize)
      throws IOException {
    long sectors = device.size() / sectorSize;
    if (lba < 0 || lba >= sectors || sectors < 3) {
      return false;
    }
    return GptHeader.hasSignature(BlockDevices.read(device, lba * sectorSize, 8));
  }

  /**
   * Reads the GPT of a device whose MBR says (or suggests) it has one.
   *
   * @param device the device
   * @param warnings warnings found so far, to keep
   * @return the table
   * @throws CorruptStructureException if neither copy of the GPT is usable
   * @throws IOException on an I/O error
   */
  static PartitionTable read(BlockDevice device, List<String> warnings) throws IOException {
    Integer found = null;
    for (int size : sectorSizes(device)) {
      if (hasSignatureAt(device, 1, size)) {
        found = size;
        break;
      }
    }
    if (found == null) {
      // No primary header at all: look for a backup header in the last LBA.
      for (int size : sectorSizes(device)) {
        long sectors = device.size() / size;
        if (hasSignatureAt(device, sectors - 1, size)) {
          found = size;
          break;
        }
      }
    }
    if (found == null) {
      int size = device.sectorSize();
      throw new CorruptStructureException(device.description(), size, GptHeader.STRUCTURE,
          "the MBR is a protective MBR but there is no GPT header (no \"EFI PART\" signature) at"
              + " LBA 1 or in the last LBA, for sector sizes " + sectorSizes(device));
    }
    if (found != device.sectorSize()) {
      LOG.debug("{}: GPT found with {}-byte sectors; the device reports {}", device.description(),
          found, device.sectorSize());
    }
    return new GptReader(device, found, warnings).read();
  }

  private PartitionTable read() throws IOException {
    GptHeader primaryHeader = null;
    Copy primary = null;
    CorruptStructureException primaryProblem = null;
    try {
      primaryHeader = readHeader(1);
      primary = readArray(primaryHeader, 1);
    } catch (CorruptStructureException e) {
      primaryProblem = e;
    }

    Set<Long> backupLbas = new LinkedHashSet<>();
    if (primaryHeader != null) {
      long alternate = primaryHeader.alternateLba();
      if (alternate > 1 && alternate <= lastLba) {
        backupLbas.add(alternate);
      } else {
        warn("the primary GPT header's AlternateLBA " + Long.toUnsignedString(alternate)
            + " is outside the device; looking for the backup header in the last LBA " + lastLba);
      }
    }
    backupLbas.add(lastLba);

    Copy backup = null;
    CorruptStructureException backupProblem = null;
    for (long lba : backupLbas) {
      try {
        GptHeader header = readHeader(lba);
        backup = readArray(header, lba);
        break;
      } catch (CorruptStructureException e) {
        if (backupProblem == null) {
          backupProblem = e;
        }
      }
      if (primary != null) {
        break; // with a good primary, check only the backup it names
      }
    }

    if (primary != null) {
      if (backup == null) {
        warn("backup " + describe(backupProblem) + "; the primary GPT is intact and is used");
      }
      return build(primary, false);
    }
    if (backup != null) {
      warn("primary " + describe(primaryProblem) + "; using the backup GPT header at LBA "
          + backup.lba());
      return build(backup, true);
    }
    throw new CorruptStructureException(source, sectorSize, primaryProblem.structure(),
        "primary " + describe(primaryProblem) + "; the backup is unusable too: "
            + describe(backupProblem));
  }

  /** "GPT header at LBA 1 is corrupt (header CRC32 mismatch: ...)". */
  private String describe(CorruptStructureException problem) {
    long offset = problem.offset();
    String where = offset >= 0 && offset % sectorSize == 0
        ? " at LBA " + offset / sectorSize
        : " at byte offset " + offset;
    return problem.structure() + where + " (byte offset " + offset + ") is corrupt ("
        + problem.detail() + ")";
  }

  private GptHeader readHeader(long lba) throws IOException {
    long offset = lba * sectorSize; // lba <= lastLba: no overflow
    ByteBuffer sector = BlockDevices.read(device, offset, sectorSize);
    GptHeader header = GptHeader.parse(sector, source, offset);
    header.checkPlacement(lba, lastLba, sectorSize, source);
    return header;
  }

  private Copy readArray(GptHeader header, long lba) throws IOException {
    long offset = Math.multiplyExact(header.partitionEntryLba(), (long) sectorSize); // placed inside
    ByteBuffer array = BlockDevices.read(device, offset, header.entryArrayBytes());
    header.checkEntryArray(array, source, offset);
    return new Copy(header, array, lba);
  }

  private PartitionTable build(Copy copy, boolean usedBackup) throws IOException {
    GptHeader header = copy.header();
    int entrySize = (int) header.sizeOfPartitionEntry();
    long arrayOffset = header.partitionEntryLba() * sectorSize;
    List<Partition> partitions = new ArrayList<>();
    for (int i = 0; i < header.numberOfPartitionEntries(); i++) {
      GptPartitionEntry entry =
          GptPartitionEntry.parse(copy.array().duplicate().position(i * entrySize));
      if (entry.isUnused()) {
        continue;
      }
      int index = i + 1;
      entry.checkBounds(lastLba, source, arrayOffset + (long) i * entrySize, index);
      if (entry.startingLba() < header.firstUsableLba()
          || entry.endingLba() > header.lastUsableLba()) {
        warn("partition " + index + " (LBAs " + entry.startingLba() + ".." + entry.endingLba()
            + ") is outside the GPT's usable LBAs " + header.firstUsableLba() + ".."
            + header.lastUsableLba());
      }
      partitions.add(new Partition(device, index, entry.startingLba(),
          entry.endingLba() - entry.startingLba() + 1, sectorSize,
          PartitionType.gpt(entry.partitionTypeGuid()), entry.partitionName(),
          Guids.format(entry.uniquePartitionGuid()),
          (entry.attributes() & GptPartitionEntry.LEGACY_BIOS_BOOTABLE) != 0,
          entry.attributes(), false));
    }
    return new PartitionTable(PartitionTable.Scheme.GPT, partitions,
        Guids.format(header.diskGuid()), sectorSize, warnings, usedBackup);
  }

  private void warn(String warning) {
    LOG.debug("{}: {}", source, warning);
    warnings.add(warning);
  }
}
