package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jbd2 journal recovery into memory, as the kernel's {@code jbd2_journal_recover} does it on
 * mount: scan the log from {@code s_start} for complete transactions (a descriptor, data blocks,
 * revoke blocks, a commit whose checksum holds), then replay every logged block that no later
 * revoke record cancels. Nothing is written: the result is a map from file-system block to its
 * recovered content.
 */
final class Journal {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final int TAG_ESCAPE = 1;
  private static final int TAG_SAME_UUID = 2;
  private static final int TAG_LAST = 8;

  private final Ext4Volume volume;
  private final FileMap map;
  private final JournalSuperblock jsb;
  private final int bs;
  private final int seed;
  private final String source;

  private Journal(Ext4Volume volume, FileMap map, JournalSuperblock jsb) {
    this.volume = volume;
    this.map = map;
    this.jsb = jsb;
    this.bs = volume.blockSize();
    this.seed = jsb == null ? 0 : Crc32c.update(~0, jsb.uuid, 0, 16);
    this.source = volume.source() + " journal";
  }

  private static final class Tag {
    final long target;
    final long journalBlock;
    final boolean escaped;
    final int checksum;

    Tag(long target, long journalBlock, boolean escaped, int checksum) {
      this.target = target;
      this.journalBlock = journalBlock;
      this.escaped = escaped;
      this.checksum = checksum;
    }
  }

  private static final class Transaction {
    final int sequence;
    final List<Tag> tags = new ArrayList<>();
    final List<Long> revoked = new ArrayList<>();

    Transaction(int sequence) {
      this.sequence = sequence;
    }
  }

  /**
   * Replays the journal in an inode.
   *
   * @param volume the volume (its overlay still empty)
   * @param journalInum the journal inode
   * @return recovered blocks by file-system block number, in replay order
   * @throws IOException on an I/O error or a corrupt journal superblock
   */
  static Map<Long, byte[]> replay(Ext4Volume volume, long journalInum) throws IOException {
    return scan(volume, journalInum).blocks();
  }

  /**
   * What a journal scan found.
   *
   * @param blocks recovered blocks by file-system block number, in replay order
   * @param journalSuperblock the journal superblock
   * @param superblockBlock the physical block holding the journal superblock
   * @param transactions how many complete transactions were found
   * @param endSequence the sequence number after the last complete transaction (the journal's
   *     {@code s_sequence} when the log is empty or holds none)
   */
  record Scan(Map<Long, byte[]> blocks, JournalSuperblock journalSuperblock,
      long superblockBlock, int transactions, int endSequence) {}

  /**
   * Scans the journal in an inode as {@link #replay} does, and reports where the log ended.
   *
   * @param volume the volume (its overlay still empty)
   * @param journalInum the journal inode
   * @return the scan
   * @throws IOException on an I/O error or a corrupt journal superblock
   */
  static Scan scan(Ext4Volume volume, long journalInum) throws IOException {
    Inode inode = volume.readInode(journalInum);
    Superblock sb = volume.superblock();
    if ((inode.mode == 0 || inode.size == 0) && sb.jnlBackupType == 1) {
      LOG.warn("{}: journal inode {} is empty; using the superblock's backup of its block map",
          volume.source(), journalInum);
      inode = Inode.fromJournalBackup(sb, journalInum);
    }
    FileMap map = inode.hasFlag(Inode.FL_EXTENTS) ? FileMap.ofExtents(inode, volume)
        : FileMap.ofBlockMap(inode, volume);
    long journalBlocks = inode.size / volume.blockSize();
    Journal j = new Journal(volume, map, null);
    byte[] first = j.block(0);
    JournalSuperblock jsb = JournalSuperblock.parse(first, volume.blockSize(), journalBlocks,
        volume.source() + " journal", j.physical(0) * volume.blockSize());
    if (jsb.start == 0) {
      LOG.debug("{}: needs_recovery is set but the journal is empty", volume.source());
      return new Scan(Map.of(), jsb, j.physical(0), 0, jsb.sequence);
    }
    return new Journal(volume, map, jsb).recover(j.physical(0));
  }

  private long physical(long jblock) throws CorruptStructureException {
    int r = map.find(jblock);
    if (r < 0 || map.uninitialized(r)) {
      throw new CorruptStructureException(volume.source(), -1, "journal",
          "journal block " + jblock + " is not mapped");
    }
    return map.physical(r) + (jblock - map.logical(r));
  }

  private byte[] block(long jblock) throws IOException {
    return volume.rawBlock(physical(jblock));
  }

  private long next(long j) {
    long n = j + 1;
    return n >= jsb.logEnd() ? jsb.first : n;
  }

  private boolean tailOk(byte[] b) {
    if (!jsb.csumV2orV3()) {
      return true;
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
    int stored = bb.getInt(bs - 4);
    int crc = Crc32c.update(seed, b, 0, bs - 4);
    crc = Crc32c.updateZeros(crc, 4);
    return crc == stored;
  }

  private boolean commitOk(byte[] b) {
    if (!jsb.csumV2orV3()) {
      return true;
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
    int stored = bb.getInt(16);
    int crc = Crc32c.update(seed, b, 0, 16);
    crc = Crc32c.updateZeros(crc, 4);
    crc = Crc32c.update(crc, b, 20, bs - 20);
    return crc == stored;
  }

  private Scan recover(long superblockBlock) throws IOException {
    List<Transaction> complete = new ArrayList<>();
    long j = jsb.start;
    int seq = jsb.sequence;
    Transaction current = null;
    long budget = jsb.maxLen;
    boolean is64 = jsb.has(JournalSuperblock.INCOMPAT_64BIT);
    boolean v3 = jsb.has(JournalSuperblock.INCOMPAT_CSUM_V3);
    scan:
    while (budget-- > 0) {
      byte[] b = block(j);
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
      if (bb.getInt(0) != JournalSuperblock.MAGIC || bb.getInt(8) != seq) {
        break;
      }
      int type = bb.getInt(4);
      if (current == null) {
        current = new Transaction(seq);
      }
      switch (type) {
        case JournalSuperblock.DESCRIPTOR_BLOCK: {
          if (!tailOk(b)) {
            LOG.warn("{}: descriptor block {} of transaction {} fails its checksum; the log ends"
                + " there", source, j, seq);
            break scan;
          }
          int end = jsb.csumV2orV3() ? bs - 4 : bs;
          int pos = 12;
          int tagBytes = jsb.tagBytes();
          long data = j;
          while (pos + tagBytes <= end) {
            long lo = bb.getInt(pos) & 0xFFFFFFFFL;
            int flags;
            long hi = 0;
            int csum;
            if (v3) {
              flags = bb.getInt(pos + 4);
              if (is64) {
                hi = bb.getInt(pos + 8) & 0xFFFFFFFFL;
              }
              csum = bb.getInt(pos + 12);
            } else {
              csum = bb.getShort(pos + 4) & 0xFFFF;
              flags = bb.getShort(pos + 6) & 0xFFFF;
              if (is64) {
                hi = bb.getInt(pos + 8) & 0xFFFFFFFFL;
              }
            }
            data = next(data);
            budget--;
            current.tags.add(new Tag((hi << 32) | lo, data, (flags & TAG_ESCAPE) != 0, csum));
            pos += tagBytes;
            if ((flags & TAG_SAME_UUID) == 0) {
              pos += 16;
            }
            if ((flags & TAG_LAST) != 0) {
              break;
            }
          }
          j = data;
          break;
        }
        case JournalSuperblock.COMMIT_BLOCK:
          if (!commitOk(b)) {
            LOG.warn("{}: commit block {} of transaction {} fails its checksum; the transaction"
                + " is not replayed and the log ends there", source, j, seq);
            break scan;
          }
          complete.add(current);
          current = null;
          seq++;
          break;
        case JournalSuperblock.REVOKE_BLOCK: {
          if (!tailOk(b)) {
            LOG.warn("{}: revoke block {} fails its checksum; the log ends there", source, j);
            break scan;
          }
          int count = bb.getInt(12);
          int limit = Math.min(count, jsb.csumV2orV3() ? bs - 4 : bs);
          int rec = is64 ? 8 : 4;
          for (int p = 16; p + rec <= limit; p += rec) {
            current.revoked.add(is64 ? bb.getLong(p) : bb.getInt(p) & 0xFFFFFFFFL);
          }
          break;
        }
        default:
          LOG.debug("{}: block {} has type {}: end of log", source, j, type);
          break scan;
      }
      j = next(j);
    }
    Map<Long, Integer> revokedAt = new HashMap<>();
    for (Transaction t : complete) {
      for (long r : t.revoked) {
        revokedAt.merge(r, t.sequence, (a, c) -> (c - a) > 0 ? c : a);
      }
    }
    Map<Long, byte[]> out = new LinkedHashMap<>();
    for (Transaction t : complete) {
      for (Tag tag : t.tags) {
        Integer r = revokedAt.get(tag.target);
        if (r != null && (r - t.sequence) >= 0) {
          continue;
        }
        if (tag.target >= volume.blocksCount()) {
          throw new CorruptStructureException(volume.source(), -1, "journal block tag",
              "transaction " + t.sequence + " logs block " + tag.target
                  + ", outside the volume");
        }
        byte[] data = block(tag.journalBlock);
        if (jsb.csumV2orV3()) {
          int crc = Crc32c.updateBe32(seed, t.sequence);
          crc = Crc32c.update(crc, data, 0, bs);
          int expected = v3 ? crc : crc & 0xFFFF;
          if (expected != tag.checksum) {
            LOG.warn("{}: logged copy of block {} in transaction {} fails its checksum; not"
                + " replayed", source, tag.target, t.sequence);
            continue;
          }
        }
        if (tag.escaped) {
          ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).putInt(0, JournalSuperblock.MAGIC);
        }
        out.remove(tag.target);
        out.put(tag.target, data);
      }
    }
    LOG.debug("{}: {} complete transactions from sequence {}, {} blocks recovered", source,
        complete.size(), jsb.sequence, out.size());
    return new Scan(out, jsb, superblockBlock, complete.size(), seq);
  }
}
