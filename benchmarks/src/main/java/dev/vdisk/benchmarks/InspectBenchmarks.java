package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.median;
import static dev.vdisk.benchmarks.Timing.row;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest inspection, cold and whole-process: {@code vdisk inspect} ({@code java -jar} of the CLI's
 * shaded jar, so JVM start-up is counted) against {@code virt-inspector} (libguestfs; with
 * {@code LIBGUESTFS_BACKEND_SETTINGS=force_tcg}, as KVM fails nested here) on the Debian 12 guest
 * of {@code testdata/scripts/make-debian-inspect-vmdk.sh} (a VMDK with a GPT, /boot and / on
 * their own ext4 partitions, about 90 packages).
 */
final class InspectBenchmarks {
  private InspectBenchmarks() {}

  static List<String[]> rows(Path work) throws Exception {
    List<String[]> rows = new ArrayList<>();
    Path script = Path.of("testdata/scripts/make-debian-inspect-vmdk.sh");
    Path jar = Timing.cliJar("inspect", "make-debian-inspect-vmdk.sh");
    if (jar == null) {
      return rows;
    }
    Path image = work.resolve("debian.vmdk");
    exec("bash", script.toString(), image.toString());
    double vdisk = median(3, () -> exec("java", "-jar", jar.toString(), "inspect", "--json",
        image.toString()));
    double guestfs = median(1, () -> exec("sh", "-c",
        "LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-inspector --format=vmdk -a \"$0\"",
        image.toString()));
    rows.add(row("inspect a Debian 12 VMDK (cold process)", vdisk, guestfs, "virt-inspector"));
    return rows;
  }
}
