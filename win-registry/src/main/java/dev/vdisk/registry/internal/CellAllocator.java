package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Allocates and frees cells in the hive bins of a {@link HiveFile}.
 *
 * <ul>
 *   <li>A cell's size counts its 4-byte size field and is rounded up to a multiple of 8 (the
 *       smallest cell is 8 bytes).
 *   <li>Allocation is best fit: the smallest free cell that is big enough, the lowest offset among
 *       equal sizes. The free cell is split when the rest is at least 8 bytes (always, since all
 *       sizes are multiples of 8), so no allocation wastes space; the rest stays a free cell.
 *   <li>Freeing marks the cell free (positive size) and merges it with a free cell directly before
 *       or after it; cells never merge across hive bins (a bin's header separates them).
 *   <li>When no free cell fits, a hive bin is appended: 4096 bytes, or the smallest multiple of
 *       4096 that holds the cell and the 32-byte bin header (as Windows does for large cells).
 *       What the new cell does not use becomes one free cell.
 * </ul>
 *
 * <p>Every change is recorded with {@link HiveFile#markDirty}. The free-cell index is built once
 * by walking every bin, bounded by the bins' own sizes.
 */
public final class CellAllocator {
  /** Smallest cell (size field and 4 bytes). */
  public static final int MIN_CELL = 8;

  private final HiveFile file;
  /** Free cells by offset: offset → size. */
  private final TreeMap<Integer, Integer> free = new TreeMap<>();
  /** Free cells by size: size → offsets. */
  private final TreeMap<Integer, TreeSet<Integer>> bySize = new TreeMap<>();
  /** Hive bins: start offset → size. */
  private final TreeMap<Integer, Integer> binsByOffset = new TreeMap<>();

  /** Indexes the free cells of a hive (validating that the cells tile every hive bin). */
  public CellAllocator(HiveFile file) throws CorruptStructureException {
    this.file = file;
    ByteBuffer b = file.bins();
    int at = 0;
    int limit = b.limit();
    while (at < limit) {
      HiveBinHeader h = HiveBinHeader.parse(b.slice(at, Math.min(HiveBinHeader.SIZE,
          limit - at)), at, limit - at, file.source());
      binsByOffset.put(at, h.size());
      int end = at + h.size();
      int c = at + HiveBinHeader.SIZE;
      while (c < end) {
        int raw = b.getInt(c);
        long size = Math.abs((long) raw);
        if (size < MIN_CELL || (size & 7) != 0 || c + size > end) {
          throw new CorruptStructureException(file.source(), BaseBlock.SIZE + (long) c, "cell",
              "size " + raw + " does not fit the hive bin at " + at);
        }
        if (raw > 0) {
          addFree(c, (int) size);
        }
        c += (int) size;
      }
      at = end;
    }
  }

  /** The allocated size of a request of {@code dataLength} bytes. */
  public static int cellSize(int dataLength) {
    if (dataLength < 0 || dataLength > HiveFile.MAX_DATA - 16) {
      throw new IllegalArgumentException("cell data length " + dataLength);
    }
    return Math.max(MIN_CELL, (dataLength + 4 + 7) & ~7);
  }

  /**
   * Allocates a cell with room for {@code dataLength} bytes; returns its offset. The data is
   * zero-filled.
   */
  public int allocate(int dataLength) throws CorruptStructureException {
    int need = cellSize(dataLength);
    Map.Entry<Integer, TreeSet<Integer>> fit = bySize.ceilingEntry(need);
    int at;
    int size;
    if (fit != null) {
      at = fit.getValue().first();
      size = fit.getKey();
      removeFree(at, size);
    } else {
      int binSize = (need + HiveBinHeader.SIZE + BaseBlock.ALIGNMENT - 1) & -BaseBlock.ALIGNMENT;
      int bin = file.grow(binSize);
      ByteBuffer b = file.bins();
      new HiveBinHeader(bin, binSize).writeTo(b, 0);
      binsByOffset.put(bin, binSize);
      at = bin + HiveBinHeader.SIZE;
      size = binSize - HiveBinHeader.SIZE;
      updateDataSize();
    }
    ByteBuffer b = file.bins();
    if (size - need >= MIN_CELL) {
      int rest = at + need;
      b.putInt(rest, size - need);
      file.markDirty(rest, 4);
      addFree(rest, size - need);
      size = need;
    }
    b.putInt(at, -size);
    for (int i = at + 4; i < at + size; i++) {
      b.put(i, (byte) 0);
    }
    file.markDirty(at, size);
    return at;
  }

  /** Frees an allocated cell, merging it with free neighbours in the same hive bin. */
  public void free(int offset) throws CorruptStructureException {
    ByteBuffer b = file.bins();
    Cell c = Cell.allocated(b, offset, file.source(), "cell to free");
    int at = offset;
    int size = c.size();
    Map.Entry<Integer, Integer> before = free.lowerEntry(at);
    if (before != null && before.getKey() + before.getValue() == at) {
      removeFree(before.getKey(), before.getValue());
      at = before.getKey();
      size += before.getValue();
    }
    Integer afterSize = free.get(offset + c.size());
    if (afterSize != null) {
      removeFree(offset + c.size(), afterSize);
      size += afterSize;
    }
    b.putInt(at, size);
    file.markDirty(at, 4);
    file.markDirty(offset, 4);
    addFree(at, size);
  }

  /** The size of the allocated cell at an offset (including the size field). */
  public int sizeOf(int offset) throws CorruptStructureException {
    return Cell.allocated(file.bins(), offset, file.source(), "cell").size();
  }

  /** Number of free cells (for tests). */
  public int freeCells() {
    return free.size();
  }

  /** Total bytes in free cells (for tests). */
  public long freeBytes() {
    long n = 0;
    for (int s : free.values()) {
      n += s;
    }
    return n;
  }

  private void updateDataSize() {
    BaseBlock bb = file.baseBlock();
    file.baseBlock(new BaseBlock(bb.primarySequence(), bb.secondarySequence(), bb.lastWritten(),
        bb.majorVersion(), bb.minorVersion(), bb.fileType(), bb.rootCellOffset(),
        file.bins().limit(), bb.checksum()));
  }

  private void addFree(int at, int size) {
    free.put(at, size);
    bySize.computeIfAbsent(size, k -> new TreeSet<>()).add(at);
  }

  private void removeFree(int at, int size) {
    free.remove(at);
    TreeSet<Integer> s = bySize.get(size);
    s.remove(at);
    if (s.isEmpty()) {
      bySize.remove(size);
    }
  }
}
