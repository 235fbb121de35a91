package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.ext4.internal.DirHash;
import dev.vdisk.ext4.internal.DirectoryBlock;
import dev.vdisk.ext4.internal.ExtendedAttributes;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.FileMap;
import dev.vdisk.ext4.internal.Inode;
import dev.vdisk.ext4.internal.Superblock;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer targets for the ext4 parsers: whole images, the superblock, an inode (with its block map
 * or extent tree and in-inode xattrs), an extent tree over arbitrary blocks, a directory block,
 * and a journal laid onto a clean image whose superblock then says needs_recovery. Only typed
 * errors may come out ({@link VdiskException}, {@link FileSystemException}); a cyclic extent
 * tree or directory must end in an error or a bounded walk, never a hang.
 *
 * <p>Seeds in {@code Ext4FuzzTestInputs/<target>} come from mke2fs and debugfs
 * ({@code testdata/scripts/make-ext4-fuzz-seeds.sh}); they run as a regression test in every
 * build, and {@code JAZZER_FUZZ=1} fuzzes.
 */
class Ext4FuzzTest {
  private static final byte[] BASE = Ext4Fixtures.resource("journal-base.img.gz");
  private static final Superblock CSUM_SB;
  private static final Superblock PLAIN_SB;
  private static final long JOURNAL_OFFSET;
  private static final int JOURNAL_BYTES;

  static {
    try {
      CSUM_SB = Superblock.parse(ByteBuffer.wrap(Ext4Fixtures.seed("superblock", "ext4")), "seed",
          0);
      PLAIN_SB = Superblock.parse(ByteBuffer.wrap(Ext4Fixtures.seed("superblock", "nocsum")),
          "seed", 0);
      try (Ext4Volume v = Ext4Volume.mount(Ext4Fixtures.device(BASE), MountOptions.defaults())) {
        Inode journal = v.readInode(8);
        FileMap map = FileMap.ofExtents(journal, v);
        JOURNAL_OFFSET = map.physical(0) * v.blockSize();
        JOURNAL_BYTES = (int) Math.min(64 * 1024, (long) map.length(0) * v.blockSize());
      }
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    try {
      Ext4Fixtures.walk(input, 500);
    } catch (VdiskException | FileSystemException | EOFException expected) {
      // corrupt or unsupported, with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void superblock(byte[] input) {
    byte[] b = Arrays.copyOf(input, 1024);
    try {
      Superblock sb = Superblock.parse(ByteBuffer.wrap(b), "fuzz", 1L << 30);
      assertThat(sb.blockSize()).isBetween(1024, 65536);
      assertThat(sb.typeName()).startsWith("ext");
      sb.featureNames();
      sb.uuidString();
      for (long g = 0; g < Math.min(sb.groupCount(), 64); g++) {
        sb.groupHasSuper(g);
      }
      sb.checkFeatures("fuzz");
    } catch (CorruptStructureException | UnsupportedFeatureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void inode(byte[] input) throws IOException {
    if (input.length < 1024 + 128) {
      return;
    }
    Superblock sb;
    try {
      sb = Superblock.parse(ByteBuffer.wrap(input, 0, 1024).slice(), "fuzz", 1L << 30);
    } catch (CorruptStructureException expected) {
      sb = PLAIN_SB;
    }
    byte[] raw = Arrays.copyOfRange(input, 1024, 1024 + sb.inodeSize);
    try {
      Inode inode = Inode.parse(raw, 12, sb, "fuzz", -1);
      inode.rdev();
      ExtendedAttributes.inInode(inode, "fuzz");
      FileMap.Blocks blocks = blocks(new byte[0], sb);
      if (inode.hasFlag(Inode.FL_EXTENTS)) {
        FileMap.ofExtents(inode, blocks);
      } else {
        FileMap.ofBlockMap(inode, blocks);
      }
    } catch (VdiskException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void extentTree(byte[] input) throws IOException {
    if (input.length < 60) {
      return;
    }
    byte[] raw = new byte[256];
    System.arraycopy(input, 0, raw, 0x28, 60);
    ByteBuffer r = ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    r.putShort(0, (short) 0100644);
    r.putInt(4, 1 << 30);
    r.putInt(0x20, Inode.FL_EXTENTS);
    r.putShort(0x80, (short) 32);
    Inode inode = Inode.parse(raw, 12, PLAIN_SB, "fuzz", -1);
    try {
      FileMap map = FileMap.ofExtents(inode, blocks(Arrays.copyOfRange(input, 60, input.length),
          PLAIN_SB));
      for (int i = 0; i < map.size(); i++) {
        assertThat(map.find(map.logical(i))).isEqualTo(i);
      }
    } catch (VdiskException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void directoryBlock(byte[] input) {
    for (boolean filetype : new boolean[] {true, false}) {
      List<DirectoryBlock.Entry> out = new ArrayList<>();
      try {
        int end = DirectoryBlock.hasTail(input) ? input.length - 12 : input.length;
        if (end < input.length) {
          DirectoryBlock.verifyTail(input, 0, "fuzz", 0, "fuzz");
        }
        DirectoryBlock.parse(input, 0, end, filetype, 1024, out, "fuzz", 0, "fuzz");
      } catch (CorruptStructureException expected) {
        // rejected with a typed error
      }
      for (DirectoryBlock.Entry e : out) {
        assertThat(e.name.length).isPositive();
        for (int v = 0; v < 6; v++) {
          assertThat(DirHash.hash(v, e.name, null) & 1).isZero();
        }
      }
    }
  }

  @FuzzTest(maxDuration = "2m")
  void journal(byte[] input) throws IOException {
    byte[] image = BASE.clone();
    System.arraycopy(input, 0, image, (int) JOURNAL_OFFSET, Math.min(input.length,
        JOURNAL_BYTES));
    Ext4Fixtures.setIncompat(image, Ext4Fixtures.incompat(image) | Superblock.INCOMPAT_RECOVER);
    Ext4Fixtures.fixSuperblockChecksum(image);
    try {
      Ext4Fixtures.walk(image, 200);
    } catch (VdiskException | FileSystemException | EOFException expected) {
      // corrupt or unsupported journal, with a typed error
    }
  }

  private static FileMap.Blocks blocks(byte[] data, Superblock sb) {
    return new FileMap.Blocks() {
      @Override
      public byte[] block(long block) throws IOException {
        long off = block * 1024;
        if (off + 1024 > data.length) {
          return new byte[1024];
        }
        return Arrays.copyOfRange(data, (int) off, (int) off + 1024);
      }

      @Override
      public int blockSize() {
        return 1024;
      }

      @Override
      public long blocksCount() {
        return 1 << 20;
      }

      @Override
      public String source() {
        return "fuzz";
      }

      @Override
      public Superblock superblock() {
        return sb;
      }
    };
  }

}
