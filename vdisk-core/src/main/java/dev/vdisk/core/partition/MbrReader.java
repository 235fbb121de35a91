package dev.vdisk.core.partition;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.partition.internal.MasterBootRecord;
import dev.vdisk.core.partition.internal.MbrPartitionEntry;
import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads an MBR's primary partitions and follows the EBR chain of its extended partition. */
final class MbrReader {
  private static final Logger LOG = LoggerFactory.getLogger(MbrReader.class);

  /** The most EBRs followed in one chain (and so the most logical partitions). */
  static final int MAX_EBRS = 256;

  private final BlockDevice device;
  private final String source;
  private final int sectorSize;
  private final long deviceSectors;
  private final long diskSignature;
  private final List<Partition> partitions = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private MbrReader(BlockDevice device, long diskSignature) {
    this.device = device;
    this.source = device.description();
    this.sectorSize = device.sectorSize();
    this.deviceSectors = device.size() / sectorSize;
    this.diskSignature = diskSignature;
  }

  static PartitionTable read(BlockDevice device, MasterBootRecord mbr) throws IOException {
    MbrReader reader = new MbrReader(device, mbr.uniqueMbrDiskSignature());
    reader.readPrimaries(mbr);
    return new PartitionTable(PartitionTable.Scheme.MBR, reader.partitions,
        String.format("0x%08x", mbr.uniqueMbrDiskSignature()), reader.sectorSize, reader.warnings,
        false);
  }

  private void readPrimaries(MasterBootRecord mbr) throws IOException {
    MbrPartitionEntry extended = null;
    for (int slot = 0; slot < 4; slot++) {
      MbrPartitionEntry entry = mbr.partitionRecords().get(slot);
      if (entry.isEmpty()) {
        continue;
      }
      long entryOffset = MasterBootRecord.PARTITION_RECORD_OFFSET + slot * MbrPartitionEntry.SIZE;
      checkInside(entry.startingLba(), entry.sizeInLba(), entryOffset, "MBR partition entry",
          "partition " + (slot + 1));
      add(slot + 1, entry, entry.startingLba());
      if (entry.isExtended()) {
        if (extended == null) {
          extended = entry;
        } else {
          warn("partition " + (slot + 1) + " is a second extended partition; its logical"
              + " partitions are ignored, as util-linux ignores them");
        }
      }
    }
    if (extended != null) {
      readLogicals(extended.startingLba());
    }
  }

  /**
   * Follows the EBR chain: each EBR's first non-extended entry is a logical partition whose start
   * is relative to that EBR; its first extended entry links to the next EBR, relative to the start
   * of the extended partition.
   */
  private void readLogicals(long extendedStart) throws IOException {
    Set<Long> visited = new HashSet<>();
    long ebrLba = extendedStart;
    int next = 5;
    for (int count = 0; ; count++) {
      long ebrOffset = ebrLba * sectorSize; // ebrLba < 2^33: no overflow
      if (count >= MAX_EBRS) {
        warn("the EBR chain is longer than " + MAX_EBRS + " EBRs; ignoring the rest of it from"
            + " the EBR at byte offset " + ebrOffset);
        return;
      }
      if (ebrLba >= deviceSectors) {
        throw new CorruptStructureException(source, ebrOffset, "EBR", "EBR at sector " + ebrLba
            + " is outside the device of " + deviceSectors + " sectors");
      }
      if (!visited.add(ebrLba)) {
        warn("the EBR chain loops back to the EBR at byte offset " + ebrOffset
            + "; ignoring the rest of the chain");
        return;
      }
      ByteBuffer sector = BlockDevices.read(device, ebrOffset, MasterBootRecord.SIZE);
      if (!MasterBootRecord.hasBootSignature(sector)) {
        if (!allZero(sector)) {
          warn("the EBR at byte offset " + ebrOffset + " has no 0x55AA signature; ignoring the"
              + " rest of the EBR chain");
        }
        return;
      }
      MasterBootRecord ebr = MasterBootRecord.parse(sector, source, ebrOffset, "EBR");
      MbrPartitionEntry logical = null;
      MbrPartitionEntry link = null;
      int logicalSlot = -1;
      for (int slot = 0; slot < 4; slot++) {
        MbrPartitionEntry entry = ebr.partitionRecords().get(slot);
        if (entry.isEmpty()) {
          continue;
        }
        if (entry.isExtended()) {
          if (link == null) {
            link = entry;
          }
        } else if (logical == null) {
          logical = entry;
          logicalSlot = slot;
        }
      }
      if (logical != null) {
        long start = ebrLba + logical.startingLba();
        long entryOffset = ebrOffset + MasterBootRecord.PARTITION_RECORD_OFFSET
            + logicalSlot * MbrPartitionEntry.SIZE;
        checkInside(start, logical.sizeInLba(), entryOffset, "EBR", "logical partition " + next);
        add(next++, logical, start);
      }
      if (link == null) {
        return;
      }
      ebrLba = extendedStart + link.startingLba();
    }
  }

  private void checkInside(long first, long count, long entryOffset, String structure, String what)
      throws CorruptStructureException {
    if (first >= deviceSectors || count > deviceSectors - first) {
      throw new CorruptStructureException(source, entryOffset, structure, what + " (sectors " + first
          + ".." + (first + count - 1) + ") extends past the end of the device of "
          + deviceSectors + " sectors");
    }
  }

  private void add(int index, MbrPartitionEntry entry, long firstSector) {
    String uuid = diskSignature == 0 ? null : String.format("%08x-%02x", diskSignature, index);
    partitions.add(new Partition(device, index, firstSector, entry.sizeInLba(), sectorSize,
        PartitionType.mbr(entry.osType()), "", uuid, entry.bootIndicator() == 0x80,
        entry.bootIndicator(), entry.isExtended()));
  }

  private void warn(String warning) {
    LOG.debug("{}: {}", source, warning);
    warnings.add(warning);
  }

  private static boolean allZero(ByteBuffer buffer) {
    for (int i = buffer.position(); i < buffer.limit(); i++) {
      if (buffer.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
