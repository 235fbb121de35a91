package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.ext4.internal.DirHash;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.testdata.Oracles;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * htree directories: the three hashes (signed and unsigned, default and seeded) against
 * {@code debugfs dx_hash}; hashed lookups in a 3000-entry directory made by {@code mke2fs -d}
 * find exactly what {@code debugfs ls} lists; and a damaged index (which {@code e2fsck -fn}
 * reports) falls back to a linear scan.
 */
class Ext4HtreeIT {
  @TempDir Path work;

  @Test
  void hashesAgreeWithDebugfs() throws Exception {
    Oracles.require("debugfs", "e2fsprogs");
    Path image = work.resolve("tiny.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", image.toString(), "2M");
    // debugfs's -h knows only the names legacy, half_md4 and tea (it reads "legacy_unsigned" as
    // 0 = legacy); the numbers 0..5 reach every variant.
    String[] algs = {"0", "1", "2", "3", "4", "5"};
    String seed = "6b390606-b600-411d-a03b-27c98d6fc93c";
    byte[] seedBytes = java.util.HexFormat.of().parseHex(seed.replace("-", ""));
    int[] seedWords = new int[4];
    ByteBuffer.wrap(seedBytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(seedWords);
    List<String> names = List.of("a", "file-0001.txt", "grüße.txt", "日本語のファイル名.txt",
        "x".repeat(31), "y".repeat(33), "n".repeat(240), "emoji-😀.txt", "\u00ff\u00fe");
    StringBuilder commands = new StringBuilder();
    List<Integer> expected = new ArrayList<>();
    for (int v = 0; v < algs.length; v++) {
      for (String name : names) {
        for (boolean seeded : new boolean[] {false, true}) {
          commands.append("dx_hash -h ").append(algs[v]).append(seeded ? " -s " + seed : "")
              .append(" \"").append(name).append("\"\n");
          expected.add(DirHash.hash(v, name.getBytes(StandardCharsets.UTF_8),
              seeded ? seedWords : null));
        }
      }
    }
    Path cmd = work.resolve("cmds");
    Files.writeString(cmd, commands.toString(), StandardCharsets.UTF_8);
    String out = Oracles.runOk("debugfs", "-f", cmd.toString(), image.toString());
    Matcher m = Pattern.compile("Hash of .* is 0x([0-9a-f]+) \\(minor").matcher(out);
    List<Integer> actual = new ArrayList<>();
    while (m.find()) {
      actual.add((int) Long.parseLong(m.group(1), 16));
    }
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(String.format("0x%08x", expected.get(i))).as("command %d: %s", i,
          commands.toString().split("\n")[i]).isEqualTo(String.format("0x%08x", actual.get(i)));
    }
  }

  @Test
  void looksUpThroughTheIndexAndFallsBackWhenItIsDamaged() throws Exception {
    Oracles.require("mke2fs", "e2fsprogs");
    Path src = work.resolve("src");
    Files.createDirectories(src.resolve("many"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String name = "entry-" + i + (i % 7 == 0 ? "-ünïcödé" : "") + ".dat";
      names.add(name);
      Files.writeString(src.resolve("many").resolve(name), Integer.toString(i));
    }
    Path image = work.resolve("htree.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", src.toString(),
        image.toString(),
        "64M");
    // mke2fs -d writes linear directories; e2fsck -D rebuilds them with htree indexes.
    Oracles.run("e2fsck", "-fyD", image.toString());
    Oracles.runOk("e2fsck", "-fn", image.toString());
    String listed = Oracles.runOk("debugfs", "-R", "ls -p /many", image.toString());
    assertThat(listed).contains("/entry-2999.dat/");
    String htree = Oracles.runOk("debugfs", "-R", "htree_dump /many", image.toString());
    assertThat(htree).contains("Number of entries");
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty())) {
      Ext4Volume v = (Ext4Volume) fs.volume();
      for (String name : names) {
        assertThat(Files.readString(fs.getPath("/many", name)))
            .isEqualTo(name.replaceAll("entry-(\\d+).*", "$1"));
      }
      assertThat(Files.exists(fs.getPath("/many/entry-3000.dat"))).isFalse();
      assertThat(v.hashedLookups()).isGreaterThanOrEqualTo(names.size());
      assertThat(v.htreeFallbacks()).isZero();
    }

    // Damage the dx_root: an unknown hash version. e2fsck agrees it is damaged.
    String bmap = Oracles.runOk("debugfs", "-R", "bmap /many 0", image.toString()).trim();
    long block = Long.parseLong(bmap.replaceAll("(?s).*?(\\d+)\\s*$", "$1"));
    Path damaged = work.resolve("damaged.img");
    Files.copy(image, damaged);
    try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
      f.seek(block * 4096 + 0x1C);
      f.write(0x7F);
    }
    assertThat(Oracles.run("e2fsck", "-fn", damaged.toString()).exitCode()).isNotZero();
    try (VdiskFileSystem fs = VdiskFileSystems.open(damaged, OptionalInt.empty())) {
      Ext4Volume v = (Ext4Volume) fs.volume();
      assertThat(Files.readString(fs.getPath("/many/entry-1234.dat"))).isEqualTo("1234");
      assertThat(Files.readString(fs.getPath("/many/entry-7-ünïcödé.dat"))).isEqualTo("7");
      assertThat(v.htreeFallbacks()).isEqualTo(1);
    }
  }
}
