package dev.vdisk.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vdisk.inspect.internal.linux.ApkInstalled;
import dev.vdisk.inspect.internal.linux.DpkgStatus;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every dpkg status file and apk installed database in the corpus (MANIFEST.tsv kinds "dpkg
 * status database" and "apk installed database"; txtar archives are unpacked first) parses, and
 * lists exactly what an independent reader lists: dpkg-query itself over a temporary admin
 * directory holding the file, where dpkg accepts it; an awk extraction of the
 * {@code Package}/{@code Version} (dpkg) or {@code P:}/{@code V:} (apk) lines otherwise.
 */
class PackageDatabaseCorpusIT {
  @TempDir Path work;

  static Stream<Arguments> databases() throws IOException {
    Path corpus = ProjectPaths.corpus();
    Oracles.requireFile(corpus, "the shared corpus");
    List<Arguments> out = new ArrayList<>();
    for (String line : Files.readAllLines(corpus.resolve("MANIFEST.tsv"))) {
      String[] f = line.split("\t");
      if (f.length > 5 && (f[5].startsWith("dpkg status database")
          || f[5].startsWith("apk installed database"))) {
        out.add(Arguments.of(f[0], f[5].startsWith("dpkg") ? "dpkg" : "apk"));
      }
    }
    assertFalse(out.isEmpty());
    return out.stream();
  }

  /** The files of a txtar archive by name, or the file itself under the name "status". */
  private static Map<String, String> members(String path, String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!path.endsWith(".txtar")) {
      out.put(path, text);
      return out;
    }
    String name = null;
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("-- ") && line.endsWith(" --")) {
        if (name != null) {
          out.put(name, sb.toString());
        }
        name = line.substring(3, line.length() - 3).strip();
        sb.setLength(0);
      } else if (name != null) {
        sb.append(line).append('\n');
      }
    }
    if (name != null) {
      out.put(name, sb.toString());
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void listsWhatAnIndependentReaderLists(String path, String kind) throws Exception {
    Oracles.require("dpkg-query", "dpkg");
    Path file = ProjectPaths.corpus().resolve(path);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    for (Map.Entry<String, String> m : members(path, text).entrySet()) {
      if (kind.equals("apk")) {
        List<String> ours = new ArrayList<>();
        ApkInstalled.parse(m.getValue()).forEach(p -> ours.add(p.name() + " " + p.version()));
        String theirs = awk(m.getValue(),
            "/^P:/{p=substr($0,3)} /^V:/{v=substr($0,3)} "
                + "/^$/{if(p!=\"\")print p\" \"v; p=\"\"; v=\"\"} END{if(p!=\"\")print p\" \"v}");
        System.out.printf("%s: %d apk packages%n", m.getKey(), ours.size());
        assertEquals(lines(theirs), ours, m.getKey());
        continue;
      }
      Path admin = Files.createDirectories(work.resolve("admin" + Math.abs(m.getKey().hashCode())));
      Files.writeString(admin.resolve("status"), m.getValue());
      Oracles.Result r = Oracles.run("dpkg-query", "--admindir=" + admin, "-W", "-f",
          "${Package} ${Version} ${Architecture} ${db:Status-Abbrev}\n");
      List<InstalledPackageLine> ours = new ArrayList<>();
      List<String> parsed = new ArrayList<>();
      for (InstalledPackage p : DpkgStatus.parse(m.getValue())) {
        parsed.add(p.name() + " " + p.version());
        if (!p.status().endsWith("not-installed")) {
          ours.add(new InstalledPackageLine(p));
        }
      }
      if (r.exitCode() == 0) {
        List<String> theirs = lines(r.stdout());
        theirs.replaceAll(String::stripTrailing);
        List<String> mine = new ArrayList<>();
        ours.forEach(l -> mine.add(l.text()));
        theirs.sort(null);
        mine.sort(null);
        System.out.printf("%s: %d dpkg packages, equal to dpkg-query%n", m.getKey(), mine.size());
        assertEquals(theirs, mine, m.getKey());
        if (m.getKey().contains("status.d/")) {
          // as a distroless status.d file, a paragraph without Status is installed
          long noStatus = Long.parseLong(awk(m.getValue(),
              "/^Package:/{n++} /^Status:/{s++} END{print n-s}").strip());
          long installedAsStatusD = DpkgStatus.parse(m.getValue(), true).stream()
              .filter(InstalledPackage::installed).count();
          long installedAsStatus = DpkgStatus.parse(m.getValue()).stream()
              .filter(InstalledPackage::installed).count();
          assertEquals(installedAsStatus + noStatus, installedAsStatusD, m.getKey());
        }
      } else {
        String theirs = awk(m.getValue(),
            "/^Package:/{p=$2} /^Version:/{v=$2} /^$/{if(p!=\"\")print p\" \"v; p=\"\"; v=\"\"} "
                + "END{if(p!=\"\")print p\" \"v}");
        System.out.printf("%s: dpkg-query refuses it (%s); %d packages, equal to awk%n",
            m.getKey(), r.stderr().strip().replace('\n', ' '), parsed.size());
        assertEquals(lines(theirs), parsed, m.getKey());
      }
    }
  }

  /** A package as dpkg-query's format above prints it. */
  private record InstalledPackageLine(InstalledPackage p) {
    String text() {
      String[] w = p.status().split(" ");
      String want = Map.of("unknown", "u", "install", "i", "hold", "h", "deinstall", "r",
          "purge", "p").getOrDefault(w[0], "?");
      String state = w.length < 3 ? "?" : Map.of("not-installed", "n", "config-files", "c",
          "half-installed", "H", "unpacked", "U", "half-configured", "F", "triggers-awaited",
          "W", "triggers-pending", "t", "installed", "i").getOrDefault(w[2], "?");
      String err = w.length > 1 && w[1].equals("reinstreq") ? "R" : "";
      return (p.name() + " " + p.version() + " " + p.arch() + " " + want + state + err)
          .stripTrailing();
    }
  }

  private String awk(String input, String program) {
    Oracles.Result r = Oracles.run(input.getBytes(StandardCharsets.UTF_8), Map.of(), "awk",
        program);
    assertEquals(0, r.exitCode(), r.describe());
    return r.stdout();
  }

  private static List<String> lines(String s) {
    List<String> out = new ArrayList<>();
    for (String l : s.split("\n")) {
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }
}
