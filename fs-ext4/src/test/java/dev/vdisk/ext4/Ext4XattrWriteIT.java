package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.MutableInode;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Extended attributes written by {@link dev.vdisk.ext4.internal.Xattrs}: seeded random set and
 * remove sequences (user. and security. names, values from 0 bytes to about 3 KiB) on file
 * systems made by {@code mke2fs} with in-inode room (256-byte inodes) and without (128-byte
 * inodes), with and without metadata_csum, ext2/3/4. After every batch {@code e2fsck -fn} is
 * clean and the kernel ({@code getfattr} on a read-only loop mount) shows exactly the model.
 * Also: a block the kernel shares between inodes is copied before it changes.
 */
class Ext4XattrWriteIT {
  private static final int FILES = 6;
  @TempDir Path work;

  private Path mkfs(String name, String options, int files) throws Exception {
    Path src = Files.createDirectories(work.resolve("src-" + name));
    for (int i = 0; i < files; i++) {
      Files.writeString(src.resolve("f" + i), "file " + i + "\n");
    }
    Path image = work.resolve(name + ".img");
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of("-d", src.toString(), image.toString(), "32M"));
    Oracles.runOk(cmd.toArray(new String[0]));
    return image;
  }

  private static long[] inodes(byte[] bytes, int files) throws Exception {
    long[] out = new long[files];
    try (Ext4Volume v = Ext4Volume.mount(new MemoryBlockDevice(bytes.clone(), false, "r", 512),
        MountOptions.defaults())) {
      for (int i = 0; i < files; i++) {
        out[i] = v.lookup(v.root(), "f" + i).orElseThrow().id();
      }
    }
    return out;
  }

  static void assertFsckClean(Path image) {
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn %s:%n%s", image, out).isZero();
  }

  /** What the kernel shows: file name to (attribute name to hex value). */
  private Map<String, Map<String, String>> kernelXattrs(Path image, int files) {
    Path mnt = work.resolve("mnt");
    try {
      Files.createDirectories(mnt);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    Map<String, Map<String, String>> out = new TreeMap<>();
    try {
      for (int i = 0; i < files; i++) {
        String f = mnt.resolve("f" + i).toString();
        String text = Oracles.runOk("getfattr", "-d", "-m", "-", "--absolute-names", "-e", "hex",
            f);
        Map<String, String> attrs = new TreeMap<>();
        for (String line : text.split("\n")) {
          if (line.isBlank() || line.startsWith("#")) {
            continue;
          }
          int eq = line.indexOf('=');
          String name = eq < 0 ? line : line.substring(0, eq);
          String value = eq < 0 ? "" : line.substring(eq + 1);
          if (value.startsWith("0x")) {
            value = value.substring(2);
          } else if (value.equals("\"\"")) {
            value = "";
          }
          attrs.put(name, value.toLowerCase(java.util.Locale.ROOT));
        }
        out.put("f" + i, attrs);
      }
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    return out;
  }

  private static Map<String, Map<String, String>> hex(Map<String, Map<String, byte[]>> model) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (Map.Entry<String, Map<String, byte[]>> f : model.entrySet()) {
      Map<String, String> a = new TreeMap<>();
      f.getValue().forEach((k, v) -> a.put(k, HexFormat.of().formatHex(v)));
      out.put(f.getKey(), a);
    }
    return out;
  }

  private static byte[] value(Random r, int max) {
    int kind = r.nextInt(10);
    int len = kind < 2 ? r.nextInt(4) : kind < 6 ? r.nextInt(64) : kind < 8 ? r.nextInt(512)
        : r.nextInt(max + 1);
    byte[] v = new byte[len];
    r.nextBytes(v);
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-default,-t ext4 -b 4096,3072,11",
      "ext4-128-byte-inodes,-t ext4 -b 4096 -I 128,3072,12",
      "ext4-no-csum,-t ext4 -b 4096 -O ^metadata_csum,3072,13",
      "ext3,-t ext3 -b 4096,3072,14",
      "ext2-128-byte-inodes,-t ext2 -b 4096 -I 128,3072,15",
      "ext4-1k-blocks,-t ext4 -b 1024,900,16",
      "ext4-inline-data,-t ext4 -b 4096 -O inline_data,3072,17",
      "ext4-1024-byte-inodes,-t ext4 -b 4096 -I 1024,3072,18",
  })
  void randomSetAndRemoveSequencesMatchTheKernelAndStayFsckClean(String name, String options,
      int maxValue, long seed) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("getfattr", "attr");
    Oracles.requireRoot("loop mounts");
    System.out.println("Ext4XattrWriteIT " + name + " seed " + seed);
    Path image = mkfs(name, options, FILES);
    byte[] bytes = Files.readAllBytes(image);
    long[] inos = inodes(bytes, FILES);
    Random r = new Random(seed);
    String[] names = {"user.a", "user.bb", "user.comment", "user.x", "user.long_name_for_sorting",
        "user.y", "security.s1", "security.label", "user.mime_type", "security.z"};
    Map<String, Map<String, byte[]>> model = new TreeMap<>();
    for (int i = 0; i < FILES; i++) {
      model.put("f" + i, new LinkedHashMap<>());
    }
    int refused = 0;
    int ops = 0;
    for (int batch = 0; batch < 5; batch++) {
      Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
      for (int k = 0; k < 60; k++, ops++) {
        int f = r.nextInt(FILES);
        String attr = names[r.nextInt(names.length)];
        MutableInode inode = w.inode(inos[f]);
        Map<String, byte[]> m = model.get("f" + f);
        if (r.nextInt(4) == 0) {
          boolean existed = w.xattrs().remove(inode, attr);
          assertThat(existed).as("op %d remove %s from f%d", ops, attr, f)
              .isEqualTo(m.remove(attr) != null);
        } else {
          byte[] v = value(r, maxValue);
          byte[] before = inode.raw().clone();
          try {
            w.xattrs().set(inode, attr, v);
            m.put(attr, v);
          } catch (FileSystemException full) {
            refused++;
            assertThat(full.getMessage()).containsAnyOf("no room", "larger than");
            assertThat(inode.raw()).as("refused set leaves the inode").isEqualTo(before);
            assertThat(w.inode(inos[f]).raw()).isEqualTo(before);
          }
        }
        Map<String, byte[]> listed = w.xattrs().list(w.inode(inos[f]));
        assertThat(hex(Map.of("f", listed))).as("op %d: list of f%d", ops, f)
            .isEqualTo(hex(Map.of("f", m)));
        if (r.nextInt(10) == 0) {
          w.commit();
        }
      }
      w.commit();
      Files.write(image, bytes);
      assertFsckClean(image);
      assertThat(kernelXattrs(image, FILES)).as("batch %d of %s (seed %d)", batch, name, seed)
          .isEqualTo(hex(model));
    }
    assertThat(model.values().stream().mapToInt(Map::size).sum()).isPositive();
    System.out.println("Ext4XattrWriteIT " + name + ": " + ops + " operations, " + refused
        + " refused for lack of room");
  }

  private static long fileAcl(Path image, String path) {
    String stat = Oracles.runOk("debugfs", "-R", "stat " + path, image.toString());
    Matcher m = Pattern.compile("File ACL: (\\d+)").matcher(stat);
    assertThat(m.find()).as(stat).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static int refcount(Path image, long block) {
    String out = Oracles.runOk("debugfs", "-R", "block_dump -x " + block, image.toString());
    Matcher m = Pattern.compile("refcount\\s*=?\\s*(\\d+)", Pattern.CASE_INSENSITIVE)
        .matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void aBlockTheKernelSharesIsCopiedBeforeItChanges() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("setfattr", "attr");
    Oracles.requireRoot("loop mounts");
    Path image = mkfs("shared", "-t ext4 -b 4096 -I 128", 4);
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop", image.toString(), mnt.toString());
    try {
      for (int i = 0; i < 4; i++) {
        Oracles.runOk("setfattr", "-n", "user.shared", "-v", "same value",
            mnt.resolve("f" + i).toString());
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    long shared = fileAcl(image, "/f0");
    for (int i = 1; i < 4; i++) {
      assertThat(fileAcl(image, "/f" + i)).as("the kernel shares the block").isEqualTo(shared);
    }
    assertThat(refcount(image, shared)).isEqualTo(4);

    byte[] bytes = Files.readAllBytes(image);
    long[] inos = inodes(bytes, 4);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    w.xattrs().set(w.inode(inos[0]), "user.shared", "changed".getBytes(StandardCharsets.UTF_8));
    w.xattrs().set(w.inode(inos[1]), "user.more", "added".getBytes(StandardCharsets.UTF_8));
    assertThat(w.xattrs().remove(w.inode(inos[2]), "user.shared")).isTrue();
    assertThat(w.xattrs().remove(w.inode(inos[2]), "user.shared")).isFalse();
    w.commit();
    Files.write(image, bytes);
    assertFsckClean(image);
    assertThat(fileAcl(image, "/f0")).isNotEqualTo(shared).isNotZero();
    assertThat(fileAcl(image, "/f1")).isNotEqualTo(shared).isNotZero();
    assertThat(fileAcl(image, "/f2")).isZero();
    assertThat(fileAcl(image, "/f3")).isEqualTo(shared);
    assertThat(refcount(image, shared)).isEqualTo(1);
    Map<String, Map<String, String>> k = kernelXattrs(image, 4);
    assertThat(k.get("f0")).containsExactly(Map.entry("user.shared",
        HexFormat.of().formatHex("changed".getBytes(StandardCharsets.UTF_8))));
    assertThat(k.get("f1")).containsOnlyKeys("user.shared", "user.more");
    assertThat(k.get("f2")).isEmpty();
    assertThat(k.get("f3")).containsExactly(Map.entry("user.shared",
        HexFormat.of().formatHex("same value".getBytes(StandardCharsets.UTF_8))));

    // the last reference: freeAll frees the block
    w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    MutableInode f3 = w.inode(inos[3]);
    long sectors = f3.sectors();
    w.xattrs().freeAll(f3);
    assertThat(f3.fileAcl()).isZero();
    assertThat(f3.sectors()).isEqualTo(sectors - 8);
    w.commit();
    Files.write(image, bytes);
    assertFsckClean(image);
    assertThat(Oracles.runOk("debugfs", "-R", "testb " + shared, image.toString()))
        .contains("not in use");
  }

  @Test
  void posixAclsAreStoredInExt4FormAndTheKernelReturnsThem() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("getfattr", "attr");
    Oracles.requireRoot("loop mounts");
    Path image = mkfs("acl", "-t ext4 -b 4096", 2);
    byte[] bytes = Files.readAllBytes(image);
    long[] inos = inodes(bytes, 2);
    java.nio.ByteBuffer acl = java.nio.ByteBuffer.allocate(4 + 5 * 8)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    acl.putInt(2);
    acl.putShort((short) 0x01).putShort((short) 6).putInt(-1);
    acl.putShort((short) 0x02).putShort((short) 4).putInt(1000);
    acl.putShort((short) 0x04).putShort((short) 4).putInt(-1);
    acl.putShort((short) 0x10).putShort((short) 4).putInt(-1);
    acl.putShort((short) 0x20).putShort((short) 0).putInt(-1);
    byte[] value = acl.array();
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    w.xattrs().set(w.inode(inos[0]), "system.posix_acl_access", value);
    assertThat(w.xattrs().list(w.inode(inos[0])).get("system.posix_acl_access"))
        .isEqualTo(value);
    assertThatThrownBy(() -> w.xattrs().set(w.inode(inos[1]), "system.posix_acl_access",
        new byte[] {1, 0, 0, 0})).isInstanceOf(IllegalArgumentException.class);
    w.commit();
    Files.write(image, bytes);
    assertFsckClean(image);
    String ea = Oracles.runOk("debugfs", "-R", "ea_list /f0", image.toString());
    assertThat(ea).contains("system.posix_acl_access");
    assertThat(kernelXattrs(image, 1).get("f0"))
        .containsEntry("system.posix_acl_access", HexFormat.of().formatHex(value));
  }

  @Test
  void refusesValuesLargerThanABlockAndNamesOutsideTheWritableNamespaces() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Path image = mkfs("limits", "-t ext4 -b 1024", 1);
    byte[] bytes = Files.readAllBytes(image);
    long ino = inodes(bytes, 1)[0];
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    MutableInode inode = w.inode(ino);
    assertThatThrownBy(() -> w.xattrs().set(inode, "user.big", new byte[1000]))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("ea_inode");
    assertThatThrownBy(() -> w.xattrs().set(inode, "system.data", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.xattrs().set(inode, "user.", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.xattrs().set(inode, "other.x", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(w.dirtyCount()).isZero();
    w.xattrs().set(inode, "user.fits", new byte[900]);
    w.commit();
    Files.write(image, bytes);
    assertFsckClean(image);
  }
}
