package dev.vdisk.ext4.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import dev.vdisk.core.fs.MountOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes jbd2 transactions into an empty internal journal as the kernel does: descriptor blocks
 * with one tag per logged block (32- or 64-bit block numbers, CRC32C tag checksums under csum
 * v2/v3, blocks starting with the jbd2 magic escaped), the logged block images, and a commit
 * block (with its checksum under v2/v3); then the journal superblock's {@code s_start} and
 * {@code s_sequence} mark the log live and {@code needs_recovery} is set in the file system
 * superblock. {@link #checkpoint()} writes the blocks home and marks the journal empty again.
 * Like the kernel, opening turns on csum v3 (and 64-bit tags) in the journal when the file
 * system has metadata_csum (and 64bit). Not thread-safe.
 *
 * <p>No revoke records are written, on purpose. jbd2 needs them when a block logged by a
 * transaction still in the log is freed and then reused for unjournaled file data: a later
 * replay would put the stale logged copy over the data. Here that cannot happen: every
 * transaction is checkpointed (written home, then {@code s_start} = 0) right after its commit
 * and before the next one starts, so a replay only ever sees the one transaction just
 * committed, whose images are the current metadata; blocks freed in a transaction stay
 * allocated until it commits ({@link Ext4Writer#freeBlocks}), so no data lands in them while a
 * log that still holds them can be replayed; stale blocks of older transactions left in the log
 * area carry older sequence numbers and end the scan; and a journal left by the kernel is
 * replayed and emptied ({@link JournalRecovery}) before this writer opens it.
 */
public final class JournalWriter {
  private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
  private static final int TAG_ESCAPE = 1;
  private static final int TAG_SAME_UUID = 2;
  private static final int TAG_LAST = 8;
  private static final int CRC32C_CHKSUM = 4;
  private static final int COMPAT_CHECKSUM = 0x1;

  private final BlockDevice device;
  private final String source;
  private final Superblock sb;
  private final int bs;
  private final FileMap map;
  private final byte[] jsbBlock;
  private final long journalBlocks;
  private JournalSuperblock jsb;
  private int seed;
  private final Map<Long, byte[]> committed = new LinkedHashMap<>();

  private JournalWriter(BlockDevice device, Superblock sb, FileMap map, byte[] jsbBlock,
      long journalBlocks) throws IOException {
    this.device = device;
    this.source = device.description();
    this.sb = sb;
    this.bs = sb.blockSize();
    this.map = map;
    this.jsbBlock = jsbBlock;
    this.journalBlocks = journalBlocks;
    reparse();
  }

  private void reparse() throws IOException {
    jsb = JournalSuperblock.parse(jsbBlock, bs, journalBlocks, source + " journal",
        physical(0) * bs);
    seed = Crc32c.update(~0, jsb.uuid, 0, 16);
  }

  /**
   * Opens the internal journal of a file system that {@link Ext4Writer#checkWritable} accepted.
   *
   * @param device the writable device
   * @return the journal writer
   * @throws UnsafeToWriteException if there is no internal journal, it is not empty, or it uses
   *     the old v1 commit checksums
   * @throws IOException if the journal is corrupt
   */
  public static JournalWriter open(BlockDevice device) throws IOException {
    Superblock sb = Ext4Volume.readSuperblock(device);
    Ext4Writer.checkWritable(device, sb);
    if (!sb.hasCompat(Superblock.COMPAT_HAS_JOURNAL) || sb.journalInum == 0) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, device.description()
          + ": no internal journal");
    }
    FileMap map;
    long journalBlocks;
    try (Ext4Volume v = Ext4Volume.mount(device, MountOptions.defaults())) {
      Inode inode = v.readInode(sb.journalInum);
      map = inode.hasFlag(Inode.FL_EXTENTS) ? FileMap.ofExtents(inode, v)
          : FileMap.ofBlockMap(inode, v);
      journalBlocks = inode.size / sb.blockSize();
    }
    byte[] first = new byte[sb.blockSize()];
    int r = map.find(0);
    if (r < 0 || map.logical(r) != 0) {
      throw new CorruptStructureException(device.description(), -1, "journal",
          "journal block 0 is not mapped");
    }
    device.read(map.physical(r) * sb.blockSize(), ByteBuffer.wrap(first));
    JournalWriter w = new JournalWriter(device, sb, map, first, journalBlocks);
    if (w.jsb.start != 0) {
      throw new UnsafeToWriteException(null, Reason.LOG_NOT_REPLAYED, device.description()
          + ": the journal is not empty (s_start " + w.jsb.start + ")");
    }
    ByteBuffer jb = ByteBuffer.wrap(first).order(ByteOrder.BIG_ENDIAN);
    if (w.jsb.blockType == JournalSuperblock.SUPERBLOCK_V2
        && (jb.getInt(0x24) & COMPAT_CHECKSUM) != 0) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, device.description()
          + ": the journal uses v1 (CRC32) commit checksums");
    }
    w.enableKernelFeatures();
    return w;
  }

  private void enableKernelFeatures() throws IOException {
    if (jsb.blockType != JournalSuperblock.SUPERBLOCK_V2) {
      return;
    }
    ByteBuffer jb = ByteBuffer.wrap(jsbBlock).order(ByteOrder.BIG_ENDIAN);
    int incompat = jb.getInt(0x28);
    int want = incompat;
    if (sb.metadataCsum() && !jsb.csumV2orV3()) {
      want |= JournalSuperblock.INCOMPAT_CSUM_V3;
      jsbBlock[0x50] = CRC32C_CHKSUM;
    }
    if (sb.hasIncompat(Superblock.INCOMPAT_64BIT)) {
      want |= JournalSuperblock.INCOMPAT_64BIT;
    }
    if (want != incompat) {
      jb.putInt(0x28, want);
      writeJournalSuperblock();
      LOG.debug("{}: journal features 0x{} -> 0x{}", source, Integer.toHexString(incompat),
          Integer.toHexString(want));
    }
  }

  /** @return the journal superblock as last written */
  public JournalSuperblock journalSuperblock() {
    return jsb;
  }

  private long physical(long jblock) throws CorruptStructureException {
    int r = map.find(jblock);
    if (r < 0 || map.logical(r) > jblock || map.uninitialized(r)) {
      throw new CorruptStructureException(source, -1, "journal",
          "journal block " + jblock + " is not mapped");
    }
    return map.physical(r) + (jblock - map.logical(r));
  }

  private void writeJournalSuperblock() throws IOException {
    ByteBuffer jb = ByteBuffer.wrap(jsbBlock).order(ByteOrder.BIG_ENDIAN);
    int incompat = jsbBlock.length >= 0x2C ? jb.getInt(0x28) : 0;
    if ((incompat & (JournalSuperblock.INCOMPAT_CSUM_V2 | JournalSuperblock.INCOMPAT_CSUM_V3))
        != 0) {
      jb.putInt(0xFC, 0);
      jb.putInt(0xFC, Crc32c.update(~0, jsbBlock, 0, 1024));
    }
    device.write(physical(0) * bs, ByteBuffer.wrap(jsbBlock));
    device.flush();
    reparse();
  }

  private void setNeedsRecovery(boolean on) throws IOException {
    long blk = Superblock.OFFSET / bs;
    int within = Superblock.OFFSET % bs;
    byte[] b = new byte[bs];
    device.read(blk * bs, ByteBuffer.wrap(b));
    ByteBuffer s = ByteBuffer.wrap(b, within, Superblock.SIZE).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
    int incompat = s.getInt(0x60);
    s.putInt(0x60, on ? incompat | Superblock.INCOMPAT_RECOVER
        : incompat & ~Superblock.INCOMPAT_RECOVER);
    if (sb.metadataCsum()) {
      s.putInt(0x3FC, Crc32c.update(~0, b, within, 0x3FC));
    }
    device.write(blk * bs, ByteBuffer.wrap(b));
    device.flush();
  }

  /**
   * Commits one transaction: logs the block images (target block number to its new contents)
   * and the commit block, then makes the log live. The blocks are not written home until
   * {@link #checkpoint()}.
   *
   * @param blocks the new contents of each metadata block, each exactly one block long
   * @return the transaction's sequence number
   * @throws IOException if the log has no room, a block is outside the volume, or on I/O errors
   */
  public int commit(Map<Long, byte[]> blocks) throws IOException {
    if (!committed.isEmpty()) {
      throw new IllegalStateException("one transaction at a time: checkpoint first");
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("empty transaction");
    }
    boolean v3 = jsb.has(JournalSuperblock.INCOMPAT_CSUM_V3);
    boolean csum = jsb.csumV2orV3();
    boolean is64 = jsb.has(JournalSuperblock.INCOMPAT_64BIT);
    int tagBytes = jsb.tagBytes();
    int end = csum ? bs - 4 : bs;
    int seq = jsb.sequence;
    List<Long> targets = new ArrayList<>(blocks.keySet());
    List<byte[]> log = new ArrayList<>();
    int i = 0;
    while (i < targets.size()) {
      byte[] desc = header(JournalSuperblock.DESCRIPTOR_BLOCK, seq);
      ByteBuffer d = ByteBuffer.wrap(desc).order(ByteOrder.BIG_ENDIAN);
      List<byte[]> data = new ArrayList<>();
      int pos = 12;
      boolean first = true;
      while (i < targets.size() && pos + tagBytes + (first ? 16 : 0) <= end) {
        long target = targets.get(i);
        byte[] img = blocks.get(target);
        if (img.length != bs || target < 0 || target >= sb.blocksCount) {
          throw new IllegalArgumentException("block " + target + " is outside the volume or"
              + " its image is not one block");
        }
        byte[] copy = img.clone();
        int flags = first ? 0 : TAG_SAME_UUID;
        ByteBuffer c = ByteBuffer.wrap(copy).order(ByteOrder.BIG_ENDIAN);
        if (c.getInt(0) == JournalSuperblock.MAGIC) {
          c.putInt(0, 0);
          flags |= TAG_ESCAPE;
        }
        boolean last = i == targets.size() - 1
            || pos + tagBytes + (first ? 16 : 0) + tagBytes > end;
        if (last) {
          flags |= TAG_LAST;
        }
        int tagCrc = 0;
        if (csum) {
          tagCrc = Crc32c.updateBe32(seed, seq);
          tagCrc = Crc32c.update(tagCrc, copy, 0, bs);
        }
        d.putInt(pos, (int) target);
        if (v3) {
          d.putInt(pos + 4, flags);
          d.putInt(pos + 8, is64 ? (int) (target >>> 32) : 0);
          d.putInt(pos + 12, tagCrc);
        } else {
          d.putShort(pos + 4, (short) (csum ? tagCrc : 0));
          d.putShort(pos + 6, (short) flags);
          if (is64) {
            d.putInt(pos + 8, (int) (target >>> 32));
          } else if (target >>> 32 != 0) {
            throw new IllegalArgumentException("block " + target + " needs 64-bit tags");
          }
        }
        pos += tagBytes;
        if (first) {
          System.arraycopy(jsb.uuid, 0, desc, pos, 16);
          pos += 16;
          first = false;
        }
        data.add(copy);
        i++;
        if (last) {
          break;
        }
      }
      if (csum) {
        d.putInt(bs - 4, 0);
        d.putInt(bs - 4, Crc32c.update(seed, desc, 0, bs));
      }
      log.add(desc);
      log.addAll(data);
    }
    byte[] commit = header(JournalSuperblock.COMMIT_BLOCK, seq);
    ByteBuffer cb = ByteBuffer.wrap(commit).order(ByteOrder.BIG_ENDIAN);
    long now = System.currentTimeMillis();
    cb.putLong(0x30, now / 1000);
    cb.putInt(0x38, (int) (now % 1000) * 1_000_000);
    if (csum) {
      cb.putInt(16, Crc32c.update(seed, commit, 0, bs));
    }
    long room = jsb.logEnd() - jsb.first;
    if (log.size() + 1 > room) {
      throw new IOException(source + ": the transaction needs " + (log.size() + 1)
          + " journal blocks, the journal has " + room);
    }
    long j = jsb.first;
    for (byte[] b : log) {
      device.write(physical(j++) * bs, ByteBuffer.wrap(b));
    }
    device.flush();
    device.write(physical(j) * bs, ByteBuffer.wrap(commit));
    device.flush();
    setNeedsRecovery(true);
    ByteBuffer jb = ByteBuffer.wrap(jsbBlock).order(ByteOrder.BIG_ENDIAN);
    jb.putInt(0x18, seq);
    jb.putInt(0x1C, (int) jsb.first);
    writeJournalSuperblock();
    for (Long t : targets) {
      committed.put(t, blocks.get(t).clone());
    }
    LOG.debug("{}: committed transaction {} ({} blocks, {} journal blocks)", source, seq,
        targets.size(), log.size() + 1);
    return seq;
  }

  private byte[] header(int type, int seq) {
    byte[] b = new byte[bs];
    ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
    h.putInt(0, JournalSuperblock.MAGIC);
    h.putInt(4, type);
    h.putInt(8, seq);
    return b;
  }

  /**
   * Writes the committed blocks home, then marks the journal empty (the next transaction gets
   * the next sequence number) and clears {@code needs_recovery}.
   *
   * @throws IOException on an I/O error
   */
  public void checkpoint() throws IOException {
    if (committed.isEmpty()) {
      return;
    }
    for (Map.Entry<Long, byte[]> e : committed.entrySet()) {
      device.write(e.getKey() * bs, ByteBuffer.wrap(e.getValue()));
    }
    device.flush();
    ByteBuffer jb = ByteBuffer.wrap(jsbBlock).order(ByteOrder.BIG_ENDIAN);
    jb.putInt(0x18, jsb.sequence + 1);
    jb.putInt(0x1C, 0);
    writeJournalSuperblock();
    setNeedsRecovery(false);
    committed.clear();
  }
}
