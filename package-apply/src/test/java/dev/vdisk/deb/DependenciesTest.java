package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand scenarios of {@link Dependencies#plan}; DependenciesIT checks it against real dpkg. */
class DependenciesTest {

  private static ControlParagraph pkg(String name, String version, String... fields)
      throws CorruptStructureException {
    StringBuilder sb = new StringBuilder("Package: " + name + "\nVersion: " + version + "\n");
    boolean arch = false;
    for (String f : fields) {
      sb.append(f).append('\n');
      arch |= f.startsWith("Architecture:");
    }
    if (!arch) {
      sb.append("Architecture: amd64\n");
    }
    return ControlParagraph.parse(sb.toString(), name);
  }

  private static ControlParagraph installed(String name, String version, String... fields)
      throws CorruptStructureException {
    List<String> all = new ArrayList<>(List.of("Status: install ok installed"));
    all.addAll(List.of(fields));
    return pkg(name, version, all.toArray(String[]::new));
  }

  private static Dependencies.Plan plan(List<ControlParagraph> status,
      ControlParagraph... set) {
    return Dependencies.plan(status, List.of(set), "amd64", Set.of("i386"));
  }

  @Test
  void unsatisfiedVersionedDependsIsOneReadableSentence() throws Exception {
    Dependencies.Plan p = plan(List.of(installed("libbar", "2.1")),
        pkg("foo", "2.0", "Depends: libbar (>= 3)"));
    assertFalse(p.ok());
    assertEquals(List.of("foo 2.0 depends on libbar (>= 3) but the guest has libbar 2.1 and the "
        + "set has none"), p.problems());
    Dependencies.Plan fixed = plan(List.of(installed("libbar", "2.1")),
        pkg("foo", "2.0", "Depends: libbar (>= 3)"), pkg("libbar", "3.0"));
    assertTrue(fixed.ok(), fixed.problems().toString());
  }

  @Test
  void onlyPresentStatesCount() throws Exception {
    for (String state : new String[] {"config-files", "not-installed", "half-installed"}) {
      ControlParagraph g = pkg("libbar", "3", "Status: deinstall ok " + state);
      assertFalse(plan(List.of(g), pkg("foo", "1", "Depends: libbar")).ok(), state);
    }
    for (String state : new String[] {"installed", "unpacked", "half-configured",
        "triggers-awaited", "triggers-pending"}) {
      ControlParagraph g = pkg("libbar", "3", "Status: install ok " + state);
      assertTrue(plan(List.of(g), pkg("foo", "1", "Depends: libbar")).ok(), state);
    }
  }

  @Test
  void virtualPackagesAndVersionedProvides() throws Exception {
    List<ControlParagraph> guest = List.of(installed("exim4", "4.96", "Provides: mail-transport-agent"),
        installed("newlib", "1", "Provides: libapi (= 2.5)"));
    assertTrue(plan(guest, pkg("mutt", "2", "Depends: mail-transport-agent")).ok());
    assertTrue(plan(guest, pkg("x", "1", "Depends: libapi (>= 2)")).ok());
    assertFalse(plan(guest, pkg("x", "1", "Depends: libapi (>= 3)")).ok());
    // an unversioned Provides never satisfies a versioned relation
    assertFalse(plan(guest, pkg("mutt", "2", "Depends: mail-transport-agent (>= 1)")).ok());
    assertTrue(plan(guest, pkg("y", "1", "Depends: nothing | libapi")).ok());
  }

  @Test
  void conflictsAndBreaksInBothDirectionsAndThroughProvides() throws Exception {
    List<ControlParagraph> guest = List.of(installed("exim4", "4.96",
        "Provides: mail-transport-agent", "Conflicts: mail-transport-agent"));
    Dependencies.Plan p = plan(guest, pkg("postfix", "3.7", "Provides: mail-transport-agent",
        "Conflicts: mail-transport-agent"));
    assertFalse(p.ok());
    assertEquals(2, p.problems().size(), p.problems().toString()); // each conflicts with the other
    assertTrue(p.problems().get(0).contains("(it provides mail-transport-agent)"));
    // a package that provides and conflicts with the same name alone is fine
    assertTrue(plan(List.of(), pkg("postfix", "3.7", "Provides: mail-transport-agent",
        "Conflicts: mail-transport-agent")).ok());
    assertFalse(plan(List.of(installed("old", "1.0", "Breaks: new (<< 2)")),
        pkg("new", "1.5")).ok());
    assertTrue(plan(List.of(installed("old", "1.0", "Breaks: new (<< 2)")),
        pkg("new", "2.0")).ok());
    Dependencies.Plan upgradeFirst = plan(List.of(installed("g", "1")),
        pkg("x", "1", "Breaks: g (<< 2)"), pkg("g", "2"));
    assertTrue(upgradeFirst.ok(), upgradeFirst.problems().toString());
    assertEquals("g", upgradeFirst.order().get(0).get("Package")); // the upgrade goes first
  }

  @Test
  void anUnconfiguredGuestPackageThatIsBrokenCannotBeConfiguredAtFirstBoot() throws Exception {
    // dpkg --configure refuses a package another installed package breaks (found by
    // DependenciesIT)
    Dependencies.Plan p = plan(List.of(installed("pef", "1", "Breaks: paz (<< 2)"),
        pkg("paz", "1", "Status: install ok unpacked")), pkg("other", "1"));
    assertEquals(List.of("the guest's paz 1 is unpacked (not configured) and the guest's pef 1 "
        + "breaks paz (<< 2), so configuring it at first boot would fail"), p.problems());
  }

  @Test
  void anUpgradeThatBreaksAnInstalledPackagesDependsIsAProblem() throws Exception {
    Dependencies.Plan p = plan(List.of(installed("libbar", "2.1"),
        installed("foo", "1.0", "Depends: libbar (<< 3)")), pkg("libbar", "3.0"));
    assertEquals(List.of("the set breaks the guest's foo 1.0: it depends on libbar (<< 3) but the"
        + " guest has libbar 2.1 (replaced by 3.0) and the set has libbar 3.0"), p.problems());
  }

  @Test
  void multiArchRules() throws Exception {
    ControlParagraph allowed = installed("python3", "3.11", "Multi-Arch: allowed");
    ControlParagraph foreign = installed("make", "4.3", "Multi-Arch: foreign");
    ControlParagraph plain = installed("perl", "5.36");
    String i386 = "Architecture: i386";
    assertTrue(plan(List.of(allowed), pkg("a", "1", i386, "Depends: python3:any")).ok());
    assertFalse(plan(List.of(allowed), pkg("a", "1", i386, "Depends: python3")).ok());
    assertTrue(plan(List.of(foreign), pkg("a", "1", i386, "Depends: make")).ok());
    assertFalse(plan(List.of(foreign), pkg("a", "1", i386, "Depends: make:any")).ok());
    assertFalse(plan(List.of(plain), pkg("a", "1", i386, "Depends: perl")).ok());
    assertTrue(plan(List.of(plain), pkg("a", "1", i386, "Depends: perl:amd64")).ok());
    assertTrue(plan(List.of(plain), pkg("a", "1", "Architecture: all", "Depends: perl")).ok());
    assertFalse(plan(List.of(), pkg("a", "1", "Architecture: arm64")).ok());
    ControlParagraph same = installed("libz", "1.2", "Multi-Arch: same");
    assertTrue(plan(List.of(same), pkg("libz", "1.2", i386, "Multi-Arch: same")).ok());
    assertFalse(plan(List.of(same), pkg("libz", "1.3", i386, "Multi-Arch: same")).ok());
  }

  @Test
  void preDependsOrderAndStaging() throws Exception {
    List<ControlParagraph> guest = List.of(installed("dpkg", "1.21"));
    Dependencies.Plan p = plan(guest, pkg("a", "1", "Pre-Depends: b (>= 2)"), pkg("c", "1",
        "Pre-Depends: dpkg (>= 1.17)"), pkg("b", "2", "Pre-Depends: dpkg"));
    assertTrue(p.ok(), p.problems().toString());
    assertEquals(List.of("c", "b", "a"), p.order().stream().map(c -> c.get("Package")).toList());
    assertEquals(Set.of("a"), p.mustStage().keySet());
    assertTrue(p.mustStage().get("a").contains("pre-depends on b (>= 2)"));
    // an upgrade of the pre-dependency itself leaves it unconfigured: stage
    Dependencies.Plan up = plan(guest, pkg("c", "1", "Pre-Depends: dpkg (>= 1.17)"),
        pkg("dpkg", "1.22"));
    assertEquals(Set.of("c"), up.mustStage().keySet());
    assertEquals("dpkg", up.order().get(0).get("Package"));
    // a package that satisfies its own pre-dependency: no staging (found by DependenciesIT)
    Dependencies.Plan self = plan(List.of(installed("ped", "1", "Provides: v3",
        "Pre-Depends: v3")), pkg("ped", "1", "Provides: v3", "Pre-Depends: v3"));
    assertTrue(self.ok(), self.problems().toString());
    assertEquals(Set.of(), self.mustStage().keySet());
    // x breaks the old g; g's upgrade is staged, so x must wait for it
    Dependencies.Plan chain = plan(List.of(installed("g", "1"), installed("h", "1")),
        pkg("x", "1", "Breaks: g (<< 2)"), pkg("g", "2", "Pre-Depends: h (>= 2)"),
        pkg("h", "2"));
    assertTrue(chain.ok(), chain.problems().toString());
    assertEquals(List.of("h", "g", "x"),
        chain.order().stream().map(c -> c.get("Package")).toList());
    assertEquals(Set.of("g", "x"), chain.mustStage().keySet());
    // ... but the old version it replaces does not count (found by DependenciesIT)
    Dependencies.Plan oldSelf = plan(List.of(installed("pby", "1", "Provides: v1")),
        pkg("pby", "2", "Pre-Depends: v1 | v2"));
    assertFalse(oldSelf.ok(), oldSelf.toString());
    // a package's own Provides satisfies its own Pre-Depends for dpkg (found by DependenciesIT)
    Dependencies.Plan own = plan(List.of(), pkg("s1", "1", "Pre-Depends: vv", "Provides: vv"));
    assertTrue(own.ok() && own.mustStage().isEmpty(), own.toString());
    assertFalse(plan(List.of(), pkg("s3", "1", "Pre-Depends: vv (>= 2)",
        "Provides: vv (= 1)")).ok());
    Dependencies.Plan cycle = plan(List.of(), pkg("a", "1", "Pre-Depends: b"),
        pkg("b", "1", "Pre-Depends: a"));
    assertFalse(cycle.ok());
    assertTrue(cycle.problems().stream().anyMatch(s -> s.contains("cycle")), cycle.toString());
  }

  @Test
  void badInputBecomesAProblemNotAnException() throws Exception {
    Dependencies.Plan p = plan(List.of(), pkg("a", "1", "Depends: b (>= )"));
    assertFalse(p.ok());
    assertTrue(p.problems().get(0).contains("bad Depends field"), p.problems().toString());
    assertFalse(plan(List.of(), pkg("a", "1"), pkg("a", "2")).ok());
    Dependencies.Plan alt = plan(List.of(), pkg("a", "1", "Conflicts: b | c"));
    assertTrue(alt.problems().get(0).contains("alternatives ('|') not allowed in Conflicts"),
        alt.problems().toString());
  }
}
