package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.JournalSuperblock;
import dev.vdisk.ext4.internal.JournalWriter;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Transactions written by {@link JournalWriter} into journals made by {@code mke2fs}: new
 * contents for the blocks of three files (one block starting with the jbd2 magic, so escaped;
 * one file large enough for several descriptor blocks). Without a checkpoint, the image needs
 * recovery and still holds the old contents; {@code e2fsck -fy} replays our log on one copy and
 * the kernel ({@code mount -o loop}) on another, and both then show the new contents (read with
 * {@code debugfs} and through the mount) and {@code e2fsck -fn} finds them clean. With a
 * checkpoint, {@code e2fsck -fn} finds the image clean, the journal empty and its sequence
 * advanced.
 */
class Ext4JournalWriterIT {
  @TempDir Path work;

  private Path make(String name, String options, int bs, int bigBlocks) throws Exception {
    Path src = work.resolve("src-" + name);
    Files.createDirectories(src);
    Files.writeString(src.resolve("a.txt"), "original a\n");
    Files.writeString(src.resolve("b.txt"), "original b\n");
    byte[] big = new byte[bigBlocks * bs];
    new Random(1).nextBytes(big);
    Files.write(src.resolve("c.bin"), big);
    Path image = work.resolve(name + ".img");
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of("-d", src.toString(), image.toString(), "32M"));
    Oracles.runOk(cmd.toArray(new String[0]));
    return image;
  }

  private static long[] blocks(Path image, String file) {
    String out = Oracles.runOk("debugfs", "-R", "blocks " + file, image.toString()).trim();
    String[] parts = out.split("\\s+");
    long[] b = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = Long.parseLong(parts[i]);
    }
    return b;
  }

  /** The physical block of each logical block (bmap; no indirect blocks). */
  private long[] map(Path image, String file, int count) throws Exception {
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < count; i++) {
      script.append("bmap ").append(file).append(' ').append(i).append('\n');
    }
    Path cmds = work.resolve("bmap-cmds");
    Files.writeString(cmds, script.toString());
    String out = Oracles.runOk("debugfs", "-f", cmds.toString(), image.toString());
    return out.lines().map(String::trim).filter(l -> l.matches("\\d+"))
        .mapToLong(Long::parseLong).toArray();
  }

  private static byte[] padded(byte[] content, int bs) {
    byte[] b = new byte[bs];
    System.arraycopy(content, 0, b, 0, content.length);
    return b;
  }

  private static String fsck(String mode, Path image) {
    Oracles.Result r = Oracles.run("e2fsck", mode, image.toString());
    String out = new String(r.out(), StandardCharsets.UTF_8)
        + new String(r.err(), StandardCharsets.UTF_8);
    if (mode.equals("-fn")) {
      assertThat(r.exitCode()).as("e2fsck -fn %s:%n%s", image, out).isZero();
    } else {
      assertThat(r.exitCode()).as("e2fsck -fy %s:%n%s", image, out).isLessThanOrEqualTo(1);
    }
    return out;
  }

  private static byte[] dump(Path image, String file, Path out) throws Exception {
    Files.deleteIfExists(out);
    Oracles.runOk("debugfs", "-R", "dump " + file + " " + out, image.toString());
    return Files.readAllBytes(out);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k-csum-v3-64bit,-t ext4 -b 4096,4096",
      "ext4-1k-no-csum-32bit,'-t ext4 -b 1024 -O ^metadata_csum,^64bit',1024",
      "ext3-4k,-t ext3 -b 4096,4096",
      "ext4-1k-csum-v3-64bit,-t ext4 -b 1024,1024",
      "ext4-4k-csum-v3-32bit,-t ext4 -b 4096 -O ^64bit,4096",
  })
  void e2fsckAndTheKernelReplayOurTransactions(String name, String options, int bs)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    int bigBlocks = 150;
    Path image = make(name, options, bs, bigBlocks);
    long a = blocks(image, "/a.txt")[0];
    long b = blocks(image, "/b.txt")[0];
    long[] c = map(image, "/c.bin", bigBlocks);
    assertThat(c).hasSize(bigBlocks);
    byte[] newA = "journaled!\n".getBytes(StandardCharsets.US_ASCII);
    byte[] newB = new byte[11];
    ByteBuffer.wrap(newB).putInt(JournalSuperblock.MAGIC).put("jour b\n".getBytes(
        StandardCharsets.US_ASCII));
    byte[] newC = new byte[bigBlocks * bs];
    new Random(2).nextBytes(newC);
    // make one block of c start with the magic as well
    ByteBuffer.wrap(newC, 7 * bs, 4).putInt(JournalSuperblock.MAGIC);
    Map<Long, byte[]> tx = new LinkedHashMap<>();
    tx.put(a, padded(newA, bs));
    tx.put(b, padded(newB, bs));
    for (int i = 0; i < bigBlocks; i++) {
      byte[] blk = new byte[bs];
      System.arraycopy(newC, i * bs, blk, 0, bs);
      tx.put(c[i], blk);
    }

    // 1. committed, not checkpointed: recovery must replay it
    byte[] bytes = Files.readAllBytes(image);
    MemoryBlockDevice dev = new MemoryBlockDevice(bytes, true, image.toString(), 512);
    JournalWriter jw = JournalWriter.open(dev);
    int seq = jw.commit(tx);
    Path pending = work.resolve(name + "-pending.img");
    Files.write(pending, bytes);
    String header = Oracles.runOk("dumpe2fs", "-h", pending.toString());
    assertThat(header).contains("needs_recovery");
    assertThat(Oracles.runOk("debugfs", "-R", "cat /a.txt", pending.toString()))
        .isEqualTo("original a\n");
    String logdump = Oracles.runOk("debugfs", "-R", "logdump", pending.toString());
    assertThat(logdump).contains("commit block");

    Path byFsck = work.resolve(name + "-fsck.img");
    Files.copy(pending, byFsck, StandardCopyOption.REPLACE_EXISTING);
    fsck("-fy", byFsck);
    fsck("-fn", byFsck);
    assertThat(dump(byFsck, "/a.txt", work.resolve("out-a"))).isEqualTo(newA);
    assertThat(dump(byFsck, "/b.txt", work.resolve("out-b"))).isEqualTo(newB);
    assertThat(dump(byFsck, "/c.bin", work.resolve("out-c"))).isEqualTo(newC);

    boolean root = new String(Oracles.run("id", "-u").out(), StandardCharsets.US_ASCII).trim()
        .equals("0");
    if (Oracles.isCi() || root) {
      Oracles.requireRoot("loop mounts");
      Path byKernel = work.resolve(name + "-kernel.img");
      Files.copy(pending, byKernel, StandardCopyOption.REPLACE_EXISTING);
      Path mnt = work.resolve("mnt");
      Files.createDirectories(mnt);
      Oracles.runOk("mount", "-o", "loop", byKernel.toString(), mnt.toString());
      try {
        assertThat(Files.readAllBytes(mnt.resolve("a.txt"))).isEqualTo(newA);
        assertThat(Files.readAllBytes(mnt.resolve("b.txt"))).isEqualTo(newB);
        assertThat(Files.readAllBytes(mnt.resolve("c.bin"))).isEqualTo(newC);
      } finally {
        Oracles.runOk("umount", mnt.toString());
      }
      fsck("-fn", byKernel);
    }

    // 2. checkpointed: clean, journal empty, sequence advanced; then a second transaction
    jw.checkpoint();
    Files.write(image, bytes);
    fsck("-fn", image);
    assertThat(dump(image, "/a.txt", work.resolve("out-a2"))).isEqualTo(newA);
    assertThat(dump(image, "/c.bin", work.resolve("out-c2"))).isEqualTo(newC);
    String h2 = Oracles.runOk("dumpe2fs", "-h", image.toString());
    assertThat(h2).doesNotContain("needs_recovery");
    assertThat(h2).containsPattern("Journal sequence:\\s+"
        + String.format(Locale.ROOT, "0x%08x", seq + 1));
    assertThat(h2).containsPattern("Journal start:\\s+0\n");
    byte[] newA2 = "second tx!\n".getBytes(StandardCharsets.US_ASCII);
    int seq2 = jw.commit(Map.of(a, padded(newA2, bs)));
    assertThat(seq2).isEqualTo(seq + 1);
    jw.checkpoint();
    Files.write(image, bytes);
    fsck("-fn", image);
    assertThat(dump(image, "/a.txt", work.resolve("out-a3"))).isEqualTo(newA2);
  }
}
