package dev.vdisk.ntfs.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.codec.WofAlgorithm;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.cache.BlockCache;
import dev.vdisk.core.cache.CachedBlockDevice;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted NTFS volume (read-only): the MFT read through its own runlist, files assembled from
 * their base and extension entries, directory B+ trees looked up with the volume's {@code $UpCase}
 * table, and attribute values read with holes, initialised sizes and LZNT1 compression.
 *
 * <p>Node ids are MFT record numbers. A named {@code $DATA} stream is reached by looking up
 * {@code name:stream} and is listed as the extended attribute {@code user.stream} (the way
 * ntfs-3g's {@code streams_interface=xattr} shows streams).
 */
public final class NtfsVolume implements Volume {
  private static final Logger LOG = LoggerFactory.getLogger(NtfsVolume.class);

  /** Attribute types. */
  public static final int STANDARD_INFORMATION = 0x10;
  /** {@code $ATTRIBUTE_LIST}. */
  public static final int ATTRIBUTE_LIST = 0x20;
  /** {@code $FILE_NAME}. */
  public static final int FILE_NAME = 0x30;
  /** {@code $OBJECT_ID}. */
  public static final int OBJECT_ID = 0x40;
  /** {@code $SECURITY_DESCRIPTOR}. */
  public static final int SECURITY_DESCRIPTOR = 0x50;
  /** {@code $VOLUME_NAME}. */
  public static final int VOLUME_NAME = 0x60;
  /** {@code $VOLUME_INFORMATION}. */
  public static final int VOLUME_INFORMATION = 0x70;
  /** {@code $DATA}. */
  public static final int DATA = 0x80;
  /** {@code $INDEX_ROOT}. */
  public static final int INDEX_ROOT = 0x90;
  /** {@code $INDEX_ALLOCATION}. */
  public static final int INDEX_ALLOCATION = 0xa0;
  /** {@code $BITMAP}. */
  public static final int BITMAP = 0xb0;
  /** {@code $REPARSE_POINT}. */
  public static final int REPARSE_POINT = 0xc0;

  /** Record numbers of the metadata files. */
  public static final long MFT = 0;
  /** {@code $MFTMirr}. */
  public static final long MFT_MIRR = 1;
  /** {@code $LogFile}. */
  public static final long LOG_FILE = 2;
  /** {@code $Volume}. */
  public static final long VOLUME = 3;
  /** The root directory. */
  public static final long ROOT = 5;
  /** {@code $Bitmap}. */
  public static final long CLUSTER_BITMAP = 6;
  /** {@code $UpCase}. */
  public static final long UPCASE = 10;
  /** The first record number of ordinary files (lower ones are hidden in the root listing). */
  public static final long FIRST_USER = 16;

  /** Reparse tags. */
  public static final int TAG_MOUNT_POINT = 0xa0000003;
  /** Symbolic link. */
  public static final int TAG_SYMLINK = 0xa000000c;
  /** WSL symbolic link. */
  public static final int TAG_LX_SYMLINK = 0xa000001d;
  /** Windows Overlay Filter (system compression). */
  public static final int TAG_WOF = 0x80000017;
  /** Data deduplication. */
  public static final int TAG_DEDUP = 0x80000013;
  /** WSL AF_UNIX socket. */
  public static final int TAG_AF_UNIX = 0x80000023;
  /** WSL FIFO. */
  public static final int TAG_LX_FIFO = 0x80000024;
  /** WSL character device. */
  public static final int TAG_LX_CHR = 0x80000025;
  /** WSL block device. */
  public static final int TAG_LX_BLK = 0x80000026;

  private static final int MAX_TREE_DEPTH = 64;
  private static final long MAX_ATTRIBUTE_LIST = 4L << 20;
  private static final long MAX_INDEX_ROOT = 1L << 20;
  private static final long MAX_XATTR_STREAM = 64L << 20;

  private final BlockDevice device;
  private final BlockDevice meta;
  private final String source;
  private final BootSector boot;
  private final int clusterSize;
  private final int recordSize;
  private final AttributeStream mft;
  private final long recordCount;
  private final Map<Long, MftRecord> records;
  private final Map<Long, NtfsFile> files;
  private final Map<IndexKey, IndexNode> indexNodes;
  private final Map<Long, Index> indexes;
  private final Map<Long, NtfsNode> nodes;
  private volatile char[] upcase;
  private volatile long freeClusters = -1;
  private final String label;
  private final int majorVersion;
  private final int minorVersion;
  private final int volumeFlags;
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

  /**
   * A volume over an MFT stream; {@code mftOnly} reads MFT entries only (no $Volume), for the
   * bootstrap of the MFT's own runs and for {@link #openMftOnly}.
   */
  private NtfsVolume(BlockDevice device, BlockDevice meta, BootSector boot, AttributeStream mft,
      MountOptions options, Map<Long, MftRecord> records, boolean mftOnly) throws IOException {
    this.device = device;
    this.meta = meta;
    this.source = device.description();
    this.boot = boot;
    this.clusterSize = boot.clusterSize();
    this.recordSize = boot.mftRecordSize();
    this.mft = mft;
    this.recordCount = mft.size() / recordSize;
    int maxRecords = (int) Math.max(1024, Math.min(1 << 18, options.cacheBytes() / 4 / recordSize));
    this.records = lru(maxRecords);
    this.records.putAll(records);
    this.files = lru(Math.max(256, maxRecords / 4));
    this.indexNodes = lru((int) Math.max(64, Math.min(1 << 14, options.cacheBytes() / 4
        / Math.max(4096, boot.indexRecordSize()))));
    this.indexes = lru(1024);
    this.nodes = lru(Math.max(256, maxRecords / 4));
    if (mftOnly) {
      this.label = "";
      this.majorVersion = 0;
      this.minorVersion = 0;
      this.volumeFlags = 0;
      return;
    }
    NtfsFile volume = file(VOLUME);
    AttributeStream name = stream(volume, VOLUME_NAME, "");
    this.label = name == null ? ""
        : new String(name.readAll(1024), StandardCharsets.UTF_16LE);
    AttributeStream info = stream(volume, VOLUME_INFORMATION, "");
    if (info == null || info.size() < 12) {
      throw new CorruptStructureException(source, -1, "$VOLUME_INFORMATION",
          "$Volume has no $VOLUME_INFORMATION of 12 bytes");
    }
    VolumeInformation vi = VolumeInformation.parse(ByteBuffer.wrap(info.readAll(64)), source,
        -1);
    this.majorVersion = vi.majorVersion();
    this.minorVersion = vi.minorVersion();
    this.volumeFlags = vi.flags();
    if (majorVersion < 1 || majorVersion > 3) {
      throw new UnsupportedFeatureException(null, "NTFS " + majorVersion + "." + minorVersion,
          source + ": NTFS version " + majorVersion + "." + minorVersion
              + " is not 1.x, 2.x or 3.x");
    }
  }

  private static <K, V> Map<K, V> lru(int max) {
    return Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> e) {
        return size() > max;
      }
    });
  }

  /**
   * Reads and validates the boot sector.
   *
   * @param device the device
   * @return the boot sector
   * @throws IOException if it is missing or corrupt
   */
  public static BootSector readBootSector(BlockDevice device) throws IOException {
    if (device.size() < BootSector.SIZE) {
      throw new CorruptStructureException(device.description(), 0, BootSector.STRUCTURE,
          "the device is too small (" + device.size() + " bytes)");
    }
    try {
      return BootSector.parse(BlockDevices.read(device, 0, BootSector.SIZE),
          device.description(), 0);
    } catch (CorruptStructureException primary) {
      // mkntfs and Windows keep a copy in the sector after the volume: the device's last one
      long backup = (device.size() / BootSector.SIZE - 1) * BootSector.SIZE;
      if (backup <= 0) {
        throw primary;
      }
      try {
        BootSector b = BootSector.parse(BlockDevices.read(device, backup, BootSector.SIZE),
            device.description(), backup);
        LOG.warn("{}: the boot sector is unreadable ({}); using its backup at byte {}",
            device.description(), primary.getMessage(), backup);
        return b;
      } catch (CorruptStructureException e) {
        primary.addSuppressed(e);
        throw primary;
      }
    }
  }

  /**
   * Mounts a volume read-only.
   *
   * @param device the device (not closed by {@link #close()})
   * @param options the mount options
   * @return the volume
   * @throws IOException if a structure is corrupt or unsupported
   */
  public static NtfsVolume mount(BlockDevice device, MountOptions options) throws IOException {
    return open(device, options, false);
  }

  /**
   * Opens only the MFT, for reading MFT entries, files and their attributes of a volume whose
   * other metadata files may be missing (forensic fragments, a damaged volume): no $Volume, no
   * $MFTMirr comparison. Directory lookups and {@link #identity()} are not meaningful on it.
   *
   * @param device the device
   * @return the volume
   * @throws IOException if the boot sector or the MFT's own entries are corrupt
   */
  public static NtfsVolume openMftOnly(BlockDevice device) throws IOException {
    return open(device, MountOptions.defaults(), true);
  }

  /**
   * The runs of the MFT's own {@code $DATA}.
   *
   * @return the runs in VCN order
   */
  public List<DataRuns.Run> mftRuns() {
    return mft.runs();
  }

  private static NtfsVolume open(BlockDevice device, MountOptions options, boolean mftOnly)
      throws IOException {
    String source = device.description();
    BootSector boot = readBootSector(device);
    long volumeBytes = boot.clusterCount() * boot.clusterSize();
    if (volumeBytes > device.size()) {
      throw new CorruptStructureException(source, 0, BootSector.STRUCTURE, "the volume of "
          + volumeBytes + " bytes is larger than the device's " + device.size() + " bytes");
    }
    BlockDevice meta = new CachedBlockDevice(device,
        new BlockCache(Math.max(1L << 20, options.cacheBytes() / 2), 64 * 1024));
    int rs = boot.mftRecordSize();
    long mftOffset = boot.mftCluster() * boot.clusterSize();
    MftRecord record0;
    long record0Offset = mftOffset;
    try {
      record0 = MftRecord.parse(BlockDevices.read(meta, mftOffset, rs), source, mftOffset);
    } catch (CorruptStructureException e) {
      long mirr = boot.mftMirrCluster() * boot.clusterSize();
      LOG.warn("{}: $MFT entry 0 is unreadable ({}); using its copy in $MFTMirr", source,
          e.getMessage());
      record0 = MftRecord.parse(BlockDevices.read(meta, mirr, rs), source, mirr);
      record0Offset = mirr;
    }
    // The runs held in entry 0 itself locate the rest of the MFT, including any extension
    // entries that hold further $DATA extents.
    List<DataRuns.Run> runs = new ArrayList<>();
    AttributeHeader first = null;
    for (AttributeHeader h : record0.attributes()) {
      if (h.type() == DATA && h.name().isEmpty()) {
        if (!h.nonResident()) {
          throw new CorruptStructureException(source, record0Offset, MftRecord.STRUCTURE,
              "$MFT's $DATA is resident");
        }
        if (h.firstVcn() == 0) {
          first = h;
        }
        if (runs.isEmpty() || h.firstVcn() == runs.get(runs.size() - 1).vcn()
            + runs.get(runs.size() - 1).length()) {
          runs.addAll(record0.dataRuns(h, boot.clusterCount(), source, record0Offset));
        }
      }
    }
    if (first == null) {
      throw new CorruptStructureException(source, record0Offset, MftRecord.STRUCTURE,
          "$MFT has no $DATA starting at VCN 0");
    }
    AttributeStream partial = AttributeStream.nonResident(meta, boot.clusterSize(),
        source + " $MFT", first, runs);
    Map<Long, MftRecord> seed = new HashMap<>();
    seed.put(0L, record0);
    NtfsVolume bootstrap = new NtfsVolume(device, meta, boot, partial, options, seed, true);
    NtfsFile mftFile = bootstrap.file(MFT);
    AttributeStream full = bootstrap.stream(mftFile, DATA, "");
    if (full.size() % rs != 0 && full.size() / rs == 0) {
      throw new CorruptStructureException(source, record0Offset, MftRecord.STRUCTURE,
          "$MFT's size " + full.size() + " holds no whole entry");
    }
    if (mftOnly) {
      return new NtfsVolume(device, meta, boot, full, options, seed, true);
    }
    NtfsVolume v = new NtfsVolume(device, meta, boot, full, options, seed, false);
    v.checkMirror();
    return v;
  }

  private void checkMirror() throws IOException {
    NtfsFile mirrFile = file(MFT_MIRR);
    AttributeStream mirr = stream(mirrFile, DATA, "");
    if (mirr == null) {
      throw new CorruptStructureException(source, -1, "$MFTMirr", "$MFTMirr has no $DATA");
    }
    int count = (int) Math.min(Math.min(4, mirr.size() / recordSize), recordCount);
    for (int i = 0; i < count; i++) {
      ByteBuffer a = ByteBuffer.allocate(recordSize);
      ByteBuffer b = ByteBuffer.allocate(recordSize);
      mft.read((long) i * recordSize, a);
      mirr.read((long) i * recordSize, b);
      if (!a.flip().equals(b.flip())) {
        String w = "$MFTMirr entry " + i + " differs from $MFT entry " + i
            + " (the volume needs chkdsk)";
        LOG.warn("{}: {}", source, w);
        warnings.add(w);
      }
    }
  }

  /** @return the boot sector */
  public BootSector bootSector() {
    return boot;
  }

  /** @return the volume label */
  public String label() {
    return label;
  }

  /** @return the NTFS major version (3 for NTFS 3.x) */
  public int majorVersion() {
    return majorVersion;
  }

  /** @return the NTFS minor version */
  public int minorVersion() {
    return minorVersion;
  }

  /** @return the {@code $VOLUME_INFORMATION} flags (0x0001 = dirty) */
  public int volumeFlags() {
    return volumeFlags;
  }

  /** @return problems found while mounting (such as a $MFTMirr mismatch) */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** @return the number of entries in the MFT */
  public long recordCount() {
    return recordCount;
  }

  /** @return the device the volume is on */
  public BlockDevice device() {
    return device;
  }

  // ---------------------------------------------------------------------------------------------
  // MFT entries and files

  /**
   * Reads one MFT entry (cached).
   *
   * @param n the record number
   * @return the entry
   * @throws IOException if it is outside the MFT or corrupt
   */
  public MftRecord record(long n) throws IOException {
    MftRecord r = records.get(n);
    if (r != null) {
      return r;
    }
    if (n < 0 || n >= recordCount) {
      throw new CorruptStructureException(source, -1, MftRecord.STRUCTURE, "record " + n
          + " is outside the MFT of " + recordCount + " entries");
    }
    ByteBuffer b = ByteBuffer.allocate(recordSize);
    long pos = n * recordSize;
    while (b.hasRemaining()) {
      if (mft.read(pos + b.position(), b) < 0) {
        break;
      }
    }
    b.flip();
    r = MftRecord.parse(b, source, mft.deviceOffset(pos));
    records.put(n, r);
    return r;
  }

  private long recordOffset(long n) {
    return mft.deviceOffset(n * recordSize);
  }

  /**
   * The file whose base entry is record {@code n}, with attributes from its extension entries.
   *
   * @param n the record number
   * @return the file
   * @throws IOException if the entry is not an in-use base entry or is corrupt
   */
  public NtfsFile file(long n) throws IOException {
    NtfsFile f = files.get(n);
    if (f != null) {
      return f;
    }
    MftRecord base = record(n);
    long baseOffset = recordOffset(n);
    if (!base.isInUse()) {
      throw new CorruptStructureException(source, baseOffset, MftRecord.STRUCTURE,
          "record " + n + " is not in use");
    }
    if (base.baseRecordReference() != 0) {
      throw new CorruptStructureException(source, baseOffset, MftRecord.STRUCTURE, "record " + n
          + " is an extension of record " + (base.baseRecordReference() & 0xffff_ffff_ffffL)
          + ", not a file");
    }
    List<NtfsFile.Attr> attributes = new ArrayList<>();
    AttributeHeader list = null;
    for (AttributeHeader h : base.attributes()) {
      if (h.type() == ATTRIBUTE_LIST) {
        list = h;
      }
    }
    if (list == null) {
      for (AttributeHeader h : base.attributes()) {
        attributes.add(new NtfsFile.Attr(base, n, baseOffset, h));
      }
    } else {
      byte[] value;
      if (list.nonResident()) {
        List<DataRuns.Run> runs = base.dataRuns(list, boot.clusterCount(), source, baseOffset);
        value = AttributeStream.nonResident(meta, clusterSize, source + " MFT " + n
            + " $ATTRIBUTE_LIST", list, runs).readAll(MAX_ATTRIBUTE_LIST);
      } else {
        ByteBuffer rv = base.residentValue(list);
        value = new byte[rv.remaining()];
        rv.get(value);
      }
      Map<Long, MftRecord> extensions = new HashMap<>();
      extensions.put(n, base);
      for (AttributeListEntry e : AttributeListEntry.parseAll(ByteBuffer.wrap(value), source,
          -1)) {
        long en = e.record();
        MftRecord holder = extensions.get(en);
        if (holder == null) {
          holder = record(en);
          if ((holder.baseRecordReference() & 0xffff_ffff_ffffL) != n || !holder.isInUse()) {
            throw new CorruptStructureException(source, recordOffset(en), MftRecord.STRUCTURE,
                "record " + en + " is listed in the $ATTRIBUTE_LIST of record " + n
                    + " but is not an in-use extension of it");
          }
          extensions.put(en, holder);
        }
        AttributeHeader found = null;
        for (AttributeHeader h : holder.attributes()) {
          if (h.id() == e.id() && h.type() == e.type()) {
            found = h;
            break;
          }
        }
        if (found == null) {
          throw new CorruptStructureException(source, recordOffset(en), MftRecord.STRUCTURE,
              String.format("record %d has no attribute of type 0x%x with id %d that the"
                  + " $ATTRIBUTE_LIST of record %d names", en, e.type(), e.id(), n));
        }
        attributes.add(new NtfsFile.Attr(holder, en, recordOffset(en), found));
      }
    }
    f = new NtfsFile(n, base, List.copyOf(attributes));
    files.put(n, f);
    return f;
  }

  /**
   * The value of a file's attribute, with every extent's runs.
   *
   * @param f the file
   * @param type the attribute type
   * @param name the attribute name; matched exactly, then ignoring case
   * @return the stream, or {@code null} when the file has no such attribute
   * @throws IOException if the attribute is corrupt
   */
  public AttributeStream stream(NtfsFile f, int type, String name) throws IOException {
    List<NtfsFile.Attr> extents = new ArrayList<>();
    for (NtfsFile.Attr a : f.attributes()) {
      if (a.header().type() == type && a.header().name().equals(name)) {
        extents.add(a);
      }
    }
    if (extents.isEmpty() && !name.isEmpty()) {
      for (NtfsFile.Attr a : f.attributes()) {
        if (a.header().type() == type && equalsIgnoreCase(a.header().name(), name)) {
          extents.add(a);
        }
      }
    }
    if (extents.isEmpty()) {
      return null;
    }
    String what = source + " MFT " + f.record() + " attribute 0x" + Integer.toHexString(type)
        + (name.isEmpty() ? "" : " \"" + name + "\"");
    NtfsFile.Attr first = extents.get(0);
    if (!first.header().nonResident()) {
      ByteBuffer rv = first.owner().residentValue(first.header());
      byte[] value = new byte[rv.remaining()];
      rv.get(value);
      return AttributeStream.resident(value, what);
    }
    extents.sort((a, b) -> Long.compare(a.header().firstVcn(), b.header().firstVcn()));
    first = extents.get(0);
    if (first.header().firstVcn() != 0) {
      throw new CorruptStructureException(source, first.ownerOffset(), AttributeHeader.STRUCTURE,
          what + " has no extent starting at VCN 0");
    }
    List<DataRuns.Run> runs = new ArrayList<>();
    for (NtfsFile.Attr a : extents) {
      if (!a.header().nonResident()) {
        throw new CorruptStructureException(source, a.ownerOffset(), AttributeHeader.STRUCTURE,
            what + " mixes resident and non-resident extents");
      }
      runs.addAll(a.owner().dataRuns(a.header(), boot.clusterCount(), source, a.ownerOffset()));
    }
    return AttributeStream.nonResident(device, clusterSize, what, first.header(), runs);
  }

  // ---------------------------------------------------------------------------------------------
  // Names and collation

  private char[] upcase() throws IOException {
    char[] table = upcase;
    if (table == null) {
      AttributeStream s = stream(file(UPCASE), DATA, "");
      if (s == null || s.size() != 131072) {
        throw new CorruptStructureException(source, recordOffset(UPCASE), "$UpCase",
            "$UpCase's $DATA is not 65536 UTF-16 characters");
      }
      ByteBuffer b = Bytes.le(ByteBuffer.wrap(s.readAll(131072)));
      table = new char[65536];
      for (int i = 0; i < 65536; i++) {
        table[i] = b.getChar(2 * i);
      }
      upcase = table;
    }
    return table;
  }

  private int compareIgnoreCase(String a, String b) throws IOException {
    char[] up = upcase();
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = up[a.charAt(i)];
      char y = up[b.charAt(i)];
      if (x != y) {
        return x < y ? -1 : 1;
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private boolean equalsIgnoreCase(String a, String b) throws IOException {
    return a.length() == b.length() && compareIgnoreCase(a, b) == 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Security descriptors

  /** The record number of {@code $Secure}. */
  public static final long SECURE = 9;

  /**
   * A file's security descriptor: its own {@code $SECURITY_DESCRIPTOR} attribute, or the
   * {@code $Secure:$SDS} entry its security id names (found through the {@code $SII} index; the
   * entry's header and hash are checked).
   *
   * @param f the file
   * @return the descriptor, or empty when the file has none
   * @throws IOException if $Secure is corrupt or does not hold the id
   */
  public Optional<SecurityDescriptor> securityDescriptor(NtfsFile f) throws IOException {
    AttributeStream own = stream(f, SECURITY_DESCRIPTOR, "");
    if (own != null) {
      return Optional.of(SecurityDescriptor.parse(ByteBuffer.wrap(own.readAll(1 << 20)), source,
          -1));
    }
    int id = standardInformation(f).securityId();
    if (id == 0) {
      return Optional.empty();
    }
    NtfsFile secure = file(SECURE);
    AttributeStream root = stream(secure, INDEX_ROOT, "$SII");
    AttributeStream sds = stream(secure, DATA, "$SDS");
    if (root == null || sds == null) {
      throw new CorruptStructureException(source, recordOffset(SECURE), SecureStore.STRUCTURE,
          "$Secure has no $SII index or no $SDS stream");
    }
    byte[] rootValue = root.readAll(MAX_INDEX_ROOT);
    SecureStore.IndexNode node = SecureStore.parseIndexRoot(ByteBuffer.wrap(rootValue), source,
        -1);
    int blockSize = Bytes.le(ByteBuffer.wrap(rootValue)).getInt(8);
    AttributeStream allocation = null;
    Set<Long> seen = new HashSet<>();
    for (int depth = 0; depth <= MAX_TREE_DEPTH; depth++) {
      SecureStore.Search found = SecureStore.searchSii(node, id);
      if (found.found().isPresent()) {
        return Optional.of(SecureStore.lookup(found.found().get().data(), (offset, length) -> {
          ByteBuffer b = ByteBuffer.allocate(length);
          while (b.hasRemaining() && sds.read(offset + b.position(), b) > 0) {
            // read on
          }
          return b.flip();
        }, source).descriptor());
      }
      long vcn = found.childVcn();
      if (vcn < 0) {
        throw new CorruptStructureException(source, -1, "$SII", "security id "
            + Integer.toUnsignedString(id) + " of record " + f.record() + " is not in $Secure");
      }
      if (allocation == null) {
        allocation = stream(secure, INDEX_ALLOCATION, "$SII");
      }
      if (allocation == null || !seen.add(vcn) || blockSize < 512 || blockSize > 65536) {
        throw new CorruptStructureException(source, -1, "$SII", "VCN " + vcn
            + " cannot be read (no $INDEX_ALLOCATION, a loop, or index blocks of " + blockSize
            + " bytes)");
      }
      long pos = vcn << (blockSize >= clusterSize ? Integer.numberOfTrailingZeros(clusterSize)
          : 9);
      if (pos < 0 || pos + blockSize > allocation.size()) {
        throw new CorruptStructureException(source, -1, "$SII", "VCN " + vcn
            + " lies outside its $INDEX_ALLOCATION");
      }
      ByteBuffer block = ByteBuffer.allocate(blockSize);
      while (block.hasRemaining() && allocation.read(pos + block.position(), block) > 0) {
        // read on
      }
      node = SecureStore.parseIndexBlock(block.flip(), source, allocation.deviceOffset(pos));
    }
    throw new CorruptStructureException(source, -1, "$SII", "index deeper than "
        + MAX_TREE_DEPTH + " levels");
  }

  // ---------------------------------------------------------------------------------------------
  // Directory indexes

  private record Index(NtfsFile dir, String name, IndexNode root,
      int indexRecordSize, AttributeStream allocation, byte[] bitmap) {}

  private record IndexKey(long record, String name, long vcn) {}

  private Index index(NtfsFile dir) throws IOException {
    Index cached = indexes.get(dir.record());
    if (cached != null && cached.dir() == dir) {
      return cached;
    }
    Index index = readIndex(dir, "$I30", FILE_NAME, 1);
    indexes.put(dir.record(), index);
    return index;
  }

  private Index readIndex(NtfsFile dir, String name, int attributeType, int collation)
      throws IOException {
    AttributeStream rootStream = stream(dir, INDEX_ROOT, name);
    if (rootStream == null) {
      throw new CorruptStructureException(source, recordOffset(dir.record()),
          MftRecord.STRUCTURE, "record " + dir.record() + " has no $INDEX_ROOT " + name);
    }
    IndexNode.Root root = IndexNode.parseRoot(ByteBuffer.wrap(rootStream.readAll(MAX_INDEX_ROOT)),
        source + " MFT " + dir.record() + " $INDEX_ROOT " + name, -1);
    if (root.attributeType() != attributeType || root.collationRule() != collation) {
      throw new CorruptStructureException(source, recordOffset(dir.record()), "$INDEX_ROOT",
          String.format("%s indexes attribute 0x%x with collation %d, not 0x%x with collation"
              + " %d", name, root.attributeType(), root.collationRule(), attributeType,
              collation));
    }
    AttributeStream allocation = null;
    byte[] bitmap = null;
    if (root.node().hasChildren()) {
      allocation = stream(dir, INDEX_ALLOCATION, name);
      if (allocation == null) {
        throw new CorruptStructureException(source, recordOffset(dir.record()), "$INDEX_ROOT",
            "record " + dir.record() + " has index children but no $INDEX_ALLOCATION " + name);
      }
      AttributeStream bm = stream(dir, BITMAP, name);
      if (bm != null) {
        bitmap = bm.readAll(1L << 24);
      }
    }
    return new Index(dir, name, root.node(), root.indexRecordSize(), allocation, bitmap);
  }

  private IndexNode child(Index index, long vcn) throws IOException {
    int size = index.indexRecordSize();
    int shift = size >= clusterSize ? Integer.numberOfTrailingZeros(clusterSize) : 9;
    long pos = vcn << shift;
    long blockNumber = pos / size;
    if (pos < 0 || pos >> shift != vcn || pos + size > index.allocation().size()) {
      throw new CorruptStructureException(source, -1, "INDX record", "VCN " + vcn
          + " of directory record " + index.dir().record() + " lies outside its "
          + index.allocation().size() + "-byte $INDEX_ALLOCATION");
    }
    if (index.bitmap() != null && (blockNumber >> 3 >= index.bitmap().length
        || (index.bitmap()[(int) (blockNumber >> 3)] & (1 << (blockNumber & 7))) == 0)) {
      throw new CorruptStructureException(source, index.allocation().deviceOffset(pos),
          "INDX record", "VCN " + vcn + " of directory record " + index.dir().record()
              + " is referenced but not in use in the $BITMAP");
    }
    IndexKey key = new IndexKey(index.dir().record(), index.name(), vcn);
    IndexNode node = indexNodes.get(key);
    if (node != null) {
      return node;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    while (b.hasRemaining()) {
      if (index.allocation().read(pos + b.position(), b) < 0) {
        break;
      }
    }
    node = IndexNode.parseRecord(b.flip(), vcn, source,
        index.allocation().deviceOffset(pos));
    indexNodes.put(key, node);
    return node;
  }

  private FileName key(IndexNode.Entry e, NtfsFile dir) throws CorruptStructureException {
    return FileName.parse(e.key(), source, -1);
  }

  /**
   * Compares a name with the name in an index key without decoding it: ignoring case through
   * $UpCase, then (when {@code exact}) by code unit.
   */
  private int compareKey(String name, IndexNode.Entry e, boolean exact) throws IOException {
    ByteBuffer k = e.key();
    if (k.limit() < 0x42) {
      throw new CorruptStructureException(source, -1, FileName.STRUCTURE, "an index key of "
          + k.limit() + " bytes is shorter than a $FILE_NAME");
    }
    int length = k.get(0x40) & 0xff;
    if (0x42 + 2 * length > k.limit()) {
      throw new CorruptStructureException(source, -1, FileName.STRUCTURE, "a name of " + length
          + " characters does not fit an index key of " + k.limit() + " bytes");
    }
    char[] up = upcase();
    int n = Math.min(name.length(), length);
    for (int i = 0; i < n; i++) {
      char x = up[name.charAt(i)];
      char y = up[k.getChar(0x42 + 2 * i)];
      if (x != y) {
        return x < y ? -1 : 1;
      }
    }
    if (name.length() != length) {
      return name.length() < length ? -1 : 1;
    }
    if (exact) {
      for (int i = 0; i < n; i++) {
        char x = name.charAt(i);
        char y = k.getChar(0x42 + 2 * i);
        if (x != y) {
          return x < y ? -1 : 1;
        }
      }
    }
    return 0;
  }

  /**
   * Calls {@code visitor} for every key of a directory's index in collation order.
   */
  private interface Visitor {
    void visit(IndexNode.Entry entry, FileName name) throws IOException;
  }

  private static final class Frame {
    final IndexNode node;
    int next;
    boolean childDone;

    Frame(IndexNode node) {
      this.node = node;
    }
  }

  private void walk(NtfsFile dir, Visitor visitor) throws IOException {
    Index index = index(dir);
    Deque<Frame> stack = new ArrayDeque<>();
    Set<Long> seen = new HashSet<>();
    stack.push(new Frame(index.root()));
    while (!stack.isEmpty()) {
      Frame f = stack.peek();
      if (f.next >= f.node.entries().size()) {
        stack.pop();
        continue;
      }
      IndexNode.Entry e = f.node.entries().get(f.next);
      if (e.childVcn() >= 0 && !f.childDone) {
        // an entry's child subtree holds the keys before it
        f.childDone = true;
        if (!seen.add(e.childVcn())) {
          throw new CorruptStructureException(source, -1, "INDX record", "directory record "
              + dir.record() + " reaches VCN " + e.childVcn() + " twice (a loop in its index)");
        }
        if (stack.size() >= MAX_TREE_DEPTH) {
          throw new CorruptStructureException(source, -1, "INDX record", "directory record "
              + dir.record() + " has an index deeper than " + MAX_TREE_DEPTH + " levels");
        }
        stack.push(new Frame(child(index, e.childVcn())));
        continue;
      }
      if (!e.isLast()) {
        visitor.visit(e, key(e, dir));
      }
      f.next++;
      f.childDone = false;
    }
  }

  @Override
  public FileSystemIdentity identity() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("version", majorVersion + "." + minorVersion);
    details.put("clusterSize", clusterSize);
    details.put("mftRecordSize", recordSize);
    details.put("indexRecordSize", boot.indexRecordSize());
    details.put("serial", String.format("%04X-%04X", (boot.serialNumber() >>> 16) & 0xffff,
        boot.serialNumber() & 0xffff));
    VolumeInformation vi = new VolumeInformation(majorVersion, minorVersion, volumeFlags);
    details.put("dirty", vi.dirty());
    if (!vi.flagNames().isEmpty()) {
      details.put("volumeFlags", vi.flagNames());
    }
    details.putAll(state());
    if (!warnings.isEmpty()) {
      details.put("warnings", List.copyOf(warnings));
    }
    return new FileSystemIdentity("ntfs", label, String.format("%016X", boot.serialNumber()),
        details);
  }

  /**
   * The state facts that decide whether the volume may be written: hibernation and (once
   * parsed) the $LogFile state. Failures to read them are reported as values, never thrown.
   */
  private Map<String, Object> state() {
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      AttributeStream log = stream(file(LOG_FILE), DATA, "");
      if (log == null) {
        out.put("logFile", "missing");
      } else {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(log.size(), 64 * 1024));
        while (b.hasRemaining() && log.read(b.position(), b) > 0) {
          // read on
        }
        LogFileState state = LogFileState.parse(b.flip(), source, log.deviceOffset(0));
        String version = state.page().map(p -> " (version " + p.majorVersion() + "."
            + p.minorVersion() + ")").orElse("");
        out.put("logFile", state.empty() ? "empty" : (state.clean() ? "clean" : "needs replay")
            + version);
      }
    } catch (IOException e) {
      out.put("logFile", "unreadable: " + e.getMessage());
    }
    try {
      Optional<Long> hiber = search(file(ROOT), "hiberfil.sys");
      if (hiber.isEmpty()) {
        out.put("hibernation", "no hiberfil.sys");
      } else {
        AttributeStream s = stream(file(hiber.get()), DATA, "");
        long size = s == null ? 0 : s.size();
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, HibernationFile.HEADER_SIZE));
        while (s != null && b.hasRemaining() && s.read(b.position(), b) > 0) {
          // read on
        }
        HibernationFile h = HibernationFile.parse(b.flip(), size);
        out.put("hibernation", switch (h.state()) {
          case HIBERNATED -> "hibernated or fast startup (hiberfil.sys " + h.signature() + ")";
          case RESTORING -> "resume in progress (hiberfil.sys " + h.signature() + ")";
          case RESUMED -> "resumed, not hibernated (hiberfil.sys " + h.signature() + ")";
          case ZEROED -> "not hibernated (hiberfil.sys zeroed)";
          case TOO_SHORT -> "hiberfil.sys shorter than its header";
          default -> "not hibernated (hiberfil.sys without a signature)";
        });
      }
    } catch (IOException e) {
      out.put("hibernation", "unknown: " + e.getMessage());
    }
    return out;
  }


  @Override
  public Node root() throws IOException {
    return node(ROOT);
  }

  @Override
  public Node node(long id) throws IOException {
    NtfsNode n = nodes.get(id);
    if (n == null) {
      NtfsFile f = file(id);
      n = new NtfsNode(f, typeOf(f), null);
      nodes.put(id, n);
    }
    return n;
  }

  private static final class NtfsNode implements Node {
    final NtfsFile file;
    final NodeType type;
    final String stream;
    volatile AttributeStream data;

    NtfsNode(NtfsFile file, NodeType type, String stream) {
      this.file = file;
      this.type = type;
      this.stream = stream;
    }

    @Override
    public long id() {
      return file.record();
    }

    @Override
    public NodeType type() {
      return type;
    }
  }

  private NtfsNode cast(Node node) {
    if (!(node instanceof NtfsNode n)) {
      throw new IllegalArgumentException("not a node of this volume: " + node);
    }
    return n;
  }

  private int reparseTag(NtfsFile f) throws IOException {
    AttributeStream s = stream(f, REPARSE_POINT, "");
    if (s == null || s.size() < 4) {
      return 0;
    }
    ByteBuffer b = ByteBuffer.allocate(4);
    s.read(0, b);
    return Bytes.le(b.flip()).getInt(0);
  }

  private NodeType typeOf(NtfsFile f) throws IOException {
    int tag = reparseTag(f);
    switch (tag) {
      case TAG_SYMLINK, TAG_MOUNT_POINT, TAG_LX_SYMLINK:
        return NodeType.SYMBOLIC_LINK;
      case TAG_LX_FIFO:
        return NodeType.FIFO;
      case TAG_LX_CHR:
        return NodeType.CHARACTER_DEVICE;
      case TAG_LX_BLK:
        return NodeType.BLOCK_DEVICE;
      case TAG_AF_UNIX:
        return NodeType.SOCKET;
      default:
        break;
    }
    if (f.isDirectory()) {
      return NodeType.DIRECTORY;
    }
    InterixFile x = interix(f);
    if (x == null) {
      return NodeType.REGULAR_FILE;
    }
    return switch (x.type()) {
      case FIFO -> NodeType.FIFO;
      case SOCKET -> NodeType.SOCKET;
      case SYMLINK -> NodeType.SYMBOLIC_LINK;
      case CHARACTER_DEVICE -> NodeType.CHARACTER_DEVICE;
      case BLOCK_DEVICE -> NodeType.BLOCK_DEVICE;
      default -> NodeType.REGULAR_FILE;
    };
  }

  /**
   * The Interix special file (symlink, device, FIFO, socket) a system file stands for, as ntfs-3g
   * reads it; {@code null} for a plain file.
   */
  private InterixFile interix(NtfsFile f) throws IOException {
    StandardInformation si = standardInformation(f);
    AttributeStream data = stream(f, DATA, "");
    long size = data == null ? 0 : data.size();
    if (!InterixFile.isCandidate(si.fileAttributes(), size)
        || reparseTag(f) != 0 || f.isDirectory()) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = size == 0 ? new byte[0] : data.readAll(InterixFile.MAGIC_SIZE
          + 2L * InterixFile.MAX_TARGET_CHARS);
    } catch (UnsupportedFeatureException e) {
      return null; // an encrypted system file: not Interix
    }
    InterixFile x = InterixFile.parse(si.fileAttributes(), ByteBuffer.wrap(bytes), size, source,
        -1);
    return x.type() == InterixFile.Type.REGULAR ? null : x;
  }

  private StandardInformation standardInformation(NtfsFile f) throws IOException {
    NtfsFile.Attr a = f.find(STANDARD_INFORMATION, "");
    if (a == null || a.header().nonResident()) {
      throw new CorruptStructureException(source, a == null ? recordOffset(f.record())
          : a.ownerOffset(), StandardInformation.STRUCTURE, "record " + f.record()
              + " has no resident $STANDARD_INFORMATION");
    }
    return StandardInformation.parse(a.owner().residentValue(a.header()), source,
        a.ownerOffset());
  }

  @Override
  public Optional<Node> lookup(Node directory, String name) throws IOException {
    NtfsNode d = cast(directory);
    if (d.type != NodeType.DIRECTORY || d.stream != null) {
      throw new NotDirectoryException(name);
    }
    Optional<Long> found = search(d.file, name);
    if (found.isPresent()) {
      return Optional.of(node(found.get()));
    }
    int colon = name.indexOf(':');
    if (colon > 0) {
      String base = name.substring(0, colon);
      String streamName = name.substring(colon + 1);
      if (streamName.endsWith(":$DATA")) {
        streamName = streamName.substring(0, streamName.length() - 6);
      } else if (streamName.indexOf(':') >= 0) {
        return Optional.empty();
      }
      Optional<Long> file = search(d.file, base);
      if (file.isEmpty()) {
        return Optional.empty();
      }
      NtfsFile f = file(file.get());
      if (streamName.isEmpty()) {
        return Optional.of(new NtfsNode(f, typeOf(f), null));
      }
      if (stream(f, DATA, streamName) == null) {
        return Optional.empty();
      }
      return Optional.of(new NtfsNode(f, NodeType.REGULAR_FILE, streamName));
    }
    return Optional.empty();
  }

  private Optional<Long> search(NtfsFile dir, String name) throws IOException {
    if (name.isEmpty() || name.length() > 255) {
      return Optional.empty();
    }
    Index index = index(dir);
    Optional<Long> exact = search(index, name, true);
    return exact.isPresent() ? exact : search(index, name, false);
  }

  private Optional<Long> search(Index index, String name, boolean exact) throws IOException {
    IndexNode node = index.root();
    for (int depth = 0; depth <= MAX_TREE_DEPTH; depth++) {
      // binary search for the first key not below the name (the last entry has no key)
      List<IndexNode.Entry> entries = node.entries();
      int lo = 0;
      int hi = entries.size() - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        int c = compareKey(name, entries.get(mid), exact);
        if (c == 0) {
          return Optional.of(entries.get(mid).record());
        }
        if (c < 0) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      IndexNode.Entry descend = entries.get(lo);
      if (descend.childVcn() < 0) {
        return Optional.empty();
      }
      node = child(index, descend.childVcn());
    }
    throw new CorruptStructureException(source, -1, "INDX record", "directory record "
        + index.dir().record() + " has an index deeper than " + MAX_TREE_DEPTH + " levels");
  }

  @Override
  public List<DirectoryEntry> list(Node directory) throws IOException {
    NtfsNode d = cast(directory);
    if (d.type != NodeType.DIRECTORY || d.stream != null) {
      throw new NotDirectoryException(String.valueOf(d.id()));
    }
    long self = d.file.record();
    List<DirectoryEntry> out = new ArrayList<>();
    walk(d.file, (e, fn) -> {
      long r = e.record();
      if (fn.isDosOnly() || r == self || (self == ROOT && r < FIRST_USER)) {
        return;
      }
      NodeType type;
      if ((fn.fileAttributes() & FileName.ATTR_REPARSE_POINT) != 0) {
        type = null;
      } else if ((fn.fileAttributes() & FileName.ATTR_DIRECTORY) != 0) {
        type = NodeType.DIRECTORY;
      } else if ((fn.fileAttributes() & StandardInformation.SYSTEM) != 0) {
        type = null;
      } else {
        type = NodeType.REGULAR_FILE;
      }
      out.add(new DirectoryEntry(fn.name(), r, type));
    });
    return out;
  }

  private AttributeStream dataOf(NtfsNode n) throws IOException {
    AttributeStream s = n.data;
    if (s != null) {
      return s;
    }
    if (n.stream == null) {
      int tag = reparseTag(n.file);
      if (tag == TAG_DEDUP) {
        throw new UnsupportedFeatureException(null, "dedup", source + " MFT " + n.file.record()
            + ": the file is deduplicated (reparse tag IO_REPARSE_TAG_DEDUP); its data lives in"
            + " the volume's Dedup chunk store, which vdisk does not read");
      }
      if (tag == TAG_WOF) {
        s = wofData(n.file);
        n.data = s;
        return s;
      }
    }
    s = stream(n.file, DATA, n.stream == null ? "" : n.stream);
    if (s == null) {
      s = AttributeStream.resident(new byte[0], source + " MFT " + n.file.record());
    }
    n.data = s;
    return s;
  }

  /**
   * The data of a file the Windows Overlay Filter compressed (CompactOS, {@code compact /exe}):
   * the reparse point names the algorithm, the named stream {@code WofCompressedData} holds the
   * chunks, the unnamed {@code $DATA} (sparse) the size.
   */
  private AttributeStream wofData(NtfsFile f) throws IOException {
    String what = source + " MFT " + f.record();
    byte[] rp = stream(f, REPARSE_POINT, "").readAll(16384);
    ByteBuffer b = Bytes.le(ByteBuffer.wrap(rp));
    Bytes.require(b, 0, 24, source, -1, "$REPARSE_POINT");
    int wofVersion = b.getInt(8);
    int provider = b.getInt(12);
    int providerVersion = b.getInt(16);
    int algorithm = b.getInt(20);
    if (wofVersion != 1 || provider != 2 || providerVersion != 1) {
      throw new UnsupportedFeatureException(null, "WOF provider " + provider, what
          + ": WOF version " + wofVersion + ", provider " + provider + " version "
          + providerVersion + " is not the file provider (2) version 1 (a WIM-backed file?)");
    }
    WofAlgorithm alg;
    try {
      alg = WofAlgorithm.fromCode(algorithm);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedFeatureException(null, "WOF algorithm " + algorithm, what
          + ": WOF compression algorithm " + algorithm + " is unknown");
    }
    AttributeStream compressed = stream(f, DATA, "WofCompressedData");
    if (compressed == null) {
      throw new CorruptStructureException(source, recordOffset(f.record()), "$REPARSE_POINT",
          what + " is WOF-compressed but has no WofCompressedData stream");
    }
    AttributeStream unnamed = stream(f, DATA, "");
    long size = unnamed == null ? 0 : unnamed.size();
    return AttributeStream.wof(compressed, size, alg, what + " (WOF " + alg + ")");
  }

  @Override
  public int read(Node file, long position, ByteBuffer dst) throws IOException {
    NtfsNode n = cast(file);
    if (n.type == NodeType.DIRECTORY && n.stream == null) {
      throw new FileSystemException(String.valueOf(n.id()), null, "is a directory");
    }
    return dataOf(n).read(position, dst);
  }

  @Override
  public NodeAttributes attributes(Node node) throws IOException {
    NtfsNode n = cast(node);
    StandardInformation si = standardInformation(n.file);
    long size = 0;
    long allocated = 0;
    if (n.type == NodeType.SYMBOLIC_LINK) {
      size = readSymbolicLink(n).length();
    } else if (n.type == NodeType.DIRECTORY && n.stream == null) {
      AttributeStream a = stream(n.file, INDEX_ALLOCATION, "$I30");
      if (a != null) {
        size = a.size();
        allocated = a.allocatedSize();
      }
    } else if (n.type == NodeType.REGULAR_FILE) {
      AttributeStream d = dataOf(n);
      size = d.size();
      allocated = d.isResident() ? 0 : d.allocatedSize();
    }
    long rdev = 0;
    if (n.type == NodeType.CHARACTER_DEVICE || n.type == NodeType.BLOCK_DEVICE) {
      InterixFile x = interix(n.file);
      if (x != null) {
        rdev = makedev(x.major(), x.minor());
      }
    }
    int links = 0;
    for (NtfsFile.Attr a : n.file.attributes()) {
      if (a.header().type() == FILE_NAME && !a.header().nonResident()) {
        FileName fn = FileName.parse(a.owner().residentValue(a.header()), source,
            a.ownerOffset());
        if (!fn.isDosOnly()) {
          links++;
        }
      }
    }
    int perms = n.type == NodeType.DIRECTORY ? 0755 : n.type == NodeType.SYMBOLIC_LINK ? 0777
        : (si.fileAttributes() & StandardInformation.READ_ONLY) != 0 ? 0444 : 0644;
    return NodeAttributes.builder(n.type)
        .size(size)
        .allocatedSize(allocated)
        .lastModifiedTime(NtfsTime.toFileTime(si.modificationTime()))
        .lastAccessTime(NtfsTime.toFileTime(si.accessTime()))
        .changeTime(NtfsTime.toFileTime(si.mftChangeTime()))
        .creationTime(NtfsTime.toFileTime(si.creationTime()))
        .mode(n.type.modeBits() | perms)
        .inode(n.file.record())
        .linkCount(Math.max(1, links))
        .flags(windowsAttributes(n.file, si) & 0xffffffffL)
        .dosAttributes(windowsAttributes(n.file, si) & 0xffff)
        .rdev(rdev)
        .build();
  }

  /**
   * The attributes as Windows reports them ({@code GetFileAttributes}, and ntfs-3g's {@code
   * system.ntfs_attrib_be}): those of {@code $STANDARD_INFORMATION}, with the directory bit
   * (0x10) for a directory, and {@code FILE_ATTRIBUTE_NORMAL} (0x80) when none is set.
   */
  private static int windowsAttributes(NtfsFile f, StandardInformation si) {
    int a = si.fileAttributes();
    if (f.isDirectory()) {
      a |= 0x10;
    }
    return a == 0 ? 0x80 : a;
  }

  /** Linux's encoding of a device number (glibc {@code makedev}). */
  private static long makedev(long major, long minor) {
    return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
        | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
  }

  @Override
  public String readSymbolicLink(Node link) throws IOException {
    NtfsNode n = cast(link);
    if (n.type != NodeType.SYMBOLIC_LINK || n.stream != null) {
      throw new NotLinkException(String.valueOf(n.id()));
    }
    AttributeStream rp = stream(n.file, REPARSE_POINT, "");
    if (rp != null) {
      ReparsePoint point = ReparsePoint.parse(ByteBuffer.wrap(rp.readAll(ReparsePoint.MAX_DATA
          + 8)), source, -1);
      if (point.content() instanceof ReparsePoint.LxSymlink lx) {
        return lx.target();
      }
      if (point.content() instanceof ReparsePoint.Link l) {
        boolean directory = n.file.isDirectory() || l.junction();
        return ReparsePoint.translateTarget(l, null, path -> existsAs(path, directory)).path();
      }
      throw new CorruptStructureException(source, recordOffset(n.file.record()),
          ReparsePoint.STRUCTURE, String.format("reparse tag 0x%08x of record %d is not a link",
              point.tag(), n.file.record()));
    }
    InterixFile x = interix(n.file);
    if (x == null || x.type() != InterixFile.Type.SYMLINK) {
      throw new NotLinkException(String.valueOf(n.id()));
    }
    return x.displayTarget();
  }

  /**
   * Whether an absolute volume path names a directory (or, when {@code directory} is false, a
   * non-directory), as ntfs-3g checks before taking a link target on an unknown drive to be on
   * this volume.
   */
  private boolean existsAs(String path, boolean directory) {
    try {
      NtfsFile current = file(ROOT);
      for (String name : path.split("/")) {
        if (name.isEmpty()) {
          continue;
        }
        if (!current.isDirectory()) {
          return false;
        }
        Optional<Long> next = search(current, name);
        if (next.isEmpty()) {
          return false;
        }
        current = file(next.get());
      }
      return current.isDirectory() == directory;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public Map<String, byte[]> extendedAttributes(Node node) throws IOException {
    NtfsNode n = cast(node);
    if (n.stream != null) {
      return Map.of();
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    boolean wof = reparseTag(n.file) == TAG_WOF;
    for (NtfsFile.Attr a : n.file.attributes()) {
      AttributeHeader h = a.header();
      if (wof && h.name().equals("WofCompressedData")) {
        continue; // the file's own data, compressed: not a stream of its user's
      }
      if (h.type() == DATA && !h.name().isEmpty() && h.firstVcn() == 0
          && !out.containsKey("user." + h.name())) {
        out.put("user." + h.name(), stream(n.file, DATA, h.name()).readAll(MAX_XATTR_STREAM));
      }
    }
    return out;
  }

  /**
   * The names of a file's named {@code $DATA} streams.
   *
   * @param node a node of this volume
   * @return the stream names in attribute order
   */
  public List<String> streamNames(Node node) {
    NtfsNode n = cast(node);
    List<String> names = new ArrayList<>();
    for (NtfsFile.Attr a : n.file.attributes()) {
      AttributeHeader h = a.header();
      if (h.type() == DATA && !h.name().isEmpty() && h.firstVcn() == 0
          && !names.contains(h.name())) {
        names.add(h.name());
      }
    }
    return names;
  }

  @Override
  public Set<String> attributeViews() {
    return Set.of("basic", "dos", "owner", "posix", "unix", "user", "ntfs");
  }

  /**
   * The {@code ntfs} view: {@code fileAttributes} (the full flag word), {@code mftRecord},
   * {@code sequence}, {@code streams} (named $DATA streams), {@code reparseTag} (0 when none),
   * {@code securityId}, {@code objectId} (a GUID string, or null), {@code dosName} (the 8.3
   * alias, or null), and the security owner and descriptor ({@code ownerSid}, {@code sddl}) when
   * they can be read.
   */
  @Override
  public Map<String, Object> viewAttributes(String view, Node node) throws IOException {
    if (!view.equals("ntfs")) {
      return Volume.super.viewAttributes(view, node);
    }
    NtfsNode n = cast(node);
    StandardInformation si = standardInformation(n.file);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("fileAttributes", windowsAttributes(n.file, si));
    out.put("mftRecord", n.file.record());
    out.put("sequence", n.file.base().sequence());
    out.put("streams", streamNames(n));
    out.put("reparseTag", reparseTag(n.file));
    out.put("securityId", si.securityId());
    AttributeStream oid = stream(n.file, OBJECT_ID, "");
    String objectId = null;
    if (oid != null && oid.size() >= 16) {
      ByteBuffer g = Bytes.le(ByteBuffer.wrap(oid.readAll(64)));
      objectId = String.format("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", g.getInt(0),
          g.getShort(4), g.getShort(6), g.get(8), g.get(9), g.get(10), g.get(11), g.get(12),
          g.get(13), g.get(14), g.get(15));
    }
    out.put("objectId", objectId);
    String dosName = null;
    for (NtfsFile.Attr a : n.file.attributes()) {
      if (a.header().type() == FILE_NAME && !a.header().nonResident()) {
        FileName fn = FileName.parse(a.owner().residentValue(a.header()), source,
            a.ownerOffset());
        if (fn.namespace() == FileName.DOS) {
          dosName = fn.name();
        }
      }
    }
    out.put("dosName", dosName);
    out.putAll(Security.describe(this, n.file));
    return out;
  }

  @Override
  public boolean isReadOnly() {
    return true;
  }

  @Override
  public long totalSpace() {
    return boot.clusterCount() * clusterSize;
  }

  @Override
  public long freeSpace() {
    long free = freeClusters;
    if (free < 0) {
      try {
        free = countFree();
      } catch (IOException e) {
        LOG.warn("{}: cannot count free clusters: {}", source, e.getMessage());
        return 0;
      }
      freeClusters = free;
    }
    return free * clusterSize;
  }

  private long countFree() throws IOException {
    AttributeStream bitmap = stream(file(CLUSTER_BITMAP), DATA, "");
    if (bitmap == null) {
      throw new CorruptStructureException(source, -1, "$Bitmap", "$Bitmap has no $DATA");
    }
    long clusters = boot.clusterCount();
    long used = 0;
    ByteBuffer b = ByteBuffer.allocate(1 << 20);
    for (long pos = 0; pos * 8 < clusters; ) {
      b.clear();
      int n = bitmap.read(pos, b);
      if (n <= 0) {
        break;
      }
      for (int i = 0; i < n && (pos + i) * 8 < clusters; i++) {
        int v = b.get(i) & 0xff;
        long left = clusters - (pos + i) * 8;
        if (left < 8) {
          v &= (1 << left) - 1;
        }
        used += Integer.bitCount(v);
      }
      pos += n;
    }
    return clusters - used;
  }

  @Override
  public void close() {
    records.clear();
    files.clear();
    indexNodes.clear();
    indexes.clear();
    nodes.clear();
  }
}
