package dev.vdisk.cli;

import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.Inspection;
import dev.vdisk.inspect.Inspector;
import dev.vdisk.inspect.InstalledApplication;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.inspect.InstalledUpdate;
import dev.vdisk.inspect.OsFacts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk inspect}: the operating systems an image holds and what is installed in them. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show the operating systems in an image: OS facts, installed packages (dpkg, rpm, apk),",
      "Windows updates and applications. Linux roots are read with the file systems their",
      "/etc/fstab mounts. Exit 2 with \"no operating system found\" when there is none."
    })
final class InspectCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image or block device.")
  Path image;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Inspection inspection = Inspector.inspect(image);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(toJson(inspection)));
    } else {
      printText(out, inspection);
    }
    out.flush();
    if (inspection.roots().isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("vdisk: " + image + ": no operating system found");
      err.flush();
      return ExitCode.BAD_INPUT;
    }
    return ExitCode.OK;
  }

  static Map<String, Object> toJson(Inspection inspection) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("image", inspection.image());
    List<Object> roots = new ArrayList<>();
    for (GuestRoot r : inspection.roots()) {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("partition", r.partition());
      OsFacts f = r.os();
      Map<String, Object> os = new LinkedHashMap<>();
      os.put("family", f.family());
      os.put("distribution", f.distribution());
      os.put("version", f.version());
      os.put("versionId", f.versionId());
      os.put("product", f.product());
      os.put("pointRelease", f.pointRelease());
      os.put("codename", f.codename());
      os.put("build", f.build());
      os.put("edition", f.edition());
      os.put("installationType", f.installationType());
      os.put("displayVersion", f.displayVersion());
      os.put("arch", f.arch());
      os.put("hostname", f.hostname());
      os.put("initSystem", f.initSystem());
      os.put("packageManager", f.packageManager());
      root.put("os", os);
      root.put("packageFormat", f.packageFormat());
      List<Object> packages = new ArrayList<>();
      for (InstalledPackage p : r.packages()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("version", p.version());
        m.put("arch", p.arch());
        m.put("status", p.status());
        m.put("installed", p.installed());
        m.put("epoch", p.epoch());
        m.put("upstreamVersion", p.upstreamVersion());
        m.put("release", p.release());
        m.put("source", p.source());
        m.put("vendor", p.vendor());
        m.put("installTime", p.installTime() == null ? null : p.installTime().toString());
        packages.add(m);
      }
      root.put("packages", packages);
      root.put("kernels", r.kernels());
      List<Object> updates = new ArrayList<>();
      for (InstalledUpdate u : r.updates()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("state", u.state());
        m.put("kb", u.kb());
        m.put("stateCode", u.stateCode());
        m.put("installed", u.installed());
        updates.add(m);
      }
      root.put("updates", updates);
      List<Object> apps = new ArrayList<>();
      for (InstalledApplication a : r.applications()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("version", a.version());
        m.put("publisher", a.publisher());
        m.put("installDate", a.installDate());
        m.put("systemComponent", a.systemComponent());
        m.put("key", a.key());
        apps.add(m);
      }
      root.put("applications", apps);
      root.put("pendingReboot", r.pendingReboot());
      root.put("mounts", r.mounts());
      root.put("warnings", r.warnings());
      roots.add(root);
    }
    top.put("roots", roots);
    GuestRoot first = inspection.defaultRoot().orElse(null);
    // the default root's facts at the top level too, as DESIGN.md lists the fields
    if (first != null) {
      Map<?, ?> r0 = (Map<?, ?>) roots.get(0);
      top.put("os", r0.get("os"));
      top.put("packageFormat", r0.get("packageFormat"));
      top.put("packages", r0.get("packages"));
      top.put("updates", r0.get("updates"));
      top.put("applications", r0.get("applications"));
    }
    top.put("warnings", inspection.warnings());
    return top;
  }

  private static void printText(PrintWriter out, Inspection inspection) {
    if (inspection.roots().isEmpty()) {
      out.println("no operating system found");
    }
    boolean first = true;
    for (GuestRoot r : inspection.roots()) {
      OsFacts f = r.os();
      out.printf("%s (%s%s)%n", f.product() != null ? f.product() : f.distribution(),
          r.partition() == 0 ? "whole disk" : "partition " + r.partition(),
          first && inspection.roots().size() > 1 ? ", default" : "");
      first = false;
      line(out, "family", f.family());
      line(out, "distribution", f.distribution());
      line(out, "version", f.pointRelease() != null ? f.versionId() + " (" + f.pointRelease()
          + ")" : f.versionId() != null ? f.versionId() : f.version());
      line(out, "codename", f.codename());
      line(out, "build", f.build());
      line(out, "edition", f.edition());
      line(out, "arch", f.arch());
      line(out, "hostname", f.hostname());
      line(out, "init", f.initSystem());
      if (f.packageFormat() != null && !r.packages().isEmpty()) {
        long installed = r.packages().stream().filter(InstalledPackage::installed).count();
        out.printf("  %-13s %d installed (%d records, %s)%n", "packages:", installed,
            r.packages().size(), f.packageManager());
      }
      if (!r.kernels().isEmpty()) {
        line(out, "kernels", String.join(", ", r.kernels()));
      }
      if (!r.updates().isEmpty()) {
        long installed = r.updates().stream().filter(InstalledUpdate::installed).count();
        out.printf("  %-13s %d installed (%d packages)%n", "updates:", installed,
            r.updates().size());
      }
      if (!r.applications().isEmpty()) {
        out.printf("  %-13s %d%n", "applications:", r.applications().size());
      }
      if (!r.pendingReboot().isEmpty()) {
        line(out, "reboot", "pending: " + String.join(", ", r.pendingReboot()));
      }
      List<String> mounts = new ArrayList<>();
      r.mounts().forEach((k, v) -> mounts.add(k + " = " + v));
      if (!mounts.isEmpty()) {
        line(out, "mounts", String.join(", ", mounts));
      }
      for (String w : r.warnings()) {
        line(out, "warning", w);
      }
    }
    for (String w : inspection.warnings()) {
      out.println("warning: " + w);
    }
  }

  private static void line(PrintWriter out, String name, String value) {
    if (value != null) {
      out.printf("  %-13s %s%n", name + ":", value);
    }
  }
}
