package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Empty files and directories created by {@link Ext4Writer} (through the allocator and, where
 * there is a journal, one jbd2 transaction checkpointed at commit) in file systems made by
 * {@code mke2fs}: {@code e2fsck -fn} finds them clean (inode and directory-block checksums, link
 * counts, directory counts, bitmaps), {@code debugfs} shows the entries, modes, links and
 * nanosecond times, the journal sequence advanced by one, and the kernel mounts the result and
 * sees the same tree.
 */
class Ext4CreateIT {
  @TempDir Path work;

  private static long journalSequence(String dumpe2fs) {
    Matcher m = Pattern.compile("Journal sequence:\\s+0x([0-9a-f]+)").matcher(dumpe2fs);
    return m.find() ? Long.parseLong(m.group(1), 16) : -1;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 4096",
      "ext3-1k,-t ext3 -b 1024",
      "ext4-default,-t ext4 -b 4096",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg'",
      "ext4-128-byte-inodes,-t ext4 -b 4096 -I 128",
  })
  void e2fsckDebugfsAndTheKernelAcceptCreatedFilesAndDirectories(String name, String options)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "32M");
    long seqBefore = journalSequence(Oracles.runOk("dumpe2fs", "-h", image.toString()));
    int rootLinks = links(Oracles.runOk("debugfs", "-R", "stat /", image.toString()));

    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    long file = w.createFile(2, "newfile", 0644);
    long dir = w.createDirectory(2, "newdir", 0755);
    long inner = w.createFile(dir, "inner", 0600);
    long sub = w.createDirectory(dir, "sub", 0700);
    w.commit();
    Files.write(image, bytes);

    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name, out).isZero();

    String ls = Oracles.runOk("debugfs", "-R", "ls -l /newdir", image.toString());
    assertThat(ls).contains("inner").contains("sub");
    String statFile = Oracles.runOk("debugfs", "-R", "stat /newfile", image.toString());
    assertThat(statFile).containsPattern("Inode: " + file + "\\s+Type: regular\\s+Mode:\\s+0644")
        .containsPattern("Links: 1\\b").containsPattern("Size: 0\\b");
    String statDir = Oracles.runOk("debugfs", "-R", "stat /newdir", image.toString());
    assertThat(statDir).containsPattern("Inode: " + dir + "\\s+Type: directory\\s+Mode:\\s+0755");
    assertThat(links(statDir)).isEqualTo(3);
    assertThat(links(Oracles.runOk("debugfs", "-R", "stat /", image.toString())))
        .isEqualTo(rootLinks + 1);
    assertThat(Oracles.runOk("debugfs", "-R", "stat /newdir/inner", image.toString()))
        .containsPattern("Inode: " + inner + "\\s+Type: regular\\s+Mode:\\s+0600");
    assertThat(Oracles.runOk("debugfs", "-R", "stat /newdir/sub", image.toString()))
        .containsPattern("Inode: " + sub + "\\s+Type: directory\\s+Mode:\\s+0700");
    if (!name.contains("128")) {
      assertThat(statFile).containsPattern("ctime: 0x[0-9a-f]{8}:[0-9a-f]{8}")
          .containsPattern("crtime: 0x[0-9a-f]{8}:[0-9a-f]{8}");
    }
    long seqAfter = journalSequence(Oracles.runOk("dumpe2fs", "-h", image.toString()));
    if (seqBefore >= 0) {
      assertThat(seqAfter).as("one journal transaction").isEqualTo(seqBefore + 1);
    }

    Oracles.requireRoot("loop mounts");
    Path mnt = work.resolve("mnt");
    Files.createDirectories(mnt);
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      assertThat(Files.readString(mnt.resolve("hello.txt"))).isEqualTo("hello\n");
      assertThat(Files.isRegularFile(mnt.resolve("newfile"), LinkOption.NOFOLLOW_LINKS)).isTrue();
      assertThat(Files.size(mnt.resolve("newfile"))).isZero();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
          mnt.resolve("newdir/inner")))).isEqualTo("rw-------");
      assertThat(Files.isDirectory(mnt.resolve("newdir/sub"))).isTrue();
      try (var s = Files.list(mnt.resolve("newdir"))) {
        assertThat(s.map(x -> x.getFileName().toString())).containsExactlyInAnyOrder("inner",
            "sub");
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  @ParameterizedTest(name = "{0} seed {2}")
  @CsvSource({
      "ext4-1k,-t ext4 -b 1024,1",
      "ext4-1k,-t ext4 -b 1024,2",
      "ext3-4k,-t ext3 -b 4096,3",
      "ext2-1k,-t ext2 -b 1024,4",
      "ext4-no-csum-4k,'-t ext4 -b 4096 -O ^metadata_csum,uninit_bg',5",
  })
  void randomCreateSequencesStayCleanAndMatchTheModel(String name, String options, long seed)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    System.out.println(name + " seed " + seed);
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "32M");
    java.util.Random rnd = new java.util.Random(seed);
    java.util.Map<String, Long> dirs = new java.util.LinkedHashMap<>();
    dirs.put("", 2L);
    java.util.Set<String> model = new java.util.TreeSet<>(List.of("/hello.txt:f"));
    java.util.Set<String> full = new java.util.HashSet<>();
    int created = 0;
    for (int batch = 0; batch < 4; batch++) {
      byte[] bytes = Files.readAllBytes(image);
      Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
      for (int op = 0; op < 60; op++) {
        List<String> open = new ArrayList<>(dirs.keySet());
        open.removeAll(full);
        String parent = open.get(rnd.nextInt(open.size()));
        String child = "n" + created + "-" + "x".repeat(rnd.nextInt(40));
        boolean dir = rnd.nextInt(10) < 3;
        try {
          if (dir) {
            long ino = w.createDirectory(dirs.get(parent), child, 0755);
            dirs.put(parent + "/" + child, ino);
            model.add(parent + "/" + child + ":d");
          } else {
            w.createFile(dirs.get(parent), child, 0644);
            model.add(parent + "/" + child + ":f");
          }
          created++;
        } catch (java.io.IOException e) {
          assertThat(e.getMessage()).contains("no room");
          full.add(parent);
        }
        if (rnd.nextInt(8) == 0) {
          w.commit();
        }
      }
      w.commit();
      Files.write(image, bytes);
      Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
      assertThat(fsck.exitCode()).as("e2fsck -fn after batch %d (seed %d):%n%s", batch, seed,
          new String(fsck.out(), StandardCharsets.UTF_8)).isZero();
    }
    assertThat(created).isGreaterThan(100);
    Oracles.requireRoot("loop mounts");
    Path mnt = work.resolve("mnt");
    Files.createDirectories(mnt);
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    java.util.Set<String> kernel = new java.util.TreeSet<>();
    try (var walk = Files.walk(mnt)) {
      walk.filter(x -> !x.equals(mnt)).forEach(x -> {
        String rel = "/" + mnt.relativize(x).toString();
        if (!rel.startsWith("/lost+found")) {
          kernel.add(rel + (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS) ? ":d" : ":f"));
        }
      });
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    assertThat(kernel).isEqualTo(model);
  }

  private static int links(String stat) {
    Matcher m = Pattern.compile("Links: (\\d+)").matcher(stat);
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
