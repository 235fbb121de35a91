package dev.vdisk.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.TargetReport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * The HTML report's structure, read back with the JDK's XML parser (the page is well-formed XML
 * by design): every value escaped, no reference outside the page, the tables' cells and the
 * charts' counts equal to the reports', findings in page order, atomic replacement. How a
 * browser renders and sorts it is {@code HtmlReportChromiumIT}'s part.
 */
class HtmlReportTest {
  private static final Logger LOG = LoggerFactory.getLogger(HtmlReportTest.class);

  @TempDir Path dir;

  static Document parse(byte[] html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(html));
  }

  static List<Element> all(Node root, String tag) {
    List<Element> out = new ArrayList<>();
    walk(root, n -> {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    });
    return out;
  }

  static List<Element> withClass(Node root, String tag, String cls) {
    return all(root, tag).stream()
        .filter(e -> List.of(e.getAttribute("class").split(" ")).contains(cls)).toList();
  }

  private static void walk(Node n, java.util.function.Consumer<Node> visit) {
    visit.accept(n);
    for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      walk(c, visit);
    }
  }

  /** XML's line-end normalisation, which browsers share. */
  static String lines(String s) {
    return s.replace("\r\n", "\n").replace('\r', '\n');
  }

  @Test
  void everyValueIsEscapedAndNothingIsFetched() throws Exception {
    Path out = dir.resolve("scan.html");
    HtmlReport.writeScan("baseline <b>&</b> \"x\"", ReportFixtures.scan(), out);
    byte[] bytes = Files.readAllBytes(out);
    String text = new String(bytes, StandardCharsets.UTF_8);
    Document doc = parse(bytes);
    List<Element> scripts = all(doc, "script");
    assertThat(scripts).hasSize(1);
    assertThat(all(doc, "b")).isEmpty();
    assertThat(all(doc, "title").get(0).getTextContent())
        .isEqualTo("Compliance scan: baseline <b>&</b> \"x\"");
    assertThat(doc.getDocumentElement().getTextContent())
        .contains("<script>alert(1)</script>.img");
    // no reference to anything outside the page
    walk(doc, n -> {
      if (!(n instanceof Element e)) {
        return;
      }
      NamedNodeMap attributes = e.getAttributes();
      for (int i = 0; i < attributes.getLength(); i++) {
        Attr a = (Attr) attributes.item(i);
        assertThat(a.getName()).as("event handler attribute").doesNotStartWith("on");
        assertThat(a.getName()).isNotIn("src", "srcset", "action", "formaction", "xlink:href");
        if (a.getName().equals("href")) {
          assertThat(a.getValue()).startsWith("#");
        }
        assertThat(a.getValue()).doesNotContain("://").doesNotContain("url(");
      }
    });
    assertThat(text).doesNotContain("http:").doesNotContain("https:").doesNotContain("@import")
        .doesNotContain("url(");
    String csp = all(doc, "meta").stream().map(m -> m.getAttribute("content"))
        .filter(c -> c.startsWith("default-src 'none'")).findFirst().orElseThrow();
    // the policy runs only the page's own script, named by the SHA-256 of its text
    String script = text.substring(text.indexOf("<script>") + 8, text.indexOf("</script>"));
    String hash = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest
        .getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8)));
    assertThat(List.of(csp.split(";\\s*"))).contains("script-src 'sha256-" + hash + "'")
        .contains("default-src 'none'");
  }

  @Test
  void missingFindingsComeFirstAndTheRestKeepTheirOrder() {
    List<Finding> findings = ReportFixtures.scan().get(0).findings();
    List<Finding> page = HtmlReport.pageOrder(findings);
    List<Finding> expected = new ArrayList<>(
        findings.stream().filter(f -> f.state() == RequirementState.MISSING).toList());
    expected.addAll(findings.stream().filter(f -> f.state() != RequirementState.MISSING)
        .toList());
    assertThat(page).containsExactlyElementsOf(expected);
    assertThat(page.get(0).name()).isEqualTo("tzdata");
  }

  @Test
  void randomReportsShowEveryValueAndCount() throws Exception {
    long seed = System.nanoTime();
    LOG.info("seed {}", seed);
    Random random = new Random(seed);
    for (int round = 0; round < 60; round++) {
      List<TargetReport> reports = ReportFixtures.random(random, 1 + random.nextInt(4), 12);
      Path out = dir.resolve("r.html");
      HtmlReport.writeScan(ReportFixtures.randomString(random, 15), reports, out);
      Document doc = parse(Files.readAllBytes(out));
      String describe = "seed " + seed + " round " + round;

      List<Element> sections = withClass(doc, "section", "target");
      assertThat(sections).as(describe).hasSize(reports.size());
      int[] verdicts = new int[Compliance.values().length];
      int[] states = new int[RequirementState.values().length];
      for (int t = 0; t < reports.size(); t++) {
        TargetReport r = reports.get(t);
        verdicts[r.compliance().ordinal()]++;
        r.findings().forEach(f -> states[f.state().ordinal()]++);
        Element section = sections.get(t);
        assertThat(section.getAttribute("id")).isEqualTo("target-" + (t + 1));
        assertThat(lines(withClass(section, "span", "name").get(0).getTextContent()))
            .as(describe).isEqualTo(lines(ReportFixtures.shown(r.target())));
        List<Element> rows = withClass(section, "table", "findings").stream()
            .flatMap(table -> all(table, "tbody").stream())
            .flatMap(body -> all(body, "tr").stream()).toList();
        List<Finding> expected = HtmlReport.pageOrder(r.findings());
        assertThat(rows).as(describe).hasSize(expected.size());
        for (int i = 0; i < rows.size(); i++) {
          Finding f = expected.get(i);
          List<Element> cells = all(rows.get(i), "td");
          String[] values = {f.name(), f.arch().isEmpty() ? null : f.arch(),
              f.installedVersion(), f.requiredVersion(), f.candidateVersion(), f.source(),
              f.state().name(), f.baseline() + ": " + f.rule(), f.reason()};
          assertThat(cells).hasSize(values.length);
          for (int c = 0; c < values.length; c++) {
            String want = values[c] == null ? "\u2013" : lines(ReportFixtures.shown(values[c]));
            assertThat(lines(cells.get(c).getTextContent())).as("%s row %d cell %d", describe,
                i, c).isEqualTo(want);
          }
          assertThat(rows.get(i).getAttribute("data-state")).isEqualTo(f.state().name());
          assertThat(rows.get(i).getAttribute("data-index")).isEqualTo(Integer.toString(i));
        }
      }
      // the charts' legends carry the counts
      List<Element> values = withClass(doc, "span", "value");
      for (Compliance c : Compliance.values()) {
        assertThat(values.stream().filter(v -> v.getAttribute("data-key").equals(c.name()))
            .map(Node::getTextContent)).as(describe)
            .containsExactly(Integer.toString(verdicts[c.ordinal()]));
      }
      for (RequirementState s : RequirementState.values()) {
        assertThat(values.stream().filter(v -> v.getAttribute("data-key").equals(s.name()))
            .map(Node::getTextContent)).as(describe)
            .containsExactly(Integer.toString(states[s.ordinal()]));
      }
    }
  }

  @Test
  void theDonutsSegmentsAddUpToTheRing() throws Exception {
    Path out = dir.resolve("scan.html");
    List<TargetReport> reports = ReportFixtures.scan();
    HtmlReport.writeScan("t", reports, out);
    Document doc = parse(Files.readAllBytes(out));
    Element donut = withClass(doc, "svg", "donut").get(0);
    List<Element> segments = withClass(donut, "circle", "seg");
    assertThat(segments).hasSize(3);
    double sum = 0;
    for (Element s : segments) {
      String[] dash = s.getAttribute("stroke-dasharray").split(" ");
      double share = Double.parseDouble(dash[0]);
      assertThat(share + Double.parseDouble(dash[1])).isCloseTo(100, org.assertj.core.data
          .Offset.offset(1e-3));
      // each segment starts where the previous one ended, the first at twelve o'clock
      assertThat(Double.parseDouble(s.getAttribute("stroke-dashoffset")))
          .isCloseTo(25 - sum, org.assertj.core.data.Offset.offset(1e-3));
      sum += share;
      assertThat(share).isCloseTo(100.0 / 3, org.assertj.core.data.Offset.offset(1e-3));
    }
    assertThat(sum).isCloseTo(100, org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void remediationShowsBeforeAfterAppliedStagedAndErrors() throws Exception {
    Path out = dir.resolve("remediate.html");
    List<RemediationReport> reports = ReportFixtures.remediation();
    HtmlReport.writeRemediation("fleet", reports, out);
    Document doc = parse(Files.readAllBytes(out));
    List<Element> sections = withClass(doc, "section", "target");
    assertThat(sections).hasSize(3);
    Element first = sections.get(0);
    assertThat(all(withClass(first, "ul", "packages").get(0), "li").stream()
        .map(Node::getTextContent)).containsExactlyElementsOf(reports.get(0).applied());
    assertThat(all(withClass(first, "ul", "packages").get(1), "li").stream()
        .map(Node::getTextContent)).containsExactlyElementsOf(reports.get(0).staged());
    // before and after tables
    assertThat(withClass(first, "table", "findings")).hasSize(2);
    assertThat(sections.get(2).getTextContent())
        .contains("cannot remediate: no operating system found & <b>nothing</b> written");
    assertThat(all(doc, "b")).isEmpty();
  }

  @Test
  void theFileIsReplacedAtomicallyAndNoTemporaryFileStays() throws Exception {
    Path out = dir.resolve("report.html");
    Files.writeString(out, "old");
    HtmlReport.writeScan("one", ReportFixtures.scan(), out);
    String first = Files.readString(out);
    assertThat(first).startsWith("<!DOCTYPE html>").contains("one");
    HtmlReport.writeRemediation("two", ReportFixtures.remediation(), out);
    assertThat(Files.readString(out)).contains("Remediation: ");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("report.html");
    }
    Path nowhere = dir.resolve("missing/report.html");
    assertThatThrownBy(() -> HtmlReport.writeScan("x", List.of(), nowhere))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(Files.exists(dir.resolve("missing"))).isFalse();
  }

  @Test
  void anEmptyReportIsAValidPage() throws Exception {
    Path out = dir.resolve("empty.html");
    HtmlReport.writeScan("nothing", List.of(), out);
    Document doc = parse(Files.readAllBytes(out));
    assertThat(withClass(doc, "section", "target")).isEmpty();
    assertThat(withClass(doc, "span", "value").stream().map(Node::getTextContent))
        .allMatch(v -> v.equals("0"));
  }
}
