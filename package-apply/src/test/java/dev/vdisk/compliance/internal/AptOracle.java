package dev.vdisk.compliance.internal;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real apt as the oracle: test repositories written as Packages + Release, signed by gpg with
 * the {@code good} test key ({@code testdata/scripts/make-test-keys.sh}), and {@code apt-get
 * update} / {@code apt-get -s upgrade} run without a chroot against a temporary status file,
 * sources list and lists directory (every other apt configuration file replaced by an empty
 * directory through {@code APT_CONFIG}).
 */
final class AptOracle {
  private static Path keys;

  private AptOracle() {}

  static void requireTools() {
    Oracles.require("apt-get", "apt");
    Oracles.require("gpg", "gpg");
    Oracles.require("gpgv", "gpgv");
  }

  /** The test keys (made once per JVM). */
  static synchronized Path keys() {
    requireTools();
    if (keys == null) {
      try {
        Path k = Files.createTempDirectory("vdisk-baseline-keys-");
        Oracles.runOk("bash", ProjectPaths.script("make-test-keys.sh").toString(), k.toString());
        keys = k;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return keys;
  }

  static Path goodKeyring() {
    return keys().resolve("good.gpg");
  }

  /** One suite of a test repository, as text. */
  record Suite(String name, boolean notAutomatic, boolean butAutomaticUpgrades, String date,
      Map<String, String> packagesByArch) {}

  /**
   * Writes a repository's indexes and Release under {@code root/dists/SUITE} (Release only
   * signed later by {@link #signAll}).
   */
  static void writeSuite(Path root, Suite s) throws IOException {
    Path dir = root.resolve("dists").resolve(s.name());
    StringBuilder sums = new StringBuilder();
    for (Map.Entry<String, String> e : s.packagesByArch().entrySet()) {
      String rel = "main/binary-" + e.getKey() + "/Packages";
      Path p = dir.resolve(rel);
      Files.createDirectories(p.getParent());
      byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
      Files.write(p, b);
      sums.append(' ').append(sha256(b)).append(' ').append(b.length).append(' ').append(rel)
          .append('\n');
    }
    StringBuilder r = new StringBuilder();
    r.append("Origin: vdisk-test\nLabel: vdisk-test\nSuite: ").append(s.name())
        .append("\nCodename: ").append(s.name()).append("\nDate: ").append(s.date())
        .append("\nArchitectures: ").append(String.join(" ", s.packagesByArch().keySet()))
        .append("\nComponents: main\n");
    if (s.notAutomatic()) {
      r.append("NotAutomatic: yes\n");
      if (s.butAutomaticUpgrades()) {
        r.append("ButAutomaticUpgrades: yes\n");
      }
    }
    r.append("SHA256:\n").append(sums);
    Files.writeString(dir.resolve("Release"), r.toString());
  }

  /** Signs every {@code Release} below the roots into {@code InRelease}, with one gpg agent. */
  static void signAll(List<Path> releases) throws IOException {
    Path home = keys().resolve("home");
    String fpr = Files.readString(keys().resolve("good.fpr")).strip();
    StringBuilder script = new StringBuilder("set -e\n");
    for (Path rel : releases) {
      script.append("gpg --homedir '").append(home).append("' --batch --yes --no-tty --quiet "
          + "--pinentry-mode loopback --passphrase '' --local-user ").append(fpr)
          .append(" --clearsign --output '").append(rel.resolveSibling("InRelease"))
          .append("' '").append(rel).append("'\n");
    }
    script.append("gpgconf --homedir '").append(home).append("' --kill gpg-agent\n");
    // a file, not bash -c: a thousand suites exceed the argument length limit
    Path file = Files.createTempFile("vdisk-sign-", ".sh");
    try {
      Files.writeString(file, script.toString());
      Oracles.runOk("bash", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** A scratch apt configuration for one universe. */
  static Path aptConfig(Path u, String nativeArch, List<String> archs, List<String> sources)
      throws IOException {
    Path empty = Files.createDirectories(u.resolve("empty"));
    Files.createDirectories(u.resolve("lists/partial"));
    Files.createDirectories(u.resolve("cache/archives/partial"));
    Files.createDirectories(u.resolve("log"));
    StringBuilder list = new StringBuilder();
    for (String s : sources) {
      list.append(s).append('\n');
    }
    Files.writeString(u.resolve("sources.list"), list.toString());
    StringBuilder c = new StringBuilder();
    c.append("Dir \"/\";\n");
    c.append("Dir::Etc::parts \"").append(empty).append("\";\n");
    c.append("Dir::Etc::main \"/dev/null\";\n");
    c.append("Dir::Etc::sourcelist \"").append(u.resolve("sources.list")).append("\";\n");
    c.append("Dir::Etc::sourceparts \"").append(empty).append("\";\n");
    c.append("Dir::Etc::preferences \"").append(empty.resolve("none")).append("\";\n");
    c.append("Dir::Etc::preferencesparts \"").append(empty).append("\";\n");
    c.append("Dir::Etc::trusted \"").append(empty.resolve("none.gpg")).append("\";\n");
    c.append("Dir::Etc::trustedparts \"").append(empty).append("\";\n");
    c.append("Dir::State \"").append(u).append("\";\n");
    c.append("Dir::State::status \"").append(u.resolve("status")).append("\";\n");
    c.append("Dir::State::lists \"").append(u.resolve("lists")).append("\";\n");
    c.append("Dir::State::extended_states \"").append(u.resolve("extended_states"))
        .append("\";\n");
    c.append("Dir::Cache \"").append(u.resolve("cache")).append("\";\n");
    c.append("Dir::Log \"").append(u.resolve("log")).append("\";\n");
    c.append("APT::Architecture \"").append(nativeArch).append("\";\n");
    c.append("APT::Architectures { ");
    for (String a : archs) {
      c.append('"').append(a).append("\"; ");
    }
    c.append("};\n");
    c.append("Debug::NoLocking \"1\";\nAPT::Sandbox::User \"root\";\n");
    c.append("Acquire::Languages \"none\";\nAcquire::IndexTargets::deb::Contents-deb "
        + "\"false\";\n");
    Path conf = u.resolve("apt.conf");
    Files.writeString(conf, c.toString());
    return conf;
  }

  /** Runs apt-get with a scratch configuration. */
  static Oracles.Result aptGet(Path conf, String... args) {
    List<String> cmd = new ArrayList<>(List.of("apt-get", "-q"));
    cmd.addAll(List.of(args));
    return Oracles.run(null, Map.of("APT_CONFIG", conf.toString(), "LC_ALL", "C"),
        cmd.toArray(String[]::new));
  }

  private static final Pattern INST = Pattern.compile(
      "^Inst (\\S+)(?: \\[([^\\]]+)\\])? \\((\\S+) ", Pattern.MULTILINE);
  private static final Pattern LISTED = Pattern.compile(
      "^\\s+(\\S+) \\((?:\\S+ => )?(\\S+)\\)$");

  /** The {@code Inst} lines of a simulation: {@code name[:arch]} to the version installed. */
  static Map<String, String> inst(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher x = INST.matcher(out);
    while (x.find()) {
      m.put(x.group(1), x.group(3));
    }
    return m;
  }

  /**
   * The packages {@code apt-get -V} lists as upgraded and newly installed (these lists are
   * printed even when the simulation's ordering fails afterwards): {@code name[:arch]} to the
   * new version.
   */
  static Map<String, String> listed(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    boolean in = false;
    for (String line : out.split("\n")) {
      if (line.startsWith("The following")) {
        in = line.contains("will be upgraded") || line.contains("NEW packages");
        continue;
      }
      if (!line.startsWith(" ")) {
        in = false;
        continue;
      }
      if (in) {
        Matcher x = LISTED.matcher(line);
        if (x.matches()) {
          m.put(x.group(1), x.group(2));
        }
      }
    }
    return m;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
