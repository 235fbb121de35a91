package dev.vdisk.inspect.internal.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledApplication;
import dev.vdisk.inspect.InstalledUpdate;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What hivex (hivexget, hivexsh) reads from a SOFTWARE and a SYSTEM hive, turned into the facts
 * {@link WindowsInspector} documents, and compared field by field with what it read.
 */
final class HivexOracle {
  private static final Map<String, String> ENV = Map.of("LC_ALL", "C.UTF-8");

  private HivexOracle() {}

  static void require() {
    Oracles.require("hivexget", "libhivex-bin");
    Oracles.require("hivexsh", "libhivex-bin");
  }

  /** A value as hivexget prints it (strings as text, DWORDs in decimal), or null when absent. */
  static String get(Path hive, String key, String value) {
    Oracles.Result r = Oracles.run(null, ENV, "hivexget", hive.toString(), "\\" + key, value);
    if (r.exitCode() != 0) {
      return null;
    }
    String s = r.stdout();
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.isEmpty() ? null : s;
  }

  /** Whether a key exists (hivexget lists its values). */
  static boolean exists(Path hive, String key) {
    return Oracles.run(null, ENV, "hivexget", hive.toString(), "\\" + key).exitCode() == 0;
  }

  /** The subkeys of a key as hivexsh lists them (stored order); empty when the key is absent. */
  static List<String> subkeys(Path hive, String key) {
    String script = "cd \\" + key + "\nls\n";
    Oracles.Result r = Oracles.run(script.getBytes(StandardCharsets.UTF_8), ENV, "hivexsh",
        hive.toString());
    if (r.exitCode() != 0 || !new String(r.err(), StandardCharsets.UTF_8).isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isEmpty()) {
        out.add(line);
      }
    }
    return out;
  }

  /** The control set Select\Current names, as hivex reads it. */
  static String controlSet(Path system) {
    String current = get(system, "Select", "Current");
    return String.format("ControlSet%03d", current == null ? 1 : Integer.parseInt(current));
  }

  /**
   * Asserts that the root's facts, updates, applications and pending-reboot reasons are what
   * hivex reads from the hives (either may be null: that hive is missing).
   *
   * @return how many fields and records were compared
   */
  static int assertMatches(GuestRoot root, Path software, Path system, boolean pendingXml) {
    int checked = 0;
    OsFacts os = root.os();
    List<String> pending = new ArrayList<>();
    if (software != null) {
      String cv = WindowsInspector.CURRENT_VERSION;
      String major = get(software, cv, "CurrentMajorVersionNumber");
      String minor = get(software, cv, "CurrentMinorVersionNumber");
      String version = major != null && minor != null ? major + "." + minor
          : get(software, cv, "CurrentVersion");
      String buildNumber = get(software, cv, "CurrentBuildNumber");
      if (buildNumber == null) {
        buildNumber = get(software, cv, "CurrentBuild");
      }
      String ubr = get(software, cv, "UBR");
      String type = get(software, cv, "InstallationType");
      String product = get(software, cv, "ProductName");
      // the documented Windows 11 rule: a client of build 22000 or later
      if (product != null && "Client".equals(type) && buildNumber != null
          && Integer.parseInt(buildNumber) >= 22000 && product.startsWith("Windows 10 ")) {
        product = "Windows 11 " + product.substring("Windows 10 ".length());
      }
      String display = get(software, cv, "DisplayVersion");
      assertThat(os.product()).as("product").isEqualTo(product);
      assertThat(os.edition()).as("edition").isEqualTo(get(software, cv, "EditionID"));
      assertThat(os.installationType()).as("installation type").isEqualTo(type);
      assertThat(os.version()).as("version").isEqualTo(version);
      assertThat(os.build()).as("build").isEqualTo(version == null || buildNumber == null ? null
          : version + "." + buildNumber + (ubr == null ? "" : "." + ubr));
      assertThat(os.displayVersion()).as("display version")
          .isEqualTo(display != null ? display : get(software, cv, "ReleaseId"));
      checked += 6;

      String packages = WindowsInspector.CBS + "\\Packages";
      List<String> expected = new ArrayList<>();
      for (String id : subkeys(software, packages)) {
        String state = get(software, packages + "\\" + id, "CurrentState");
        if (state != null) {
          long code = Long.parseLong(state);
          expected.add(id + " " + (int) code + " " + (code == 0x70 || code == 0x80));
        }
      }
      expected.sort(Comparator.naturalOrder());
      List<String> actual = new ArrayList<>();
      for (InstalledUpdate u : root.updates()) {
        actual.add(u.id() + " " + u.stateCode() + " " + u.installed());
      }
      assertThat(actual).as("updates").isEqualTo(expected);
      checked += actual.size();

      List<String> apps = new ArrayList<>();
      for (String view : List.of(WindowsInspector.UNINSTALL, WindowsInspector.WOW_UNINSTALL)) {
        for (String name : subkeys(software, view)) {
          String k = view + "\\" + name;
          String display2 = get(software, k, "DisplayName");
          if (display2 != null) {
            apps.add(String.join("|", display2, get(software, k, "DisplayVersion"),
                get(software, k, "Publisher"), get(software, k, "InstallDate"),
                String.valueOf("1".equals(get(software, k, "SystemComponent"))), k));
          }
        }
      }
      List<String> actualApps = new ArrayList<>();
      for (InstalledApplication a : root.applications()) {
        actualApps.add(String.join("|", a.name(), a.version(), a.publisher(), a.installDate(),
            String.valueOf(a.systemComponent()), a.key()));
      }
      assertThat(actualApps).as("applications").isEqualTo(apps);
      checked += apps.size();
      if (exists(software, WindowsInspector.CBS + "\\RebootPending")) {
        pending.add("RebootPending");
      }
    }
    if (system != null) {
      String cs = controlSet(system);
      assertThat(os.hostname()).as("hostname").isEqualTo(
          get(system, cs + "\\Control\\ComputerName\\ComputerName", "ComputerName"));
      String arch = get(system, cs + "\\Control\\Session Manager\\Environment",
          "PROCESSOR_ARCHITECTURE");
      assertThat(os.arch()).as("arch").isEqualTo(arch == null ? null : switch (arch) {
        case "AMD64" -> "x86_64";
        case "x86" -> "i386";
        case "ARM64" -> "aarch64";
        default -> arch.toLowerCase(java.util.Locale.ROOT);
      });
      checked += 2;
      for (String v : List.of("PendingFileRenameOperations", "PendingFileRenameOperations2")) {
        String data = get(system, cs + "\\Control\\Session Manager", v);
        if (data != null && !data.isBlank()) {
          pending.add(v);
        }
      }
    }
    if (pendingXml) {
      pending.add("pending.xml");
    }
    assertThat(root.pendingReboot()).as("pending reboot").isEqualTo(pending);
    assertThat(os.family()).isEqualTo("windows");
    assertThat(os.packageManager()).isEqualTo("cbs");
    return checked + 1;
  }

  /**
   * {@link #assertMatches} for the SOFTWARE hive alone, where the SYSTEM hive has no oracle (the
   * reasons that come from SYSTEM are left out of the comparison).
   */
  static int assertMatchesSoftwareOnly(GuestRoot root, Path software) {
    GuestRoot softwareOnly = new GuestRoot(root.partition(), root.os(), root.packages(),
        root.kernels(), root.updates(), root.applications(), root.pendingReboot().stream()
            .filter(r -> !r.startsWith("PendingFileRenameOperations")).toList(), root.mounts(),
        root.warnings());
    return assertMatches(softwareOnly, software, null, false);
  }
}
