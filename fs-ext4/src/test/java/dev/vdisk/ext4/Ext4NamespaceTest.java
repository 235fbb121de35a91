package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.ext4.internal.Directories;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.Inode;
import dev.vdisk.ext4.internal.Namespace;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Namespace} and {@link Directories} on the small seed images (no external tools): a
 * directory grows past one block into an htree through hard links (the images have few free
 * inodes), loses a quarter of its names and has some renamed; our reader then lists exactly the
 * model and finds every name through the htree index without falling back to a linear scan.
 */
class Ext4NamespaceTest {

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void anHtreeGrownByLinksReadsBackThroughItsIndex(String image) throws IOException {
    byte[] img = Ext4WriterTest.image(image);
    MemoryBlockDevice dev = new MemoryBlockDevice(img, true, "test.img", 512);
    Ext4Writer w = Ext4Writer.open(dev);
    Namespace ns = w.namespace();
    long d = ns.mkdir(Ext4Volume.ROOT_INO, "d", 0755, 1000, 1000);
    List<Long> files = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      files.add(ns.create(d, "file" + i, 0644, 1000, 1000));
    }
    Map<String, Long> model = new TreeMap<>();
    for (int i = 0; i < 20; i++) {
      model.put("file" + i, files.get(i));
    }
    Random rnd = new Random(5);
    for (int i = 0; i < 280; i++) {
      String n = "link-" + i + "-" + "v".repeat(rnd.nextInt(20));
      long target = files.get(rnd.nextInt(files.size()));
      ns.link(d, n, target);
      model.put(n, target);
    }
    assertThatThrownBy(() -> ns.link(d, "file3", files.get(0)))
        .isInstanceOf(FileAlreadyExistsException.class);
    List<String> names = new ArrayList<>(model.keySet());
    for (int i = 0; i < names.size(); i += 4) {
      ns.unlink(d, names.get(i));
      model.remove(names.get(i));
    }
    assertThatThrownBy(() -> ns.unlink(d, names.get(0)))
        .isInstanceOf(NoSuchFileException.class);
    for (int i = 1; i < names.size(); i += 8) {
      String to = "renamed-" + i;
      ns.rename(d, names.get(i), d, to);
      model.put(to, model.remove(names.get(i)));
    }
    w.commit();
    assertThat(w.inode(d).hasFlag(Inode.FL_INDEX)).as("the directory became an htree").isTrue();
    assertThat(w.inode(d).size()).isGreaterThan(4L * w.blockSize());
    assertThat(w.inode(d).links()).isEqualTo(2);

    try (Ext4Volume v = Ext4Volume.mount(Ext4Fixtures.device(img), MountOptions.defaults())) {
      Node dir = v.lookup(v.root(), "d").orElseThrow();
      for (Map.Entry<String, Long> e : model.entrySet()) {
        assertThat(v.lookup(dir, e.getKey()).orElseThrow().id()).isEqualTo(e.getValue());
      }
      for (int i = 0; i < names.size(); i += 4) {
        assertThat(v.lookup(dir, names.get(i))).isEmpty();
      }
      assertThat(v.hashedLookups()).isGreaterThan(model.size());
      assertThat(v.htreeFallbacks()).isZero();
      Map<String, Long> listed = new TreeMap<>();
      for (DirectoryEntry e : v.list(dir)) {
        listed.put(e.name(), e.id());
      }
      assertThat(listed).isEqualTo(model);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void namesThatCannotBeStoredAreRefusedBeforeAnythingChanges(String image) throws IOException {
    byte[] img = Ext4WriterTest.image(image);
    byte[] before = img.clone();
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(img, true, "test.img", 512));
    Namespace ns = w.namespace();
    for (String bad : List.of("", ".", "..", "a/b", "nul\0", "x".repeat(256))) {
      assertThatThrownBy(() -> ns.create(Ext4Volume.ROOT_INO, bad, 0644, 0, 0))
          .as("'%s'", bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> ns.mkdir(Ext4Volume.ROOT_INO, "lost+found", 0755, 0, 0))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> ns.rmdir(Ext4Volume.ROOT_INO, "lost+found-not"))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> ns.link(Ext4Volume.ROOT_INO, "again",
        ns.lookup(Ext4Volume.ROOT_INO, "lost+found")))
        .isInstanceOf(java.nio.file.FileSystemException.class)
        .hasMessageContaining("not permitted");
    assertThatThrownBy(() -> ns.create(Ext4Volume.ROOT_INO, "d", 0040755, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    w.commit();
    assertThat(img).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void corruptDirectoriesGiveTypedErrors(String image) throws IOException {
    byte[] img = Ext4WriterTest.image(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(img, true, "test.img", 512));
    Namespace ns = w.namespace();
    long d = ns.mkdir(Ext4Volume.ROOT_INO, "d", 0755, 0, 0);
    long f = ns.create(d, "target", 0644, 0, 0);
    for (int i = 0; i < 120; i++) {
      ns.link(d, "name-" + i + "-" + "q".repeat(i % 23), f);
    }
    long h = ns.mkdir(Ext4Volume.ROOT_INO, "linear", 0755, 0, 0);
    w.commit();
    assertThat(w.inode(d).hasFlag(Inode.FL_INDEX)).isTrue();
    long root = w.files().map(w.inode(d), 0);
    long linear = w.files().map(w.inode(h), 0);
    java.nio.ByteBuffer img2 = java.nio.ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int bs = w.blockSize();

    // a linear block whose '..' record runs past the block
    byte[] saved = java.util.Arrays.copyOfRange(img, (int) linear * bs, (int) (linear + 1) * bs);
    img2.putShort((int) linear * bs + 12 + 4, (short) (bs + 40));
    Ext4Writer w2 = Ext4Writer.open(new MemoryBlockDevice(img, true, "test.img", 512));
    assertThatThrownBy(() -> w2.namespace().create(h, "x", 0644, 0, 0))
        .isInstanceOf(dev.vdisk.core.CorruptStructureException.class);
    System.arraycopy(saved, 0, img, (int) linear * bs, bs);

    // an htree root whose count exceeds its limit
    int countAt = (int) root * bs + 0x22;
    short count = img2.getShort(countAt);
    img2.putShort(countAt, (short) 0x7FFF);
    Ext4Writer w3 = Ext4Writer.open(new MemoryBlockDevice(img, true, "test.img", 512));
    assertThatThrownBy(() -> w3.namespace().create(d, "x", 0644, 0, 0))
        .isInstanceOf(dev.vdisk.core.CorruptStructureException.class)
        .hasMessageContaining("htree");
    assertThatThrownBy(() -> w3.namespace().unlink(d, "name-3-qqq"))
        .isInstanceOf(dev.vdisk.core.CorruptStructureException.class);
    img2.putShort(countAt, count);

    // an index entry pointing outside the directory
    int entry1 = (int) root * bs + 0x20 + 8 + 4;
    int blockBefore = img2.getInt(entry1);
    img2.putInt(entry1, 0x0FFFFFF);
    Ext4Writer w4 = Ext4Writer.open(new MemoryBlockDevice(img, true, "test.img", 512));
    int refused = 0;
    for (int i = 0; i < 40; i++) {
      String n = "probe-" + i;
      try {
        w4.namespace().create(d, n, 0644, 0, 0);
      } catch (dev.vdisk.core.CorruptStructureException expected) {
        assertThat(expected.getMessage()).containsAnyOf("outside the directory", "dt_checksum");
        refused++;
      }
    }
    assertThat(refused).isPositive();
    img2.putInt(entry1, blockBefore);
  }
}
