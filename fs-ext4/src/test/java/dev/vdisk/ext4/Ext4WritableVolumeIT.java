package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ext4 driver's writable mount: changes are visible to reads at once (before any commit),
 * and what closing writes is accepted by {@code e2fsck -fn} and shown by {@code debugfs} with the
 * modes, 32-bit owners and nanosecond times that were set.
 */
class Ext4WritableVolumeIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 4096",
      "ext3-1k,-t ext3 -b 1024",
      "ext4-default,-t ext4 -b 4096",
      "ext4-no-csum,'-t ext4 -O ^metadata_csum'",
  })
  void changesAreReadBackAtOnceAndE2fsckAcceptsThem(String name, String options)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "32M");
    boolean nanos = !Oracles.runOk("dumpe2fs", "-h", image.toString())
        .matches("(?s).*Inode size:\\s+128\\b.*");
    byte[] bytes = Files.readAllBytes(image);
    MemoryBlockDevice dev = new MemoryBlockDevice(bytes, true, image.toString(), 512);
    Instant when = Instant.parse("2031-05-06T07:08:09.123456789Z");
    try (Volume v = new Ext4Driver().mount(dev, new MountOptions(false, 1 << 20))) {
      assertThat(v.isReadOnly()).isFalse();
      Node root = v.root();
      Node dir = v.create(root, "etc", NodeType.DIRECTORY, 0750);
      Node file = v.create(dir, "motd", NodeType.REGULAR_FILE, 0600);
      assertThat(v.lookup(root, "etc")).map(Node::id).contains(dir.id());
      assertThat(v.list(dir)).extracting(DirectoryEntry::name).containsExactly("motd");
      v.setMode(file, 0644);
      v.setOwner(file, 100000, 70000);
      v.setTimes(file, FileTime.from(when), FileTime.from(when.plusSeconds(1)), null);
      NodeAttributes a = v.attributes(file);
      assertThat(a.mode() & 07777).isEqualTo(0644);
      assertThat(a.uid()).isEqualTo(100000);
      assertThat(a.gid()).isEqualTo(70000);
      assertThat(a.lastModifiedTime().toInstant())
          .isEqualTo(nanos ? when : when.minusNanos(when.getNano()));
    }
    Files.write(image, bytes);

    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name, out).isZero();
    String stat = Oracles.runOk("debugfs", "-R", "stat /etc/motd", image.toString());
    assertThat(stat).containsPattern("Mode:\\s+0644").containsPattern("User:\\s+100000")
        .containsPattern("Group:\\s+70000");
    List<String> lines = stat.lines().filter(l -> l.contains("mtime")).toList();
    assertThat(lines).isNotEmpty();
    assertThat(lines.get(0)).contains("2031");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 1024",
      "ext4-default,-t ext4 -b 4096",
      "ext4-inline,'-t ext4 -O inline_data'",
  })
  void linksRenamesAndRemovalsAreReadBackAtOnceAndE2fsckAcceptsThem(String name,
      String options) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "32M");
    byte[] bytes = Files.readAllBytes(image);
    MemoryBlockDevice dev = new MemoryBlockDevice(bytes, true, image.toString(), 512);
    try (Volume v = new Ext4Driver().mount(dev, new MountOptions(false, 1 << 20))) {
      Node root = v.root();
      Node a = v.create(root, "a", NodeType.DIRECTORY, 0755);
      Node b = v.create(root, "b", NodeType.DIRECTORY, 0755);
      Node f = v.create(a, "f", NodeType.REGULAR_FILE, 0644);
      v.create(a, "pipe", NodeType.FIFO, 0600);
      v.link(b, "f-again", f);
      assertThat(v.attributes(f).linkCount()).isEqualTo(2);
      v.createSymbolicLink(b, "to-f", "../a/f");
      v.rename(a, "f", b, "f-again");
      assertThat(v.lookup(a, "f")).as("two names of one inode: nothing happens").isPresent();
      v.rename(a, "f", b, "g");
      assertThat(v.lookup(a, "f")).isEmpty();
      assertThat(v.attributes(f).linkCount()).isEqualTo(2);
      Node sub = v.create(a, "sub", NodeType.DIRECTORY, 0700);
      v.rename(a, "sub", b, "sub");
      assertThat(v.lookup(b, "sub")).map(Node::id).contains(sub.id());
      assertThat(v.attributes(a).linkCount()).isEqualTo(2);
      assertThat(v.attributes(b).linkCount()).isEqualTo(3);
      v.unlink(b, "f-again");
      v.unlink(a, "pipe");
      v.unlink(b, "g");
      v.unlink(b, "sub");
      assertThat(v.list(b)).extracting(DirectoryEntry::name).containsExactly("to-f");
      assertThat(v.list(a)).isEmpty();
      assertThat(v.attributes(b).linkCount()).isEqualTo(2);
      assertThat(v.readSymbolicLink(v.lookup(b, "to-f").orElseThrow())).isEqualTo("../a/f");
    }
    Files.write(image, bytes);
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name,
        new String(fsck.out(), StandardCharsets.UTF_8)).isZero();
  }
}
