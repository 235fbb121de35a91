package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.testdata.NtfsImages;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume whose boot sector is destroyed is read through the backup boot sector mkntfs keeps at
 * the end of the volume (ntfs-3g refuses such a volume): the damaged copy must read as a
 * read-only ntfs-3g mount of the intact volume shows it (names, types, sizes, contents, link
 * targets, times).
 */
class NtfsBackupBootIT {
  @TempDir Path dir;

  @Test
  void readsThroughTheBackupBootSector() throws Exception {
    Path intact = NtfsImages.get(NtfsImages.Variant.DEFAULT);
    Oracles.requireRoot("mounting with ntfs-3g");
    Path damaged = dir.resolve("damaged.img");
    Oracles.runOk("cp", "--sparse=always", intact.toString(), damaged.toString());
    try (FileChannel ch = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(512), 0);
    }
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    assertThat(Oracles.run("ntfs-3g", "-o", "ro", damaged.toString(), mnt.toString()).exitCode())
        .as("ntfs-3g refuses the damaged volume").isNotZero();
    Oracles.runOk("ntfs-3g", "-o", "ro", intact.toString(), mnt.toString());
    NtfsTreeSnapshot expected;
    try {
      expected = NtfsTreeSnapshot.of(mnt, false);
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    try (VdiskFileSystem fs = VdiskFileSystems.open(damaged)) {
      NtfsTreeSnapshot ours = NtfsTreeSnapshot.of(fs.getPath("/"), false);
      assertThat(ours.entries.keySet()).isEqualTo(expected.entries.keySet());
      for (String key : expected.entries.keySet()) {
        NtfsTreeSnapshot.Entry e = expected.entries.get(key);
        NtfsTreeSnapshot.Entry o = ours.entries.get(key);
        assertThat(o.type()).as(key).isEqualTo(e.type());
        if (!e.type().equals("dir")) {
          assertThat(o.size()).as(key).isEqualTo(e.size());
          assertThat(o.sha256()).as(key).isEqualTo(e.sha256());
          // ntfs-3g shows a target on the volume's own drive under its mount point
          String target = e.target() != null && e.target().startsWith(mnt + "/")
              ? e.target().substring(mnt.toString().length()) : e.target();
          assertThat(o.target()).as(key).isEqualTo(target);
        }
      }
      assertThat(fs.identity().label()).isNotEmpty();
    }
  }
}
