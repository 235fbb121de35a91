package dev.vdisk.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.TargetReport;
import dev.vdisk.testdata.Oracles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTML report in a real browser, Debian's {@code chromium} headless: the screenshot decodes
 * and shows the charts' colours, the page's text after the script ran carries every target,
 * verdict, count and version, a target named like a script stays text, and {@code #sort=COLUMN}
 * in the URL orders the rows as {@link HtmlReport} documents. The screenshots stay in {@code
 * target/chromium/} (test output).
 */
class HtmlReportChromiumIT {
  private static final Path OUT = Path.of("target", "chromium");
  private static final Pattern ROW = Pattern.compile(
      "<tr data-index=\"(\\d+)\" data-state=\"([A-Z_]+)\" data-package=\"([^\"]*)\"");

  @TempDir static Path profile;

  @BeforeAll
  static void chromium() throws Exception {
    Oracles.require("chromium", "chromium");
    Files.createDirectories(OUT);
  }

  private static Oracles.Result chromium(String... args) {
    List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Oracles.Result r = Oracles.run(cmd.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    return r;
  }

  private static String url(Path html, String fragment) {
    return html.toAbsolutePath().toUri() + fragment;
  }

  /** The document after the page's script ran, as Chromium serialises it. */
  private static String dom(Path html, String fragment) {
    return chromium("--dump-dom", url(html, fragment)).stdout();
  }

  /** The page's visible text: scripts and styles dropped, tags removed, entities decoded. */
  private static String text(String dom) {
    String s = dom.replaceAll("(?s)<script\\b.*?</script>", " ")
        .replaceAll("(?s)<style\\b.*?</style>", " ")
        .replaceAll("<[^>]*>", " ");
    s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&#39;", "'").replace("&nbsp;", " ").replace("&amp;", "&");
    return s.replaceAll("\\s+", " ");
  }

  private static BufferedImage screenshot(Path html, String name) throws Exception {
    Path png = OUT.resolve(name).toAbsolutePath();
    Files.deleteIfExists(png);
    chromium("--screenshot=" + png, "--window-size=1280,2000", url(html, ""));
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("%s decodes", png).isNotNull();
    assertThat(image.getWidth()).isEqualTo(1280);
    assertThat(image.getHeight()).isEqualTo(2000);
    return image;
  }

  /** Pixels within 6 of a colour in every channel. */
  private static int pixelsNear(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        if (Math.abs(((p >> 16) & 0xff) - ((rgb >> 16) & 0xff)) <= 6
            && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) <= 6
            && Math.abs((p & 0xff) - (rgb & 0xff)) <= 6) {
          n++;
        }
      }
    }
    return n;
  }

  private static int distinctColours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y) & 0xffffff);
      }
    }
    return colours.size();
  }

  /** The finding rows of each findings table, in the order the DOM has them. */
  private static List<List<String[]>> findingRows(String dom) {
    List<List<String[]>> tables = new ArrayList<>();
    String[] parts = dom.split("<table class=\"sortable findings\">");
    for (int i = 1; i < parts.length; i++) {
      String table = parts[i].substring(0, parts[i].indexOf("</table>"));
      List<String[]> rows = new ArrayList<>();
      Matcher m = ROW.matcher(table);
      while (m.find()) {
        rows.add(new String[] {m.group(1), m.group(2), m.group(3)});
      }
      tables.add(rows);
    }
    return tables;
  }

  /** A row as the test names it: page index, state, package. */
  private static List<String> names(List<String[]> rows) {
    return rows.stream().map(r -> r[0] + " " + r[1] + " " + r[2]).toList();
  }

  /** The rows of a target's table sorted as HtmlReport documents, computed here. */
  private static List<String> expected(TargetReport r, Comparator<Finding> order) {
    List<Finding> page = HtmlReport.pageOrder(r.findings());
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < page.size(); i++) {
      index.add(i);
    }
    index.sort((a, b) -> {
      int c = order.compare(page.get(a), page.get(b));
      return c != 0 ? c : Integer.compare(a, b);
    });
    return index.stream().map(i -> i + " " + page.get(i).state() + " " + page.get(i).name())
        .toList();
  }

  @Test
  void theScanReportRendersWithItsChartAndText() throws Exception {
    List<TargetReport> reports = ReportFixtures.scan();
    Path html = OUT.resolve("scan.html");
    HtmlReport.writeScan("baseline.yaml", reports, html);

    BufferedImage image = screenshot(html, "scan.png");
    assertThat(distinctColours(image)).as("distinct colours").isGreaterThan(20);
    // the donut's three segments (one target each) and the bar's missing segment
    assertThat(pixelsNear(image, 0x2e7d32)).as("green").isGreaterThan(500);
    assertThat(pixelsNear(image, 0xc62828)).as("red").isGreaterThan(500);
    assertThat(pixelsNear(image, 0xf9a825)).as("amber").isGreaterThan(500);
    assertThat(pixelsNear(image, 0x6a1b9a)).as("purple (FAILED)").isGreaterThan(100);

    String dom = dom(html, "");
    String text = text(dom);
    for (TargetReport r : reports) {
      assertThat(text).contains(r.target()).contains(r.compliance().name());
      for (Finding f : r.findings()) {
        assertThat(text).contains(f.name());
        if (f.installedVersion() != null) {
          assertThat(text).contains(f.installedVersion());
        }
        if (f.candidateVersion() != null) {
          assertThat(text).contains(f.candidateVersion());
        }
      }
    }
    for (Compliance c : Compliance.values()) {
      long n = reports.stream().filter(r -> r.compliance() == c).count();
      assertThat(text).contains(c.name() + " " + n);
    }
    assertThat(text).contains("3 MISSING").contains("1 FAILED");
    // the target named like a script is text: the page still has one script element
    assertThat(Pattern.compile("<script\\b").matcher(dom).results().count()).isEqualTo(1);
    assertThat(dom).contains("&lt;script&gt;alert(1)&lt;/script&gt;.img");
    // unsorted, the page order: missing first
    assertThat(names(findingRows(dom).get(0)))
        .containsExactlyElementsOf(expected(reports.get(0), (a, b) -> 0));
  }

  @Test
  void sortFragmentOrdersTheRowsAsDocumented() throws Exception {
    List<TargetReport> reports = ReportFixtures.scan();
    Path html = OUT.resolve("sorted.html");
    HtmlReport.writeScan("baseline.yaml", reports, html);
    Comparator<Finding> byState =
        Comparator.comparingInt(f -> HtmlReport.STATE_ORDER.indexOf(f.state()));
    Comparator<Finding> byName = Comparator.comparing(Finding::name);

    List<List<String[]>> state = findingRows(dom(html, "#sort=state"));
    List<List<String[]>> descending = findingRows(dom(html, "#sort=-state"));
    List<List<String[]>> name = findingRows(dom(html, "#sort=package"));
    List<List<String[]>> page = findingRows(dom(html, ""));
    int t = 0;
    for (TargetReport r : reports) {
      if (r.findings().isEmpty()) {
        continue;
      }
      assertThat(names(state.get(t))).as(r.target())
          .containsExactlyElementsOf(expected(r, byState));
      assertThat(names(descending.get(t))).as(r.target())
          .containsExactlyElementsOf(expected(r, byState.reversed()));
      assertThat(names(name.get(t))).as(r.target())
          .containsExactlyElementsOf(expected(r, byName));
      t++;
    }
    // the fixture makes every order differ from the page's, so the script did run
    assertThat(names(state.get(0))).isNotEqualTo(names(page.get(0)));
    assertThat(names(name.get(0))).isNotEqualTo(names(page.get(0)));
    assertThat(dom(html, "#sort=-state"))
        .containsPattern("<th data-key=\"state\"[^>]*aria-sort=\"descending\"");

    // the page's policy runs only the script whose hash it names: one changed character and
    // chromium refuses it, so nothing is sorted
    Path tampered = OUT.resolve("tampered.html");
    Files.writeString(tampered, Files.readString(html).replace("'use strict';",
        "'use strict'; "));
    String blocked = dom(tampered, "#sort=-state");
    assertThat(blocked).doesNotContainPattern("<th [^>]*aria-sort=\"descending\"");
    assertThat(names(findingRows(blocked).get(0))).isEqualTo(names(page.get(0)));
  }

  @Test
  void theRemediationReportRendersBeforeAndAfter() throws Exception {
    List<RemediationReport> reports = ReportFixtures.remediation();
    Path html = OUT.resolve("remediation.html");
    HtmlReport.writeRemediation("baseline.yaml", reports, html);
    BufferedImage image = screenshot(html, "remediation.png");
    assertThat(distinctColours(image)).isGreaterThan(20);
    assertThat(pixelsNear(image, 0x2e7d32)).as("green").isGreaterThan(500);
    assertThat(pixelsNear(image, 0xc62828)).as("red").isGreaterThan(500);
    String text = text(dom(html, ""));
    for (RemediationReport r : reports) {
      assertThat(text).contains(r.target()).contains(r.outcome().name());
      r.applied().forEach(p -> assertThat(text).contains(p));
      r.staged().forEach(p -> assertThat(text).contains(p));
      if (r.error() != null) {
        assertThat(text).contains(r.error());
      }
    }
    assertThat(text).contains("REMEDIATED 1").contains("FAILED 1").contains("NOTHING_TO_DO 1");
  }

  /** A value as the page's DOM holds it: invalid characters replaced, line ends as LF. */
  private static String shown(String s) {
    return HtmlReportTest.lines(ReportFixtures.shown(s));
  }

  private static final Pattern RUN = Pattern.compile("[0-9]+|[^0-9]+");

  /**
   * The documented order of version columns: runs of ASCII digits compared as numbers (leading
   * zeros ignored), other runs by UTF-16 code unit, a prefix first.
   */
  static int versionOrder(String a, String b) {
    List<String> x = RUN.matcher(a).results().map(m -> m.group()).toList();
    List<String> y = RUN.matcher(b).results().map(m -> m.group()).toList();
    for (int i = 0; i < x.size() && i < y.size(); i++) {
      String p = x.get(i);
      String q = y.get(i);
      int r;
      boolean pDigits = p.charAt(0) >= '0' && p.charAt(0) <= '9';
      boolean qDigits = q.charAt(0) >= '0' && q.charAt(0) <= '9';
      if (pDigits && qDigits) {
        r = new java.math.BigInteger(p).compareTo(new java.math.BigInteger(q));
      } else {
        r = p.compareTo(q);
      }
      if (r != 0) {
        return r;
      }
    }
    return Integer.compare(x.size(), y.size());
  }

  @Test
  void randomReportsSortAsJavaComputes() throws Exception {
    long seed = System.nanoTime();
    LoggerFactory.getLogger(HtmlReportChromiumIT.class).info("seed {}", seed);
    Random random = new Random(seed);
    // the keys the page sorts by: the text as the browser holds it
    Map<String, Comparator<Finding>> columns = Map.of(
        "package", Comparator.comparing((Finding f) -> shown(f.name())),
        "-arch", Comparator.comparing((Finding f) -> shown(f.arch())).reversed(),
        "state", Comparator.comparingInt(f -> HtmlReport.STATE_ORDER.indexOf(f.state())),
        "installed", Comparator.comparing((Finding f) -> f.installedVersion() == null ? ""
            : shown(f.installedVersion()), HtmlReportChromiumIT::versionOrder));
    for (int round = 0; round < 3; round++) {
      List<TargetReport> reports = ReportFixtures.random(random, 2, 25);
      Path html = OUT.resolve("random.html");
      HtmlReport.writeScan(ReportFixtures.randomString(random, 10), reports, html);
      for (Map.Entry<String, Comparator<Finding>> c : columns.entrySet()) {
        List<List<String[]>> tables = findingRows(dom(html, "#sort=" + c.getKey()));
        int t = 0;
        for (TargetReport r : reports) {
          if (r.findings().isEmpty()) {
            continue;
          }
          List<String> got = tables.get(t++).stream().map(row -> row[0]).toList();
          List<String> want = expected(r, c.getValue()).stream()
              .map(e -> e.substring(0, e.indexOf(' '))).toList();
          assertThat(got).as("seed %d round %d #sort=%s", seed, round, c.getKey())
              .containsExactlyElementsOf(want);
        }
        assertThat(t).isEqualTo(tables.size());
      }
    }
  }
}
