package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A runlist ("data runs", mapping pairs): each run is a header byte whose low nibble is the size of
 * the cluster-count field and high nibble the size of the signed LCN-delta field (0 for a sparse
 * run), ended by a 0 byte.
 */
public final class DataRuns {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "data runs";

  /**
   * One run.
   *
   * @param vcn the first virtual cluster number of the run
   * @param lcn the first logical cluster number, or -1 for a sparse run
   * @param length the number of clusters
   */
  public record Run(long vcn, long lcn, long length) {
    /**
     * Whether the run is sparse (reads as zeros).
     *
     * @return {@code lcn == -1}
     */
    public boolean isSparse() {
      return lcn < 0;
    }
  }

  private DataRuns() {}

  /**
   * Decodes a runlist.
   *
   * @param buffer the runlist from its position to its limit (the end of the attribute)
   * @param firstVcn the attribute's first VCN
   * @param lastVcn the attribute's last VCN; the runs must cover exactly {@code
   *     firstVcn..lastVcn}
   * @param clusterCount the number of clusters in the volume; every LCN run must lie inside
   * @param source the device or file, for error messages
   * @param offset byte offset of the runlist on {@code source}, for error messages
   * @return the runs, in VCN order
   * @throws CorruptStructureException on a truncated runlist, an oversized field, a run outside the
   *     volume, or runs that do not cover the VCN range
   */
  public static List<Run> decode(ByteBuffer buffer, long firstVcn, long lastVcn,
      long clusterCount, String source, long offset) throws CorruptStructureException {
    ByteBuffer b = buffer.slice();
    List<Run> runs = new ArrayList<>();
    long vcn = firstVcn;
    long lcn = 0;
    int pos = 0;
    while (true) {
      if (pos >= b.limit()) {
        throw corrupt(source, offset, pos, "no terminating 0 byte before the end of the"
            + " attribute");
      }
      int header = b.get(pos) & 0xff;
      if (header == 0) {
        break;
      }
      int lengthSize = header & 0x0f;
      int offsetSize = header >>> 4;
      if (lengthSize == 0 || lengthSize > 8 || offsetSize > 8) {
        throw corrupt(source, offset, pos, String.format("header 0x%02x has a length field of"
            + " %d bytes and an offset field of %d bytes", header, lengthSize, offsetSize));
      }
      if (pos + 1 + lengthSize + offsetSize > b.limit()) {
        throw corrupt(source, offset, pos, "run is cut off by the end of the attribute");
      }
      long length = readLe(b, pos + 1, lengthSize, false);
      if (length <= 0) {
        throw corrupt(source, offset, pos, "run length " + Long.toUnsignedString(length)
            + " is not positive");
      }
      if (lastVcn - vcn + 1 < length) {
        throw corrupt(source, offset, pos, "run of " + length + " clusters at VCN " + vcn
            + " goes past the last VCN " + lastVcn);
      }
      if (offsetSize == 0) {
        runs.add(new Run(vcn, -1, length));
      } else {
        long delta = readLe(b, pos + 1 + lengthSize, offsetSize, true);
        lcn += delta;
        if (lcn < 0 || lcn >= clusterCount || length > clusterCount - lcn) {
          throw corrupt(source, offset, pos, "run of " + length + " clusters at LCN " + lcn
              + " lies outside the " + clusterCount + " clusters of the volume");
        }
        runs.add(new Run(vcn, lcn, length));
      }
      vcn += length;
      pos += 1 + lengthSize + offsetSize;
    }
    if (vcn != lastVcn + 1) {
      throw corrupt(source, offset, pos, "runs cover VCN " + firstVcn + ".." + (vcn - 1)
          + ", not " + firstVcn + ".." + lastVcn);
    }
    return List.copyOf(runs);
  }

  private static long readLe(ByteBuffer b, int pos, int size, boolean signed) {
    long v = 0;
    for (int i = size - 1; i >= 0; i--) {
      v = (v << 8) | (b.get(pos + i) & 0xff);
    }
    if (signed && size < 8 && (b.get(pos + size - 1) & 0x80) != 0) {
      v |= -1L << (8 * size);
    }
    return v;
  }

  private static CorruptStructureException corrupt(
      String source, long offset, int pos, String detail) {
    return new CorruptStructureException(source, offset < 0 ? -1 : offset + pos, STRUCTURE,
        detail);
  }
}
