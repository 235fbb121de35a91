package dev.vdisk.vhd.internal;

import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CheckReport.Severity;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.chain.MissingParentException;
import dev.vdisk.core.chain.Parents;
import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The consistency check of a VHD file: footer and header checksums, the footer copy, the block
 * allocation table (entries past the end of the file, overlapping each other or the metadata),
 * block size, a differencing disk's parent, and leaked space (a gap of at least one block that
 * nothing uses, as a crash during block allocation leaves). It reports and never throws for
 * corrupt content.
 */
public final class VhdChecker {
  private static final String FOOTER = "hard disk footer";
  private static final String HEADER = "dynamic disk header";
  private static final String BAT = "block allocation table";
  /** The largest table the checker reads, as the disk does. */
  private static final long MAX_ENTRIES = 1L << 24;

  private VhdChecker() {}

  /**
   * Checks an image.
   *
   * @param file the image
   * @param formatName the format's name for the report
   * @return the findings
   * @throws IOException on an I/O error
   */
  public static CheckReport check(Path file, String formatName) throws IOException {
    CheckReport.Builder report = new CheckReport.Builder(file, formatName, 1000);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      try {
        checkImage(file, channel, report);
      } catch (CorruptStructureException e) {
        report.add(Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
      }
    }
    return report.build();
  }

  private static void checkImage(Path file, FileChannel channel, CheckReport.Builder report)
      throws IOException {
    long fileSize = channel.size();
    FooterSearch.Found found = FooterSearch.find(file, channel, fileSize);
    HardDiskFooter footer = found.footer();
    if (!found.trailing()) {
      report.add(Severity.CORRUPTION, Math.max(0, fileSize - 512), FOOTER,
          "the trailing footer is missing or damaged; only the copy at offset 0 is usable");
    } else if (!footer.checksumValid()) {
      report.add(Severity.CORRUPTION, found.offset(), FOOTER,
          String.format("checksum 0x%08x does not match the computed 0x%08x", footer.checksum(),
              computed(footer)));
    }
    if (found.trailing() && found.offset() != fileSize - 512) {
      report.add(Severity.WARNING, found.offset(), FOOTER,
          "511-byte footer of an old Virtual PC image");
    }
    if (footer.savedState()) {
      report.add(Severity.WARNING, found.offset(), FOOTER,
          "saved state flag set: the virtual machine was saved, not shut down");
    }
    long footerOffset = found.trailing() ? found.offset() : fileSize;
    if (!footer.isSparse()) {
      if (footer.currentSize() > footerOffset) {
        report.add(Severity.CORRUPTION, found.offset(), FOOTER, "current size "
            + footer.currentSize() + " exceeds the " + footerOffset + " bytes before the footer");
      }
      return;
    }
    checkCopy(file, channel, found, report);
    long headerOffset = footer.dataOffset();
    if (headerOffset < 0 || headerOffset > fileSize - DynamicDiskHeader.SIZE) {
      report.add(Severity.CORRUPTION, found.offset(), FOOTER, "data offset "
          + Long.toUnsignedString(headerOffset) + " does not point inside the file");
      return;
    }
    DynamicDiskHeader header = DynamicDiskHeader.parse(ChannelIo.read(channel, file,
        headerOffset, DynamicDiskHeader.SIZE, HEADER), file, headerOffset);
    if (!header.checksumValid()) {
      report.add(Severity.CORRUPTION, headerOffset, HEADER,
          String.format("checksum 0x%08x does not match", header.checksum()));
    }
    if (header.blockSize() > DynamicDiskHeader.MAX_BLOCK_SIZE) {
      report.add(Severity.WARNING, headerOffset, HEADER, "block size " + header.blockSize()
          + " is larger than vdisk supports; blocks not checked");
      return;
    }
    long needed = (footer.currentSize() + header.blockSize() - 1) / header.blockSize();
    if (header.maxTableEntries() < needed) {
      report.add(Severity.CORRUPTION, headerOffset, HEADER, "max table entries "
          + header.maxTableEntries() + " cover less than the current size "
          + footer.currentSize());
    }
    long entries = Math.min(needed, header.maxTableEntries());
    if (entries > MAX_ENTRIES) {
      report.add(Severity.WARNING, headerOffset, HEADER, "block allocation table of " + entries
          + " entries is larger than vdisk supports; blocks not checked");
      return;
    }
    if (header.tableOffset() > fileSize - entries * 4) {
      report.add(Severity.CORRUPTION, header.tableOffset(), BAT,
          "the table extends past the end of the file");
      return;
    }
    BlockAllocationTable bat = BlockAllocationTable.parse(
        ChannelIo.read(channel, file, header.tableOffset(), (int) (entries * 4), BAT),
        (int) entries);
    List<BlockLayout.Region> metadata = regions(footer, headerOffset, header, fileSize);
    Map<Integer, String> bad = BlockLayout.badBlocks(bat, header.blockSize(),
        header.sectorBitmapSize(), footer.currentSize(), footerOffset, metadata);
    for (Map.Entry<Integer, String> entry : bad.entrySet()) {
      report.add(Severity.CORRUPTION, header.tableOffset() + 4L * entry.getKey(), BAT,
          "entry for block " + entry.getKey() + ": " + entry.getValue());
    }
    checkLeaks(bat, bad, header, metadata, footerOffset, report);
    if (footer.diskType() == HardDiskFooter.DIFFERENCING) {
      checkParent(file, channel, fileSize, headerOffset, header, report);
    }
  }

  private static int computed(HardDiskFooter footer) {
    return ByteBuffer.wrap(footer.toBytes()).getInt(64);
  }

  private static void checkCopy(Path file, FileChannel channel, FooterSearch.Found found,
      CheckReport.Builder report) throws IOException {
    if (!found.trailing()) {
      return;
    }
    ByteBuffer copy = ChannelIo.read(channel, file, 0, HardDiskFooter.SIZE, FOOTER);
    ByteBuffer trailing = ChannelIo.read(channel, file, found.offset(),
        (int) Math.min(HardDiskFooter.SIZE, channel.size() - found.offset()), FOOTER);
    if (!HardDiskFooter.hasCookie(copy)) {
      report.add(Severity.CORRUPTION, 0, "hard disk footer copy",
          "no 'conectix' cookie at offset 0");
      return;
    }
    byte[] a = Arrays.copyOf(copy.array(), HardDiskFooter.SIZE);
    byte[] b = Arrays.copyOf(trailing.array(), HardDiskFooter.SIZE);
    if (!Arrays.equals(a, 0, 85, b, 0, 85)) {
      report.add(Severity.CORRUPTION, 0, "hard disk footer copy",
          "differs from the trailing footer");
    }
  }

  private static List<BlockLayout.Region> regions(HardDiskFooter footer, long headerOffset,
      DynamicDiskHeader header, long fileSize) {
    List<BlockLayout.Region> regions = new ArrayList<>();
    regions.add(new BlockLayout.Region(0, HardDiskFooter.SIZE, "hard disk footer copy"));
    regions.add(new BlockLayout.Region(headerOffset, headerOffset + DynamicDiskHeader.SIZE,
        "dynamic disk header"));
    long entries = Math.min(header.maxTableEntries(), fileSize / 4 + 1);
    regions.add(new BlockLayout.Region(header.tableOffset(),
        header.tableOffset() + BlockAllocationTable.sizeOnDisk(entries), BAT));
    if (footer.diskType() == HardDiskFooter.DIFFERENCING) {
      for (ParentLocatorEntry locator : header.parentLocators()) {
        int length = locator.platformDataLength();
        long offset = locator.platformDataOffset();
        if (locator.isUsed() && length > 0 && offset >= 0 && offset <= fileSize) {
          regions.add(new BlockLayout.Region(offset, offset + length,
              locator.platformCodeText() + " parent locator data"));
        }
      }
    }
    return regions;
  }

  private static void checkLeaks(BlockAllocationTable bat, Map<Integer, String> bad,
      DynamicDiskHeader header, List<BlockLayout.Region> metadata, long footerOffset,
      CheckReport.Builder report) {
    long blockBytes = header.sectorBitmapSize() + header.blockSize();
    List<long[]> used = new ArrayList<>();
    for (BlockLayout.Region region : metadata) {
      used.add(new long[] {region.start(), region.end()});
    }
    for (int i = 0; i < bat.size(); i++) {
      long sector = bat.sector(i);
      if (sector >= 0 && !bad.containsKey(i)) {
        used.add(new long[] {sector * 512, Math.min(footerOffset, sector * 512 + blockBytes)});
      }
    }
    used.sort((x, y) -> Long.compare(x[0], y[0]));
    long covered = 0;
    for (long[] range : used) {
      if (range[0] > covered) {
        leak(covered, Math.min(range[0], footerOffset), blockBytes, report);
      }
      covered = Math.max(covered, range[1]);
      if (covered >= footerOffset) {
        return;
      }
    }
    leak(covered, footerOffset, blockBytes, report);
  }

  private static void leak(long from, long to, long blockBytes, CheckReport.Builder report) {
    if (to - from >= blockBytes) {
      report.add(Severity.LEAK, from, "data block", (to - from)
          + " bytes are not used by any block or metadata (a leaked block)");
    }
  }

  private static void checkParent(Path file, FileChannel channel, long fileSize,
      long headerOffset, DynamicDiskHeader header, CheckReport.Builder report)
      throws IOException {
    List<String> locators = ParentLocatorPaths.read(file, channel, fileSize, header);
    Path parent;
    try {
      parent = Parents.locate(file, locators);
    } catch (MissingParentException e) {
      report.add(Severity.WARNING, headerOffset, HEADER, e.getMessage());
      return;
    }
    try (FileChannel parentChannel = FileChannel.open(parent, StandardOpenOption.READ)) {
      HardDiskFooter parentFooter =
          FooterSearch.find(parent, parentChannel, parentChannel.size()).footer();
      if (!parentFooter.uniqueId().equals(header.parentUniqueId())) {
        report.add(Severity.CORRUPTION, headerOffset + 40, HEADER, "parent unique id "
            + header.parentUniqueId() + " does not match the unique id "
            + parentFooter.uniqueId() + " of the parent found at " + parent);
      }
    } catch (CorruptStructureException e) {
      report.add(Severity.WARNING, headerOffset, HEADER,
          "the parent found at " + parent + " is not a readable VHD: " + e.getMessage());
    }
  }
}
