package dev.vdisk.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operating systems on one disk: the Windows fixture's MBR disk ({@code
 * make-windows-ntfs.sh}, NTFS in partition 1) with a second partition appended by {@code sfdisk}
 * holding a small Alpine-like root made by {@code mke2fs -d}. Both roots are reported, in
 * partition order (neither has an fstab naming its own root), with the facts bash reads from the
 * os-release file and the packages of the apk database.
 */
class InspectMultiRootIT {
  @TempDir Path work;

  @Test
  void bothRootsAreReported() throws Exception {
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("hivexregedit", "libwin-hivex-perl");
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.require("sfdisk", "fdisk");
    Oracles.requireRoot("mounting with ntfs-3g");
    Path windows = work.resolve("windows");
    Oracles.runOk("bash", ProjectPaths.script("make-windows-ntfs.sh").toString(),
        windows.toString());
    Path disk = windows.resolve("windows.raw");

    Path tree = work.resolve("alpine");
    Files.createDirectories(tree.resolve("etc"));
    Files.createDirectories(tree.resolve("lib/apk/db"));
    Files.writeString(tree.resolve("etc/os-release"), "NAME=\"Alpine Linux\"\nID=alpine\n"
        + "VERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n");
    Files.writeString(tree.resolve("etc/alpine-release"), "3.20.3\n");
    Files.writeString(tree.resolve("etc/hostname"), "alpine-two\n");
    Files.writeString(tree.resolve("lib/apk/db/installed"), "C:Q1abc=\nP:musl\nV:1.2.5-r0\n"
        + "A:x86_64\no:musl\n\nC:Q1def=\nP:busybox\nV:1.36.1-r29\nA:x86_64\n\n");
    Path ext = work.resolve("alpine.ext4");
    Oracles.runOk("mke2fs", "-q", "-t", "ext4", "-d", tree.toString(), ext.toString(), "8M");

    // append partition 2 after the NTFS partition and copy the file system into it
    long start = Files.size(disk) / 512;
    Oracles.runOk("truncate", "-s", Long.toString(Files.size(disk) + Files.size(ext)),
        disk.toString());
    Oracles.runOk("sh", "-c", "echo 'start=" + start + ", type=83' | sfdisk -q --append \"$0\"",
        disk.toString());
    Oracles.runOk("dd", "if=" + ext, "of=" + disk, "bs=512", "seek=" + start,
        "conv=notrunc", "status=none");

    Inspection inspection = Inspector.inspect(disk);
    assertThat(inspection.roots()).as(inspection.toString()).hasSize(2);
    GuestRoot first = inspection.roots().get(0);
    GuestRoot second = inspection.roots().get(1);
    assertThat(first.partition()).isEqualTo(1);
    assertThat(first.os().family()).isEqualTo("windows");
    assertThat(second.partition()).isEqualTo(2);
    assertThat(second.os().family()).isEqualTo("linux");
    String[] sourced = Oracles.runOk("bash", "-c",
        ". \"$1\"; printf '%s\\n' \"$ID\" \"$VERSION_ID\" \"$PRETTY_NAME\"", "sh",
        tree.resolve("etc/os-release").toString()).split("\n");
    assertThat(second.os().distribution()).isEqualTo(sourced[0]);
    assertThat(second.os().versionId()).isEqualTo(sourced[1]);
    assertThat(second.os().product()).isEqualTo(sourced[2]);
    assertThat(second.os().hostname()).isEqualTo("alpine-two");
    assertThat(second.packages()).extracting(p -> p.name() + " " + p.version())
        .containsExactlyInAnyOrder("musl 1.2.5-r0", "busybox 1.36.1-r29");
    assertThat(inspection.defaultRoot()).contains(first);
  }
}
