package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vdisk.deb.DebVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * apt's candidate choice as apt_preferences(5) documents it, on hand-made suites (the property
 * test {@code UpgradeVsAptIT} checks the same against apt itself).
 */
class UniverseTest {
  private static final DebGuest GUEST = new DebGuest("amd64",
      new LinkedHashSet<>(List.of("amd64")), new HashMap<>());
  private static final DebGuest.Key KEY = new DebGuest.Key("p", "amd64");

  private static SuiteIndex suite(String name, boolean na, boolean bau, String... versions) {
    Map<String, List<DebEntry>> byName = new HashMap<>();
    SuiteIndex s = new SuiteIndex("/r", name, name, name, null, na, bau, "/r " + name, null,
        byName, new HashMap<>());
    List<DebEntry> es = new ArrayList<>();
    for (String v : versions) {
      es.add(entry(v, s));
    }
    byName.put("p", es);
    return s;
  }

  private static DebEntry entry(String v, SuiteIndex s) {
    return new DebEntry("p", DebVersion.parse(v), "amd64", "", "optional", "misc", "", "", "",
        "", "", "", -1, "", s, false, "", "");
  }

  private static String candidate(List<SuiteIndex> suites, String installed) {
    DebEntry in = installed == null ? null : entry(installed, null);
    DebEntry c = new Universe(suites, e -> true).candidate(GUEST, KEY, in, false);
    return c == null ? null : c.version().toString();
  }

  @Test
  void highestVersionAtPriority500() {
    assertEquals("2.0", candidate(List.of(suite("a", false, false, "1.0", "2.0"),
        suite("b", false, false, "1.5")), "1.0"));
    assertEquals("2.0", candidate(List.of(suite("a", false, false, "1.0", "2.0")), null));
  }

  @Test
  void neverDowngrades() {
    assertNull(candidate(List.of(suite("a", false, false, "1.0")), "1.5"));
  }

  @Test
  void notAutomaticIsNotACandidateForAnInstalledPackage() {
    // priority 1 < the installed version's 100
    assertNull(candidate(List.of(suite("exp", true, false, "3.0")), "1.0"));
    // but it is the only version of a package that is not installed
    assertEquals("3.0", candidate(List.of(suite("exp", true, false, "3.0")), null));
    // a normal suite wins over it
    assertEquals("2.0", candidate(List.of(suite("exp", true, false, "3.0"),
        suite("main", false, false, "2.0")), "1.0"));
  }

  @Test
  void butAutomaticUpgradesUpgradesInstalledPackages() {
    // priority 100 ties with the installed version: the higher version wins
    assertEquals("3.0", candidate(List.of(suite("bpo", true, true, "3.0")), "1.0"));
    // a priority-500 version, even older, is preferred for a package not installed
    assertEquals("2.0", candidate(List.of(suite("bpo", true, true, "3.0"),
        suite("main", false, false, "2.0")), null));
  }

  @Test
  void installedVersionInASourceIsTheCandidate() {
    assertNull(candidate(List.of(suite("main", false, false, "1.0"),
        suite("bpo", true, true, "0.9")), "1.0"));
  }
}
