package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Lays out a new VHDX file the way Hyper-V and qemu do: file type identifier, two headers, two
 * region tables, a 1 MiB log at 1 MiB, the metadata region at 2 MiB, the BAT at 3 MiB, then the
 * payload, everything 1 MiB aligned.
 */
public final class VhdxCreator {
  private static final long MIB = 1 << 20;
  /** File offset of the log. */
  public static final long LOG_OFFSET = MIB;
  /** Length of the log. */
  public static final long LOG_LENGTH = MIB;
  /** File offset of the metadata region. */
  public static final long METADATA_OFFSET = 2 * MIB;
  /** Length of the metadata region. */
  public static final long METADATA_LENGTH = MIB;
  /** File offset of the BAT region. */
  public static final long BAT_OFFSET = 3 * MIB;

  private VhdxCreator() {}

  /**
   * What to create.
   *
   * @param virtualSize the virtual size, a multiple of the logical sector size
   * @param blockSize the block size
   * @param logicalSectorSize 512 or 4096
   * @param physicalSectorSize 512 or 4096
   * @param fixed whether to allocate every block now
   * @param locator the parent locator of a differencing disk, or {@code null}
   */
  public record Spec(long virtualSize, long blockSize, int logicalSectorSize,
      int physicalSectorSize, boolean fixed, ParentLocator locator) {}

  /**
   * Writes a new VHDX file.
   *
   * @param file where; must not exist
   * @param spec what
   * @throws IOException if it cannot be written (the partial file is deleted)
   */
  public static void create(Path file, Spec spec) throws IOException {
    Bat geometry = new Bat(spec.blockSize(), spec.logicalSectorSize(), spec.virtualSize(),
        spec.locator() != null);
    long entries = geometry.totalEntries();
    long batLength = Math.max(MIB, (entries * 8 + MIB - 1) / MIB * MIB);
    if (batLength > 0xFFF0_0000L) {
      throw new UnsupportedFeatureException(file, "VHDX of " + spec.virtualSize() + " bytes with "
          + spec.blockSize() + "-byte blocks", "the BAT would exceed the 4 GiB region limit");
    }
    long payload = BAT_OFFSET + batLength;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate((int) (3 * MIB)).order(ByteOrder.LITTLE_ENDIAN);
      new FileTypeIdentifier("vdisk").writeTo(head.duplicate().position(0));
      VhdxHeader h = new VhdxHeader(0, UUID.randomUUID(), UUID.randomUUID(), Guids.ZERO, 0, 1,
          LOG_LENGTH, LOG_OFFSET);
      h.writeTo(head.duplicate().position((int) VhdxHeader.HEADER1_OFFSET));
      h.withSequenceNumber(1).writeTo(head.duplicate().position((int) VhdxHeader.HEADER2_OFFSET));
      RegionTable regions = new RegionTable(List.of(
          new RegionTableEntry(RegionTableEntry.BAT, BAT_OFFSET, batLength, true),
          new RegionTableEntry(RegionTableEntry.METADATA, METADATA_OFFSET, METADATA_LENGTH,
              true)));
      regions.writeTo(head.duplicate().position((int) RegionTable.TABLE1_OFFSET));
      regions.writeTo(head.duplicate().position((int) RegionTable.TABLE2_OFFSET));
      writeMetadata(head.duplicate().position((int) METADATA_OFFSET), spec);
      write(ch, 0, head);

      ByteBuffer chunk = ByteBuffer.allocate((int) MIB).order(ByteOrder.LITTLE_ENDIAN);
      long blocks = geometry.dataBlocks();
      for (long done = 0; done < entries * 8; done += MIB) {
        chunk.clear();
        long first = done / 8;
        for (int i = 0; i < MIB / 8 && first + i < entries; i++) {
          long index = first + i;
          long entry = 0;
          boolean isBitmap = (index + 1) % (geometry.chunkRatio() + 1) == 0;
          if (spec.fixed() && !isBitmap) {
            long block = index - index / (geometry.chunkRatio() + 1);
            if (block < blocks) {
              entry = new BatEntry(BatEntry.PAYLOAD_BLOCK_FULLY_PRESENT,
                  (payload + block * spec.blockSize()) >>> 20).toLong();
            }
          }
          chunk.putLong(i * 8, entry);
        }
        write(ch, BAT_OFFSET + done, chunk.limit((int) Math.min(MIB, entries * 8 - done)));
      }
      long end = spec.fixed() ? payload + blocks * spec.blockSize() : payload;
      write(ch, end - 1, ByteBuffer.allocate(1));
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  private static void writeMetadata(ByteBuffer region, Spec spec) {
    ByteBuffer le = region.slice().order(ByteOrder.LITTLE_ENDIAN);
    List<MetadataTableEntry> entries = new ArrayList<>();
    int at = MetadataTable.SIZE;
    new FileParameters(spec.blockSize(), spec.fixed(), spec.locator() != null)
        .writeTo(le.duplicate().position(at));
    entries.add(new MetadataTableEntry(MetadataTableEntry.FILE_PARAMETERS, at, 8, false, false,
        true));
    at += 8;
    le.putLong(at, spec.virtualSize());
    entries.add(new MetadataTableEntry(MetadataTableEntry.VIRTUAL_DISK_SIZE, at, 8, false, true,
        true));
    at += 8;
    Guids.write(le, at, UUID.randomUUID());
    entries.add(new MetadataTableEntry(MetadataTableEntry.PAGE_83_DATA, at, 16, false, true,
        true));
    at += 16;
    le.putInt(at, spec.logicalSectorSize());
    entries.add(new MetadataTableEntry(MetadataTableEntry.LOGICAL_SECTOR_SIZE, at, 4, false, true,
        true));
    at += 4;
    le.putInt(at, spec.physicalSectorSize());
    entries.add(new MetadataTableEntry(MetadataTableEntry.PHYSICAL_SECTOR_SIZE, at, 4, false,
        true, true));
    at += 4;
    if (spec.locator() != null) {
      spec.locator().writeTo(le.duplicate().position(at));
      entries.add(new MetadataTableEntry(MetadataTableEntry.PARENT_LOCATOR, at,
          spec.locator().size(), false, false, true));
    }
    new MetadataTable(entries).writeTo(le.duplicate().position(0));
  }

  private static void write(FileChannel ch, long offset, ByteBuffer src) throws IOException {
    ByteBuffer b = src.duplicate().position(0);
    long pos = offset;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }
}
