package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Version ordering against dpkg's own code on versions from the real bookworm index: at least
 * 100,000 pairs through dpkg's Perl implementation ({@code Dpkg::Version}, libdpkg-perl; pairs
 * with a digit run too long for Perl's floating-point numbers left out) in one process, and every
 * pair (at least 100,000) through the {@code dpkg --compare-versions} binary, one process per
 * comparison, in two bash loops side by side.
 */
class DebVersionIT {
  private static final Pattern LONG_DIGITS = Pattern.compile("[0-9]{16,}");

  @Test
  void agreesWithDpkgOnPairsFromTheBookwormIndex() throws Exception {
    Oracles.require("dpkg", "dpkg");
    Oracles.require("perl", "perl");
    // dpkg's Perl implementation (Debian package libdpkg-perl, which dpkg-dev depends on)
    Oracles.requireFile(Path.of("/usr/share/perl5/Dpkg/Version.pm"), "libdpkg-perl");
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("DebVersionIT seed " + seed + " (rerun with -Dvdisk.seed=" + seed + ")");
    Random random = new Random(seed);

    Map<String, Set<String>> bySource = new HashMap<>();
    Set<String> all = new LinkedHashSet<>();
    for (Map<String, String> p : BookwormIndex.read(Set.of("Package", "Source", "Version"))) {
      String v = p.get("Version");
      if (v == null) {
        continue;
      }
      String source = p.getOrDefault("Source", p.get("Package")).split(" ")[0];
      bySource.computeIfAbsent(source, k -> new LinkedHashSet<>()).add(v);
      all.add(v);
    }
    List<String> versions = new ArrayList<>(all);
    assertTrue(versions.size() > 20_000, "only " + versions.size() + " versions in the index");
    List<String> withEpoch = versions.stream().filter(v -> v.contains(":")).toList();
    List<String> withTilde = versions.stream().filter(v -> v.contains("~")).toList();

    List<String[]> pairs = new ArrayList<>();
    // adjacent versions of the same source (several binaries, updates and security versions)
    for (Set<String> vs : bySource.values()) {
      List<String> list = new ArrayList<>(new TreeSet<>(vs));
      for (int i = 0; i + 1 < list.size(); i++) {
        pairs.add(new String[] {list.get(i), list.get(i + 1)});
      }
    }
    while (pairs.size() < 60_000) {
      pairs.add(new String[] {pick(versions, random), pick(versions, random)});
    }
    for (int i = 0; i < 15_000; i++) {
      pairs.add(new String[] {pick(withEpoch, random), pick(versions, random)});
      pairs.add(new String[] {pick(withTilde, random), pick(withTilde, random)});
    }
    // near neighbours: a real version against itself changed a little
    for (int i = 0; i < 15_000; i++) {
      String v = pick(versions, random);
      pairs.add(new String[] {v, mutate(v, random)});
    }
    for (String[] pair : pairs) {
      if (random.nextBoolean()) {
        String t = pair[0];
        pair[0] = pair[1];
        pair[1] = t;
      }
    }
    assertTrue(pairs.size() >= 100_000);

    // 1. dpkg's Perl implementation, one process over every pair it can hold exactly
    List<String[]> perlPairs = new ArrayList<>();
    List<String[]> binaryPairs = new ArrayList<>();
    for (String[] pair : pairs) {
      boolean tooLong = LONG_DIGITS.matcher(pair[0]).find() || LONG_DIGITS.matcher(pair[1]).find();
      (tooLong ? binaryPairs : perlPairs).add(pair);
    }
    Path in = Files.createTempFile("vdisk-versions", ".txt");
    try {
      Files.write(in, lines(perlPairs), StandardCharsets.UTF_8);
      String out = Oracles.runOk("perl", "-MDpkg::Version", "-ne",
          "chomp; my ($a, $b) = split / /; print version_compare($a, $b), \"\\n\";",
          in.toString());
      String[] results = out.split("\n");
      assertEquals(perlPairs.size(), results.length);
      int mismatches = 0;
      StringBuilder first = new StringBuilder();
      for (int i = 0; i < results.length; i++) {
        String[] pair = perlPairs.get(i);
        int ours = Integer.signum(DebVersion.compare(pair[0], pair[1]));
        int theirs = Integer.signum(Integer.parseInt(results[i].strip()));
        if (ours != theirs) {
          if (mismatches++ < 10) {
            first.append(pair[0]).append(" vs ").append(pair[1]).append(": ours ").append(ours)
                .append(", Dpkg::Version ").append(theirs).append('\n');
          }
        }
      }
      assertEquals(0, mismatches, "disagreements with Dpkg::Version:\n" + first);
      System.out.println("DebVersionIT: " + perlPairs.size() + " pairs agree with Dpkg::Version");

      // 2. the dpkg binary itself, on every pair (the Perl implementation's above included):
      // two bash loops side by side, one dpkg --compare-versions process per comparison
      List<String[]> all2 = new ArrayList<>(pairs);
      all2.addAll(handPairs());
      int half = all2.size() / 2;
      List<List<String[]>> parts = List.of(all2.subList(0, half), all2.subList(half, all2.size()));
      List<Path> inputs = new ArrayList<>();
      List<Process> loops = new ArrayList<>();
      List<Path> outputs = new ArrayList<>();
      String loop = "while read -r a b; do"
          + " if dpkg --compare-versions \"$a\" lt \"$b\" 2>/dev/null; then echo -1;"
          + " elif dpkg --compare-versions \"$a\" eq \"$b\" 2>/dev/null; then echo 0;"
          + " else echo 1; fi; done < \"$1\"";
      try {
        for (List<String[]> part : parts) {
          Path pin = Files.createTempFile("vdisk-versions-bin", ".txt");
          Path pout = Files.createTempFile("vdisk-versions-bin", ".out");
          inputs.add(pin);
          outputs.add(pout);
          Files.write(pin, lines(part), StandardCharsets.UTF_8);
          loops.add(new ProcessBuilder("bash", "-c", loop, "compare", pin.toString())
              .redirectOutput(pout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
              .start());
        }
        int checked = 0;
        for (int k = 0; k < parts.size(); k++) {
          assertEquals(0, loops.get(k).waitFor(), "the dpkg --compare-versions loop failed");
          List<String> binResults = Files.readAllLines(outputs.get(k), StandardCharsets.UTF_8);
          List<String[]> part = parts.get(k);
          assertEquals(part.size(), binResults.size());
          for (int i = 0; i < binResults.size(); i++) {
            String[] pair = part.get(i);
            int ours = Integer.signum(DebVersion.compare(pair[0], pair[1]));
            assertEquals(Integer.parseInt(binResults.get(i).strip()), ours,
                "dpkg --compare-versions disagrees on " + pair[0] + " vs " + pair[1]);
            checked++;
          }
        }
        assertTrue(checked >= 100_000);
        System.out.println("DebVersionIT: " + checked + " pairs (" + binaryPairs.size()
            + " with digit runs of 16+ digits) agree with dpkg --compare-versions");
      } finally {
        for (Process pr : loops) {
          pr.destroyForcibly();
        }
        for (Path f : inputs) {
          Files.deleteIfExists(f);
        }
        for (Path f : outputs) {
          Files.deleteIfExists(f);
        }
      }
    } finally {
      Files.deleteIfExists(in);
    }
  }

  @Test
  void rejectsWhatDpkgRejects() {
    Oracles.require("dpkg", "dpkg");
    String[] texts = {"1.0", "1:", ":1.0", "a:1.0", "-1:1.0", "1.0-", "-1", "1 0", "1:-1",
        "99999999999:1", "2147483647:1", "2147483648:1", "+1:1.0", "0:0", "abc", "1.0_1",
        "1.0-a_b", " 1.0", "1.0 ", "1.0\t", "1::2", "1:2:3", "1-2-3", "~", "0~-~", "1:a"};
    for (String t : texts) {
      Oracles.Result r = Oracles.run("dpkg", "--compare-versions", t, "eq", t);
      boolean dpkgAccepts = r.exitCode() == 0;
      boolean weAccept = DebVersion.tryParse(t) != null;
      assertEquals(dpkgAccepts, weAccept, "'" + t + "': dpkg " + r.describe());
    }
  }

  private static List<String[]> handPairs() {
    String[][] hand = {
      {"1.0", "1.00"}, {"0:1.0", "1.0"}, {"1.0", "1.0-0"}, {"1.0~rc1", "1.0"}, {"1.0~~", "1.0~"},
      {"1.0a", "1.0"}, {"1.0+", "1.0a"}, {"1.0.", "1.0a"}, {"1:0", "9999"},
      {"1.123456789012345678901", "1.123456789012345678902"}, {"2147483647:1", "1:2"},
      {"1.0-1~bpo1", "1.0-1"}, {"1.0-1+b1", "1.0-1.1"}, {"0", "00"}, {"a", "0a"}, {"1.0", "1."},
    };
    return List.of(hand);
  }

  private static List<String> lines(List<String[]> pairs) {
    List<String> out = new ArrayList<>(pairs.size());
    for (String[] p : pairs) {
      out.add(p[0] + " " + p[1]);
    }
    return out;
  }

  private static String pick(List<String> list, Random random) {
    return list.get(random.nextInt(list.size()));
  }

  private static final String[] SUFFIXES = {"~", "~rc1", "+b1", ".0", "0", "a", "-1", "+", ".1",
      "~~", "+deb12u1", "-0"};

  /** A nearby version: a suffix added, a digit changed or a digit run lengthened. */
  static String mutate(String v, Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return v + SUFFIXES[random.nextInt(SUFFIXES.length)];
      case 1: {
        Matcher m = Pattern.compile("[0-9]").matcher(v);
        List<Integer> at = new ArrayList<>();
        while (m.find()) {
          at.add(m.start());
        }
        if (at.isEmpty()) {
          return v + "1";
        }
        int i = at.get(random.nextInt(at.size()));
        if (v.lastIndexOf(':') > i) {
          return v + "0"; // keep the epoch valid
        }
        return v.substring(0, i) + random.nextInt(10) + v.substring(i + 1);
      }
      case 2: {
        int colon = v.indexOf(':');
        String rest = colon < 0 ? v : v.substring(colon + 1);
        return (colon < 0 ? random.nextInt(3) + ":" : "") + rest;
      }
      default: {
        int i = v.indexOf('.');
        if (i < 0) {
          return v + "~";
        }
        return v.substring(0, i) + "0".repeat(random.nextInt(3)) + random.nextInt(99999)
            + "999999999999".substring(random.nextInt(12)) + v.substring(i);
      }
    }
  }

  @Test
  void mutationsAreValidVersions() {
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      String m = mutate("1:2.3-4", random);
      if (DebVersion.tryParse(m) == null) {
        fail("mutation produced an invalid version " + m);
      }
    }
  }
}
