package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.trust.VerifyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real Debian security archive over https, verified with debian-archive-keyring: an old
 * old openssl, libssl3 and libc6 are MISSING with bookworm-security candidates, and the
 * resolution's Filename and SHA256 come from the verified index. Needs the network: runs under
 * {@code CI=true} (whose other fixtures come from deb.debian.org too) or with {@code
 * -Dvdisk.network=true}.
 */
class RemoteCatalogIT {
  @Test
  void bookwormSecurityOverHttps() throws Exception {
    Assumptions.assumeTrue(Oracles.isCi() || Boolean.getBoolean("vdisk.network"),
        "needs the network: CI=true or -Dvdisk.network=true");
    Path keyring = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
    Oracles.requireFile(keyring, "debian-archive-keyring");
    String yaml = """
        baselines:
          - name: sec
            sources:
              - repo: https://deb.debian.org/debian-security
                suites: [bookworm-security]
                architectures: [amd64]
                trust: [%s]
            dynamic: {}
        """.formatted(keyring);
    Path cache = Files.createTempDirectory("vdisk-remote-cache-");
    Catalog c = Catalog.load(BaselineSet.parse(yaml.getBytes(StandardCharsets.UTF_8), null),
        new ScanOptions(new VerifyOptions(Instant.now(), false), cache, null, 1));
    assertTrue(c.loadedSuites().get(0).size() > 100, "bookworm-security has packages");
    assertEquals("bookworm-security", c.loadedSuites().get(0).codename());
    GuestRoot root = new GuestRoot(0, new OsFacts("linux", "debian", "12", "12", "Debian", null,
        "bookworm", null, null, null, null, "x86_64", null, null, "deb", "dpkg"), List.of(
            new InstalledPackage("openssl", "3.0.9-1", "amd64", "install ok installed", true,
                "deb", null, "3.0.9", "1", null, null, null),
            new InstalledPackage("libssl3", "3.0.9-1", "amd64", "install ok installed", true,
                "deb", null, "3.0.9", "1", null, null, null),
            new InstalledPackage("libc6", "2.36-9", "amd64", "install ok installed", true,
                "deb", null, "2.36", "9", null, null, null)),
        List.of(), List.of(), List.of(), List.of(), Map.of(), List.of());
    List<Finding> fs = c.evaluate(List.of("sec"), root);
    Finding f = fs.stream().filter(x -> x.name().equals("openssl")).findFirst().orElseThrow();
    assertEquals(RequirementState.MISSING, f.state(), f.toString());
    assertTrue(fs.stream().anyMatch(x -> x.name().equals("libssl3")
        && x.state() == RequirementState.MISSING), fs.toString());
    Catalog.Resolution r = c.resolve(List.of("sec"), root, fs);
    Catalog.Candidate o = r.packages().stream().filter(x -> x.name().equals("openssl"))
        .findFirst().orElseThrow();
    assertTrue(o.filename().startsWith("pool/updates/main/o/openssl/"), o.filename());
    assertTrue(o.repository().startsWith("https://deb.debian.org/debian-security "),
        o.repository());
  }
}
