package dev.vdisk.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BaselineSetTest {
  static final String EXAMPLE = """
      baselines:
        - name: bookworm-security
          description: security updates, a week old
          sources:
            - repo: https://deb.debian.org/debian-security
              suites: [bookworm-security]
              components: [main]
              architectures: [amd64]
              trust: [/usr/share/keyrings/debian-archive-keyring.gpg]
          dynamic:
            allowNew: false
            suites: ["*-security"]
            priorities: [required, important]
            sections: ["*"]
            packages: ["*"]
            approveAfterDays: 7
            approved: ["openssl", "libc6=2.36-9+deb12u4"]
            rejected: ["linux-image-*"]
          static:
            - {package: openssl, minVersion: "3.0.11-1~deb12u2"}
            - {package: telnetd, absent: true}
            - {update: KB5034441}
          exclude: ["linux-image-*"]
        - name: site-policy
          static:
            - {package: telnetd, absent: true}
      groups:
        - name: prod
          baselines: [bookworm-security, site-policy]
          tags: [prod, web]
        - name: lab
          baselines: [site-policy]
          tags: [lab]
        - name: default
          baselines: [bookworm-security]
      """;

  static BaselineSet parse(String yaml) throws BaselineException {
    return BaselineSet.parse(yaml.getBytes(StandardCharsets.UTF_8), Path.of("b.yaml"));
  }

  @Test
  void readsEveryField() throws Exception {
    BaselineSet set = parse(EXAMPLE);
    assertEquals(List.of("bookworm-security", "site-policy"),
        List.copyOf(set.baselines().keySet()));
    Baseline b = set.baseline("bookworm-security").orElseThrow();
    assertEquals("security updates, a week old", b.description());
    Source s = b.sources().get(0);
    assertEquals("https://deb.debian.org/debian-security", s.repo());
    assertEquals(List.of("bookworm-security"), s.suites());
    assertEquals(List.of("amd64"), s.architectures());
    DynamicRule d = b.dynamic();
    assertFalse(d.allowNew());
    assertEquals(List.of("*-security"), d.suites());
    assertEquals(7, d.approveAfterDays());
    assertEquals(List.of("openssl", "libc6=2.36-9+deb12u4"), d.approved());
    assertEquals(3, b.statics().size());
    assertEquals("minVersion", b.statics().get(0).kind());
    assertEquals("3.0.11-1~deb12u2", b.statics().get(0).minVersion());
    assertTrue(b.statics().get(1).absent());
    assertEquals("KB5034441", b.statics().get(2).update());
    assertTrue(b.excludes("linux-image-6.1.0-18-amd64"));
    assertFalse(b.excludes("openssl"));
    assertEquals(3, set.groups().size());
  }

  @Test
  void defaultsWhenOmitted() throws Exception {
    BaselineSet set = parse("""
        baselines:
          - name: up
            sources: [{repo: /srv/repo, suites: [stable]}]
            dynamic: {}
        """);
    Baseline b = set.baseline("up").orElseThrow();
    assertEquals(List.of("main"), b.sources().get(0).components());
    assertEquals(List.of(), b.sources().get(0).architectures());
    assertEquals(List.of("*"), b.dynamic().suites());
    assertEquals(List.of("*"), b.dynamic().packages());
    assertEquals(0, b.dynamic().approveAfterDays());
  }

  @Test
  void selectByTags() throws Exception {
    BaselineSet set = parse(EXAMPLE);
    assertEquals(List.of("bookworm-security", "site-policy"), set.select(Set.of("web")));
    assertEquals(List.of("site-policy"), set.select(Set.of("lab")));
    // union of matching groups, in file order
    assertEquals(List.of("bookworm-security", "site-policy"), set.select(Set.of("lab", "prod")));
    // no group matches: the default group
    assertEquals(List.of("bookworm-security"), set.select(Set.of("other")));
    assertEquals(List.of("bookworm-security"), set.select(Set.of()));
  }

  @Test
  void withoutGroupsEveryBaselineApplies() throws Exception {
    BaselineSet set = parse("""
        baselines:
          - {name: a, static: [{package: telnetd, absent: true}]}
          - {name: b, static: [{package: rsh-server, absent: true}]}
        """);
    assertEquals(List.of("a", "b"), set.select(Set.of("anything")));
  }

  @Test
  void noDefaultGroupSelectsNothing() throws Exception {
    BaselineSet set = parse("""
        baselines:
          - {name: a, static: [{package: telnetd, absent: true}]}
        groups:
          - {name: g, baselines: [a], tags: [x]}
        """);
    assertEquals(List.of(), set.select(Set.of("y")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown key | baselines:\\n  - {name: a, static: [{package: x, absent: true, colour: red}]}"
          + " | baselines[0].static[0].colour",
      "missing name | baselines:\\n  - {name: a, static: [{package: x, absent: true}]}\\n"
          + "  - {static: [{package: y, absent: true}]} | baselines[1].name",
      "duplicate name | baselines:\\n  - {name: a, static: [{package: x, absent: true}]}\\n"
          + "  - {name: a, static: [{package: y, absent: true}]} | baselines[1].name",
      "bad glob | baselines:\\n  - {name: a, static: [{package: x, absent: true}], "
          + "exclude: ['lib[abc']} | baselines[0].exclude[0]",
      "bad version | baselines:\\n  - name: a\\n    static:\\n      - {package: openssl, "
          + "minVersion: '1:'}\\n      - {package: x, minVersion: 'a b'} "
          + "| baselines[0].static[0].minVersion",
      "float version | baselines:\\n  - {name: a, static: [{package: x, minVersion: 1.10}]}"
          + " | baselines[0].static[0].minVersion",
      "unknown group member | baselines:\\n  - {name: a, static: [{package: x, absent: true}]}\\n"
          + "groups:\\n  - {name: g, baselines: [a, b]} | groups[0].baselines[1]",
      "dynamic without sources | baselines:\\n  - {name: a, dynamic: {}} | baselines[0].dynamic",
      "bad rule | baselines:\\n  - {name: a, static: [{package: x}]} | baselines[0].static[0]",
      "both forms | baselines:\\n  - {name: a, static: [{package: x, update: KB1}]}"
          + " | baselines[0].static[0]",
      "bad kb | baselines:\\n  - {name: a, static: [{update: 'patch tuesday'}]}"
          + " | baselines[0].static[0].update",
      "bad days | baselines:\\n  - {name: a, sources: [{repo: /r, suites: [s]}], "
          + "dynamic: {approveAfterDays: -1}} | baselines[0].dynamic.approveAfterDays",
      "bad approved | baselines:\\n  - {name: a, sources: [{repo: /r, suites: [s]}], "
          + "dynamic: {approved: ['x=:1']}} | baselines[0].dynamic.approved[0]",
      "no suites | baselines:\\n  - {name: a, sources: [{repo: /r}], dynamic: {}}"
          + " | baselines[0].sources[0].suites",
      "not a list | baselines: {name: a} | baselines",
      "top-level key | baseline: [] | baseline",
      "no baselines | groups: [] | baselines",
  })
  void invalidEntriesAreNamed(String what, String yaml, String entry) {
    BaselineException e = assertThrows(BaselineException.class,
        () -> parse(yaml.replace("\\n", "\n")));
    assertEquals(entry, e.entry(), what + ": " + e.getMessage());
    assertTrue(e.getMessage().startsWith("b.yaml: " + entry + ": "), e.getMessage());
  }

  @Test
  void notYamlIsABaselineException() {
    BaselineException e = assertThrows(BaselineException.class,
        () -> parse("baselines: [\n  - {name: a"));
    assertEquals("", e.entry());
    assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    assertThrows(BaselineException.class, () -> parse(""));
    assertThrows(BaselineException.class, () -> parse("baselines:\n  - a: &x [1]\n    a: 2\n"));
  }

  @Test
  void largeFilesAreRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("big.yaml");
    Files.write(f, new byte[BaselineSet.MAX_FILE_BYTES + 1]);
    BaselineException e = assertThrows(BaselineException.class, () -> BaselineSet.load(f));
    assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    assertEquals(f, e.file().orElseThrow());
  }

  @Test
  void loadsFromAFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("b.yaml");
    Files.writeString(f, EXAMPLE);
    assertEquals(f, BaselineSet.load(f).file());
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
      "*, '', true", "*-security, bookworm-security, true", "*-security, bookworm, false",
      "linux-image-*, linux-image-6.1.0-18-amd64, true", "lib?, libc, true", "lib?, lib, false",
      "lib[abc]6, libc6, true", "lib[!abc]6, libc6, false", "lib[a-d]6, libd6, true",
      "a*b*c, aXXbYYc, true", "a*b*c, aXXbYY, false", "openssl, openssl, true",
      "openssl, openssl-dev, false", "*ssl*, libssl3, true",
  })
  void globs(String glob, String text, boolean match) {
    assertNull(Glob.problem(glob));
    assertEquals(match, Glob.matches(glob, text));
  }

  @Test
  void malformedGlobs() {
    assertTrue(Glob.problem("[abc").contains("without"));
    assertTrue(Glob.problem("abc]").contains("without"));
    assertTrue(Glob.problem("a b").contains("white space"));
    assertTrue(Glob.problem("").contains("empty"));
  }
}
