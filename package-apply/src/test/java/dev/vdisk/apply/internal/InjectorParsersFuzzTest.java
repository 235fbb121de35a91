package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.TestDebs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Arbitrary bytes into the injector's parsers. {@code maintScript}: {@link MaintScript#parse}
 * never throws and returns only the four helper commands. {@code database}: the input split at
 * NUL bytes becomes a guest's dpkg {@code status}, {@code diversions}, {@code statoverride},
 * {@code triggers/File}, {@code /etc/passwd} and {@code /etc/group}; reading it throws at most
 * {@link CorruptStructureException}, and injecting a small package into it throws at most an
 * {@link IOException} (never a runtime exception). Seeds: {@code InjectorParsersFuzzTestInputs/}
 * (made by {@code testdata/scripts/make-inject-fuzz-seeds.sh}); {@code JAZZER_FUZZ=1} fuzzes.
 */
class InjectorParsersFuzzTest {
  private static final Set<String> COMMANDS =
      Set.of("rm_conffile", "mv_conffile", "symlink_to_dir", "dir_to_symlink");

  @FuzzTest(maxDuration = "1m")
  void maintScript(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    for (String action : List.of("upgrade", "install", "purge")) {
      Optional<List<MaintScript.HelperCall>> calls = MaintScript.parse(text, action);
      calls.ifPresent(l -> l.forEach(c -> assertTrue(COMMANDS.contains(c.command()))));
    }
  }

  @FuzzTest(maxDuration = "2m")
  void database(byte[] input) throws IOException {
    String[] parts = new String(input, StandardCharsets.UTF_8).split("\0", -1);
    String[] files = {"var/lib/dpkg/status", "var/lib/dpkg/diversions",
        "var/lib/dpkg/statoverride", "var/lib/dpkg/triggers/File", "etc/passwd", "etc/group"};
    Path dir = Files.createTempDirectory("fuzz-guest");
    try {
      Path root = Files.createDirectories(dir.resolve("root"));
      Files.createDirectories(root.resolve("var/lib/dpkg/info"));
      Files.createDirectories(root.resolve("var/lib/dpkg/triggers"));
      Files.createDirectories(root.resolve("etc"));
      for (int i = 0; i < files.length; i++) {
        Files.writeString(root.resolve(files[i]), i < parts.length ? parts[i] : "");
      }
      try {
        DpkgDb db = new DpkgDb(new GuestFs(root));
        assertFalse(db.nativeArch.isEmpty());
      } catch (CorruptStructureException expected) {
        return;
      }
      Path deb = TestDebs.of("fuzzpkg", "1.0", "amd64").dir("/", 0755).dir("/etc", 0755)
          .conffile("/etc/fuzz.conf", "x\n", 0644)
          .member("triggers", "activate-noawait ldconfig\n", 0644)
          .write(dir.resolve("p.deb"), "gz");
      try {
        new DebInjector(root, new InjectOptions(Set.of(), Instant.EPOCH, -1))
            .inject(List.of(DebArchive.open(deb)), List.of(deb), Map.of());
      } catch (IOException acceptable) {
        // a refusal or a file-system error, never a runtime exception
      }
    } finally {
      try (var s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
