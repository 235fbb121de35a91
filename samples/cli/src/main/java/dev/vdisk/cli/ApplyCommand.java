package dev.vdisk.cli;

import dev.vdisk.apply.ApplyOptions;
import dev.vdisk.apply.ApplyReport;
import dev.vdisk.apply.Applier;
import dev.vdisk.apply.PackageAction;
import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.VerifyOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk apply}: inject Debian packages into a stopped guest's image, offline. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Inject Debian packages into the dpkg-based Linux guest in IMAGE, offline,",
      "as 'dpkg --unpack' would. Every package is verified first (a signed",
      "repository index lists it, or a detached signature by a trusted key),",
      "dependencies are checked against the guest's dpkg database plus the set,",
      "then all packages are unpacked in one transaction: any failure leaves",
      "IMAGE byte for byte unchanged. A first-boot unit runs 'dpkg --configure",
      "-a' and installs the packages that had to be staged.",
      "Exit 3 when a package is untrusted, the dependencies are not satisfied,",
      "or the image cannot be written safely (locked by a running VM, a dirty",
      "file system); exit 2 when the image holds no dpkg-based guest or an",
      "input is corrupt."
    })
final class ApplyCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PKG|DIR",
      description = "Package files, or directories whose *.deb files are all taken.")
  List<Path> packages;

  @Option(names = "--trust", paramLabel = "KEYRING", required = true,
      description = "An OpenPGP keyring (binary or armored) or a directory of them, as apt's "
          + "trusted.gpg.d; repeat for more.")
  List<Path> trust;

  @Option(names = "--repo", paramLabel = "DIR|URL",
      description = "A repository whose signed index vouches for the packages (as 'vdisk "
          + "verify --repo' takes it); repeat for more.")
  List<String> repos = new ArrayList<>();

  @Option(names = "--snapshot", paramLabel = "CHILD",
      description = "Create CHILD, a differencing disk of IMAGE in IMAGE's format, and write "
          + "into it; IMAGE stays unchanged. CHILD must not exist; it is removed again if the "
          + "apply fails.")
  Path snapshot;

  @Option(names = "--dry-run",
      description = "Verify, check and unpack into a transaction that is then dropped: "
          + "report what would be done, change nothing.")
  boolean dryRun;

  @Option(names = "--allow-expired",
      description = "Accept a repository index past its Valid-Until (signatures must still "
          + "be good).")
  boolean allowExpired;

  @Option(names = {"-p", "--partition"}, paramLabel = "N",
      description = "The partition holding the guest's root file system, as 'vdisk info' "
          + "numbers them. Default: the operating system root 'vdisk inspect' lists first.")
  Integer partition;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Option(names = "--json", description = "Print a JSON report instead of text.")
  boolean json;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TrustStore store = TrustStore.load(trust);
    ApplyReport report;
    try (ProgressBar bar = ProgressBar.create(err, dryRun ? "dry run" : "applying",
        ProgressBar.wanted(progress))) {
      ApplyOptions options = new ApplyOptions(store, repos,
          new VerifyOptions(Instant.now(), allowExpired), snapshot, dryRun,
          partition == null ? OptionalInt.empty() : OptionalInt.of(partition),
          bar == null ? null : bar::progress,
          -1, null);
      report = Applier.apply(image, packages, options);
    }
    if (json) {
      out.println(Json.write(toJson(report)));
    } else {
      printText(out, report);
    }
    out.flush();
    return ExitCode.OK;
  }

  static Map<String, Object> toJson(ApplyReport r) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("image", r.image().toString());
    top.put("written", r.written() == null ? null : r.written().toString());
    top.put("dryRun", r.dryRun());
    top.put("partition", r.partition());
    top.put("changedBytes", r.changedBytes());
    List<Object> packages = new ArrayList<>();
    for (PackageAction a : r.packages()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", a.name());
      m.put("architecture", a.architecture());
      m.put("oldVersion", a.oldVersion());
      m.put("newVersion", a.newVersion());
      m.put("action", a.action().name().toLowerCase(java.util.Locale.ROOT));
      m.put("reason", a.reason());
      m.put("files", a.files());
      m.put("conffilesKept", a.conffilesKept());
      packages.add(m);
    }
    top.put("packages", packages);
    top.put("warnings", r.warnings());
    return top;
  }

  private static void printText(PrintWriter out, ApplyReport r) {
    int unpacked = 0;
    int staged = 0;
    for (PackageAction a : r.packages()) {
      String action = a.action().name().toLowerCase(java.util.Locale.ROOT);
      out.printf("%-9s %s:%s %s%s%s%n", action, a.name(), a.architecture(),
          a.oldVersion() != null ? a.oldVersion() + " -> " : "", a.newVersion(),
          a.action() == PackageAction.Action.STAGED && a.reason() != null
              ? " (" + a.reason() + ")" : a.files() > 0 ? " (" + a.files() + " files)" : "");
      for (String kept : a.conffilesKept()) {
        out.printf("          kept the modified %s (the new one is %s.dpkg-dist)%n", kept, kept);
      }
      if (a.action() == PackageAction.Action.UNPACKED) {
        unpacked++;
      } else if (a.action() == PackageAction.Action.STAGED) {
        staged++;
      }
    }
    for (String w : r.warnings()) {
      out.println("warning: " + w);
    }
    if (r.dryRun()) {
      out.printf("dry run: %d packages would be unpacked, %d staged; %s is unchanged%n",
          unpacked, staged, r.image());
    } else {
      out.printf("%s: %d packages unpacked, %d staged; they are configured at first boot%n",
          r.written(), unpacked, staged);
    }
  }
}
