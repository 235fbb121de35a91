package dev.vdisk.inspect;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.FileSystemDriver;
import dev.vdisk.core.fs.FileSystemDrivers;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.core.partition.Partition;
import dev.vdisk.core.partition.PartitionTable;
import dev.vdisk.inspect.internal.linux.Fstab;
import dev.vdisk.inspect.internal.linux.GuestText;
import dev.vdisk.inspect.internal.linux.LinuxInspector;
import dev.vdisk.inspect.internal.linux.MountedGuest;
import dev.vdisk.inspect.internal.windows.WindowsInspector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inspects a disk image offline: probes every partition (or a bare file system), finds Linux
 * roots (os-release and its fallbacks; the file systems their {@code /etc/fstab} names are
 * mounted at their mount points) and Windows roots ({@code Windows/System32/config/SOFTWARE}),
 * and reads their facts and package databases. Opens everything read-only and closes it before
 * returning.
 *
 * <p>The default root (listed first) is a Linux root whose {@code /etc/fstab} mounts {@code /}
 * from its own partition, else the first root in partition order; the rest follow in partition
 * order. A partition without a known file system is skipped with a warning; one whose file
 * system cannot be mounted (corrupt) is a warning naming it.
 */
public final class Inspector {
  private static final Logger LOG = LoggerFactory.getLogger(Inspector.class);
  private static final Set<String> PSEUDO = Set.of("swap", "proc", "sysfs", "tmpfs", "devpts",
      "devtmpfs", "nfs", "nfs4", "cifs", "smbfs", "overlay", "efivarfs", "securityfs", "cgroup",
      "cgroup2", "debugfs", "fusectl", "ramfs", "autofs", "bind", "mqueue", "hugetlbfs",
      "configfs", "pstore", "binfmt_misc", "rpc_pipefs", "none", "9p", "virtiofs", "fuse");
  private static final Pattern DEVICE = Pattern.compile(
      "/dev/(?:[shv]d[a-z]|xvd[a-z])(\\d+)|/dev/(?:nvme\\d+n\\d+|mmcblk\\d+|loop\\d+)p(\\d+)");

  private Inspector() {}

  /**
   * Whether an {@code /etc/fstab} type names a pseudo or network file system rather than one
   * stored in a partition ({@code proc}, {@code tmpfs}, {@code swap}, {@code nfs}, ...).
   *
   * @param type the fstab type field
   * @return whether it is one
   */
  public static boolean isPseudoFileSystem(String type) {
    return PSEUDO.contains(type.toLowerCase(Locale.ROOT));
  }

  /** A probed file system. */
  private static final class Volume {
    final int index;
    final Partition partition;
    final FileSystemIdentity identity;
    final VdiskFileSystem fs;

    Volume(int index, Partition partition, FileSystemIdentity identity, VdiskFileSystem fs) {
      this.index = index;
      this.partition = partition;
      this.identity = identity;
      this.fs = fs;
    }

    Path root() {
      return fs.getPath("/");
    }
  }

  /**
   * Inspects an image of any supported format.
   *
   * @return the roots found; an image with no operating system gives an empty list
   * @throws IOException if the image cannot be opened (unknown format, corrupt header)
   */
  public static Inspection inspect(Path image) throws IOException {
    try (Opened o = Opened.open(image)) {
      List<GuestRoot> defaults = new ArrayList<>();
      List<GuestRoot> others = new ArrayList<>();
      for (Volume v : o.volumes) {
        GuestFiles plain = GuestFiles.of(v.root());
        try {
          if (LinuxInspector.isLinuxRoot(plain)) {
            boolean[] ownRoot = new boolean[1];
            Map<String, String> mounts = new LinkedHashMap<>();
            List<String> warnings = new ArrayList<>();
            MountedGuest guest = mountLinux(v, o.volumes, mounts, warnings, ownRoot);
            GuestRoot r = LinuxInspector.inspect(guest, v.index, mounts, warnings);
            (ownRoot[0] ? defaults : others).add(r);
          } else if (WindowsInspector.isWindowsRoot(plain)) {
            others.add(WindowsInspector.inspect(plain, v.index, o.table));
          }
        } catch (IOException | RuntimeException e) {
          LOG.debug("partition {}", v.index, e);
          o.warnings.add(where(v.index) + ": not inspected: " + e);
        }
      }
      defaults.addAll(others);
      return new Inspection(image.toString(), defaults, o.warnings);
    }
  }

  /** A computation over a guest's files. */
  @FunctionalInterface
  public interface GuestFunction<T> {
    /** Computes a value from the guest's files (valid only during the call). */
    T apply(GuestFiles guest) throws IOException;
  }

  /**
   * Opens an image read-only and applies a function to the files of the root in a partition,
   * as {@link #inspect} sees them (a Linux root with its {@code /etc/fstab} mounts and symbolic
   * links followed; any other file system as it is). Everything is closed before returning.
   *
   * @param partition the partition index as {@link GuestRoot#partition()} gives it (0 for a
   *     bare file system)
   * @throws java.nio.file.NoSuchFileException if there is no readable file system there
   */
  public static <T> T withGuest(Path image, int partition, GuestFunction<T> fn)
      throws IOException {
    try (Opened o = Opened.open(image)) {
      for (Volume v : o.volumes) {
        if (v.index == partition) {
          GuestFiles plain = GuestFiles.of(v.root());
          if (LinuxInspector.isLinuxRoot(plain)) {
            return fn.apply(mountLinux(v, o.volumes, new LinkedHashMap<>(), new ArrayList<>(),
                new boolean[1]));
          }
          return fn.apply(plain);
        }
      }
      throw new java.nio.file.NoSuchFileException(image.toString(), null,
          "no readable file system in " + where(partition));
    }
  }

  /** An open image with its file systems mounted. */
  private static final class Opened implements java.io.Closeable {
    final VirtualDisk disk;
    PartitionTable table;
    final List<Volume> volumes = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    private Opened(VirtualDisk disk) {
      this.disk = disk;
    }

    static Opened open(Path image) throws IOException {
      Opened o = new Opened(VirtualDisks.open(image, OpenOptions.readOnly()));
      try {
        try {
          o.table = PartitionTable.read(o.disk);
          o.warnings.addAll(o.table.warnings());
        } catch (IOException e) {
          o.warnings.add("partition table: " + e.getMessage());
        }
        if (o.table == null || o.table.partitions().isEmpty()) {
          probe(o.disk, 0, null, o.volumes, o.warnings);
        } else {
          for (Partition p : o.table.partitions()) {
            if (!p.isExtended()) {
              probe(o.disk, p.index(), p, o.volumes, o.warnings);
            }
          }
        }
        return o;
      } catch (RuntimeException e) {
        try {
          o.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      for (Volume v : volumes) {
        try {
          v.fs.close();
        } catch (IOException e) {
          LOG.debug("closing {}", where(v.index), e);
        }
      }
      disk.close();
    }
  }

  private static String where(int index) {
    return index == 0 ? "whole disk" : "partition " + index;
  }

  private static void probe(VirtualDisk disk, int index, Partition p, List<Volume> volumes,
      List<String> warnings) {
    try {
      Optional<FileSystemDriver> driver = FileSystemDrivers.probe(p == null ? disk : p);
      if (driver.isEmpty()) {
        warnings.add(where(index) + ": no known file system, skipped");
        return;
      }
      FileSystemIdentity id = driver.get().identify(p == null ? disk : p).orElse(null);
      VdiskFileSystem fs = VdiskFileSystems.open(disk, OptionalInt.of(index),
          MountOptions.defaults());
      volumes.add(new Volume(index, p, id, fs));
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}", where(index), e);
      warnings.add(where(index) + ": file system unreadable (" + e.getMessage() + "), skipped");
    }
  }

  private static MountedGuest mountLinux(Volume rootVolume, List<Volume> volumes,
      Map<String, String> mounts, List<String> warnings, boolean[] ownRoot) {
    MountedGuest guest = new MountedGuest(rootVolume.root());
    mounts.put("/", where(rootVolume.index));
    Optional<String> fstab = Optional.empty();
    try {
      fstab = GuestText.readText(GuestFiles.of(rootVolume.root()), "/etc/fstab", 1 << 20);
    } catch (IOException e) {
      warnings.add("/etc/fstab: " + e.getMessage());
    }
    if (fstab.isPresent()) {
      List<Fstab.Entry> entries = new ArrayList<>(Fstab.parse(fstab.get()));
      // parents before children
      entries.sort((a, b) -> Integer.compare(depth(a.mountPoint()), depth(b.mountPoint())));
      for (Fstab.Entry e : entries) {
        String type = e.type().toLowerCase(Locale.ROOT);
        if (!e.mountPoint().startsWith("/") || PSEUDO.contains(type)
            || Set.of(e.options().split(",")).contains("bind")) {
          continue;
        }
        Optional<Volume> match = match(e.spec(), rootVolume, volumes);
        if (e.mountPoint().equals("/")) {
          if (match.isPresent() && match.get() == rootVolume) {
            ownRoot[0] = true;
          } else if (match.isEmpty()) {
            warnings.add("/etc/fstab: / is " + e.spec() + ", not matched to a partition");
          }
          continue;
        }
        if (match.isEmpty()) {
          warnings.add("/etc/fstab: " + e.mountPoint() + " (" + e.spec()
              + ") not matched to a partition, not mounted");
          continue;
        }
        guest.mount(e.mountPoint(), match.get().root());
        mounts.put(e.mountPoint(), where(match.get().index));
      }
    }
    return guest;
  }

  private static int depth(String mountPoint) {
    return (int) mountPoint.chars().filter(c -> c == '/').count()
        - (mountPoint.equals("/") ? 1 : 0);
  }

  /** The volume an fstab {@code fs_spec} names, if it can be matched. */
  static Optional<Volume> match(String spec, Volume rootVolume, List<Volume> volumes) {
    String kind;
    String value;
    int eq = spec.indexOf('=');
    if (eq > 0 && spec.substring(0, eq).matches("[A-Z]+")) {
      kind = spec.substring(0, eq);
      value = unquote(spec.substring(eq + 1));
    } else if (spec.startsWith("/dev/disk/by-")) {
      int slash = spec.indexOf('/', "/dev/disk/by-".length());
      if (slash < 0) {
        return Optional.empty();
      }
      kind = spec.substring("/dev/disk/by-".length(), slash).toUpperCase(Locale.ROOT);
      value = Fstab.unescapeUdev(spec.substring(slash + 1));
    } else {
      Matcher m = DEVICE.matcher(spec);
      if (m.matches()) {
        int n = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
        return volumes.stream().filter(v -> v.index == n).findFirst();
      }
      return Optional.empty();
    }
    for (Volume v : volumes) {
      boolean hit;
      switch (kind) {
        case "UUID":
          hit = v.identity != null && v.identity.uuid() != null
              && sameId(v.identity.uuid(), value);
          break;
        case "LABEL":
          hit = v.identity != null && v.identity.label().equals(value);
          break;
        case "PARTUUID":
          hit = v.partition != null && v.partition.uuid().isPresent()
              && sameId(v.partition.uuid().get(), value);
          break;
        case "PARTLABEL":
          hit = v.partition != null && value.equals(v.partition.name());
          break;
        default:
          hit = false;
      }
      if (hit) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  private static boolean sameId(String a, String b) {
    return a.replace("-", "").equalsIgnoreCase(b.replace("-", ""));
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"")
        || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}
