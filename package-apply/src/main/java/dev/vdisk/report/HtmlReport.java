package dev.vdisk.report;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.TargetReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes compliance reports as one self-contained HTML file (inline CSS, SVG and script; no
 * network access when viewed).
 *
 * <p>The page starts with a summary — the number of targets per verdict with a donut chart, and
 * the findings per state with a bar, both drawn as inline SVG from the reports — then a table of
 * the targets, then a section per target with its facts and a table of its findings. Findings are
 * listed {@link RequirementState#MISSING} first, then in the report's order. Every table sorts by
 * a click on a column header (again: reversed); a URL ending in {@code #sort=COLUMN} or {@code
 * #sort=-COLUMN} (descending) sorts every table that has that column when the page loads. The
 * columns are {@code package}, {@code arch}, {@code installed}, {@code required}, {@code
 * candidate}, {@code source}, {@code state}, {@code rule}, {@code reason} in finding tables and
 * {@code target}, {@code os}, {@code verdict}, {@code missing}, {@code findings}, {@code reason}
 * in the targets table (and {@code outcome}, {@code before}, {@code after}, {@code applied},
 * {@code staged} in a remediation's). {@code state} sorts by {@link #STATE_ORDER}, {@code
 * verdict} by {@code NON_COMPLIANT}, {@code UNKNOWN}, {@code COMPLIANT}; version columns compare
 * runs of digits as numbers and the rest by UTF-16 code unit; text columns by UTF-16 code unit;
 * rows with equal keys keep their page order.
 *
 * <p>The page's Content-Security-Policy allows no fetch at all, and runs only its own script
 * (named by its SHA-256). The page is also well-formed XML (every element closed, no named entities other than XML's),
 * and every value from a report is escaped. The file is written through a temporary file beside
 * it, synced, and moved over the target atomically, so a reader never sees half a report.
 */
public final class HtmlReport {
  private static final Logger LOG = LoggerFactory.getLogger(HtmlReport.class);

  /**
   * The order of the {@code state} column when sorted ascending: what needs attention first.
   */
  public static final List<RequirementState> STATE_ORDER = List.of(RequirementState.MISSING,
      RequirementState.FAILED, RequirementState.INSTALLED_PENDING_REBOOT,
      RequirementState.INSTALLED_OTHER, RequirementState.INSTALLED,
      RequirementState.NOT_APPLICABLE);

  private static final List<Compliance> VERDICT_ORDER = List.of(Compliance.NON_COMPLIANT,
      Compliance.UNKNOWN, Compliance.COMPLIANT);

  private static final Map<Compliance, String> VERDICT_COLOUR = new EnumMap<>(Map.of(
      Compliance.COMPLIANT, "#2e7d32",
      Compliance.NON_COMPLIANT, "#c62828",
      Compliance.UNKNOWN, "#f9a825"));

  private static final Map<RequirementState, String> STATE_COLOUR = new EnumMap<>(Map.of(
      RequirementState.MISSING, "#c62828",
      RequirementState.FAILED, "#6a1b9a",
      RequirementState.INSTALLED_PENDING_REBOOT, "#1565c0",
      RequirementState.INSTALLED_OTHER, "#00838f",
      RequirementState.INSTALLED, "#2e7d32",
      RequirementState.NOT_APPLICABLE, "#9e9e9e"));

  private static final Map<RemediationReport.Outcome, String> OUTCOME_COLOUR =
      new EnumMap<>(Map.of(
          RemediationReport.Outcome.REMEDIATED, "#2e7d32",
          RemediationReport.Outcome.NOTHING_TO_DO, "#78909c",
          RemediationReport.Outcome.DRY_RUN, "#1565c0",
          RemediationReport.Outcome.FAILED, "#c62828"));

  private HtmlReport() {}

  /**
   * Writes a scan report.
   *
   * @param title the page title (e.g. the baseline file's name)
   * @param reports one per target
   * @param out the file to write (replaced atomically)
   * @throws IOException if it cannot be written
   */
  public static void writeScan(String title, List<TargetReport> reports, Path out)
      throws IOException {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(reports, "reports");
    writeAtomically(out, w -> {
      head(w, title, "Compliance scan");
      Map<Compliance, Integer> verdicts = verdictCounts(reports);
      w.raw("<section class=\"summary\"><h2>Summary</h2><div class=\"charts\">");
      verdictChart(w, "Targets", verdicts);
      findingsBar(w, reports);
      w.raw("</div></section>\n");
      w.raw("<section class=\"targets\"><h2>Targets</h2><table class=\"sortable overview\">"
          + "<thead><tr>");
      th(w, "target", "text", "Target");
      th(w, "os", "text", "Operating system");
      th(w, "verdict", "number", "Verdict");
      th(w, "missing", "number", "Missing");
      th(w, "findings", "number", "Findings");
      th(w, "reason", "text", "Reason");
      w.raw("</tr></thead><tbody>\n");
      for (int i = 0; i < reports.size(); i++) {
        TargetReport r = reports.get(i);
        w.raw("<tr data-index=\"").num(i).raw("\">");
        w.raw("<td><a href=\"#target-").num(i + 1).raw("\">").text(r.target()).raw("</a></td>");
        cell(w, r.os());
        verdictCell(w, r.compliance());
        w.raw("<td>").num(r.counts().get(RequirementState.MISSING)).raw("</td>");
        w.raw("<td>").num(r.findings().size()).raw("</td>");
        cell(w, r.reason());
        w.raw("</tr>\n");
      }
      w.raw("</tbody></table></section>\n");
      for (int i = 0; i < reports.size(); i++) {
        TargetReport r = reports.get(i);
        w.raw("<section class=\"target\" id=\"target-").num(i + 1).raw("\"><h2>");
        badge(w, "v-" + r.compliance(), r.compliance().name());
        w.raw(" <span class=\"name\">").text(r.target()).raw("</span></h2>\n");
        targetBody(w, r, "Findings");
        w.raw("</section>\n");
      }
      tail(w);
    });
  }

  /**
   * Writes a remediation report (before and after per target).
   *
   * @param title the page title
   * @param reports one per target
   * @param out the file to write (replaced atomically)
   * @throws IOException if it cannot be written
   */
  public static void writeRemediation(String title, List<RemediationReport> reports, Path out)
      throws IOException {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(reports, "reports");
    writeAtomically(out, w -> {
      head(w, title, "Remediation");
      Map<RemediationReport.Outcome, Integer> outcomes =
          new EnumMap<>(RemediationReport.Outcome.class);
      for (RemediationReport.Outcome o : RemediationReport.Outcome.values()) {
        outcomes.put(o, 0);
      }
      List<TargetReport> before = new ArrayList<>();
      List<TargetReport> after = new ArrayList<>();
      for (RemediationReport r : reports) {
        outcomes.merge(r.outcome(), 1, Integer::sum);
        before.add(r.before());
        after.add(r.after() != null ? r.after() : r.before());
      }
      w.raw("<section class=\"summary\"><h2>Summary</h2><div class=\"charts\">");
      Map<String, Integer> counts = new LinkedHashMap<>();
      Map<String, String> colours = new LinkedHashMap<>();
      for (RemediationReport.Outcome o : RemediationReport.Outcome.values()) {
        counts.put(o.name(), outcomes.get(o));
        colours.put(o.name(), OUTCOME_COLOUR.get(o));
      }
      donut(w, "Outcomes", counts, colours);
      verdictChart(w, "Before", verdictCounts(before));
      verdictChart(w, "After", verdictCounts(after));
      w.raw("</div><p class=\"note\">A target that was not rewritten (nothing to do, a dry run,"
          + " a failure) counts after as it was before.</p></section>\n");
      w.raw("<section class=\"targets\"><h2>Targets</h2><table class=\"sortable overview\">"
          + "<thead><tr>");
      th(w, "target", "text", "Target");
      th(w, "outcome", "text", "Outcome");
      th(w, "before", "number", "Before");
      th(w, "after", "number", "After");
      th(w, "applied", "number", "Applied");
      th(w, "staged", "number", "Staged");
      th(w, "reason", "text", "Error");
      w.raw("</tr></thead><tbody>\n");
      for (int i = 0; i < reports.size(); i++) {
        RemediationReport r = reports.get(i);
        w.raw("<tr data-index=\"").num(i).raw("\">");
        w.raw("<td><a href=\"#target-").num(i + 1).raw("\">").text(r.target()).raw("</a></td>");
        w.raw("<td>");
        badge(w, "o-" + r.outcome(), r.outcome().name());
        w.raw("</td>");
        verdictCell(w, r.before() == null ? null : r.before().compliance());
        verdictCell(w, r.after() == null ? null : r.after().compliance());
        w.raw("<td>").num(r.applied().size()).raw("</td>");
        w.raw("<td>").num(r.staged().size()).raw("</td>");
        cell(w, r.error());
        w.raw("</tr>\n");
      }
      w.raw("</tbody></table></section>\n");
      for (int i = 0; i < reports.size(); i++) {
        remediationSection(w, reports.get(i), i + 1);
      }
      tail(w);
    });
  }

  private static void remediationSection(HtmlWriter w, RemediationReport r, int number)
      throws IOException {
    w.raw("<section class=\"target\" id=\"target-").num(number).raw("\"><h2>");
    badge(w, "o-" + r.outcome(), r.outcome().name());
    w.raw(" <span class=\"name\">").text(r.target()).raw("</span></h2>\n<dl class=\"facts\">");
    w.raw("<dt>Before</dt><dd>");
    verdictWithMissing(w, r.before());
    w.raw("</dd><dt>After</dt><dd>");
    verdictWithMissing(w, r.after());
    w.raw("</dd>");
    fact(w, "Written", r.written());
    fact(w, "Error", r.error());
    w.raw("</dl>\n");
    packageList(w, "Applied", r.applied());
    packageList(w, "Staged for first boot", r.staged());
    if (r.before() != null) {
      w.raw("<h3>Before</h3>\n");
      targetBody(w, r.before(), "Findings before");
    }
    if (r.after() != null) {
      w.raw("<h3>After</h3>\n");
      targetBody(w, r.after(), "Findings after");
    }
    w.raw("</section>\n");
  }

  private static void verdictWithMissing(HtmlWriter w, TargetReport r) throws IOException {
    if (r == null) {
      w.raw("<span class=\"none\">not scanned</span>");
      return;
    }
    badge(w, "v-" + r.compliance(), r.compliance().name());
    w.raw(" ").num(r.counts().get(RequirementState.MISSING)).raw(" missing");
  }

  private static void packageList(HtmlWriter w, String heading, List<String> packages)
      throws IOException {
    w.raw("<h3>").text(heading).raw(" (").num(packages.size()).raw(")</h3>");
    if (packages.isEmpty()) {
      w.raw("<p class=\"none\">none</p>\n");
      return;
    }
    w.raw("<ul class=\"packages\">");
    for (String p : packages) {
      w.raw("<li>").text(p).raw("</li>");
    }
    w.raw("</ul>\n");
  }

  /** A target's facts, warnings and findings table. */
  private static void targetBody(HtmlWriter w, TargetReport r, String findingsLabel)
      throws IOException {
    w.raw("<dl class=\"facts\">");
    fact(w, "Target", r.target());
    fact(w, "Operating system", r.os());
    fact(w, "Partition", r.partition() < 0 ? null : Integer.toString(r.partition()));
    fact(w, "Baselines", r.baselines().isEmpty() ? null : String.join(", ", r.baselines()));
    w.raw("<dt>Verdict</dt><dd>");
    badge(w, "v-" + r.compliance(), r.compliance().name());
    w.raw("</dd>");
    fact(w, "Reason", r.reason());
    fact(w, "Scanned", r.scannedAt() == null ? null : r.scannedAt().toString());
    w.raw("</dl>\n<p class=\"counts\">");
    Map<RequirementState, Integer> counts = r.counts();
    boolean first = true;
    for (RequirementState s : STATE_ORDER) {
      int n = counts.get(s);
      if (n == 0) {
        continue;
      }
      if (!first) {
        w.raw(" ");
      }
      first = false;
      w.raw("<span class=\"count\" data-state=\"").raw(s.name()).raw("\">").num(n).raw(" ")
          .text(s.name()).raw("</span>");
    }
    if (first) {
      w.raw("no findings");
    }
    w.raw("</p>\n");
    if (!r.warnings().isEmpty()) {
      w.raw("<ul class=\"warnings\">");
      for (String warning : r.warnings()) {
        w.raw("<li>").text(warning).raw("</li>");
      }
      w.raw("</ul>\n");
    }
    if (r.findings().isEmpty()) {
      return;
    }
    w.raw(r.compliance() == Compliance.COMPLIANT ? "<details>" : "<details open=\"open\">");
    w.raw("<summary>").text(findingsLabel).raw(" (").num(r.findings().size())
        .raw(")</summary>\n<table class=\"sortable findings\"><thead><tr>");
    th(w, "package", "text", "Package");
    th(w, "arch", "text", "Arch");
    th(w, "installed", "version", "Installed");
    th(w, "required", "version", "Required");
    th(w, "candidate", "version", "Candidate");
    th(w, "source", "text", "Source");
    th(w, "state", "number", "State");
    th(w, "rule", "text", "Rule");
    th(w, "reason", "text", "Reason");
    w.raw("</tr></thead><tbody>\n");
    int index = 0;
    for (Finding f : pageOrder(r.findings())) {
      w.raw("<tr data-index=\"").num(index++).raw("\" data-state=\"").raw(f.state().name()).raw("\" data-package=\"")
          .text(f.name()).raw("\">");
      cell(w, f.name());
      cell(w, f.arch().isEmpty() ? null : f.arch());
      cell(w, f.installedVersion());
      cell(w, f.requiredVersion());
      cell(w, f.candidateVersion());
      cell(w, f.source());
      w.raw("<td data-sort=\"").num(STATE_ORDER.indexOf(f.state())).raw("\">");
      badge(w, "s-" + f.state(), f.state().name());
      w.raw("</td>");
      cell(w, f.baseline() + ": " + f.rule());
      cell(w, f.reason());
      w.raw("</tr>\n");
    }
    w.raw("</tbody></table></details>\n");
  }

  /**
   * The order findings are listed in: {@link RequirementState#MISSING} first, the others after
   * them; otherwise as the report lists them.
   *
   * @param findings a target's findings
   * @return them in page order
   */
  public static List<Finding> pageOrder(List<Finding> findings) {
    List<Finding> out = new ArrayList<>(findings);
    out.sort(Comparator.comparingInt(f -> f.state() == RequirementState.MISSING ? 0 : 1));
    return out;
  }

  private static Map<Compliance, Integer> verdictCounts(List<TargetReport> reports) {
    Map<Compliance, Integer> m = new EnumMap<>(Compliance.class);
    for (Compliance c : VERDICT_ORDER) {
      m.put(c, 0);
    }
    for (TargetReport r : reports) {
      m.merge(r == null ? Compliance.UNKNOWN : r.compliance(), 1, Integer::sum);
    }
    return m;
  }

  private static void verdictChart(HtmlWriter w, String label, Map<Compliance, Integer> counts)
      throws IOException {
    Map<String, Integer> c = new LinkedHashMap<>();
    Map<String, String> colours = new LinkedHashMap<>();
    for (Compliance v : List.of(Compliance.COMPLIANT, Compliance.NON_COMPLIANT,
        Compliance.UNKNOWN)) {
      c.put(v.name(), counts.get(v));
      colours.put(v.name(), VERDICT_COLOUR.get(v));
    }
    donut(w, label, c, colours);
  }

  /**
   * A donut of categories: a ring of circumference 100 (r = 100 / 2π) whose segments are dashes
   * of their share, starting at twelve o'clock, clockwise, with a legend of the counts.
   */
  private static void donut(HtmlWriter w, String label, Map<String, Integer> counts,
      Map<String, String> colours) throws IOException {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    w.raw("<figure class=\"chart\"><svg class=\"donut\" viewBox=\"0 0 42 42\" width=\"168\""
        + " height=\"168\" role=\"img\" aria-label=\"").text(label).raw("\">");
    String ring = "<circle cx=\"21\" cy=\"21\" r=\"15.9154943\" fill=\"none\""
        + " stroke-width=\"6\" ";
    w.raw(ring).raw("stroke=\"#e0e0e0\"/>");
    double start = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (e.getValue() == 0 || total == 0) {
        continue;
      }
      double share = 100.0 * e.getValue() / total;
      w.raw(ring).raw("stroke=\"").raw(colours.get(e.getKey())).raw("\" stroke-dasharray=\"")
          .raw(fmt(share)).raw(" ").raw(fmt(100 - share)).raw("\" stroke-dashoffset=\"")
          .raw(fmt(25 - start)).raw("\" class=\"seg ").text(e.getKey()).raw("\"><title>")
          .text(e.getKey()).raw(": ").num(e.getValue()).raw("</title></circle>");
      start += share;
    }
    w.raw("<text x=\"21\" y=\"21\" text-anchor=\"middle\" dominant-baseline=\"central\""
        + " class=\"total\">").num(total).raw("</text></svg><figcaption><strong>")
        .text(label).raw("</strong><ul class=\"legend\">");
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      w.raw("<li><span class=\"swatch\" style=\"background:").raw(colours.get(e.getKey()))
          .raw("\"></span><span class=\"key\">").text(e.getKey())
          .raw("</span> <span class=\"value\" data-key=\"").text(e.getKey()).raw("\">")
          .num(e.getValue()).raw("</span></li>");
    }
    w.raw("</ul></figcaption></figure>");
  }

  /** A stacked bar of every target's findings by state. */
  private static void findingsBar(HtmlWriter w, List<TargetReport> reports) throws IOException {
    Map<RequirementState, Integer> totals = new EnumMap<>(RequirementState.class);
    for (RequirementState s : STATE_ORDER) {
      totals.put(s, 0);
    }
    for (TargetReport r : reports) {
      r.counts().forEach((s, n) -> totals.merge(s, n, Integer::sum));
    }
    int total = totals.values().stream().mapToInt(Integer::intValue).sum();
    double width = 360;
    w.raw("<figure class=\"chart\"><svg class=\"bar\" viewBox=\"0 0 360 28\" width=\"360\""
        + " height=\"28\" role=\"img\" aria-label=\"Findings by state\">"
        + "<rect x=\"0\" y=\"0\" width=\"360\" height=\"28\" fill=\"#e0e0e0\"/>");
    double x = 0;
    for (RequirementState s : STATE_ORDER) {
      int n = totals.get(s);
      if (n == 0) {
        continue;
      }
      double wd = width * n / total;
      w.raw("<rect x=\"").raw(fmt(x)).raw("\" y=\"0\" width=\"").raw(fmt(wd))
          .raw("\" height=\"28\" fill=\"").raw(STATE_COLOUR.get(s)).raw("\" class=\"seg ")
          .raw(s.name()).raw("\"><title>").text(s.name()).raw(": ").num(n)
          .raw("</title></rect>");
      x += wd;
    }
    w.raw("</svg><figcaption><strong>Findings</strong> (").num(total)
        .raw(")<ul class=\"legend\">");
    for (RequirementState s : STATE_ORDER) {
      w.raw("<li><span class=\"swatch\" style=\"background:").raw(STATE_COLOUR.get(s))
          .raw("\"></span><span class=\"key\">").text(s.name())
          .raw("</span> <span class=\"value\" data-key=\"").text(s.name()).raw("\">")
          .num(totals.get(s)).raw("</span></li>");
    }
    w.raw("</ul></figcaption></figure>");
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.4f", d);
  }

  private static void th(HtmlWriter w, String key, String type, String label)
      throws IOException {
    w.raw("<th data-key=\"").raw(key).raw("\" data-type=\"").raw(type)
        .raw("\" aria-sort=\"none\" tabindex=\"0\">").text(label).raw("</th>");
  }

  private static void cell(HtmlWriter w, String value) throws IOException {
    if (value == null) {
      w.raw("<td class=\"none\" data-sort=\"\">\u2013</td>");
    } else {
      w.raw("<td>").text(value).raw("</td>");
    }
  }

  private static void verdictCell(HtmlWriter w, Compliance c) throws IOException {
    if (c == null) {
      w.raw("<td class=\"none\" data-sort=\"9\">\u2013</td>");
      return;
    }
    w.raw("<td data-sort=\"").num(VERDICT_ORDER.indexOf(c)).raw("\">");
    badge(w, "v-" + c, c.name());
    w.raw("</td>");
  }

  private static void badge(HtmlWriter w, String cls, String text) throws IOException {
    w.element("span", "badge " + cls, text);
  }

  private static void fact(HtmlWriter w, String name, String value) throws IOException {
    if (value == null) {
      return;
    }
    w.raw("<dt>").text(name).raw("</dt><dd>").text(value).raw("</dd>");
  }

  private static void head(HtmlWriter w, String title, String kind) throws IOException {
    w.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
        + " style-src 'unsafe-inline'; script-src '" + SCRIPT_HASH + "'; img-src data:\"/>"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        + "<meta name=\"generator\" content=\"vdisk\"/><title>");
    w.text(kind).raw(": ").text(title).raw("</title>\n<style>\n").raw(CSS).raw("</style></head>"
        + "\n<body><header><h1>").text(kind).raw(": <span class=\"title\">").text(title)
        .raw("</span></h1><p class=\"generated\">Generated by vdisk at ")
        .text(Instant.now().toString()).raw(". Click a column header to sort.</p></header>\n");
  }

  private static void tail(HtmlWriter w) throws IOException {
    w.raw("<script>").raw(SCRIPT_ELEMENT).raw("</script>\n</body></html>\n");
  }

  /** The body of a report, written to a stream. */
  @FunctionalInterface
  private interface Body {
    void write(HtmlWriter w) throws IOException;
  }

  private static void writeAtomically(Path out, Body body) throws IOException {
    Path absolute = out.toAbsolutePath();
    Path dir = absolute.getParent();
    Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
    boolean done = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
          Writer writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch),
              StandardCharsets.UTF_8.newEncoder()), 1 << 16)) {
        body.write(new HtmlWriter(writer));
        writer.flush();
        ch.force(true);
      }
      PosixFileAttributeView posix =
          Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
      if (posix != null) {
        posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
      LOG.debug("wrote {} ({} bytes)", absolute, Files.size(absolute));
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private static final String CSS = """
      :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
        "DejaVu Sans", sans-serif; color: #212121; background: #fafafa; }
      body { margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1400px; }
      h1 { font-size: 1.5rem; margin: 0.5rem 0; }
      h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
      h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
      .generated, .note { color: #616161; font-size: 0.85rem; }
      section { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px;
        padding: 0.5rem 1rem 1rem; margin: 1rem 0; }
      .charts { display: flex; flex-wrap: wrap; gap: 2rem; align-items: center; }
      figure.chart { display: flex; gap: 1rem; align-items: center; margin: 0; }
      svg .total { font-size: 7px; font-weight: 600; fill: #212121; }
      ul.legend { list-style: none; padding: 0; margin: 0.3rem 0 0; font-size: 0.85rem; }
      ul.legend li { margin: 0.15rem 0; }
      .swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px;
        vertical-align: -0.1rem; margin-right: 0.35rem; }
      table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
      th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eeeeee;
        vertical-align: top; overflow-wrap: break-word; }
      th { background: #f5f5f5; cursor: pointer; user-select: none; white-space: nowrap; }
      th[aria-sort="ascending"]::after { content: " \\25B2"; }
      th[aria-sort="descending"]::after { content: " \\25BC"; }
      td.none { color: #9e9e9e; }
      tr[data-state="MISSING"] td:first-child { border-left: 4px solid #c62828; }
      tr[data-state="FAILED"] td:first-child { border-left: 4px solid #6a1b9a; }
      .badge { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 0.6rem;
        font-size: 0.75rem; font-weight: 600; color: #fff; background: #757575; }
      .v-COMPLIANT, .s-INSTALLED, .o-REMEDIATED { background: #2e7d32; }
      .v-NON_COMPLIANT, .s-MISSING, .o-FAILED { background: #c62828; }
      .v-UNKNOWN { background: #f9a825; color: #212121; }
      .s-FAILED { background: #6a1b9a; }
      .s-INSTALLED_PENDING_REBOOT, .o-DRY_RUN { background: #1565c0; }
      .s-INSTALLED_OTHER { background: #00838f; }
      .s-NOT_APPLICABLE { background: #9e9e9e; }
      .o-NOTHING_TO_DO { background: #78909c; }
      .count { margin-right: 0.8rem; font-size: 0.85rem; }
      .count[data-state="MISSING"] { color: #c62828; font-weight: 600; }
      .count[data-state="FAILED"] { color: #6a1b9a; font-weight: 600; }
      dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.15rem 1rem;
        margin: 0.5rem 0; font-size: 0.9rem; }
      dl.facts dt { color: #616161; }
      dl.facts dd { margin: 0; overflow-wrap: break-word; }
      ul.warnings { color: #8d6e63; font-size: 0.85rem; }
      ul.packages { columns: 3; font-size: 0.85rem; font-family: ui-monospace, monospace; }
      h2 .name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 1rem; }
      details > summary { cursor: pointer; margin: 0.5rem 0; font-weight: 600; }
      """;

  private static final String SCRIPT = """
      (function () {
        'use strict';
        function cmpText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
        function cmpNumber(a, b) {
          var x = a === '' ? Infinity : Number(a), y = b === '' ? Infinity : Number(b);
          return x < y ? -1 : x > y ? 1 : 0;
        }
        function cmpVersion(a, b) {
          var x = a.match(/[0-9]+|[^0-9]+/g) || [], y = b.match(/[0-9]+|[^0-9]+/g) || [];
          for (var i = 0; i < x.length && i < y.length; i++) {
            var p = x[i], q = y[i], r;
            if (/^[0-9]/.test(p) && /^[0-9]/.test(q)) {
              p = p.replace(/^0+/, ''); q = q.replace(/^0+/, '');
              r = p.length !== q.length ? p.length - q.length : cmpText(p, q);
            } else {
              r = cmpText(p, q);
            }
            if (r !== 0) { return r < 0 ? -1 : 1; }
          }
          return x.length - y.length;
        }
        function key(row, col) {
          var c = row.cells[col];
          return c.hasAttribute('data-sort') ? c.getAttribute('data-sort') : c.textContent;
        }
        function sortTable(table, name, desc) {
          var head = table.tHead.rows[0].cells, col = -1, type = 'text', i;
          for (i = 0; i < head.length; i++) {
            if (head[i].getAttribute('data-key') === name) {
              col = i; type = head[i].getAttribute('data-type');
            }
          }
          if (col < 0) { return; }
          var cmp = type === 'number' ? cmpNumber : type === 'version' ? cmpVersion : cmpText;
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var keys = new Map();
          rows.forEach(function (r) { keys.set(r, key(r, col)); });
          rows.sort(function (x, y) {
            var r = cmp(keys.get(x), keys.get(y));
            if (desc) { r = -r; }
            return r || Number(x.getAttribute('data-index')) - Number(y.getAttribute('data-index'));
          });
          var frag = document.createDocumentFragment();
          rows.forEach(function (r) { frag.appendChild(r); });
          body.appendChild(frag);
          for (i = 0; i < head.length; i++) {
            head[i].setAttribute('aria-sort', i !== col ? 'none' : desc ? 'descending' : 'ascending');
          }
        }
        var tables = Array.prototype.slice.call(document.querySelectorAll('table.sortable'));
        tables.forEach(function (t) {
          Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th) {
            function go() {
              sortTable(t, th.getAttribute('data-key'), th.getAttribute('aria-sort') === 'ascending');
            }
            th.addEventListener('click', go);
            th.addEventListener('keydown', function (e) {
              if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); }
            });
          });
        });
        function fromHash() {
          var m = /^#sort=(-?)([a-z]+)$/.exec(window.location.hash);
          if (m) { tables.forEach(function (t) { sortTable(t, m[2], m[1] === '-'); }); }
        }
        fromHash();
        window.addEventListener('hashchange', fromHash);
      })();
      """;

  /** The script element's text: the script, in a CDATA section for XML readers. */
  private static final String SCRIPT_ELEMENT = "//<![CDATA[\n" + SCRIPT + "//]]>";

  /**
   * The Content-Security-Policy source of the page's one script: its SHA-256, so no other
   * inline script would run even if one got into the page.
   */
  private static final String SCRIPT_HASH = "sha256-" + java.util.Base64.getEncoder()
      .encodeToString(sha256(SCRIPT_ELEMENT.getBytes(StandardCharsets.UTF_8)));

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
