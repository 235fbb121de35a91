package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.testdata.Oracles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extended attributes and POSIX ACLs written by the kernel ({@code setfattr}, {@code setfacl} on
 * a read-write loop mount): small ones in the inode, large ones in an xattr block, and a value in
 * an EA inode (ea_inode). The driver's {@code xattr:*} view equals {@code getfattr -d -m - -e hex}
 * on the kernel's read-only mount, ACLs included (converted to the Linux xattr form). Also
 * casefold directories: a name looked up in another case finds the entry.
 */
class Ext4XattrIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ext4-256,-t ext4 -b 4096 -I 256", "ext4-ea-inode,-t ext4 -O ea_inode",
      "ext2-128,-t ext2 -b 4096 -I 128"})
  void extendedAttributesMatchGetfattr(String name, String options) throws Exception {
    Oracles.require("setfattr", "attr");
    Oracles.require("setfacl", "acl");
    Oracles.requireRoot("loop mounts");
    Path image = work.resolve(name + ".img");
    List<String> cmd = new java.util.ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of(image.toString(), "32M"));
    Oracles.runOk(cmd.toArray(new String[0]));
    Path mnt = work.resolve(name + "-mnt");
    Files.createDirectory(mnt);
    Oracles.runOk("mount", "-o", "loop", image.toString(), mnt.toString());
    try {
      Files.writeString(mnt.resolve("small"), "s");
      Files.writeString(mnt.resolve("large"), "l");
      Files.createDirectory(mnt.resolve("dir"));
      Oracles.runOk("setfattr", "-n", "user.small", "-v", "hello", mnt.resolve("small").toString());
      Oracles.runOk("setfattr", "-n", "trusted.t", "-v", "0x00ff", mnt.resolve("small").toString());
      Oracles.runOk("setfattr", "-n", "user.large", "-v", "x".repeat(name.contains("ea-inode")
          ? 6000 : 900), mnt.resolve("large").toString());
      Oracles.runOk("setfattr", "-n", "user.second", "-v", "y".repeat(300),
          mnt.resolve("large").toString());
      Oracles.runOk("setfacl", "-m", "u:1234:rw-,g:99:r--,m::rw-", mnt.resolve("small").toString());
      Oracles.runOk("setfacl", "-d", "-m", "u:1000:rwx", mnt.resolve("dir").toString());
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    Oracles.runOk("e2fsck", "-fn", image.toString());
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    Map<String, Map<String, String>> kernel = new TreeMap<>();
    try {
      for (String f : List.of("small", "large", "dir")) {
        kernel.put(f, getfattr(mnt.resolve(f)));
      }
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    assertThat(kernel.get("small")).containsKeys("user.small", "system.posix_acl_access");
    assertThat(kernel.get("dir")).containsKey("system.posix_acl_default");
    Map<String, Map<String, String>> ours = new TreeMap<>();
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty())) {
      for (String f : List.of("small", "large", "dir")) {
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, Object> e : Files.readAttributes(fs.getPath("/" + f), "xattr:*",
            LinkOption.NOFOLLOW_LINKS).entrySet()) {
          m.put(e.getKey(), HexFormat.of().formatHex((byte[]) e.getValue()));
        }
        ours.put(f, m);
      }
      assertThat(Files.getFileAttributeView(fs.getPath("/small"),
          java.nio.file.attribute.UserDefinedFileAttributeView.class).list())
          .containsExactly("small");
    }
    assertThat(ours).isEqualTo(kernel);
  }

  private static Map<String, String> getfattr(Path file) {
    String out = Oracles.runOk("getfattr", "-d", "-m", "-", "-e", "hex", "--absolute-names",
        file.toString());
    Map<String, String> m = new TreeMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) {
        String v = line.substring(eq + 1);
        m.put(line.substring(0, eq), v.startsWith("0x") ? v.substring(2) : v);
      }
    }
    return m;
  }

  @Test
  void casefoldDirectoriesIgnoreCase() throws Exception {
    Oracles.require("debugfs", "e2fsprogs");
    Path src = work.resolve("src");
    Files.createDirectories(src.resolve("cf"));
    Files.writeString(src.resolve("cf/Hello.TXT"), "folded\n");
    Files.writeString(src.resolve("cf/Straße"), "sharp s\n");
    Path image = work.resolve("cf.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", "-O", "casefold", "-d", src.toString(),
        image.toString(), "16M");
    Oracles.runOk("debugfs", "-w", "-R", "set_inode_field /cf flags 0x40080000", image.toString());
    assertThat(Oracles.runOk("debugfs", "-R", "stat /cf", image.toString()))
        .contains("Flags: 0x40080000");
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty())) {
      assertThat(Files.readString(fs.getPath("/cf/hello.txt"))).isEqualTo("folded\n");
      assertThat(Files.readString(fs.getPath("/cf/HELLO.TXT"))).isEqualTo("folded\n");
      assertThat(Files.readString(fs.getPath("/cf/STRASSE".replace("SS", "ß")))).isEqualTo("sharp s\n");
      assertThat(Files.exists(fs.getPath("/cf/other"))).isFalse();
    }
  }
}
