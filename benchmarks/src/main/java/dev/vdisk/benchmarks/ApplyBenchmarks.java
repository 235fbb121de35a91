package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.row;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Offline package injection, cold and whole-process: {@code vdisk apply} ({@code java -jar} of
 * the CLI's shaded jar; verification against a signed repository, dependency check, unpack, one
 * committed transaction) against {@code virt-customize --upload} of the same {@code .deb}s plus
 * {@code --run-command 'dpkg -i ...'} (libguestfs, {@code LIBGUESTFS_BACKEND=direct}, with {@code
 * LIBGUESTFS_BACKEND_SETTINGS=force_tcg} as KVM fails nested here), each on a fresh copy of the
 * Debian 12 VMDK of {@code make-debian-inspect-vmdk.sh}, with the packages of {@code
 * make-newer-debs.sh} in a repository of {@code make-apt-repo.sh} signed by {@code
 * make-test-keys.sh}'s key. The copy is made before the clock starts. vdisk unpacks (the rest is
 * configured at first boot); virt-customize boots an appliance and runs dpkg's whole install.
 */
final class ApplyBenchmarks {
  private ApplyBenchmarks() {}

  static List<String[]> rows(Path work) throws Exception {
    List<String[]> rows = new ArrayList<>();
    Path scripts = Path.of("testdata/scripts");
    Path jar = Timing.cliJar("apply", "make-newer-debs.sh");
    if (jar == null) {
      return rows;
    }
    Path image = work.resolve("debian.vmdk");
    exec("bash", scripts.resolve("make-debian-inspect-vmdk.sh").toString(), image.toString());
    Path keys = work.resolve("keys");
    exec("bash", scripts.resolve("make-test-keys.sh").toString(), keys.toString());
    Path debs = work.resolve("debs");
    exec("bash", scripts.resolve("make-newer-debs.sh").toString(), debs.toString());
    List<Path> packages;
    try (Stream<Path> s = Files.list(debs)) {
      packages = s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
    }
    Path repo = work.resolve("repo");
    List<String> make = new ArrayList<>(List.of("bash",
        scripts.resolve("make-apt-repo.sh").toString(), repo.toString(),
        keys.resolve("home").toString(),
        Files.readString(keys.resolve("good.sigfpr")).strip() + "!"));
    packages.forEach(p -> make.add(p.toString()));
    exec(make.toArray(String[]::new));
    Path copy = work.resolve("copy.vmdk");

    double[] ours = new double[3];
    for (int i = -1; i < ours.length; i++) {
      Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
      long start = System.nanoTime();
      exec("java", "-jar", jar.toString(), "apply", copy.toString(), debs.toString(),
          "--trust", keys.resolve("good.gpg").toString(), "--repo", repo.toString());
      if (i >= 0) {
        ours[i] = (System.nanoTime() - start) / 1e9;
      }
    }
    Arrays.sort(ours);

    List<String> vc = new ArrayList<>(List.of("virt-customize", "--format", "vmdk", "-a",
        copy.toString(), "--no-network"));
    for (Path p : packages) {
      vc.add("--upload");
      vc.add(p + ":/tmp/");
    }
    vc.add("--run-command");
    vc.add("dpkg -i /tmp/*.deb");
    Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
    ProcessBuilder pb = new ProcessBuilder(vc).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("LIBGUESTFS_BACKEND", "direct");
    pb.environment().put("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg");
    long start = System.nanoTime();
    int code = pb.start().waitFor();
    double theirs = (System.nanoTime() - start) / 1e9;
    if (code != 0) {
      throw new java.io.IOException(String.join(" ", vc) + " exited " + code);
    }
    double median = ours[ours.length / 2];
    System.out.printf(Locale.ROOT, "apply: vdisk %.2f s, virt-customize %.2f s: %.1fx faster%n",
        median, theirs, theirs / median);
    rows.add(row("apply " + packages.size() + " .debs to a Debian 12 VMDK", median, theirs,
        "virt-customize --upload + dpkg -i"));
    return rows;
  }
}
