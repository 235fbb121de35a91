package dev.vdisk.inspect.internal.linux;

import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.inspect.internal.rpm.RpmDatabases;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Linux roots: recognising them and reading their facts and package databases. */
public final class LinuxInspector {
  private static final Logger LOG = LoggerFactory.getLogger(LinuxInspector.class);
  private static final int SMALL = 1 << 20;
  private static final int DATABASE = 256 << 20;
  private static final int MAX_STATUS_D = 100_000;
  /** Files whose presence marks a Linux root. */
  public static final List<String> MARKERS = List.of("/etc/os-release", "/usr/lib/os-release",
      "/etc/debian_version", "/etc/redhat-release", "/etc/alpine-release", "/etc/lsb-release");

  private LinuxInspector() {}

  /** Whether the file system holds a Linux root. */
  public static boolean isLinuxRoot(GuestFiles guest) throws IOException {
    for (String m : MARKERS) {
      if (GuestText.exists(guest, m)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads a Linux root's facts and packages.
   *
   * @param guest the guest's files, with its fstab mounts
   * @param partition the partition holding its root
   * @param mounts mount point to what is mounted there
   * @param warnings warnings so far (fstab entries not matched), added to
   */
  public static GuestRoot inspect(GuestFiles guest, int partition, Map<String, String> mounts,
      List<String> warnings) throws IOException {
    List<String> warn = new ArrayList<>(warnings);
    Map<String, String> osr = Map.of();
    for (String f : List.of("/etc/os-release", "/usr/lib/os-release")) {
      Optional<String> t = small(guest, f, warn);
      if (t.isPresent()) {
        osr = OsRelease.parse(t.get());
        break;
      }
    }
    Map<String, String> lsb = small(guest, "/etc/lsb-release", warn).map(OsRelease::parse)
        .orElse(Map.of());
    String debianVersion = firstLine(small(guest, "/etc/debian_version", warn));
    String alpineRelease = firstLine(small(guest, "/etc/alpine-release", warn));
    String redhatRelease = firstLine(small(guest, "/etc/redhat-release", warn));

    String distribution = osr.get("ID");
    if (distribution == null && lsb.get("DISTRIB_ID") != null) {
      distribution = lsb.get("DISTRIB_ID").toLowerCase(Locale.ROOT);
    }
    if (distribution == null && redhatRelease != null) {
      distribution = redhatId(redhatRelease);
    }
    if (distribution == null && alpineRelease != null) {
      distribution = "alpine";
    }
    if (distribution == null && debianVersion != null) {
      distribution = "debian";
    }
    String releaseNumber = redhatRelease == null ? null : redhatVersion(redhatRelease);
    String versionId = firstNonNull(osr.get("VERSION_ID"), lsb.get("DISTRIB_RELEASE"),
        releaseNumber, alpineRelease, debianVersion);
    String version = firstNonNull(osr.get("VERSION"), lsb.get("DISTRIB_RELEASE"), releaseNumber,
        alpineRelease, debianVersion);
    String product = osr.get("PRETTY_NAME");
    if (product == null && osr.get("NAME") != null) {
      product = osr.get("NAME") + (version == null ? "" : " " + version);
    }
    product = firstNonNull(product, lsb.get("DISTRIB_DESCRIPTION"), redhatRelease,
        alpineRelease == null ? null : "Alpine Linux v" + alpineRelease,
        debianVersion == null ? null : "Debian GNU/Linux " + debianVersion);
    String pointRelease = null;
    if ("debian".equals(distribution)) {
      pointRelease = debianVersion;
    } else if ("alpine".equals(distribution)) {
      pointRelease = alpineRelease;
    }
    String codename = firstNonNull(osr.get("VERSION_CODENAME"), osr.get("UBUNTU_CODENAME"),
        lsb.get("DISTRIB_CODENAME"));

    // packages
    List<InstalledPackage> packages = new ArrayList<>();
    String format = null;
    String manager = null;
    List<InstalledPackage> dpkg = readDpkg(guest, warn);
    List<String> pendingReboot = new ArrayList<>();
    if (dpkg != null) {
      packages.addAll(dpkg);
      format = "deb";
      manager = "dpkg";
      try {
        pendingReboot.addAll(PendingInstalls.apply(guest, packages));
      } catch (IOException e) {
        warn.add(PendingInstalls.STAGED + ": " + e.getMessage());
      }
    }
    Optional<String> apk = database(guest, "/lib/apk/db/installed", warn);
    if (apk.isPresent()) {
      packages.addAll(ApkInstalled.parse(apk.get()));
      format = format == null ? "apk" : format;
      manager = manager == null ? "apk" : manager;
    }
    try {
      Optional<List<InstalledPackage>> rpm = RpmDatabases.read(guest);
      if (rpm.isPresent()) {
        packages.addAll(rpm.get());
        format = format == null ? "rpm" : format;
        manager = manager == null ? (GuestText.exists(guest, "/usr/bin/dnf") ? "dnf"
            : GuestText.exists(guest, "/usr/bin/zypper") ? "zypper"
            : GuestText.exists(guest, "/usr/bin/yum") ? "yum" : "rpm") : manager;
      }
    } catch (IOException | RuntimeException e) {
      // one unreadable database must not hide the rest of the root
      LOG.debug("rpm database", e);
      warn.add("rpm database: " + e);
    }
    if (manager != null && manager.equals("dpkg") && GuestText.exists(guest, "/usr/bin/apt-get")) {
      manager = "apt";
    }

    String arch = null;
    try {
      Optional<byte[]> elf = GuestText.readBytes(guest, "/bin/sh", ElfHeader.SIZE);
      if (elf.isPresent()) {
        arch = ElfHeader.parse(ByteBuffer.wrap(elf.get()), null).architecture();
      }
    } catch (IOException e) {
      warn.add("/bin/sh: " + e.getMessage());
    }
    if (arch == null) {
      arch = archFromPackages(packages);
    }

    List<String> kernels = new ArrayList<>();
    for (InstalledPackage p : packages) {
      if (p.installed() && isKernel(p)) {
        kernels.add(p.name() + " " + p.version());
      }
    }

    OsFacts facts = new OsFacts("linux", distribution, version, versionId, product, pointRelease,
        codename, null, null, null, null, arch, hostname(guest, warn), initSystem(guest),
        format, manager);
    return new GuestRoot(partition, facts, packages, kernels, List.of(), List.of(), pendingReboot,
        mounts, warn);
  }

  /** Whether a package is a kernel image package. */
  static boolean isKernel(InstalledPackage p) {
    String n = p.name();
    switch (p.format()) {
      case "deb":
        return n.startsWith("linux-image-");
      case "rpm":
        return Set.of("kernel", "kernel-core", "kernel-default", "kernel-uek", "kernel-uek-core",
            "kernel-rt", "kernel-64k", "kernel-64k-core").contains(n);
      case "apk":
        return Set.of("linux-lts", "linux-virt", "linux-edge", "linux-rpi", "linux-stable")
            .contains(n);
      default:
        return false;
    }
  }

  private static List<InstalledPackage> readDpkg(GuestFiles guest, List<String> warn)
      throws IOException {
    List<InstalledPackage> out = null;
    Optional<String> status = database(guest, "/var/lib/dpkg/status", warn);
    if (status.isPresent()) {
      out = new ArrayList<>(DpkgStatus.parse(status.get()));
    }
    Path dir = GuestText.resolve(guest, "/var/lib/dpkg/status.d");
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      TreeMap<String, Path> files = new TreeMap<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          if (files.size() >= MAX_STATUS_D) {
            warn.add("/var/lib/dpkg/status.d: more than " + MAX_STATUS_D + " files, rest skipped");
            break;
          }
          files.put(p.getFileName().toString(), p);
        }
      }
      for (String name : files.keySet()) {
        if (name.endsWith(".md5sums") || name.startsWith(".")) {
          continue; // distroless keeps file lists beside the stanzas
        }
        Optional<String> t = database(guest, "/var/lib/dpkg/status.d/" + name, warn);
        if (t.isPresent()) {
          if (out == null) {
            out = new ArrayList<>();
          }
          out.addAll(DpkgStatus.parse(t.get(), true));
        }
      }
    }
    return out;
  }

  private static String archFromPackages(List<InstalledPackage> packages) {
    for (String name : List.of("dpkg", "base-files", "libc6", "musl", "busybox", "glibc", "rpm",
        "bash")) {
      for (InstalledPackage p : packages) {
        if (p.name().equals(name) && !p.arch().isEmpty() && !p.arch().equals("all")
            && !p.arch().equals("noarch")) {
          return normaliseArch(p.arch());
        }
      }
    }
    return null;
  }

  /** A package manager's architecture name in the kernel's spelling. */
  static String normaliseArch(String arch) {
    switch (arch) {
      case "amd64": return "x86_64";
      case "arm64": return "aarch64";
      case "ppc64el": return "ppc64le";
      case "i686": case "i586": case "x86": return "i386";
      default: return arch;
    }
  }

  private static String hostname(GuestFiles guest, List<String> warn) throws IOException {
    for (String f : List.of("/etc/hostname", "/etc/HOSTNAME")) {
      Optional<String> t = small(guest, f, warn);
      if (t.isPresent()) {
        for (String line : t.get().split("\n")) {
          String s = line.strip();
          if (!s.isEmpty() && !s.startsWith("#")) {
            return s;
          }
        }
      }
    }
    Optional<String> net = small(guest, "/etc/sysconfig/network", warn);
    if (net.isPresent()) {
      String h = OsRelease.parse(net.get()).get("HOSTNAME");
      if (h != null && !h.isBlank()) {
        return h.strip();
      }
    }
    return null;
  }

  private static String initSystem(GuestFiles guest) throws IOException {
    Path init;
    try {
      init = GuestText.resolve(guest, "/sbin/init");
    } catch (java.nio.file.FileSystemLoopException e) {
      return null;
    }
    if (Files.exists(init, LinkOption.NOFOLLOW_LINKS)) {
      String name = init.getFileName() == null ? "" : init.getFileName().toString();
      if (name.equals("systemd")) {
        return "systemd";
      }
      if (name.equals("busybox")) {
        return GuestText.exists(guest, "/sbin/openrc") ? "openrc" : "busybox";
      }
      if (name.equals("openrc-init") || GuestText.exists(guest, "/sbin/openrc")) {
        return "openrc";
      }
      if (name.equals("upstart") || GuestText.exists(guest, "/sbin/initctl")
          && GuestText.exists(guest, "/etc/init")) {
        return "upstart";
      }
      return "sysvinit";
    }
    if (GuestText.exists(guest, "/lib/systemd/systemd")
        || GuestText.exists(guest, "/usr/lib/systemd/systemd")) {
      return "systemd";
    }
    return null;
  }

  private static Optional<String> small(GuestFiles guest, String path, List<String> warn) {
    return read(guest, path, SMALL, warn);
  }

  private static Optional<String> database(GuestFiles guest, String path, List<String> warn) {
    return read(guest, path, DATABASE, warn);
  }

  private static Optional<String> read(GuestFiles guest, String path, int max,
      List<String> warn) {
    try {
      return GuestText.readText(guest, path, max);
    } catch (IOException e) {
      LOG.debug("{}: {}", path, e.toString());
      warn.add(path + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private static String firstLine(Optional<String> text) {
    if (text.isEmpty()) {
      return null;
    }
    for (String line : text.get().split("\n")) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    return null;
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String redhatId(String line) {
    String l = line.toLowerCase(Locale.ROOT);
    if (l.startsWith("red hat")) {
      return "rhel";
    }
    if (l.startsWith("centos")) {
      return "centos";
    }
    if (l.startsWith("rocky")) {
      return "rocky";
    }
    if (l.startsWith("almalinux")) {
      return "almalinux";
    }
    if (l.startsWith("oracle")) {
      return "ol";
    }
    String first = l.split("\\s+")[0];
    return first.isEmpty() ? "redhat" : first;
  }

  private static String redhatVersion(String line) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("release\\s+([0-9][0-9.]*)")
        .matcher(line);
    return m.find() ? m.group(1) : null;
  }
}
