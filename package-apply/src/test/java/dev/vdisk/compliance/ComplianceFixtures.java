package dev.vdisk.compliance;


import com.sun.net.httpserver.HttpServer;
import dev.vdisk.testdata.MountedGuest;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import dev.vdisk.trust.VerifyOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixtures of the scan and remediation oracle tests, made once per JVM by the scripts in
 * {@code testdata/scripts} with the real tools: a Debian 12 debootstrap guest in a GPT inside a
 * VMDK ({@code make-debian-inspect-vmdk.sh}, {@code /boot} on partition 1), test keys ({@code
 * make-test-keys.sh}), newer versions of installed packages ({@code make-newer-debs.sh}) plus
 * one that needs a new package, so {@code apt-get upgrade} keeps it back ({@code
 * make-held-back-deb.sh}), in a repository signed by the {@code good} key ({@code
 * make-apt-repo.sh}); and the oracle: real {@code apt-get} in a chroot of a loop-mounted copy.
 */
final class ComplianceFixtures {
  static final String SUITE = "bookworm-vdisk";
  private static Path root;

  private ComplianceFixtures() {}

  /** Requires what the fixtures and the oracle use. */
  static void requireTools() {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("sgdisk", "gdisk");
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("dpkg-deb", "dpkg");
    Oracles.require("gpg", "gpg");
    Oracles.require("apt-ftparchive", "apt-utils");
    Oracles.require("partx", "util-linux");
    Oracles.require("xz", "xz-utils");
    Oracles.requireRoot("debootstrap, loop mounts and chroot");
  }

  /** The fixture root: keys/, debs/, repo/, debian.vmdk. */
  static synchronized Path root() {
    requireTools();
    if (root == null) {
      try {
        Path r = Files.createTempDirectory("vdisk-compliance-");
        // about 230 MB: removed when the test JVM ends
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(r)));
        Oracles.runOk("bash", ProjectPaths.script("make-test-keys.sh").toString(),
            r.resolve("keys").toString());
        Oracles.runOk("bash", ProjectPaths.script("make-newer-debs.sh").toString(),
            r.resolve("debs").toString());
        Oracles.runOk("bash", ProjectPaths.script("make-held-back-deb.sh").toString(),
            r.resolve("debs").toString());
        List<String> cmd = new ArrayList<>(List.of("bash",
            ProjectPaths.script("make-apt-repo.sh").toString(), r.resolve("repo").toString(),
            r.resolve("keys/home").toString(),
            Files.readString(r.resolve("keys/good.sigfpr")).strip() + "!"));
        try (var s = Files.list(r.resolve("debs"))) {
          s.filter(p -> p.toString().endsWith(".deb")).sorted()
              .forEach(p -> cmd.add(p.toString()));
        }
        Oracles.runOk(cmd.toArray(String[]::new));
        Oracles.runOk("bash", ProjectPaths.script("make-debian-inspect-vmdk.sh").toString(),
            r.resolve("debian.vmdk").toString());
        root = r;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  private static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("ComplianceFixtures: could not remove " + dir + ": " + e);
    }
  }

  static Path base() {
    return root().resolve("debian.vmdk");
  }

  static Path repo() {
    return root().resolve("repo");
  }

  static Path key(String name) {
    return root().resolve("keys").resolve(name + ".gpg");
  }

  /** A copy of the base image. */
  static Path copy(Path dir, String name) throws IOException {
    Path p = dir.resolve(name);
    Files.copy(base(), p, StandardCopyOption.REPLACE_EXISTING);
    return p;
  }

  /** A baseline file with one dynamic baseline over {@code repo} (a directory or URL). */
  static Path baseline(Path dir, String repo) throws IOException {
    return baseline(dir, repo, false);
  }

  /** The same, with {@code allowNew} as given. */
  static Path baseline(Path dir, String repo, boolean allowNew) throws IOException {
    Path f = dir.resolve("baseline-" + Integer.toHexString(repo.hashCode())
        + (allowNew ? "-new" : "") + ".yaml");
    Files.writeString(f, "baselines:\n"
        + "  - name: bookworm-vdisk\n"
        + "    description: every upgrade the test repository offers\n"
        + "    sources:\n"
        + "      - repo: " + repo + "\n"
        + "        suites: [" + SUITE + "]\n"
        + "        trust: [" + key("good") + "]\n"
        + "    dynamic: {allowNew: " + allowNew + "}\n");
    return f;
  }

  static ScanOptions options(Path cache, int parallelism) {
    return new ScanOptions(VerifyOptions.defaults(), cache, null, parallelism);
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** MISSING findings as name to candidate version. */
  static Map<String, String> missing(TargetReport r) {
    Map<String, String> out = new TreeMap<>();
    for (Finding f : r.inState(RequirementState.MISSING)) {
      out.put(f.name(), f.candidateVersion());
    }
    return out;
  }

  private static final Pattern INST =
      Pattern.compile("^Inst (\\S+) (?:\\[(\\S+)\\] )?\\((\\S+) .*$", Pattern.MULTILINE);

  /** A loop-mounted copy of an image with apt pointed at the test repository. */
  static final class Mounted extends MountedGuest {
    Mounted(Path image, Path dir, String name) throws IOException {
      super(image, dir, name);
    }

    /**
     * Points apt at the test repository only ({@code file:}, {@code signed-by} the good key),
     * runs {@code apt-get update} and returns {@code apt-get -s upgrade}'s output.
     */
    String aptUpgradeSimulation() throws IOException {
      return aptUpgradeSimulation(false);
    }

    /** The same, with {@code --with-new-pkgs} (upgrades that need new packages) or not. */
    String aptUpgradeSimulation(boolean withNew) throws IOException {
      Path srv = Files.createDirectories(root().resolve("srv/vdisk-repo"));
      Oracles.runOk("cp", "-a", repo() + "/.", srv.toString());
      Path keyrings = Files.createDirectories(root().resolve("etc/apt/keyrings"));
      Files.copy(key("good"), keyrings.resolve("vdisk-test.gpg"),
          StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(root().resolve("etc/apt/sources.list"));
      Files.writeString(Files.createDirectories(root().resolve("etc/apt/sources.list.d"))
          .resolve("vdisk-test.list"), "deb [signed-by=/etc/apt/keyrings/vdisk-test.gpg] "
          + "file:/srv/vdisk-repo " + SUITE + " main\n");
      chroot("apt-get", "update");
      return withNew ? chroot("apt-get", "-s", "--with-new-pkgs", "upgrade")
          : chroot("apt-get", "-s", "upgrade");
    }

  }

  /** {@code Inst} lines of {@code apt-get -s}: package to the version it would install. */
  static Map<String, String> instLines(String aptOutput) {
    Map<String, String> out = new TreeMap<>();
    Matcher m = INST.matcher(aptOutput);
    while (m.find()) {
      out.put(m.group(1), m.group(3));
    }
    return out;
  }

  /** Packages that {@code Inst} lines install new (no {@code [installed version]}). */
  static Set<String> newInstalls(String aptOutput) {
    Set<String> out = new java.util.TreeSet<>();
    Matcher m = INST.matcher(aptOutput);
    while (m.find()) {
      if (m.group(2) == null) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /**
   * A directory served over http by com.sun.net.httpserver, honouring {@code Range}; with
   * {@code cutDebs}, the first response for each {@code .deb} stops after half its bytes (the
   * connection is dropped). Records every request's path and {@code Range} header.
   */
  static final class Served implements AutoCloseable {
    final HttpServer server;
    final String url;
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final Set<String> cut = ConcurrentHashMap.newKeySet();

    Served(Path dir, boolean cutDebs) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newFixedThreadPool(4));
      server.createContext("/", ex -> {
        try {
          String rel = ex.getRequestURI().getPath().replaceFirst("^/archive/", "");
          String range = ex.getRequestHeaders().getFirst("Range");
          requests.add(rel + (range != null ? " Range: " + range : ""));
          Path f = dir.resolve(rel).normalize();
          if (!f.startsWith(dir) || !Files.isRegularFile(f)) {
            ex.sendResponseHeaders(404, -1);
            return;
          }
          byte[] body = Files.readAllBytes(f);
          ex.getResponseHeaders().add("ETag", "\"" + sha256(f).substring(0, 16) + "\"");
          int from = 0;
          if (range != null && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            ex.getResponseHeaders().add("Content-Range",
                "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
          } else {
            ex.sendResponseHeaders(200, body.length);
          }
          int to = body.length;
          if (cutDebs && rel.endsWith(".deb") && cut.add(rel)) {
            to = from + (body.length - from) / 2;
          }
          OutputStream o = ex.getResponseBody();
          o.write(body, from, to - from);
          o.flush();
          // closing the exchange with bytes missing drops the connection
        } finally {
          ex.close();
        }
      });
      server.start();
      url = "http://127.0.0.1:" + server.getAddress().getPort() + "/archive";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
