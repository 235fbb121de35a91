package dev.vdisk.inspect.internal.windows;

import dev.vdisk.core.partition.Partition;
import dev.vdisk.core.partition.PartitionTable;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledApplication;
import dev.vdisk.inspect.InstalledUpdate;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.registry.Hive;
import dev.vdisk.registry.RegistryKey;
import dev.vdisk.registry.RegistryValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Windows system volumes: recognising them and reading their facts from the hives.
 *
 * <p>What is read, all from {@code Windows/System32/config} (names compared case-insensitively;
 * pending {@code .LOG1}/{@code .LOG2} transaction logs beside a hive are replayed in memory):
 *
 * <ul>
 *   <li>SOFTWARE {@code Microsoft\Windows NT\CurrentVersion}: {@code ProductName}, {@code
 *       EditionID}, {@code InstallationType}, {@code CurrentMajorVersionNumber}/{@code
 *       CurrentMinorVersionNumber} (Windows 10 and later; else {@code CurrentVersion}, such as
 *       6.1), {@code CurrentBuildNumber} (else {@code CurrentBuild}) and {@code UBR}, giving the
 *       build {@code major.minor.build.UBR}; {@code DisplayVersion} (else {@code ReleaseId}).
 *       Windows 11 keeps "Windows 10" in {@code ProductName}; a client ({@code
 *       InstallationType} Client) with build 22000 or later is reported as "Windows 11 ..."
 *       (Microsoft's own rule: Windows 11 is build 22000 and later). {@link OsFacts#version()}
 *       and {@link OsFacts#versionId()} are {@code major.minor} ({@code 10.0}).
 *   <li>SYSTEM (the control set {@code Select\Current} names): {@code
 *       Control\ComputerName\ComputerName\ComputerName} and {@code Control\Session
 *       Manager\Environment\PROCESSOR_ARCHITECTURE} (AMD64 x86_64, ARM64 aarch64, x86 i386, IA64
 *       ia64).
 *   <li>Updates: every key of SOFTWARE {@code Microsoft\Windows\CurrentVersion\Component Based
 *       Servicing\Packages}, its {@code CurrentState} named by {@link CbsState}, the KB by
 *       {@link CbsIdentity}; sorted by identity.
 *   <li>Applications: {@code Microsoft\Windows\CurrentVersion\Uninstall} then {@code
 *       WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall}, in stored order; entries
 *       without a {@code DisplayName} are skipped, as Programs and Features skips them.
 *   <li>Pending reboot: {@code RebootPending} (the key {@code Component Based
 *       Servicing\RebootPending} exists), {@code PendingFileRenameOperations} and {@code
 *       PendingFileRenameOperations2} (SYSTEM {@code Control\Session Manager}, when not empty),
 *       {@code pending.xml} ({@code Windows/WinSxS/pending.xml} exists).
 *   <li>Drive letters: SYSTEM {@code MountedDevices} {@code \DosDevices\X:} values decoded by
 *       {@link MountedDevice} and matched to the disk's partitions ({@code C:} to {@code
 *       partition 1}); letters of other disks and of removable drives are left out.
 * </ul>
 *
 * <p>A hive that cannot be read gives a warning naming it and the reason, and the facts it would
 * have given are null; no exception escapes {@link #inspect} for a readable volume.
 */
public final class WindowsInspector {
  private static final Logger LOG = LoggerFactory.getLogger(WindowsInspector.class);

  static final String CONFIG = "Windows/System32/config";
  static final String CURRENT_VERSION = "Microsoft\\Windows NT\\CurrentVersion";
  static final String CBS = "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing";
  static final String UNINSTALL = "Microsoft\\Windows\\CurrentVersion\\Uninstall";
  static final String WOW_UNINSTALL = "WOW6432Node\\" + UNINSTALL;

  private WindowsInspector() {}

  /** Whether the volume holds {@code Windows/System32/config/SOFTWARE} (names case-insensitive). */
  public static boolean isWindowsRoot(GuestFiles guest) throws IOException {
    Optional<Path> software = hivePath(guest, "SOFTWARE");
    return software.isPresent() && Files.isRegularFile(software.get());
  }

  /**
   * Reads a Windows system volume's facts, updates, applications and pending-reboot state.
   *
   * @param partition the index of the partition holding the volume (0 for a bare file system)
   * @param table the disk's partition table, to match {@code MountedDevices} to partitions, or
   *     null
   */
  public static GuestRoot inspect(GuestFiles guest, int partition, PartitionTable table)
      throws IOException {
    List<String> warnings = new ArrayList<>();
    Facts facts = new Facts();
    List<InstalledUpdate> updates = new ArrayList<>();
    List<InstalledApplication> applications = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    Map<String, String> mounts = new TreeMap<>();

    String sw = CONFIG + "/SOFTWARE";
    try (Hive software = openHive(guest, "SOFTWARE", warnings)) {
      if (software != null) {
        section(warnings, sw, "Windows version", () -> readVersion(software, facts));
        section(warnings, sw, "servicing packages",
            () -> readUpdates(software, updates, warnings));
        section(warnings, sw, "RebootPending", () -> {
          if (software.key(CBS + "\\RebootPending").isPresent()) {
            pending.add("RebootPending");
          }
        });
        section(warnings, sw, "Uninstall",
            () -> readApplications(software, UNINSTALL, applications, warnings));
        section(warnings, sw, "WOW6432Node Uninstall",
            () -> readApplications(software, WOW_UNINSTALL, applications, warnings));
      }
    }
    try (Hive system = openHive(guest, "SYSTEM", warnings)) {
      if (system != null) {
        String sy = CONFIG + "/SYSTEM";
        section(warnings, sy, "control set", () -> readSystem(system, facts, pending));
        section(warnings, sy, "MountedDevices", () -> readMounts(system, table, mounts));
      }
    }
    try {
      if (GuestPaths.find(guest, "Windows", "WinSxS", "pending.xml").isPresent()) {
        pending.add("pending.xml");
      }
    } catch (IOException | RuntimeException e) {
      warnings.add("Windows/WinSxS: " + reason(e));
    }
    updates.sort(Comparator.comparing(InstalledUpdate::id));
    OsFacts os = new OsFacts("windows", "windows", facts.version, facts.version, facts.product(),
        null, null, facts.build(), facts.edition, facts.installationType, facts.displayVersion,
        facts.arch, facts.hostname, null, "windows", "cbs");
    return new GuestRoot(partition, os, List.of(), List.of(), updates, applications, pending,
        mounts, warnings);
  }

  /** The facts gathered from both hives. */
  static final class Facts {
    String productName;
    String edition;
    String installationType;
    String version;
    String buildNumber;
    Long ubr;
    String displayVersion;
    String arch;
    String hostname;

    String build() {
      if (version == null || buildNumber == null) {
        return null;
      }
      return version + "." + buildNumber + (ubr == null ? "" : "." + ubr);
    }

    String product() {
      return productName(productName, installationType, buildNumber);
    }
  }

  /**
   * The product name, with "Windows 10" made "Windows 11" for a client of build 22000 or later
   * (Windows 11 did not change {@code ProductName}).
   */
  static String productName(String productName, String installationType, String buildNumber) {
    if (productName == null) {
      return null;
    }
    if ("Client".equalsIgnoreCase(installationType) && buildNumber != null
        && buildNumber.matches("\\d{1,9}") && Integer.parseInt(buildNumber) >= 22000
        && productName.startsWith("Windows 10")) {
      return "Windows 11" + productName.substring("Windows 10".length());
    }
    return productName;
  }

  /** The architecture name for a {@code PROCESSOR_ARCHITECTURE}. */
  static String arch(String processorArchitecture) {
    if (processorArchitecture == null) {
      return null;
    }
    return switch (processorArchitecture.toUpperCase(Locale.ROOT)) {
      case "AMD64" -> "x86_64";
      case "ARM64" -> "aarch64";
      case "X86" -> "i386";
      case "IA64" -> "ia64";
      case "ARM" -> "arm";
      default -> processorArchitecture.toLowerCase(Locale.ROOT);
    };
  }

  private static void readVersion(Hive software, Facts f) throws IOException {
    Optional<RegistryKey> cv = software.key(CURRENT_VERSION);
    if (cv.isEmpty()) {
      return;
    }
    RegistryKey k = cv.get();
    f.productName = RegValues.text(k, "ProductName");
    f.edition = RegValues.text(k, "EditionID");
    f.installationType = RegValues.text(k, "InstallationType");
    Long major = RegValues.number(k, "CurrentMajorVersionNumber");
    Long minor = RegValues.number(k, "CurrentMinorVersionNumber");
    f.version = major != null && minor != null ? major + "." + minor
        : RegValues.text(k, "CurrentVersion");
    f.buildNumber = RegValues.text(k, "CurrentBuildNumber");
    if (f.buildNumber == null) {
      f.buildNumber = RegValues.text(k, "CurrentBuild");
    }
    f.ubr = RegValues.number(k, "UBR");
    f.displayVersion = RegValues.text(k, "DisplayVersion");
    if (f.displayVersion == null) {
      f.displayVersion = RegValues.text(k, "ReleaseId");
    }
  }

  private static void readUpdates(Hive software, List<InstalledUpdate> out,
      List<String> warnings) throws IOException {
    Optional<RegistryKey> packages = software.key(CBS + "\\Packages");
    if (packages.isEmpty()) {
      return;
    }
    for (RegistryKey p : packages.get().subkeys()) {
      try {
        InstalledUpdate u = update(p);
        if (u != null) {
          out.add(u);
        }
      } catch (IOException | RuntimeException e) {
        warnings.add(CONFIG + "/SOFTWARE: " + p.path() + ": " + reason(e));
      }
    }
  }

  private static InstalledUpdate update(RegistryKey p) throws IOException {
    Long state = RegValues.number(p, "CurrentState");
    if (state == null) {
      LOG.debug("{}: no CurrentState", p.path());
      return null;
    }
    String kb = CbsIdentity.kb(p.name());
    if (kb == null) {
      kb = CbsIdentity.find(RegValues.text(p, "InstallName"));
    }
    if (kb == null) {
      kb = CbsIdentity.find(RegValues.text(p, "InstallLocation"));
    }
    return new InstalledUpdate(p.name(), kb, CbsState.name(state), (int) (long) state,
        CbsState.installed(state));
  }

  private static void readApplications(Hive software, String path,
      List<InstalledApplication> out, List<String> warnings) throws IOException {
    Optional<RegistryKey> uninstall = software.key(path);
    if (uninstall.isEmpty()) {
      return;
    }
    for (RegistryKey app : uninstall.get().subkeys()) {
      try {
        String name = RegValues.text(app, "DisplayName");
        if (name == null) {
          continue;
        }
        Long system = RegValues.number(app, "SystemComponent");
        out.add(new InstalledApplication(name, RegValues.text(app, "DisplayVersion"),
            RegValues.text(app, "Publisher"), RegValues.text(app, "InstallDate"),
            system != null && system == 1, app.path()));
      } catch (IOException | RuntimeException e) {
        warnings.add(CONFIG + "/SOFTWARE: " + app.path() + ": " + reason(e));
      }
    }
  }

  /** The current control set's key ({@code ControlSet00N}), by {@code Select\Current}. */
  static Optional<RegistryKey> currentControlSet(Hive system) throws IOException {
    Optional<RegistryKey> select = system.key("Select");
    Long current = select.isEmpty() ? null : RegValues.number(select.get(), "Current");
    if (current == null || current < 1 || current > 999) {
      LOG.debug("SYSTEM has no usable Select\\Current ({}); trying ControlSet001", current);
      current = 1L;
    }
    return system.key(String.format("ControlSet%03d", current));
  }

  private static void readSystem(Hive system, Facts f, List<String> pending) throws IOException {
    Optional<RegistryKey> cs = currentControlSet(system);
    if (cs.isEmpty()) {
      throw new IOException("no current control set");
    }
    String base = cs.get().path();
    Optional<RegistryKey> name = system.key(base + "\\Control\\ComputerName\\ComputerName");
    if (name.isPresent()) {
      f.hostname = RegValues.text(name.get(), "ComputerName");
    }
    Optional<RegistryKey> env = system.key(base + "\\Control\\Session Manager\\Environment");
    if (env.isPresent()) {
      f.arch = arch(RegValues.text(env.get(), "PROCESSOR_ARCHITECTURE"));
    }
    Optional<RegistryKey> sm = system.key(base + "\\Control\\Session Manager");
    if (sm.isPresent()) {
      for (String v : List.of("PendingFileRenameOperations", "PendingFileRenameOperations2")) {
        if (RegValues.nonEmpty(sm.get(), v)) {
          pending.add(v);
        }
      }
    }
  }

  private static void readMounts(Hive system, PartitionTable table, Map<String, String> out)
      throws IOException {
    Optional<RegistryKey> md = system.key("MountedDevices");
    if (md.isEmpty() || table == null) {
      return;
    }
    boolean mbr = table.scheme() == PartitionTable.Scheme.MBR;
    String diskId = table.diskId().orElse(null);
    List<MountedDevice.Candidate> candidates = new ArrayList<>();
    for (Partition p : table.partitions()) {
      candidates.add(new MountedDevice.Candidate(p.index(), p.start(), p.uuid().orElse(null)));
    }
    for (RegistryValue v : md.get().values()) {
      String letter = driveLetter(v.name());
      if (letter == null) {
        continue;
      }
      Optional<Integer> index = MountedDevice.decode(v.data()).match(diskId, mbr, candidates);
      index.ifPresent(i -> out.put(letter, "partition " + i));
    }
  }

  /** {@code C:} for a value named {@code \DosDevices\C:} (any case), else null. */
  static String driveLetter(String valueName) {
    String prefix = "\\DosDevices\\";
    if (valueName.length() == prefix.length() + 2
        && valueName.regionMatches(true, 0, prefix, 0, prefix.length())
        && valueName.charAt(prefix.length() + 1) == ':'
        && Character.isLetter(valueName.charAt(prefix.length()))) {
      return Character.toUpperCase(valueName.charAt(prefix.length())) + ":";
    }
    return null;
  }

  private static Optional<Path> hivePath(GuestFiles guest, String hive) throws IOException {
    return GuestPaths.find(guest, "Windows", "System32", "config", hive);
  }

  /** Opens a hive, or adds a warning and gives null. */
  private static Hive openHive(GuestFiles guest, String name, List<String> warnings) {
    Path path;
    try {
      Optional<Path> found = hivePath(guest, name);
      if (found.isEmpty() || !Files.isRegularFile(found.get())) {
        warnings.add(CONFIG + "/" + name + ": no such hive"
            + (name.equals("SYSTEM") ? "; host name, architecture, drive letters and"
                + " PendingFileRenameOperations are unknown" : ""));
        return null;
      }
      path = found.get();
    } catch (IOException | RuntimeException e) {
      warnings.add(CONFIG + ": " + reason(e));
      return null;
    }
    try {
      Hive hive = Hive.open(path, CONFIG + "/" + name);
      if (dirtyWithoutLogs(path)) {
        warnings.add(CONFIG + "/" + name + ": the hive was not closed cleanly (its sequence"
            + " numbers differ) and no transaction log is beside it: recent changes may be"
            + " missing");
      }
      return hive;
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot open hive {}", path, e);
      String reason = reason(e);
      warnings.add(reason.startsWith(CONFIG) ? reason : CONFIG + "/" + name + ": " + reason);
      return null;
    }
  }

  /**
   * Whether the base block's primary and secondary sequence numbers (u32 LE at 4 and 8) differ
   * while no {@code .LOG}, {@code .LOG1} or {@code .LOG2} is beside the hive to replay.
   */
  static boolean dirtyWithoutLogs(Path hive) throws IOException {
    byte[] head = new byte[12];
    try (var in = Files.newInputStream(hive)) {
      if (in.readNBytes(head, 0, 12) < 12) {
        return false;
      }
    }
    var b = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(4) == b.getInt(8)) {
      return false;
    }
    Path dir = hive.getParent();
    String name = hive.getFileName().toString();
    if (dir == null) {
      return true;
    }
    try (var entries = Files.newDirectoryStream(dir)) {
      int n = 0;
      for (Path e : entries) {
        String f = e.getFileName().toString();
        for (String suffix : List.of(".LOG", ".LOG1", ".LOG2")) {
          if (GuestPaths.equalsIgnoreCase(f, name + suffix)) {
            return false;
          }
        }
        if (++n > 100_000) {
          break;
        }
      }
    }
    return true;
  }

  private interface Section {
    void run() throws IOException;
  }

  /** Runs one part of the reading; a failure becomes a warning naming the hive. */
  private static void section(List<String> warnings, String hive, String what, Section s) {
    try {
      s.run();
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: reading {} failed", hive, what, e);
      String reason = reason(e);
      warnings.add(reason.startsWith(hive) ? what + ": " + reason
          : hive + ": " + what + ": " + reason);
    }
  }

  private static String reason(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
