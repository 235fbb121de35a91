package dev.vdisk.cli;

import dev.vdisk.core.CheckReport;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.VirtualDisks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk check}: format-level consistency check. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check an image's structure without changing it: checksums, tables, overlapping or",
      "out-of-range blocks, bitmaps, logs awaiting replay. Exit 0 when no corruption is found",
      "(leaks and warnings are listed but allowed), 2 when the image is corrupt."
    })
final class CheckCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to check.")
  Path image;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    DiskFormat format = VirtualDisks.detect(image);
    CheckReport report = format.check(image);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("file", image.toString());
      map.put("format", report.format());
      map.put("clean", report.isClean());
      map.put("corruptions", report.count(CheckReport.Severity.CORRUPTION));
      map.put("leaks", report.count(CheckReport.Severity.LEAK));
      map.put("warnings", report.count(CheckReport.Severity.WARNING));
      List<Map<String, Object>> problems = new ArrayList<>();
      for (CheckReport.Problem p : report.problems()) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("severity", p.severity().name().toLowerCase(Locale.ROOT));
        item.put("offset", p.offset() >= 0 ? p.offset() : null);
        item.put("structure", p.structure());
        item.put("message", p.message());
        problems.add(item);
      }
      map.put("problems", problems);
      out.println(Json.write(map));
    } else {
      for (CheckReport.Problem p : report.problems()) {
        out.printf("%s: %s%s: %s%n", p.severity().name().toLowerCase(Locale.ROOT), p.structure(),
            p.offset() >= 0 ? String.format(" at offset %d (0x%x)", p.offset(), p.offset()) : "",
            p.message());
      }
      out.printf("%s (%s): %s%n", image, report.format(), report.isClean()
          ? "no corruption found" + (report.count(CheckReport.Severity.LEAK) > 0
              ? ", " + report.count(CheckReport.Severity.LEAK) + " leaks" : "")
          : report.count(CheckReport.Severity.CORRUPTION) + " corruptions found");
    }
    out.flush();
    return report.isClean() ? ExitCode.OK : ExitCode.BAD_INPUT;
  }
}
