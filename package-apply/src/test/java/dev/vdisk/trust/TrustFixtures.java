package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The trust tests' fixtures, made once per JVM by the scripts in {@code testdata/scripts} with
 * the real tools (gpg, dpkg-deb, apt-ftparchive): test keys, two packages, and a repository
 * signed by the {@code good} key's signing subkey.
 */
final class TrustFixtures {
  private static Path root;

  private TrustFixtures() {}

  /** Requires the tools the fixture scripts use. */
  static void requireTools() {
    Oracles.require("gpg", "gpg");
    Oracles.require("gpgv", "gpgv");
    Oracles.require("apt-ftparchive", "apt-utils");
    Oracles.require("dpkg-deb", "dpkg");
    Oracles.require("xz", "xz-utils");
  }

  /** The fixture root (keys/, debs/, repo/). */
  static synchronized Path root() {
    requireTools();
    if (root == null) {
      try {
        Path r = Files.createTempDirectory("vdisk-trust-");
        script("make-test-keys.sh", r.resolve("keys").toString());
        script("make-test-debs.sh", r.resolve("debs").toString());
        root = r;
        makeRepo(r.resolve("repo"), "good", Map.of());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  static Path keys() {
    return root().resolve("keys");
  }

  static Path key(String name) {
    return keys().resolve(name + ".gpg");
  }

  static String fingerprint(String name) {
    try {
      return Files.readString(keys().resolve(name + ".fpr")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> debs() {
    try (Stream<Path> s = Files.list(root().resolve("debs"))) {
      return s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path repo() {
    return root().resolve("repo");
  }

  static Path suite(Path repo) {
    return repo.resolve("dists").resolve("bookworm-vdisk");
  }

  /** A new repository of the test packages signed by a test key. */
  static Path makeRepo(Path out, String signer, Map<String, String> env) {
    Oracles.Result r = Oracles.run(null, env, makeRepoCommand(out, signer));
    if (r.exitCode() != 0) {
      fail(r.describe());
    }
    return out;
  }

  /** The make-apt-repo.sh command line for the test packages signed by a test key. */
  static String[] makeRepoCommand(Path out, String signer) {
    String keyId = fingerprint(signer);
    List<String> cmd = new ArrayList<>(List.of("bash",
        ProjectPaths.script("make-apt-repo.sh").toString(), out.toString(),
        keys().resolve("home").toString(), keyId));
    Path debDir = root().resolve("debs");
    try (Stream<Path> s = Files.list(debDir)) {
      s.filter(p -> p.toString().endsWith(".deb")).sorted()
          .forEach(p -> cmd.add(p.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cmd.toArray(String[]::new);
  }

  /** Runs gpg on the test keys' home, then stops the agent it started. */
  static void gpg(String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c",
        "gpg --homedir \"$0\" --batch --yes \"$@\"; rc=$?; "
            + "gpgconf --homedir \"$0\" --kill gpg-agent; exit $rc",
        keys().resolve("home").toString()));
    cmd.addAll(List.of(args));
    Oracles.runOk(cmd.toArray(String[]::new));
  }

  static void script(String name, String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", ProjectPaths.script(name).toString()));
    cmd.addAll(List.of(args));
    Oracles.runOk(cmd.toArray(String[]::new));
  }

  /** A copy of a directory tree. */
  static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }

  /** gpgv's report on a file: exit status and status-fd lines. */
  record Gpgv(int exit, String status) {
    boolean good() {
      return exit == 0 && status.contains("[GNUPG:] GOODSIG")
          && !status.contains("[GNUPG:] BADSIG");
    }
  }

  static Gpgv gpgv(Path keyring, Path... files) {
    List<String> cmd = new ArrayList<>(List.of("gpgv", "--status-fd", "1", "--keyring",
        keyring.toString()));
    for (Path f : files) {
      cmd.add(f.toString());
    }
    Oracles.Result r = Oracles.run(cmd.toArray(String[]::new));
    return new Gpgv(r.exitCode(), r.stdout());
  }

  static TrustStore store(Path... keyrings) throws IOException {
    return TrustStore.load(List.of(keyrings));
  }
}
