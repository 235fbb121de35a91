package dev.vdisk.ext4.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.fs.MountOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a jbd2 journal into the image, as the kernel does on mount and {@code e2fsck} does
 * before checking: the complete transactions the read side's {@link Journal} scan finds (revoke
 * records honoured) are written to their home blocks and flushed; then the journal is marked
 * empty ({@code s_start} = 0, {@code s_sequence} one past the sequence after the last complete
 * transaction, or one past the old one when the log was already empty, as jbd2 advances it, with the journal superblock checksum under csum v2/v3) and
 * flushed; last, {@code needs_recovery} is cleared in the file system superblock (with its
 * checksum). A crash at any point leaves an image that replays again to the same result.
 *
 * <p>Refused with {@link UnsafeToWriteException}: an external journal, a journal with an unknown
 * incompatible feature or fast commits, and a journal that recorded an error ({@code s_errno}).
 */
public final class JournalRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);
  private static final int JSB_SEQUENCE = 0x18;
  private static final int JSB_START = 0x1C;
  private static final int JSB_ERRNO = 0x20;
  private static final int JSB_INCOMPAT = 0x28;
  private static final int JSB_CHECKSUM = 0xFC;

  private JournalRecovery() {}

  /** What a recovery did. */
  public record Result(int transactions, int blocks, int newSequence) {}

  /**
   * Replays the journal of a file system whose superblock has {@code needs_recovery}.
   *
   * @param device the writable device
   * @param sb its superblock (read before recovery)
   * @return what was replayed
   * @throws UnsafeToWriteException if the journal cannot be replayed here (external, unknown
   *     features, fast commits, an error recorded)
   * @throws IOException on a corrupt journal or an I/O error
   */
  public static Result recover(BlockDevice device, Superblock sb) throws IOException {
    String src = device.description();
    if (!sb.hasIncompat(Superblock.INCOMPAT_RECOVER)) {
      throw new IllegalArgumentException(src + ": the journal does not need recovery");
    }
    if (!sb.hasCompat(Superblock.COMPAT_HAS_JOURNAL)) {
      throw new UnsafeToWriteException(null, Reason.LOG_NOT_REPLAYED, src
          + ": needs_recovery is set but the file system has no journal (has_journal is clear);"
          + " run e2fsck first");
    }
    if (sb.journalInum == 0) {
      throw new UnsafeToWriteException(null, Reason.LOG_NOT_REPLAYED, src
          + ": the journal needs recovery but is on an external device (s_journal_dev "
          + sb.journalDev + "); replay it with e2fsck and the journal device first");
    }
    Journal.Scan scan;
    try (Ext4Volume v = Ext4Volume.mount(device, MountOptions.defaults())) {
      scan = Journal.scan(v, sb.journalInum);
    } catch (UnsupportedFeatureException e) {
      throw new UnsafeToWriteException(null, Reason.LOG_NOT_REPLAYED, src
          + ": the journal needs recovery but uses a feature not supported here ("
          + e.getMessage() + "); replay it with e2fsck first");
    }
    JournalSuperblock jsb = scan.journalSuperblock();
    int bs = sb.blockSize();
    byte[] jsbBlock = new byte[bs];
    device.read(scan.superblockBlock() * bs, ByteBuffer.wrap(jsbBlock));
    ByteBuffer jb = ByteBuffer.wrap(jsbBlock).order(ByteOrder.BIG_ENDIAN);
    if (jsb.has(JournalSuperblock.INCOMPAT_FAST_COMMIT)) {
      throw new UnsafeToWriteException(null, Reason.LOG_NOT_REPLAYED, src
          + ": the journal needs recovery and uses fast commits, whose replay is not"
          + " implemented; replay it with e2fsck or a kernel mount first");
    }
    int errno = jsb.blockType == JournalSuperblock.SUPERBLOCK_V2 ? jb.getInt(JSB_ERRNO) : 0;
    if (errno != 0) {
      throw new UnsafeToWriteException(null, Reason.DIRTY, src
          + ": the journal recorded an error (s_errno " + errno + "); run e2fsck first");
    }
    for (Map.Entry<Long, byte[]> e : scan.blocks().entrySet()) {
      device.write(e.getKey() * bs, ByteBuffer.wrap(e.getValue()));
    }
    device.flush();
    // jbd2_journal_recover: an empty log gives the next transaction s_sequence + 1; a replayed
    // one skips a number after the last complete transaction
    int newSequence = jsb.start == 0 ? jsb.sequence + 1 : scan.endSequence() + 1;
    jb.putInt(JSB_SEQUENCE, newSequence);
    jb.putInt(JSB_START, 0);
    int incompat = jsb.blockType == JournalSuperblock.SUPERBLOCK_V2 ? jb.getInt(JSB_INCOMPAT)
        : 0;
    if ((incompat & (JournalSuperblock.INCOMPAT_CSUM_V2
        | JournalSuperblock.INCOMPAT_CSUM_V3)) != 0) {
      jb.putInt(JSB_CHECKSUM, 0);
      jb.putInt(JSB_CHECKSUM, Crc32c.update(~0, jsbBlock, 0, 1024));
    }
    device.write(scan.superblockBlock() * bs, ByteBuffer.wrap(jsbBlock));
    device.flush();
    clearNeedsRecovery(device, bs);
    LOG.info("{}: replayed the journal into the image: {} transaction(s) from sequence {}, {}"
        + " block(s) written home; journal emptied (next sequence {}), needs_recovery cleared",
        src, scan.transactions(), jsb.sequence, scan.blocks().size(), newSequence);
    return new Result(scan.transactions(), scan.blocks().size(), newSequence);
  }

  private static void clearNeedsRecovery(BlockDevice device, int bs) throws IOException {
    long blk = Superblock.OFFSET / bs;
    int within = Superblock.OFFSET % bs;
    byte[] b = new byte[bs];
    device.read(blk * bs, ByteBuffer.wrap(b));
    ByteBuffer s = ByteBuffer.wrap(b, within, Superblock.SIZE).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
    s.putInt(0x60, s.getInt(0x60) & ~Superblock.INCOMPAT_RECOVER);
    if ((s.getInt(0x64) & Superblock.RO_COMPAT_METADATA_CSUM) != 0) {
      s.putInt(0x3FC, Crc32c.update(~0, b, within, 0x3FC));
    }
    device.write(blk * bs, ByteBuffer.wrap(b));
    device.flush();
  }
}
