package dev.vdisk.vmdk.internal.esx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Builds vmfsSparse (COWD) and seSparse extents in test code, laid out as the format describes
 * them, with a descriptor naming them, so qemu-img can read them: no tool on this machine writes
 * either format, so qemu reading what this builds is the oracle for our readers.
 */
final class EsxImages {
  private EsxImages() {}

  /** Random sparse disk content: runs of random bytes, text, and zero grains. */
  static byte[] content(int size, int grainBytes, Random random) {
    byte[] data = new byte[size];
    for (int g = 0; g * grainBytes < size; g++) {
      int start = g * grainBytes;
      int end = Math.min(size, start + grainBytes);
      switch (random.nextInt(5)) {
        case 0, 1 -> { } // zeros
        case 2 -> {
          byte[] piece = new byte[end - start];
          random.nextBytes(piece);
          System.arraycopy(piece, 0, data, start, piece.length);
        }
        case 3 -> {
          for (int i = start; i < end; i++) {
            data[i] = (byte) ('a' + (i % 26));
          }
        }
        default -> data[start + random.nextInt(end - start)] = (byte) (1 + random.nextInt(255));
      }
    }
    return data;
  }

  /**
   * Writes a COWD extent holding {@code data} (a whole number of sectors) and a vmfsSparse
   * descriptor for it; grains that are all zero are randomly left out, stored, or left out of a
   * table that exists. Returns the descriptor's path.
   */
  static Path cowd(Path dir, String name, byte[] data, int grainSectors, Random random)
      throws IOException {
    long numSectors = data.length / 512;
    int grainBytes = grainSectors * 512;
    long gdEntries = CowdHeader.neededGdEntries(numSectors, grainSectors) + random.nextInt(2);
    long gdSectors = (gdEntries * 4 + 511) / 512;
    long gdOffset = CowdHeader.SIZE / 512;
    long next = gdOffset + gdSectors;
    int grains = (data.length + grainBytes - 1) / grainBytes;
    int tablesNeeded = (grains + CowdHeader.GT_ENTRIES - 1) / CowdHeader.GT_ENTRIES;
    long[] gd = new long[(int) gdEntries];
    int[][] gts = new int[tablesNeeded][];
    List<Integer> stored = new ArrayList<>();
    for (int g = 0; g < grains; g++) {
      boolean zero = isZero(data, g * grainBytes, grainBytes);
      if (!zero || random.nextInt(4) == 0) {
        stored.add(g);
      }
    }
    for (int t = 0; t < tablesNeeded; t++) {
      final int table = t;
      boolean any = stored.stream().anyMatch(g -> g / CowdHeader.GT_ENTRIES == table);
      if (any || random.nextInt(3) == 0) {
        gd[t] = next;
        gts[t] = new int[CowdHeader.GT_ENTRIES];
        next += CowdHeader.GT_ENTRIES * 4 / 512;
      }
    }
    // store grains in a shuffled order, as a delta disk fills in write order
    Collections.shuffle(stored, random);
    ByteBuffer grainArea = ByteBuffer.allocate(stored.size() * grainBytes);
    for (int g : stored) {
      gts[g / CowdHeader.GT_ENTRIES][g % CowdHeader.GT_ENTRIES] = (int) next;
      next += grainSectors;
      int n = Math.min(grainBytes, data.length - g * grainBytes);
      grainArea.put(data, g * grainBytes, n);
      grainArea.position(grainArea.position() + grainBytes - n);
    }
    CowdHeader header = new CowdHeader(1, 3, numSectors, grainSectors, gdOffset, gdEntries, next,
        "", 1, false);
    Path extent = dir.resolve(name + "-delta.vmdk");
    try (FileChannel out = FileChannel.open(extent, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(CowdHeader.SIZE);
      header.writeTo(h);
      write(out, 0, h.flip());
      ByteBuffer dir0 = ByteBuffer.allocate((int) (gdSectors * 512)).order(ByteOrder.LITTLE_ENDIAN);
      for (long e : gd) {
        dir0.putInt((int) e);
      }
      write(out, gdOffset * 512, dir0.clear());
      for (int t = 0; t < gts.length; t++) {
        if (gts[t] != null) {
          ByteBuffer table = ByteBuffer.allocate(CowdHeader.GT_ENTRIES * 4)
              .order(ByteOrder.LITTLE_ENDIAN);
          for (int e : gts[t]) {
            table.putInt(e);
          }
          write(out, gd[t] * 512, table.flip());
        }
      }
      long grainsStart = (next - (long) stored.size() * grainSectors) * 512;
      write(out, grainsStart, grainArea.flip());
    }
    return descriptor(dir, name, "vmfsSparse", "VMFSSPARSE", numSectors, extent);
  }

  /** Options for {@link #seSparse}. */
  record SeOptions(boolean replayJournal, int maxSkippedGrains) {
    SeOptions(boolean replayJournal) {
      this(replayJournal, 5000);
    }
  }

  /**
   * Writes a seSparse extent holding {@code data} (a whole number of sectors) and a seSparse
   * descriptor for it. Zero grains are randomly unallocated, unmapped, zeroed or stored; grains
   * are stored in a shuffled order so the grain numbers exercise the entry's split encoding.
   * Returns the descriptor's path.
   */
  static Path seSparse(Path dir, String name, byte[] data, Random random, SeOptions options)
      throws IOException {
    int grainBytes = 4096;
    long capacity = data.length / 512;
    int grains = (data.length + grainBytes - 1) / grainBytes;
    int perTable = SeSparseConstHeader.GT_ENTRIES;
    int tablesNeeded = (grains + perTable - 1) / perTable;
    long gdEntries = tablesNeeded;
    long gdSectors = Math.max(1, (gdEntries * 8 + 511) / 512);
    long[] entries = new long[grains];
    List<Integer> stored = new ArrayList<>();
    for (int g = 0; g < grains; g++) {
      boolean zero = isZero(data, g * grainBytes, grainBytes);
      int pick = random.nextInt(4);
      if (!zero || pick == 3) {
        stored.add(g);
      } else if (pick == 1) {
        entries[g] = 0x1000000000000000L;
      } else if (pick == 2) {
        entries[g] = 0x2000000000000000L;
      }
    }
    Collections.shuffle(stored, random);
    // leave a few unused grain numbers so grain numbers above 4095 occur in small images too
    long number = options.maxSkippedGrains() == 0 ? 0 : random.nextInt(options.maxSkippedGrains());
    long[] grainNumber = new long[grains];
    for (int g : stored) {
      grainNumber[g] = number;
      entries[g] = 0x3000000000000000L | ((number & 0xfffL) << 48) | (number >>> 12);
      number++;
    }
    long grainCount = number;
    // tables: a table exists where any entry is non-zero; table numbers are shuffled too
    List<Integer> tableOrder = new ArrayList<>();
    for (int t = 0; t < tablesNeeded; t++) {
      boolean any = false;
      for (int g = t * perTable; g < Math.min(grains, (t + 1) * perTable); g++) {
        any |= entries[g] != 0;
      }
      if (any || random.nextInt(3) == 0) {
        tableOrder.add(t);
      }
    }
    Collections.shuffle(tableOrder, random);
    long volatileOffset = 1;
    long journalHeaderOffset = 2;
    long journalOffset = 3;
    long journalSize = 8;
    long gdOffset = journalOffset + journalSize;
    long tablesOffset = gdOffset + gdSectors;
    long tablesSize = tableOrder.size() * SeSparseConstHeader.GRAIN_TABLE_SECTORS;
    long bitmapOffset = tablesOffset + tablesSize;
    long backmapOffset = bitmapOffset + 1;
    long grainsOffset = backmapOffset + 1;
    long grainsSize = grainCount * 8;
    SeSparseConstHeader header = new SeSparseConstHeader(capacity, 8, 64, volatileOffset, 1,
        journalHeaderOffset, 1, journalOffset, journalSize, gdOffset, gdSectors, tablesOffset,
        tablesSize, bitmapOffset, 1, backmapOffset, 1, grainsOffset, grainsSize);
    Path extent = dir.resolve(name + "-sesparse.vmdk");
    try (FileChannel out = FileChannel.open(extent, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(512);
      header.writeTo(h);
      write(out, 0, h.flip());
      ByteBuffer v = ByteBuffer.allocate(512);
      new SeSparseVolatileHeader(tableOrder.size(), 1, options.replayJournal() ? 1 : 0)
          .writeTo(v);
      write(out, volatileOffset * 512, v.flip());
      ByteBuffer gd = ByteBuffer.allocate((int) (gdSectors * 512)).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < tableOrder.size(); i++) {
        int t = tableOrder.get(i);
        gd.putLong(t * 8, 0x1000000000000000L | i);
        ByteBuffer table = ByteBuffer.allocate(perTable * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int g = t * perTable; g < Math.min(grains, (t + 1) * perTable); g++) {
          table.putLong((g - t * perTable) * 8, entries[g]);
        }
        write(out, (tablesOffset + i * 64L) * 512, table);
      }
      write(out, gdOffset * 512, gd);
      for (int g : stored) {
        int n = Math.min(grainBytes, data.length - g * grainBytes);
        ByteBuffer grain = ByteBuffer.allocate(grainBytes);
        grain.put(data, g * grainBytes, n).clear();
        write(out, (grainsOffset + grainNumber[g] * 8) * 512, grain);
      }
      long end = (grainsOffset + grainsSize) * 512;
      if (out.size() < end) {
        write(out, end - 1, ByteBuffer.allocate(1));
      }
    }
    return descriptor(dir, name, "seSparse", "SESPARSE", capacity, extent);
  }

  static Path descriptor(Path dir, String name, String createType, String extentType,
      long sectors, Path extent) throws IOException {
    String text = "# Disk DescriptorFile\n"
        + "version=1\n"
        + "CID=fffffffe\n"
        + "parentCID=ffffffff\n"
        + "createType=\"" + createType + "\"\n"
        + "\n"
        + "# Extent description\n"
        + "RW " + sectors + " " + extentType + " \"" + extent.getFileName() + "\"\n"
        + "\n"
        + "# The Disk Data Base\n"
        + "#DDB\n"
        + "\n"
        + "ddb.virtualHWVersion = \"14\"\n";
    Path descriptor = dir.resolve(name + ".vmdk");
    Files.writeString(descriptor, text);
    return descriptor;
  }

  static Path extentOf(Path descriptor, String suffix) {
    String name = descriptor.getFileName().toString().replace(".vmdk", "");
    return descriptor.resolveSibling(name + suffix);
  }

  private static boolean isZero(byte[] data, int start, int length) {
    int end = Math.min(data.length, start + length);
    for (int i = start; i < end; i++) {
      if (data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static void write(FileChannel out, long position, ByteBuffer src) throws IOException {
    long at = position;
    while (src.hasRemaining()) {
      at += out.write(src, at);
    }
  }
}
