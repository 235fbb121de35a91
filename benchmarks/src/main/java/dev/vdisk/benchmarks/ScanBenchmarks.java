package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Compliance scanning of many images, cold and whole-process: {@code vdisk scan -j CORES} of
 * 50 copies (or {@code -Dvdisk.scan.images=N}) of the Debian 12 VMDK of {@code make-debian-inspect-vmdk.sh} ({@code
 * java -jar} of the CLI's shaded jar: the source's signed indexes are verified once, then every
 * image is opened read-only, inspected and judged) against the C tools doing the same work with
 * the same parallelism: {@code apt-get update} once, then per image {@code qemu-img convert} to
 * raw, a read-only loop mount of the root partition, {@code apt-get -s upgrade} with {@code
 * Dir::State::status} pointing into it, unmount, delete the raw copy ({@code xargs -P CORES}).
 * The repository is {@code make-apt-repo.sh}'s of {@code make-newer-debs.sh}'s packages signed
 * by {@code make-test-keys.sh}'s key, the baseline a dynamic rule over it. Copies are made (with
 * {@code cp --reflink=auto}) before the clock starts. Wall time by the clock, peak memory as
 * {@code /usr/bin/time -v} reports it (the largest resident set of any one process: the JVM;
 * for the tools, the largest of qemu-img, mount and apt-get). Needs root (loop mounts).
 */
final class ScanBenchmarks {
  /** The number of copies: 50, or the system property {@code vdisk.scan.images}. */
  static final int IMAGES = Integer.getInteger("vdisk.scan.images", 50);

  private static final Pattern MAX_RSS =
      Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

  private ScanBenchmarks() {}

  /** Wall seconds, peak RSS in KiB and standard output of a command under /usr/bin/time -v. */
  private record Measured(double seconds, long maxRssKiB, String out) {}

  private static Measured measure(Path work, String name, List<String> command)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-v"));
    cmd.addAll(command);
    Path out = work.resolve(name + ".out");
    Path err = work.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    long start = System.nanoTime();
    int code = pb.start().waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    String errText = Files.readString(err, StandardCharsets.UTF_8);
    Matcher m = MAX_RSS.matcher(errText);
    long rss = m.find() ? Long.parseLong(m.group(1)) : -1;
    String outText = Files.readString(out, StandardCharsets.UTF_8);
    // scan exits 4 when images are not compliant: that is the expected result here
    if (code != 0 && code != 4) {
      throw new IOException(String.join(" ", command) + " exited " + code + "\n"
          + errText.lines().limit(20).reduce("", (a, b) -> a + b + "\n"));
    }
    return new Measured(seconds, rss, outText);
  }

  static List<String[]> rows(Path work) throws Exception {
    List<String[]> rows = new ArrayList<>();
    Path scripts = Path.of("testdata/scripts");
    Path jar = Timing.cliJar("scan", "make-newer-debs.sh");
    if (jar == null) {
      return rows;
    }
    if (!Files.isExecutable(Path.of("/usr/bin/time"))) {
      System.out.println("skipping scan: /usr/bin/time (Debian package time) is missing");
      return rows;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Path image = work.resolve("debian.vmdk");
    exec("bash", scripts.resolve("make-debian-inspect-vmdk.sh").toString(), image.toString());
    Path keys = work.resolve("keys");
    exec("bash", scripts.resolve("make-test-keys.sh").toString(), keys.toString());
    Path debs = work.resolve("debs");
    exec("bash", scripts.resolve("make-newer-debs.sh").toString(), debs.toString());
    Path repo = work.resolve("repo");
    List<String> make = new ArrayList<>(List.of("bash",
        scripts.resolve("make-apt-repo.sh").toString(), repo.toString(),
        keys.resolve("home").toString(),
        Files.readString(keys.resolve("good.sigfpr")).strip() + "!"));
    try (Stream<Path> s = Files.list(debs)) {
      s.filter(p -> p.toString().endsWith(".deb")).sorted().forEach(p -> make.add(p.toString()));
    }
    exec(make.toArray(String[]::new));
    Path key = keys.resolve("good.gpg").toAbsolutePath();
    Path baseline = Files.writeString(work.resolve("baseline.yaml"), """
        baselines:
          - name: test-updates
            sources:
              - repo: %s
                suites: [bookworm-vdisk]
                components: [main]
                architectures: [amd64, all]
                trust: [%s]
            dynamic: {}
        """.formatted(repo.toAbsolutePath(), key));
    Path images = Files.createDirectories(work.resolve("images"));
    List<String> copies = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      Path copy = images.resolve(String.format(Locale.ROOT, "guest-%02d.vmdk", i));
      exec("cp", "--reflink=auto", image.toString(), copy.toString());
      copies.add(copy.toString());
    }

    // vdisk: one cold process
    List<String> scan = new ArrayList<>(List.of("java", "-jar", jar.toString(), "scan"));
    scan.addAll(copies);
    scan.addAll(List.of("--baseline", baseline.toString(), "-j", Integer.toString(cores),
        "--json", "--no-progress"));
    exec("sync");
    Measured ours = measure(work, "vdisk", scan);

    // the C tools: apt-get update once, then per image convert, mount, simulate, unmount
    Path apt = Files.createDirectories(work.resolve("apt"));
    Files.createDirectories(apt.resolve("lists/partial"));
    Files.createDirectories(apt.resolve("cache/archives/partial"));
    Files.createDirectories(apt.resolve("none"));
    Files.writeString(apt.resolve("sources.list"), "deb [signed-by=" + key + "] file:"
        + repo.toAbsolutePath() + " bookworm-vdisk main\n");
    Path results = Files.createDirectories(work.resolve("apt-results"));
    Path script = Files.writeString(work.resolve("c-tools.sh"), """
        set -euo pipefail
        apt=%1$s
        opts=(-o "Dir::State=$apt" -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
          -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
          -o "Dir::Etc::PreferencesParts=$apt/none" -o APT::Architecture=amd64
          -o APT::Architectures::=amd64 -o APT::Sandbox::User=root -o Debug::NoLocking=1)
        apt-get -qq "${opts[@]}" update
        one() {
          img=$1; name=$(basename "$img" .vmdk); raw=%2$s/$name.raw; mnt=%2$s/$name.mnt
          qemu-img convert -O raw "$img" "$raw"
          read -r start sectors < <(partx -g -o START,SECTORS -n 2 "$raw")
          mkdir -p "$mnt"
          mount -o loop,ro,offset=$((start * 512)),sizelimit=$((sectors * 512)) "$raw" "$mnt"
          apt-get -s "${opts[@]}" -o "Dir::State::status=$mnt/var/lib/dpkg/status" upgrade \\
            | grep -c '^Inst ' >"%2$s/$name.count" || true
          umount "$mnt"
          rm -f "$raw"; rmdir "$mnt"
        }
        export -f one
        printf '%%s\\n' "$@" | xargs -P %3$d -I{} bash -c "$(declare -p opts); one {}"
        """.formatted(apt, results, cores));
    List<String> tools = new ArrayList<>(List.of("bash", script.toString()));
    tools.addAll(copies);
    exec("sync");
    Measured theirs = measure(work, "c-tools", tools);

    // both found the same number of updates in every image?
    int vdiskMissing = countMissing(ours.out());
    int aptInst = 0;
    try (Stream<Path> s = Files.list(results)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.toString().endsWith(".count")) {
          aptInst += Integer.parseInt(Files.readString(p).strip());
        }
      }
    }
    System.out.printf(Locale.ROOT,
        "scan %d images, -j %d: vdisk %.2f s, peak RSS %d MiB; qemu-img + mount + apt-get -s"
            + " upgrade %.2f s, peak RSS %d MiB: %.1fx faster; updates found: vdisk %d,"
            + " apt %d%s%n", IMAGES, cores, ours.seconds(), ours.maxRssKiB() / 1024,
        theirs.seconds(), theirs.maxRssKiB() / 1024, theirs.seconds() / ours.seconds(),
        vdiskMissing, aptInst, vdiskMissing == aptInst ? "" : " (DISAGREE)");
    rows.add(row("scan " + IMAGES + " Debian 12 VMDKs, -j " + cores, ours.seconds(),
        theirs.seconds(), "qemu-img convert + mount + apt-get -s upgrade"));
    return rows;
  }

  /** The number of {@code "state" : "MISSING"} findings in scan's JSON. */
  private static int countMissing(String json) {
    Matcher m = Pattern.compile("\"state\"\\s*:\\s*\"MISSING\"").matcher(json);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
