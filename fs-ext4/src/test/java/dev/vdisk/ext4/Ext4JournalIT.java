package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Journals needing recovery, written by {@code debugfs}'s journal commands (one transaction that
 * logs new contents for two files' blocks, a second that revokes one of them and logs a third):
 * with and without checksums (v3), 32- and 64-bit block tags, 1 and 4 KiB blocks. The file
 * system read through the driver equals what the kernel sees after {@code e2fsck -fy} recovered
 * a copy, differs from the unrecovered image, and the image file is unchanged.
 */
class Ext4JournalIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-csum-v3-4k,-t ext4 -b 4096,-c",
      "ext4-csum-v3-1k,-t ext4 -b 1024,-c",
      "ext4-no-csum,-t ext4 -b 4096 -O ^metadata_csum,",
      "ext3-32bit-tags,-t ext3 -b 1024,",
  })
  void readsTheRecoveredState(String name, String options, String csum) throws Exception {
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.requireRoot("loop mounts");
    Path src = work.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("a.txt"), "original a\n");
    Files.writeString(src.resolve("b.txt"), "original b\n");
    Files.writeString(src.resolve("c.txt"), "original c\n");
    Path image = work.resolve(name + ".img");
    String[] opts = options.split(" ");
    String[] cmd = new String[opts.length + 6];
    cmd[0] = "mke2fs";
    cmd[1] = "-q";
    cmd[2] = "-F";
    System.arraycopy(opts, 0, cmd, 3, opts.length);
    cmd[opts.length + 3] = "-d";
    cmd[opts.length + 4] = src.toString();
    cmd[opts.length + 5] = image.toString();
    String[] withSize = Arrays.copyOf(cmd, cmd.length + 1);
    withSize[cmd.length] = "16M";
    Oracles.runOk(withSize);
    int bs = options.contains("1024") ? 1024 : 4096;
    long a = block(image, "/a.txt");
    long b = block(image, "/b.txt");
    long c = block(image, "/c.txt");
    Path newA = blockFile("logged a!!\n", bs);
    Path newB = blockFile("logged b!!\n", bs);
    Path newC = blockFile("logged c!!\n", bs);
    Path newAb = work.resolve("blk-ab");
    Files.write(newAb, concat(Files.readAllBytes(newA), Files.readAllBytes(newB)));
    String script = "journal_open " + (csum == null ? "" : csum) + "\n"
        + "journal_write -b " + a + "," + b + " " + newAb + "\n"
        + "journal_write -b " + c + " -r " + b + " " + newC + "\n"
        + "journal_close\n";
    Path cmds = work.resolve("cmds");
    Files.writeString(cmds, script);
    Oracles.runOk("debugfs", "-w", "-f", cmds.toString(), image.toString());
    String logdump = Oracles.runOk("debugfs", "-R", "logdump", image.toString());
    assertThat(logdump).contains("commit block");
    assertThat(Oracles.runOk("dumpe2fs", "-h", image.toString())).contains("needs_recovery");
    assertThat(newB).exists();

    String before = Ext4CorpusIT.sha256(image);
    Map<String, String> ours;
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty())) {
      assertThat(((Ext4Volume) fs.volume()).overlayBlocks()).isGreaterThanOrEqualTo(2);
      assertThat(Files.readString(fs.getPath("/a.txt"))).isEqualTo("logged a!!\n");
      assertThat(Files.readString(fs.getPath("/b.txt"))).isEqualTo("original b\n");
      ours = Ext4CorpusIT.readAll(fs.getPath("/"));
    }
    assertThat(Ext4CorpusIT.sha256(image)).isEqualTo(before);

    Path recovered = work.resolve(name + "-recovered.img");
    Files.copy(image, recovered, StandardCopyOption.REPLACE_EXISTING);
    Oracles.run("e2fsck", "-fy", recovered.toString());
    Path mnt = work.resolve("mnt");
    Files.createDirectory(mnt);
    Oracles.runOk("mount", "-o", "loop,ro", recovered.toString(), mnt.toString());
    Map<String, String> kernel;
    try {
      kernel = Ext4CorpusIT.readAll(mnt);
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    assertThat(ours).containsExactlyInAnyOrderEntriesOf(kernel);
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] out = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, out, x.length, y.length);
    return out;
  }

  private static long block(Path image, String file) {
    String out = Oracles.runOk("debugfs", "-R", "bmap " + file + " 0", image.toString()).trim();
    return Long.parseLong(out);
  }

  private Path blockFile(String content, int bs) throws Exception {
    byte[] data = new byte[bs];
    byte[] text = content.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, data, 0, text.length);
    Path p = work.resolve("blk-" + content.charAt(7));
    Files.write(p, data);
    return p;
  }
}
