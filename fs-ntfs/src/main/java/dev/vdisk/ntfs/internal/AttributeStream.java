package dev.vdisk.ntfs.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.codec.CorruptCompressedDataException;
import dev.vdisk.codec.Lznt1;
import dev.vdisk.codec.RandomAccessSource;
import dev.vdisk.codec.WofAlgorithm;
import dev.vdisk.codec.WofReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The value of one attribute (resident, or non-resident with its runlist gathered from every
 * extent), readable at any position: holes and the part past the initialised size read as zeros,
 * LZNT1 compression units are decompressed one at a time.
 */
public final class AttributeStream {
  private final BlockDevice device;
  private final int clusterSize;
  private final String description;
  private final byte[] resident;
  private final long[] vcns;
  private final long[] lcns;
  private final long[] lengths;
  private final long dataSize;
  private final long initializedSize;
  private final long allocatedSize;
  private final int unitClusters;
  private final boolean encrypted;
  private long cachedUnit = -1;
  private byte[] cachedUnitData;
  private WofReader wof;

  private AttributeStream(BlockDevice device, int clusterSize, String description, byte[] resident,
      long[] vcns, long[] lcns, long[] lengths, long dataSize, long initializedSize,
      long allocatedSize, int unitClusters, boolean encrypted) {
    this.device = device;
    this.clusterSize = clusterSize;
    this.description = description;
    this.resident = resident;
    this.vcns = vcns;
    this.lcns = lcns;
    this.lengths = lengths;
    this.dataSize = dataSize;
    this.initializedSize = initializedSize;
    this.allocatedSize = allocatedSize;
    this.unitClusters = unitClusters;
    this.encrypted = encrypted;
  }

  /**
   * A resident value.
   *
   * @param value the bytes
   * @param description what it is, for error messages
   * @return the stream
   */
  public static AttributeStream resident(byte[] value, String description) {
    return new AttributeStream(null, 1, description, value, null, null, null, value.length,
        value.length, value.length, 0, false);
  }

  /**
   * A non-resident value.
   *
   * @param device the volume's device
   * @param clusterSize the cluster size
   * @param description what it is, for error messages
   * @param first the header of the extent starting at VCN 0 (holds the sizes)
   * @param runs the runs of every extent, in VCN order
   * @return the stream
   * @throws IOException if the runs leave a gap or overlap, or the compression is not LZNT1
   */
  public static AttributeStream nonResident(BlockDevice device, int clusterSize,
      String description, AttributeHeader first, List<DataRuns.Run> runs) throws IOException {
    int n = runs.size();
    long[] vcns = new long[n];
    long[] lcns = new long[n];
    long[] lengths = new long[n];
    long next = 0;
    for (int i = 0; i < n; i++) {
      DataRuns.Run r = runs.get(i);
      if (r.vcn() != next) {
        throw new CorruptStructureException(description, -1, "data runs", "run " + i
            + " starts at VCN " + r.vcn() + ", expected " + next);
      }
      vcns[i] = r.vcn();
      lcns[i] = r.lcn();
      lengths[i] = r.length();
      next = r.vcn() + r.length();
    }
    int unit = 0;
    if (first.isCompressed() && first.compressionUnit() > 0) {
      if ((first.flags() & AttributeHeader.FLAG_COMPRESSED_MASK) != 1) {
        throw new UnsupportedFeatureException(null, "compression " + (first.flags() & 0xff),
            description + ": compression method " + (first.flags() & 0xff)
                + " is not LZNT1 (1)");
      }
      if (first.compressionUnit() > 8 || (long) clusterSize << first.compressionUnit() > 1 << 22) {
        throw new CorruptStructureException(description, -1, AttributeHeader.STRUCTURE,
            "compression unit of 2^" + first.compressionUnit() + " clusters of " + clusterSize
                + " bytes is larger than NTFS allows");
      }
      unit = 1 << first.compressionUnit();
    }
    return new AttributeStream(device, clusterSize, description, null, vcns, lcns, lengths,
        first.dataSize(), first.initializedSize(), first.allocatedSize(), unit,
        first.isEncrypted());
  }

  /**
   * A file compressed by the Windows Overlay Filter: its {@code WofCompressedData} stream decoded.
   *
   * @param compressed the {@code WofCompressedData} stream
   * @param size the file's size (its unnamed {@code $DATA}'s size)
   * @param algorithm the algorithm the reparse point names
   * @param description what it is, for error messages
   * @return the stream
   * @throws IOException if the chunk table is corrupt
   */
  public static AttributeStream wof(AttributeStream compressed, long size,
      WofAlgorithm algorithm, String description) throws IOException {
    AttributeStream s = new AttributeStream(null, 1, description, null, null, null, null, size,
        size, compressed.allocatedSize(), 0, false);
    try {
      s.wof = new WofReader(compressed.asSource(), size, algorithm);
    } catch (CorruptCompressedDataException e) {
      throw corrupt(description, e);
    }
    return s;
  }

  private static CorruptStructureException corrupt(String description,
      CorruptCompressedDataException e) {
    CorruptStructureException c = new CorruptStructureException(description, -1,
        e.algorithm() + " compressed data", "at byte " + e.inputOffset()
            + " of the compressed input: " + e.getMessage());
    c.initCause(e);
    return c;
  }

  /**
   * This value as a source for the decompressors.
   *
   * @return a view that reads this value
   */
  public RandomAccessSource asSource() {
    return new RandomAccessSource() {
      @Override
      public long size() {
        return dataSize;
      }

      @Override
      public int read(long position, ByteBuffer dst) throws IOException {
        return AttributeStream.this.read(position, dst);
      }
    };
  }

  /**
   * The value's size.
   *
   * @return the data size in bytes
   */
  public long size() {
    return dataSize;
  }

  /**
   * Bytes allocated on disk (the allocated size; for a resident value its length).
   *
   * @return the allocated size
   */
  public long allocatedSize() {
    return allocatedSize;
  }

  /**
   * Whether the value is resident in the MFT entry.
   *
   * @return {@code true} when resident
   */
  public boolean isResident() {
    return resident != null;
  }

  /**
   * Whether the value is LZNT1-compressed.
   *
   * @return {@code true} when compressed
   */
  public boolean isCompressed() {
    return unitClusters > 0;
  }

  /**
   * The number of runs (0 for a resident value).
   *
   * @return the run count
   */
  public int runCount() {
    return vcns == null ? 0 : vcns.length;
  }

  /**
   * The runs of a non-resident value, in VCN order (empty for a resident value).
   *
   * @return the runs
   */
  public List<DataRuns.Run> runs() {
    if (vcns == null) {
      return List.of();
    }
    List<DataRuns.Run> out = new java.util.ArrayList<>(vcns.length);
    for (int i = 0; i < vcns.length; i++) {
      out.add(new DataRuns.Run(vcns[i], lcns[i], lengths[i]));
    }
    return out;
  }

  /**
   * The byte offset on the device where a position of a non-resident, uncompressed value lies.
   *
   * @param position a position inside the value
   * @return the device offset, or -1 for a hole or a resident value
   */
  public long deviceOffset(long position) {
    if (resident != null || position < 0) {
      return -1;
    }
    int i = runIndex(position / clusterSize);
    if (i < 0 || lcns[i] < 0) {
      return -1;
    }
    return (lcns[i] + position / clusterSize - vcns[i]) * clusterSize + position % clusterSize;
  }

  /**
   * Reads bytes like {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}.
   *
   * @param position the position in the value
   * @param dst where to put the bytes
   * @return the bytes read, or -1 at or past the end
   * @throws IOException on an I/O error or a corrupt structure
   */
  public int read(long position, ByteBuffer dst) throws IOException {
    if (position < 0) {
      throw new IllegalArgumentException("negative position");
    }
    if (position >= dataSize) {
      return -1;
    }
    if (encrypted) {
      throw new UnsupportedFeatureException(null, "EFS", description
          + " is encrypted (EFS); its data cannot be read without the user's key");
    }
    if (wof != null) {
      try {
        return wof.read(position, dst);
      } catch (CorruptCompressedDataException e) {
        throw corrupt(description, e);
      }
    }
    int want = (int) Math.min(dst.remaining(), dataSize - position);
    if (resident != null) {
      dst.put(resident, (int) position, want);
      return want;
    }
    int done = 0;
    while (done < want) {
      long pos = position + done;
      int n = unitClusters > 0
          ? readCompressed(pos, dst, want - done)
          : readPlain(pos, dst, want - done);
      done += n;
    }
    return done;
  }

  /**
   * Reads the whole value into memory.
   *
   * @param limit the largest size accepted
   * @return the bytes
   * @throws IOException on an I/O error, or if the value is larger than {@code limit}
   */
  public byte[] readAll(long limit) throws IOException {
    if (dataSize > limit) {
      throw new CorruptStructureException(description, -1, "attribute", "its size "
          + dataSize + " exceeds the " + limit + " bytes expected for it");
    }
    byte[] out = new byte[(int) dataSize];
    ByteBuffer b = ByteBuffer.wrap(out);
    while (b.hasRemaining()) {
      if (read(b.position(), b) < 0) {
        break;
      }
    }
    return out;
  }

  private int runIndex(long vcn) {
    int i = Arrays.binarySearch(vcns, vcn);
    if (i < 0) {
      i = -i - 2;
    }
    if (i < 0 || vcn >= vcns[i] + lengths[i]) {
      return -1;
    }
    return i;
  }

  private int zeros(ByteBuffer dst, long count) {
    int n = (int) Math.min(count, dst.remaining());
    for (int i = 0; i < n; i++) {
      dst.put((byte) 0);
    }
    return n;
  }

  private int readPlain(long pos, ByteBuffer dst, int max) throws IOException {
    if (pos >= initializedSize) {
      return zeros(dst, Math.min(max, dataSize - pos));
    }
    long vcn = pos / clusterSize;
    int i = runIndex(vcn);
    if (i < 0) {
      throw new CorruptStructureException(description, -1, "data runs",
          "no run maps VCN " + vcn + " of a value of " + dataSize + " bytes");
    }
    long runEnd = (vcns[i] + lengths[i]) * clusterSize;
    int n = (int) Math.min(max, Math.min(runEnd, initializedSize) - pos);
    if (lcns[i] < 0) {
      return zeros(dst, n);
    }
    long deviceOffset = (lcns[i] + vcn - vcns[i]) * clusterSize + pos % clusterSize;
    ByteBuffer slice = dst.slice(dst.position(), n);
    device.read(deviceOffset, slice);
    dst.position(dst.position() + n);
    return n;
  }

  private int readCompressed(long pos, ByteBuffer dst, int max) throws IOException {
    long unitBytes = (long) unitClusters * clusterSize;
    long unit = pos / unitBytes;
    int within = (int) (pos % unitBytes);
    int n = (int) Math.min(max, unitBytes - within);
    if (pos >= initializedSize) {
      return zeros(dst, Math.min(n, dataSize - pos));
    }
    n = (int) Math.min(n, initializedSize - pos);
    synchronized (this) {
      if (cachedUnit != unit) {
        cachedUnitData = decodeUnit(unit, (int) unitBytes);
        cachedUnit = unit;
      }
      dst.put(cachedUnitData, within, n);
    }
    return n;
  }

  private byte[] decodeUnit(long unit, int unitBytes) throws IOException {
    long firstVcn = unit * unitClusters;
    byte[] compressed = new byte[unitBytes];
    int allocated = 0;
    for (long vcn = firstVcn; vcn < firstVcn + unitClusters; ) {
      int i = runIndex(vcn);
      if (i < 0) {
        break; // past the last run: the rest of the unit is unallocated
      }
      long count = Math.min(vcns[i] + lengths[i], firstVcn + unitClusters) - vcn;
      if (lcns[i] >= 0) {
        long deviceOffset = (lcns[i] + vcn - vcns[i]) * clusterSize;
        device.read(deviceOffset,
            ByteBuffer.wrap(compressed, allocated * clusterSize, (int) count * clusterSize));
        allocated += (int) count;
      }
      vcn += count;
    }
    if (allocated == unitClusters) {
      return compressed; // stored uncompressed
    }
    byte[] out = new byte[unitBytes];
    if (allocated == 0) {
      return out; // a sparse unit
    }
    try {
      Lznt1.decompress(compressed, 0, allocated * clusterSize, out, 0, unitBytes);
    } catch (CorruptCompressedDataException e) {
      CorruptStructureException c = new CorruptStructureException(description, -1,
          "LZNT1 compression unit", "unit " + unit + " (VCN " + firstVcn + "): at byte "
              + e.inputOffset() + ": " + e.getMessage());
      c.initCause(e);
      throw c;
    }
    return out;
  }
}
