package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.InlineData;
import dev.vdisk.ext4.internal.MutableInode;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inline-data primitives on files and directories made by {@code mke2fs -O inline_data -d}:
 * they read what mke2fs stored, store new content of every size up to the capacity (in
 * {@code i_block} alone and spilling into {@code system.data}), refuse more, clear an inode back
 * to an empty extent root, and make room for directory entries; {@code e2fsck -fn} is clean and
 * the kernel (read-only loop mount) reads exactly the stored content.
 */
class Ext4InlineDataIT {
  @TempDir Path work;

  private final Map<String, byte[]> files = new HashMap<>();

  private Path image() throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    Random r = new Random(7);
    for (int len : new int[] {0, 5, 59, 60, 61, 100}) {
      byte[] b = new byte[len];
      r.nextBytes(b);
      files.put("f" + len, b);
      Files.write(src.resolve("f" + len), b);
    }
    byte[] big = new byte[8192];
    r.nextBytes(big);
    files.put("big", big);
    Files.write(src.resolve("big"), big);
    Files.createDirectories(src.resolve("d"));
    Files.writeString(src.resolve("d/inner"), "x\n");
    Path image = work.resolve("inline.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", "-O", "inline_data", "-d", src.toString(),
        image.toString(), "16M");
    return image;
  }

  private static long ino(byte[] bytes, String name) throws Exception {
    try (Ext4Volume v = Ext4Volume.mount(new MemoryBlockDevice(bytes.clone(), false, "r", 512),
        MountOptions.defaults())) {
      return v.lookup(v.root(), name).orElseThrow().id();
    }
  }

  private Map<String, byte[]> kernelFiles(Path image, String... names) throws Exception {
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      Map<String, byte[]> out = new HashMap<>();
      for (String n : names) {
        out.put(n, Files.readAllBytes(mnt.resolve(n)));
      }
      try (Stream<Path> s = Files.list(mnt.resolve("d"))) {
        out.put("d/", s.map(p -> p.getFileName().toString()).collect(Collectors.joining(","))
            .getBytes(StandardCharsets.UTF_8));
      }
      return out;
    } finally {
      Oracles.run("umount", mnt.toString());
    }
  }

  @Test
  void storesReadsClearsAndGrowsInlineContentAsTheKernelReadsIt() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("loop mounts");
    Path image = image();
    byte[] bytes = Files.readAllBytes(image);
    Map<String, Long> inos = new HashMap<>();
    for (String n : new TreeSet<>(files.keySet())) {
      inos.put(n, ino(bytes, n));
    }
    long dir = ino(bytes, "d");
    long root = 2;

    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    InlineData in = w.inline();
    for (String n : files.keySet()) {
      MutableInode inode = w.inode(inos.get(n));
      if (n.equals("big")) {
        assertThat(in.isInline(inode)).isFalse();
        continue;
      }
      assertThat(in.isInline(inode)).as(n).isTrue();
      assertThat(in.read(inode)).as(n).isEqualTo(files.get(n));
    }
    MutableInode d = w.inode(dir);
    assertThat(in.isInline(d)).isTrue();
    byte[] dirContent = in.read(d);
    assertThat(dirContent).hasSize(60);
    assertThat(ByteBuffer.wrap(dirContent).order(ByteOrder.LITTLE_ENDIAN).getInt(0))
        .isEqualTo((int) root);

    // new contents of every interesting size
    MutableInode f5 = w.inode(inos.get("f5"));
    int capacity = in.capacity(f5);
    assertThat(capacity).isGreaterThan(100);
    Random r = new Random(11);
    Map<String, byte[]> expect = new HashMap<>();
    int[] sizes = {0, 1, 60, 61, capacity - 1, capacity, 77};
    String[] targets = {"f0", "f5", "f59", "f60", "f61", "f100", "f5"};
    for (int i = 0; i < sizes.length; i++) {
      byte[] c = new byte[sizes[i]];
      r.nextBytes(c);
      MutableInode inode = w.inode(inos.get(targets[i]));
      assertThat(in.tryStore(inode, c)).as("%d bytes into %s", sizes[i], targets[i]).isTrue();
      assertThat(in.read(inode)).isEqualTo(c);
      assertThat(in.read(w.inode(inos.get(targets[i])))).isEqualTo(c);
      expect.put(targets[i], c);
    }
    // too much: refused, nothing changed
    MutableInode f60 = w.inode(inos.get("f60"));
    byte[] before = f60.raw().clone();
    assertThat(in.tryStore(f60, new byte[capacity + 1])).isFalse();
    assertThat(f60.raw()).isEqualTo(before);
    assertThat(w.inode(inos.get("f60")).raw()).isEqualTo(before);
    // a user attribute in the inode takes room from the inline capacity
    MutableInode f59 = w.inode(inos.get("f59"));
    w.xattrs().set(f59, "user.note", "12345678".getBytes(StandardCharsets.UTF_8));
    assertThat(in.capacity(f59)).isEqualTo(capacity - 28);
    assertThat(in.read(f59)).isEqualTo(expect.get("f59"));
    // stored again, system.data now follows the user attribute in the inode
    byte[] again = new byte[capacity - 28];
    r.nextBytes(again);
    assertThat(in.tryStore(f59, again)).isTrue();
    assertThat(in.tryStore(f59, new byte[capacity - 27])).isFalse();
    assertThat(w.xattrs().list(f59)).containsOnlyKeys("user.note");
    expect.put("f59", again);
    // a non-inline file with blocks is refused
    assertThatThrownBy(() -> in.tryStore(w.inode(inos.get("big")), new byte[3]))
        .isInstanceOf(IllegalStateException.class);
    // clear: an empty extent file
    MutableInode f0 = w.inode(inos.get("f0"));
    in.clear(f0);
    f0.setSize(0);
    w.putInode(f0);
    assertThat(in.isInline(w.inode(inos.get("f0")))).isFalse();
    expect.put("f0", new byte[0]);
    // a directory grows into system.data: an empty entry covers the new room
    int extra = (in.capacity(d) - 60) & ~3;
    assertThat(extra).isGreaterThanOrEqualTo(12);
    byte[] grown = Arrays.copyOf(dirContent, 60 + extra);
    ByteBuffer.wrap(grown).order(ByteOrder.LITTLE_ENDIAN).putShort(60 + 4, (short) extra);
    assertThat(in.tryStore(d, grown)).isTrue();
    assertThat(d.size()).isEqualTo(60 + extra);
    assertThat(in.read(w.inode(dir))).isEqualTo(grown);
    w.commit();
    Files.write(image, bytes);

    Ext4XattrWriteIT.assertFsckClean(image);
    Map<String, byte[]> k = kernelFiles(image, expect.keySet().toArray(new String[0]));
    for (Map.Entry<String, byte[]> e : expect.entrySet()) {
      assertThat(k.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(new String(k.get("d/"), StandardCharsets.UTF_8)).isEqualTo("inner");
    String stat = Oracles.runOk("debugfs", "-R", "stat /d", image.toString());
    assertThat(stat).contains("Size of inline data: " + (60 + extra));
  }
}
