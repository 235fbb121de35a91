package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.ext4.internal.Crc32c;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.JournalWriter;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Ext4Writer#open} replays a journal that needs recovery into the image before writing.
 * Images needing recovery come from our own {@link JournalWriter} (committed, not
 * checkpointed), from {@code debugfs}'s journal commands (two transactions, the second revoking a
 * block of the first), from the kernel (a loop mount's image copied after {@code sync}, its log
 * holding committed transactions with revoke records), and from a create batch cut off after
 * every number of device writes; a recovery itself cut off after every number of writes is
 * finished by the next open. Each time the result is compared with a copy that {@code e2fsck
 * -fy} recovered: the same blocks (apart from the superblock fields e2fsck stamps), the same
 * journal sequence; {@code e2fsck -fn} is clean and the writer goes on writing. External
 * journals and unknown journal features are refused with the image unchanged.
 */
class Ext4JournalRecoveryIT {
  @TempDir Path work;

  private static String fsckOut(Oracles.Result r) {
    return new String(r.out(), StandardCharsets.UTF_8) + new String(r.err(), StandardCharsets.UTF_8);
  }

  private static void fsckClean(Path image) {
    Oracles.Result r = Oracles.run("e2fsck", "-fn", image.toString());
    assertThat(r.exitCode()).as("e2fsck -fn %s:%n%s", image, fsckOut(r)).isZero();
  }

  private static String header(Path image) {
    return Oracles.runOk("dumpe2fs", "-h", image.toString());
  }

  private static String journalSequence(Path image) {
    Matcher m = Pattern.compile("Journal sequence:\\s+(0x[0-9a-f]+)").matcher(header(image));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** Recovers a copy with e2fsck -fy and returns it. */
  private Path byE2fsck(Path pending, String name) throws IOException {
    Path copy = work.resolve(name + "-e2fsck.img");
    Files.copy(pending, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Oracles.Result r = Oracles.run("e2fsck", "-fy", copy.toString());
    assertThat(r.exitCode()).as("e2fsck -fy:%n%s", fsckOut(r)).isLessThanOrEqualTo(1);
    fsckClean(copy);
    return copy;
  }

  /** Recovers a copy with {@link Ext4Writer#open} and returns it. */
  private Path byUs(Path pending, String name) throws IOException {
    Path copy = work.resolve(name + "-ours.img");
    byte[] bytes = Files.readAllBytes(pending);
    Ext4Writer.open(new MemoryBlockDevice(bytes, true, copy.toString(), 512));
    Files.write(copy, bytes);
    assertThat(header(copy)).doesNotContain("needs_recovery");
    fsckClean(copy);
    return copy;
  }

  /**
   * The blocks that differ between our recovery and e2fsck's, apart from the superblock block
   * (e2fsck stamps its check time and mount count there).
   */
  private static List<Long> differingBlocks(Path ours, Path theirs, int bs) throws IOException {
    byte[] a = Files.readAllBytes(ours);
    byte[] b = Files.readAllBytes(theirs);
    List<Long> out = new ArrayList<>();
    long sbBlock = 1024 / bs;
    for (int i = 0; i < a.length; i += bs) {
      if (i / bs != sbBlock && !Arrays.equals(a, i, i + bs, b, i, i + bs)) {
        out.add((long) (i / bs));
      }
    }
    return out;
  }

  /** {@code dumpe2fs -h} without the fields e2fsck stamps when it checks. */
  private static List<String> superblockFields(Path image) {
    List<String> out = new ArrayList<>();
    for (String line : header(image).split("\n")) {
      if (!line.matches("(Last write time|Last checked|Mount count|Checksum|Lifetime writes"
          + "|Last mount time|Last mounted on|Last orphan).*")) {
        out.add(line);
      }
    }
    return out;
  }

  private void assertSameRecovery(Path pending, String name, int bs) throws IOException {
    assertSameRecovery(pending, name, bs, false);
  }

  /**
   * Recovers with e2fsck and with us and compares. After a kernel's journal, e2fsck also
   * refreshes the summary counts the kernel keeps only in memory (superblock free counts, and
   * group descriptor fields in the one descriptor block these images have), silently: those may
   * differ, everything else must not.
   */
  private void assertSameRecovery(Path pending, String name, int bs, boolean kernel)
      throws IOException {
    Path theirs = byE2fsck(pending, name);
    Path ours = byUs(pending, name);
    List<Long> differing = differingBlocks(ours, theirs, bs);
    if (kernel) {
      differing.remove(Long.valueOf(1024 / bs + 1));
    }
    assertThat(differing).as("blocks differing from e2fsck's recovery").isEmpty();
    assertThat(journalSequence(ours)).isEqualTo(journalSequence(theirs));
    List<String> oursFields = superblockFields(ours);
    List<String> theirFields = superblockFields(theirs);
    if (kernel) {
      oursFields.removeIf(l -> l.matches("Free (blocks|inodes):.*"));
      theirFields.removeIf(l -> l.matches("Free (blocks|inodes):.*"));
    }
    assertThat(oursFields).isEqualTo(theirFields);
    // and the writer goes on writing
    byte[] bytes = Files.readAllBytes(ours);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, ours.toString(), 512));
    w.createFile(2, "after-recovery", 0644);
    w.commit();
    Files.write(ours, bytes);
    fsckClean(ours);
    assertThat(Oracles.runOk("debugfs", "-R", "ls /", ours.toString()))
        .contains("after-recovery");
  }

  private static long ino(byte[] bytes, String name) throws IOException {
    try (Ext4Volume v = Ext4Volume.mount(new MemoryBlockDevice(bytes.clone(), false, "r", 512),
        MountOptions.defaults())) {
      return v.lookup(v.root(), name).orElseThrow().id();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k-csum-v3,-t ext4 -b 4096,4096",
      "ext3-1k,-t ext3 -b 1024,1024",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg',1024",
  })
  void replaysOurCommittedButNotCheckpointedTransaction(String name, String options, int bs)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "16M");
    byte[] bytes = Files.readAllBytes(image);
    long hello = ino(bytes, "hello.txt");
    MemoryBlockDevice dev = new MemoryBlockDevice(bytes, true, image.toString(), 512);
    Ext4Writer w = Ext4Writer.open(dev);
    w.createFile(2, "newfile", 0644);
    long d = w.createDirectory(2, "newdir", 0755);
    w.createFile(d, "inner", 0600);
    w.xattrs().set(w.inode(hello), "user.big", new byte[bs / 2]);
    w.xattrs().set(w.inode(hello), "user.small", "v".getBytes(StandardCharsets.UTF_8));
    JournalWriter jw = JournalWriter.open(dev);
    jw.commit(w.dirtyBlocks());
    Path pending = work.resolve(name + "-pending.img");
    Files.write(pending, bytes);
    assertThat(header(pending)).contains("needs_recovery");
    assertThat(Oracles.runOk("debugfs", "-R", "ls /", pending.toString()))
        .doesNotContain("newdir");

    assertSameRecovery(pending, name, bs);
    Path ours = work.resolve(name + "-ours.img");
    assertThat(Oracles.runOk("debugfs", "-R", "ls /newdir", ours.toString())).contains("inner");
    assertThat(Oracles.runOk("debugfs", "-R", "ea_list /hello.txt", ours.toString()))
        .contains("user.small").contains("user.big");
  }

  private Path debugfsJournal(String name, String options, String csum, int bs)
      throws Exception {
    Path src = Files.createDirectories(work.resolve("src-" + name));
    for (String f : new String[] {"a", "b", "c"}) {
      Files.writeString(src.resolve(f + ".txt"), "original " + f + "\n");
    }
    Path image = work.resolve(name + "-pending.img");
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of("-d", src.toString(), image.toString(), "16M"));
    Oracles.runOk(cmd.toArray(new String[0]));
    long a = bmap(image, "/a.txt");
    long b = bmap(image, "/b.txt");
    long c = bmap(image, "/c.txt");
    Path ab = work.resolve(name + "-ab");
    Path cc = work.resolve(name + "-c");
    byte[] two = new byte[2 * bs];
    System.arraycopy("logged a!!\n".getBytes(StandardCharsets.US_ASCII), 0, two, 0, 11);
    System.arraycopy("logged b!!\n".getBytes(StandardCharsets.US_ASCII), 0, two, bs, 11);
    Files.write(ab, two);
    byte[] one = new byte[bs];
    System.arraycopy("logged c!!\n".getBytes(StandardCharsets.US_ASCII), 0, one, 0, 11);
    Files.write(cc, one);
    Path script = work.resolve(name + "-cmds");
    Files.writeString(script, "journal_open " + csum + "\n"
        + "journal_write -b " + a + "," + b + " " + ab + "\n"
        + "journal_write -b " + c + " -r " + b + " " + cc + "\n"
        + "journal_close\n");
    Oracles.runOk("debugfs", "-w", "-f", script.toString(), image.toString());
    assertThat(header(image)).contains("needs_recovery");
    return image;
  }

  private static long bmap(Path image, String file) {
    return Long.parseLong(Oracles.runOk("debugfs", "-R", "bmap " + file + " 0",
        image.toString()).trim());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "dbg-ext4-csum-v3-4k,-t ext4 -b 4096,-c,4096",
      "dbg-ext4-no-csum-4k,-t ext4 -b 4096 -O ^metadata_csum,'',4096",
      "dbg-ext3-1k,-t ext3 -b 1024,'',1024",
  })
  void replaysDebugfsTransactionsHonouringRevokes(String name, String options, String csum,
      int bs) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path pending = debugfsJournal(name, options, csum == null ? "" : csum, bs);
    assertSameRecovery(pending, name, bs);
    Path ours = work.resolve(name + "-ours.img");
    assertThat(Oracles.runOk("debugfs", "-R", "cat /a.txt", ours.toString()))
        .startsWith("logged a!!\n");
    assertThat(Oracles.runOk("debugfs", "-R", "cat /b.txt", ours.toString()))
        .isEqualTo("original b\n");
    assertThat(Oracles.runOk("debugfs", "-R", "cat /c.txt", ours.toString()))
        .startsWith("logged c!!\n");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "kernel-ext4-4k,-t ext4 -b 4096,4096",
      "kernel-ext4-1k-no-csum,-t ext4 -b 1024 -O ^metadata_csum,1024",
      "kernel-ext3-1k,-t ext3 -b 1024,1024",
  })
  void replaysAKernelJournalWithRevokes(String name, String options, int bs) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.requireRoot("loop mounts");
    Path image = work.resolve(name + ".img");
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of(image.toString(), "32M"));
    Oracles.runOk(cmd.toArray(new String[0]));
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Path pending = work.resolve(name + "-pending.img");
    Oracles.runOk("mount", "-o", "loop", image.toString(), mnt.toString());
    try {
      // transactions the kernel commits but does not checkpoint yet; freeing the directory's
      // blocks after they were logged makes it write revoke records
      Path d = Files.createDirectories(mnt.resolve("d"));
      for (int i = 0; i < 200; i++) {
        Files.writeString(d.resolve("f" + i), "file " + i + "\n");
      }
      Oracles.runOk("setfattr", "-n", "user.x", "-v", "value", d.resolve("f1").toString());
      Oracles.runOk("sync");
      Oracles.runOk("rm", "-rf", d.toString());
      Files.createDirectories(mnt.resolve("e"));
      Files.writeString(mnt.resolve("e/g"), "kept\n");
      Oracles.runOk("sync");
      // the image as a power cut would leave it: the log holds the committed transactions
      Files.copy(image, pending);
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    assertThat(header(pending)).contains("needs_recovery");
    String log = Oracles.runOk("debugfs", "-R", "logdump", pending.toString());
    assertThat(log).contains("commit block").contains("revoke table");

    assertSameRecovery(pending, name, bs, true);
    Path ours = work.resolve(name + "-ours.img");
    assertThat(Oracles.runOk("debugfs", "-R", "cat /e/g", ours.toString())).isEqualTo("kept\n");
    assertThat(Oracles.runOk("debugfs", "-R", "ls /", ours.toString())).doesNotContain(" d ");
  }

  @Test
  void everyCutOfAJournaledBatchIsRecoveredAsE2fsckRecoversIt() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, "cuts", "-t ext4 -b 1024", "16M");
    byte[] original = Files.readAllBytes(image);
    long hello = ino(original, "hello.txt");
    int total = -1;
    int replayed = 0;
    for (int limit = 0; total < 0 || limit <= total; limit++) {
      byte[] bytes = original.clone();
      Ext4WriteCrashIT.CutDevice dev = new Ext4WriteCrashIT.CutDevice(
          new MemoryBlockDevice(bytes, true, "cuts", 512), limit);
      try {
        Ext4Writer w = Ext4Writer.open(dev);
        w.createFile(2, "newfile", 0644);
        long d = w.createDirectory(2, "newdir", 0755);
        w.createFile(d, "inner", 0644);
        w.xattrs().set(w.inode(hello), "user.block", new byte[700]);
        w.commit();
        total = dev.writes;
      } catch (IOException e) {
        assertThat(e).hasMessageContaining("power cut");
      }
      Path cut = work.resolve("cut.img");
      Files.write(cut, bytes);
      if (!header(cut).contains("needs_recovery")) {
        continue;
      }
      replayed++;
      Path theirs = byE2fsck(cut, "cut");
      Path ours = byUs(cut, "cut");
      assertThat(differingBlocks(ours, theirs, 1024)).as("after %d writes", limit).isEmpty();
      assertThat(journalSequence(ours)).isEqualTo(journalSequence(theirs));
      assertThat(superblockFields(ours)).isEqualTo(superblockFields(theirs));
      assertThat(limit).isLessThan(300);
    }
    System.out.printf("cuts: %d cut points, %d needed recovery%n", total + 1, replayed);
    assertThat(replayed).isGreaterThan(1);
  }

  @Test
  void aRecoveryCutOffAtAnyWriteIsFinishedByTheNextOpenAsByE2fsck() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path pending = debugfsJournal("cut-recovery", "-t ext4 -b 4096", "-c", 4096);
    byte[] original = Files.readAllBytes(pending);
    int total = -1;
    for (int limit = 0; total < 0 || limit <= total; limit++) {
      byte[] bytes = original.clone();
      Ext4WriteCrashIT.CutDevice dev = new Ext4WriteCrashIT.CutDevice(
          new MemoryBlockDevice(bytes, true, "cut-recovery", 512), limit);
      try {
        Ext4Writer.open(dev);
        total = dev.writes;
      } catch (IOException e) {
        assertThat(e).hasMessageContaining("power cut");
      }
      Path cut = work.resolve("recovery-cut.img");
      Files.write(cut, bytes);
      assertSameRecovery(cut, "recovery-cut", 4096);
      Path ours = work.resolve("recovery-cut-ours.img");
      assertThat(Oracles.runOk("debugfs", "-R", "cat /a.txt", ours.toString()))
          .as("after %d writes", limit).startsWith("logged a!!\n");
      assertThat(Oracles.runOk("debugfs", "-R", "cat /b.txt", ours.toString()))
          .isEqualTo("original b\n");
      assertThat(limit).isLessThan(50);
    }
    assertThat(total).isGreaterThanOrEqualTo(4);
  }

  private static UnsafeToWriteException refusal(byte[] bytes) {
    byte[] before = bytes.clone();
    UnsafeToWriteException e = (UnsafeToWriteException) org.assertj.core.api.Assertions.catchThrowable(
        () -> Ext4Writer.open(new MemoryBlockDevice(bytes, true, "refused", 512)));
    assertThat(e).isNotNull();
    assertThat(bytes).as("the image is unchanged").isEqualTo(before);
    return e;
  }

  @Test
  void refusesExternalJournalsAndUnknownJournalFeatures() throws Exception {
    Oracles.require("debugfs", "e2fsprogs");
    Path pending = debugfsJournal("refused", "-t ext4 -b 4096", "-c", 4096);
    byte[] bytes = Files.readAllBytes(pending);

    // an unknown incompatible journal feature
    long jsb = Long.parseLong(Oracles.runOk("debugfs", "-R", "bmap <8> 0", pending.toString())
        .trim());
    byte[] unknown = bytes.clone();
    ByteBuffer j = ByteBuffer.wrap(unknown, (int) (jsb * 4096), 1024).slice()
        .order(ByteOrder.BIG_ENDIAN);
    j.putInt(0x28, j.getInt(0x28) | 0x100);
    j.putInt(0xFC, 0);
    j.putInt(0xFC, Crc32c.update(~0, unknown, (int) (jsb * 4096), 1024));
    UnsafeToWriteException e = refusal(unknown);
    assertThat(e.reason()).isEqualTo(Reason.LOG_NOT_REPLAYED);
    assertThat(e.getMessage()).contains("0x100");

    // an external journal: no journal inode
    byte[] external = bytes.clone();
    ByteBuffer s = ByteBuffer.wrap(external).order(ByteOrder.LITTLE_ENDIAN);
    s.putInt(1024 + 0xE0, 0);
    Ext4Fixtures.fixSuperblockChecksum(external);
    UnsafeToWriteException e2 = refusal(external);
    assertThat(e2.reason()).isEqualTo(Reason.LOG_NOT_REPLAYED);
    assertThat(e2.getMessage()).contains("external");

    // a journal that recorded an error
    byte[] errno = bytes.clone();
    ByteBuffer j3 = ByteBuffer.wrap(errno, (int) (jsb * 4096), 1024).slice()
        .order(ByteOrder.BIG_ENDIAN);
    j3.putInt(0x20, -5);
    j3.putInt(0xFC, 0);
    j3.putInt(0xFC, Crc32c.update(~0, errno, (int) (jsb * 4096), 1024));
    assertThat(refusal(errno).getMessage()).contains("s_errno");

    assertThatThrownBy(() -> Ext4Writer.open(new MemoryBlockDevice(bytes, false, "ro", 512)))
        .isInstanceOf(UnsafeToWriteException.class);
  }
}
