package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.MutableInode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * File data written through {@code FileData} on the small seed images, read back through this
 * project's reader (no external tools; {@code Ext4FileDataIT} checks the same against e2fsck,
 * debugfs and the kernel).
 */
class Ext4FileDataTest {
  private static byte[] read(byte[] img, String path) throws IOException {
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(img))) {
      return Files.readAllBytes(fs.getPath(path));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void randomWritesAndTruncationsReadBackThroughTheReader(String name) throws IOException {
    long seed = name.hashCode();
    System.out.println(name + " seed " + seed);
    Random rnd = new Random(seed);
    byte[] img = Ext4WriterTest.image(name);
    Ext4Writer w = Ext4Writer.open(Ext4WriterTest.writable(img));
    int bs = w.blockSize();
    long ino = w.createFile(Ext4Volume.ROOT_INO, "data", 0644);
    byte[] model = new byte[0];
    for (int op = 0; op < 40; op++) {
      MutableInode inode = w.inode(ino);
      if (rnd.nextInt(4) == 0) {
        int size = rnd.nextInt(20 * bs);
        w.files().truncate(inode, size);
        model = Arrays.copyOf(model, size);
      } else {
        int pos = rnd.nextInt(24 * bs);
        byte[] src = new byte[1 + rnd.nextInt(3 * bs)];
        rnd.nextBytes(src);
        w.files().write(inode, pos, ByteBuffer.wrap(src));
        if (pos + src.length > model.length) {
          model = Arrays.copyOf(model, pos + src.length);
        }
        System.arraycopy(src, 0, model, pos, src.length);
      }
      assertThat(inode.size()).isEqualTo(model.length);
    }
    w.commit();
    assertThat(read(img, "/data")).isEqualTo(model);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void everyOtherBlockThenFreeAllGivesTheBlocksBack(String name) throws IOException {
    byte[] img = Ext4WriterTest.image(name);
    Ext4Writer w = Ext4Writer.open(Ext4WriterTest.writable(img));
    int bs = w.blockSize();
    long ino = w.createFile(Ext4Volume.ROOT_INO, "sparse", 0644);
    w.commit();
    long free = w.freeBlocks();
    MutableInode inode = w.inode(ino);
    byte[] model = new byte[0];
    for (int i = 0; i < 30; i++) {
      byte[] src = new byte[bs];
      Arrays.fill(src, (byte) (i + 1));
      w.files().write(inode, 2L * i * bs, ByteBuffer.wrap(src));
      model = Arrays.copyOf(model, (2 * i + 1) * bs);
      System.arraycopy(src, 0, model, 2 * i * bs, bs);
    }
    assertThat(w.files().map(inode, 2)).isPositive();
    assertThat(w.files().map(inode, 3)).isEqualTo(-1);
    // data blocks, plus tree or indirect blocks
    assertThat(inode.sectors()).isGreaterThan(30L * bs / 512);
    w.commit();
    assertThat(read(img, "/sparse")).isEqualTo(model);
    inode = w.inode(ino);
    w.files().freeAll(inode);
    assertThat(inode.sectors()).isZero();
    assertThat(inode.size()).isZero();
    w.commit();
    assertThat(w.freeBlocks()).isEqualTo(free);
    assertThat(read(img, "/sparse")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4"})
  void refusesBadArguments(String name) throws IOException {
    byte[] img = Ext4WriterTest.image(name);
    Ext4Writer w = Ext4Writer.open(Ext4WriterTest.writable(img));
    long ino = w.createFile(Ext4Volume.ROOT_INO, "f", 0644);
    MutableInode inode = w.inode(ino);
    assertThatThrownBy(() -> w.files().write(inode, -1, ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.files().truncate(inode, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.files().write(inode, 1L << 62, ByteBuffer.allocate(1)))
        .isInstanceOf(java.nio.file.FileSystemException.class);
    assertThat(w.files().write(inode, 0, ByteBuffer.allocate(0))).isZero();
    MutableInode root = w.inode(Ext4Volume.ROOT_INO);
    assertThatThrownBy(() -> w.files().write(root, 0, ByteBuffer.allocate(1)))
        .isInstanceOf(java.nio.file.FileSystemException.class)
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> w.files().truncate(root, 0))
        .isInstanceOf(java.nio.file.FileSystemException.class);
    assertThatThrownBy(() -> w.files().writeSymlink(inode, new byte[w.blockSize()]))
        .isInstanceOf(java.nio.file.FileSystemException.class);
  }
}
