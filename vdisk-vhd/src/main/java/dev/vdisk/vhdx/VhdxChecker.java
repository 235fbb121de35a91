package dev.vdisk.vhdx;

import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CheckReport.Severity;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VdiskException;
import dev.vdisk.vhdx.internal.Bat;
import dev.vdisk.vhdx.internal.BatEntry;
import dev.vdisk.vhdx.internal.FileTypeIdentifier;
import dev.vdisk.core.util.Guids;
import dev.vdisk.vhdx.internal.RegionTable;
import dev.vdisk.vhdx.internal.VhdxHeader;
import dev.vdisk.vhdx.internal.VhdxLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The structural check of a VHDX file behind {@link VhdxFormat#check(Path)}: header and region
 * table copies, the log, metadata, and every BAT entry (state, placement inside the file, overlap
 * with other blocks and with the header section, log, metadata and BAT), sector bitmaps of
 * partially present blocks, and unreferenced space.
 */
final class VhdxChecker {
  private static final long MIB = 1 << 20;
  /** Most problems listed. */
  private static final int LIMIT = 1000;

  private VhdxChecker() {}

  private record Range(long start, long end, String what) {}

  static CheckReport check(VhdxFormat format, Path file) throws IOException {
    CheckReport.Builder report = new CheckReport.Builder(file, format.name(), LIMIT);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer first = read(ch, 0, FileTypeIdentifier.SIZE);
      if (!FileTypeIdentifier.hasSignature(first)) {
        report.add(Severity.CORRUPTION, 0, "VHDX file type identifier",
            "signature \"vhdxfile\" not found");
        return report.build();
      }
      VhdxHeader current = null;
      for (long offset : new long[] {VhdxHeader.HEADER1_OFFSET, VhdxHeader.HEADER2_OFFSET}) {
        try {
          VhdxHeader h = VhdxHeader.parse(read(ch, offset, VhdxHeader.SIZE), file, offset);
          if (current == null || Long.compareUnsigned(h.sequenceNumber(),
              current.sequenceNumber()) > 0) {
            current = h;
          }
        } catch (CorruptStructureException e) {
          report.add(Severity.WARNING, offset, e.structure(), e.detail()
              + " (the other header is used)");
        }
      }
      if (current != null && !Guids.isZero(current.logGuid()) && current.logLength() > 0
          && current.logLength() <= 64 * MIB) {
        byte[] log = new byte[(int) current.logLength()];
        ByteBuffer b = ByteBuffer.wrap(log);
        ch.read(b, current.logOffset());
        Optional<VhdxLog.Sequence> seq = VhdxLog.findActiveSequence(log, current.logGuid());
        if (seq.isPresent()) {
          report.add(Severity.WARNING, current.logOffset(), "VHDX log",
              "the log holds " + seq.get().entries().size()
              + " entries awaiting replay; they are replayed when the image is opened");
        }
      }
      for (long offset : new long[] {RegionTable.TABLE1_OFFSET, RegionTable.TABLE2_OFFSET}) {
        try {
          RegionTable.parse(read(ch, offset, RegionTable.SIZE), file, offset);
        } catch (CorruptStructureException e) {
          report.add(Severity.CORRUPTION, offset, e.structure(), e.detail());
        }
      }
      try (VhdxDisk disk = VhdxDisk.open(format, file, OpenOptions.readOnly(), false)) {
        checkBat(disk, report);
      } catch (CorruptStructureException e) {
        report.add(Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
      } catch (VdiskException e) {
        report.add(Severity.CORRUPTION, -1, "VHDX image", e.getMessage());
      }
    }
    return report.build();
  }

  private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    long pos = offset;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        break;
      }
      pos += n;
    }
    return b.flip();
  }

  private static void checkBat(VhdxDisk disk, CheckReport.Builder report)
      throws IOException {
    long fileSize = disk.fileSize();
    Bat g = disk.geometry();
    boolean differencing = disk.parameters().hasParent();
    long blockSize = disk.parameters().blockSize();
    long batStart = disk.batRegion().fileOffset();
    List<Range> used = new ArrayList<>();
    used.add(new Range(0, MIB, "header section"));
    VhdxHeader h = disk.header();
    if (h.logLength() > 0) {
      used.add(new Range(h.logOffset(), h.logOffset() + h.logLength(), "log"));
    }
    used.add(new Range(disk.metadataRegion().fileOffset(), disk.metadataRegion().end(),
        "metadata region"));
    used.add(new Range(batStart, disk.batRegion().end(), "BAT region"));
    for (long i = 0; i < g.totalEntries(); i++) {
      BatEntry e = disk.batEntry(i);
      long at = batStart + i * 8;
      boolean bitmapEntry = (i + 1) % (g.chunkRatio() + 1) == 0;
      if (bitmapEntry) {
        if (e.state() == BatEntry.SB_BLOCK_NOT_PRESENT) {
          continue;
        }
        if (e.state() != BatEntry.SB_BLOCK_PRESENT) {
          report.add(Severity.CORRUPTION, at, "VHDX BAT entry", "sector bitmap entry " + i
              + " has invalid state " + e.state());
          continue;
        }
        if (!differencing) {
          report.add(Severity.WARNING, at, "VHDX BAT entry", "sector bitmap entry " + i
              + " is present in a disk without a parent");
        }
        place(used, e, Bat.BITMAP_BLOCK_SIZE, fileSize, at, "sector bitmap block " + i, report);
        continue;
      }
      long block = i - i / (g.chunkRatio() + 1);
      switch (e.state()) {
        case BatEntry.PAYLOAD_BLOCK_NOT_PRESENT, BatEntry.PAYLOAD_BLOCK_UNDEFINED,
            BatEntry.PAYLOAD_BLOCK_ZERO, BatEntry.PAYLOAD_BLOCK_UNMAPPED -> { }
        case BatEntry.PAYLOAD_BLOCK_FULLY_PRESENT ->
            place(used, e, blockSize, fileSize, at, "payload block " + block, report);
        case BatEntry.PAYLOAD_BLOCK_PARTIALLY_PRESENT -> {
          if (!differencing) {
            report.add(Severity.CORRUPTION, at, "VHDX BAT entry", "payload block " + block
                + " is partially present in a disk without a parent");
          } else {
            long sb = g.bitmapIndex(block / g.chunkRatio());
            if (disk.batEntry(sb).state() != BatEntry.SB_BLOCK_PRESENT) {
              report.add(Severity.CORRUPTION, at, "VHDX BAT entry", "payload block " + block
                  + " is partially present but its sector bitmap block (entry " + sb
                  + ") is not present");
            }
          }
          place(used, e, blockSize, fileSize, at, "payload block " + block, report);
        }
        default -> report.add(Severity.CORRUPTION, at, "VHDX BAT entry", "payload block "
            + block + " has invalid state " + e.state());
      }
    }
    // Overlaps between blocks, and with the fixed structures.
    List<Range> sorted = new ArrayList<>(used);
    sorted.sort(Comparator.comparingLong(Range::start));
    long reach = 0;
    Range reacher = null;
    for (Range r : sorted) {
      if (reacher != null && r.start() < reach) {
        report.add(Severity.CORRUPTION, r.start(), "VHDX BAT entry", r.what() + " at "
            + r.start() + " overlaps " + reacher.what());
      }
      if (r.end() > reach) {
        reach = r.end();
        reacher = r;
      }
    }
    // Unreferenced whole MiBs between and after the used ranges.
    long cursor = 0;
    for (Range r : sorted) {
      leak(cursor, r.start(), report);
      cursor = Math.max(cursor, r.end());
    }
    leak(cursor, fileSize, report);
  }

  private static void leak(long from, long to, CheckReport.Builder report) {
    long start = (from + MIB - 1) / MIB * MIB;
    long end = to / MIB * MIB;
    if (end > start) {
      report.add(Severity.LEAK, start, "VHDX file", (end - start)
          + " bytes are not used by any block or structure");
    }
  }

  private static void place(List<Range> used, BatEntry e, long length, long fileSize, long at,
      String what, CheckReport.Builder report) {
    long start = e.fileOffset();
    if (e.fileOffsetMb() == 0 || e.fileOffsetMb() > (Long.MAX_VALUE >>> 20) - 512) {
      report.add(Severity.CORRUPTION, at, "VHDX BAT entry", what + " at file offset " + start
          + " is inside the header section");
      return;
    }
    if (start + length > fileSize) {
      report.add(Severity.CORRUPTION, at, "VHDX BAT entry", what + " at " + start
          + " extends past the end of the " + fileSize + "-byte file");
    }
    used.add(new Range(start, start + length, what));
  }
}
