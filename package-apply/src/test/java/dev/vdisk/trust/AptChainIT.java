package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apt as the oracle for the whole chain: {@code apt-get update} in an isolated configuration
 * (its own sources.list with {@code signed-by}, lists, cache and status; nothing of the host's
 * apt is touched) accepts a repository exactly when {@link Verifier} does.
 */
class AptChainIT {
  @TempDir Path tmp;

  private boolean aptAccepts(Path repo, Path keyring, String name) throws IOException {
    return aptAccepts(repo, keyring, name, "bookworm-vdisk main");
  }

  private boolean aptAccepts(Path repo, Path keyring, String name, String dist)
      throws IOException {
    Path d = Files.createDirectories(tmp.resolve("apt-" + name));
    Files.createDirectories(d.resolve("lists/partial"));
    Files.createDirectories(d.resolve("cache/archives/partial"));
    Files.createDirectories(d.resolve("etc/apt.conf.d"));
    Files.createDirectories(d.resolve("etc/preferences.d"));
    Files.createDirectories(d.resolve("etc/trusted.gpg.d"));
    Files.createDirectories(d.resolve("state"));
    Files.writeString(d.resolve("state/status"), "");
    Files.writeString(d.resolve("etc/sources.list"), "deb [signed-by=" + keyring
        + "] file:" + repo.toAbsolutePath() + " " + dist + "\n");
    Oracles.Result r = Oracles.run("apt-get", "update",
        "-o", "Dir::Etc=" + d.resolve("etc"),
        "-o", "Dir::Etc::SourceParts=" + d.resolve("etc/none"),
        "-o", "Dir::State=" + d.resolve("state"),
        "-o", "Dir::State::Lists=" + d.resolve("lists"),
        "-o", "Dir::State::status=" + d.resolve("state/status"),
        "-o", "Dir::Cache=" + d.resolve("cache"),
        "-o", "APT::Architecture=amd64", "-o", "APT::Architectures=amd64",
        "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
        // the host's apt.conf.d may turn these off (this machine's does); the oracle needs them
        "-o", "Acquire::Check-Valid-Until=true", "-o", "Acquire::Check-Date=true");
    boolean ok = r.exitCode() == 0 && !r.stdout().contains("Err:")
        && !r.stderr().contains("W: GPG error") && !r.stderr().contains("E: ");
    System.err.println("apt-get update (" + name + "): " + ok + "\n" + r.stderr());
    return ok;
  }

  @Test
  void aptAcceptsExactlyTheRepositoriesWeAccept() throws IOException {
    Oracles.require("apt-get", "apt");
    Path good = TrustFixtures.key("good");
    Map<String, Path[]> cases = new LinkedHashMap<>();
    cases.put("good", new Path[] {TrustFixtures.repo(), good});
    cases.put("wrong-key", new Path[] {TrustFixtures.repo(), TrustFixtures.key("other")});

    Path tampered = TrustFixtures.copy(TrustFixtures.repo(), tmp.resolve("tampered"));
    Path dir = TrustFixtures.suite(tampered).resolve("main/binary-amd64");
    Files.writeString(dir.resolve("Packages"), Files.readString(dir.resolve("Packages"))
        .replace("Version: 2.1-3", "Version: 2.1-4"));
    Files.delete(dir.resolve("Packages.gz"));
    Files.delete(dir.resolve("Packages.xz"));
    Oracles.runOk("gzip", "-9kn", dir.resolve("Packages").toString());
    Oracles.runOk("xz", "-9k", dir.resolve("Packages").toString());
    cases.put("tampered-packages", new Path[] {tampered, good});

    Path sig = TrustFixtures.copy(TrustFixtures.repo(), tmp.resolve("badsig"));
    Path in = TrustFixtures.suite(sig).resolve("InRelease");
    Files.writeString(in, Files.readString(in).replace("Origin: vdisk", "Origin: vdisK"));
    cases.put("tampered-inrelease", new Path[] {sig, good});

    cases.put("expired-key", new Path[] {TrustFixtures.makeRepo(tmp.resolve("expired"),
        "expired", Map.of("SIGN_TIME", "20200101T120000",
            "RELEASE_DATE", "Wed, 01 Jan 2020 11:00:00 UTC")), TrustFixtures.key("expired")});
    cases.put("revoked-key", new Path[] {TrustFixtures.makeRepo(tmp.resolve("revoked"),
        "revoked", Map.of()), TrustFixtures.key("revoked")});
    cases.put("valid-until-passed", new Path[] {TrustFixtures.makeRepo(tmp.resolve("vu"),
        "good", Map.of("VALID_UNTIL", "Sat, 01 Jan 2000 00:00:00 UTC")), good});
    cases.put("date-in-future", new Path[] {TrustFixtures.makeRepo(tmp.resolve("future"),
        "good", Map.of("RELEASE_DATE", "Fri, 01 Jan 2100 00:00:00 UTC")), good});

    List<String> disagreements = new ArrayList<>();
    int accepted = 0;
    for (Map.Entry<String, Path[]> e : cases.entrySet()) {
      Path repo = e.getValue()[0];
      Path key = e.getValue()[1];
      boolean apt = aptAccepts(repo, key, e.getKey());
      Verification v = new Verifier(TrustFixtures.store(key), VerifyOptions.defaults(),
          tmp.resolve("cache")).verify(repo);
      if (apt != v.trusted()) {
        disagreements.add(e.getKey() + ": apt " + apt + ", ours " + v.trusted() + " "
            + v.reasons());
      }
      if (apt) {
        accepted++;
      }
    }
    assertEquals(List.of(), disagreements);
    assertEquals(1, accepted, "only the good repository is accepted");
    assertTrue(cases.size() > 5);
  }

  @Test
  void flatRepositoriesAgreeWithApt() throws IOException {
    Oracles.require("apt-get", "apt");
    Path good = TrustFixtures.key("good");
    Path flat = tmp.resolve("flat");
    Oracles.Result made = Oracles.run(null, Map.of("FLAT", "1"), TrustFixtures.makeRepoCommand(
        flat, "good"));
    assertEquals(0, made.exitCode(), made.describe());
    Verifier v = new Verifier(TrustFixtures.store(good), VerifyOptions.defaults(),
        tmp.resolve("cache"));
    assertTrue(aptAccepts(flat, good, "flat", "./"));
    Verification r = v.verify(flat);
    assertTrue(r.trusted(), r.toString());
    for (Verification d : v.verifyPackages(TrustFixtures.debs(), List.of(flat.toString()))) {
      assertTrue(d.trusted(), d.reasons().toString());
    }
    Path xz = flat.resolve("Packages.xz");
    byte[] b = Files.readAllBytes(xz);
    b[b.length / 2] ^= 1;
    Files.write(xz, b);
    assertFalse(aptAccepts(flat, good, "flat-tampered", "./"));
    assertFalse(v.verify(flat).trusted());
  }
}
