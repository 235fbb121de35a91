package dev.vdisk.compliance.internal;

import dev.vdisk.deb.DebVersion;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledPackage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A dpkg guest as apt sees it: its native and foreign architectures and, per package and
 * architecture, the installed version (with its relationship fields when the status file was
 * read), its selection ({@code hold}) and state.
 *
 * @param nativeArch the native architecture ({@code amd64})
 * @param archs native first, then foreign architectures
 * @param installed the installed (or unpacked, staged) packages by key
 */
public record DebGuest(String nativeArch, Set<String> archs, Map<Key, Installed> installed) {

  /**
   * A package of one architecture; {@code all} counts as the native architecture, as apt files
   * it.
   *
   * @param name the name
   * @param arch the architecture ({@code all} mapped to native)
   */
  public record Key(String name, String arch) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = name.compareTo(o.name);
      return c != 0 ? c : arch.compareTo(o.arch);
    }

    @Override
    public String toString() {
      return name + ":" + arch;
    }
  }

  /**
   * One installed package.
   *
   * @param entry its version and relationship fields (empty fields when unknown)
   * @param status dpkg's {@code Status} (or vdisk's {@code installed-pending-reboot})
   * @param hold whether the selection is {@code hold}
   * @param failed whether dpkg records a failed state (half-installed, half-configured without
   *     a pending first boot, reinstall required)
   * @param pending whether vdisk's first boot configures or installs it
   * @param replaced the installed version a staged one replaces, or null
   * @param relationsKnown whether the entry's relationship fields are the status file's (else
   *     they are unknown, or borrowed from a source's record of the same version)
   */
  public record Installed(DebEntry entry, String status, boolean hold, boolean failed,
      boolean pending, DebVersion replaced, boolean relationsKnown) {
    /**
     * The same record with another entry.
     *
     * @param e the entry
     * @return the copy
     */
    public Installed with(DebEntry e) {
      return new Installed(e, status, hold, failed, pending, replaced, relationsKnown);
    }
  }

  /**
   * The key of an entry on this guest.
   *
   * @param e the entry
   * @return its key
   */
  public Key key(DebEntry e) {
    return new Key(e.name(), archKey(e.arch()));
  }

  /**
   * An architecture as apt files it here: {@code all} (or none) is the native one.
   *
   * @param arch the architecture
   * @return the key's architecture
   */
  public String archKey(String arch) {
    return arch.isEmpty() || arch.equals("all") ? nativeArch : arch;
  }

  /**
   * Whether packages of an architecture can be installed here.
   *
   * @param arch the architecture
   * @return native, foreign or {@code all}
   */
  public boolean installable(String arch) {
    return arch.equals("all") || archs.contains(arch);
  }

  /**
   * The guest of an inspected root, with relationship fields from a dpkg status file when one
   * is given.
   *
   * @param root the root
   * @param status the text of {@code /var/lib/dpkg/status}, or null
   * @param archFile the text of {@code /var/lib/dpkg/arch}, or null
   * @return the guest
   */
  public static DebGuest of(GuestRoot root, String status, String archFile) {
    List<InstalledPackage> pkgs = root.packages().stream()
        .filter(p -> p.format().equals("deb")).toList();
    Map<String, DebEntry> fromStatus = new HashMap<>();
    if (status != null) {
      try {
        new PackagesReader().read(new ByteArrayInputStream(
            status.getBytes(StandardCharsets.UTF_8)), "status", null,
            p -> fromStatus.put(p.entry().name() + " " + p.entry().arch(), p.entry()));
      } catch (IOException e) {
        // the inspected packages stay; relationships are then unknown
      }
    }
    String nativeArch = nativeArch(root, pkgs, archFile);
    LinkedHashSet<String> archs = new LinkedHashSet<>();
    archs.add(nativeArch);
    if (archFile != null) {
      for (String a : archFile.split("\\s+")) {
        if (!a.isBlank()) {
          archs.add(a.strip());
        }
      }
    }
    for (InstalledPackage p : pkgs) {
      if (!p.arch().isEmpty() && !p.arch().equals("all") && installedLike(p)) {
        archs.add(p.arch());
      }
    }
    DebGuest g = new DebGuest(nativeArch, archs, new HashMap<>());
    Map<Key, Installed> map = g.installed();
    // installed first, then pending (a staged version replaces the installed one)
    List<InstalledPackage> ordered = new ArrayList<>(pkgs);
    ordered.sort((a, b) -> Boolean.compare(pending(a), pending(b)));
    for (InstalledPackage p : ordered) {
      if (!installedLike(p) && !pending(p)) {
        continue;
      }
      DebVersion v = DebVersion.tryParse(p.version());
      if (v == null) {
        continue;
      }
      DebEntry st = fromStatus.get(p.name() + " " + p.arch());
      DebEntry e = st != null && st.version().equals(v) ? st : new DebEntry(p.name(), v,
          p.arch(), "", "", "", "", "", "", "", "", "", -1, "", null, false, "", "");
      String[] w = p.status().trim().split("\\s+");
      boolean hold = w.length > 0 && w[0].equals("hold");
      String state = w.length == 3 ? w[2] : "";
      boolean reinst = w.length == 3 && w[1].startsWith("reinst");
      boolean pend = pending(p);
      boolean failed = !pend && (reinst || state.equals("half-installed")
          || state.equals("half-configured"));
      Key k = g.key(e);
      Installed prev = map.get(k);
      DebVersion replaced = null;
      if (pend && prev != null && !prev.pending()) {
        replaced = prev.entry().version();
        if (v.compareTo(replaced) < 0) {
          continue; // a staged older version does not replace the installed one
        }
      }
      map.put(k, new Installed(e, p.status(), hold || (prev != null && prev.hold()), failed,
          pend, replaced, e == st));
    }
    return g;
  }

  private static boolean pending(InstalledPackage p) {
    return p.status().endsWith("installed-pending-reboot");
  }

  /** Whether dpkg has a current version (apt's CurrentVer): any state but not/config-files. */
  private static boolean installedLike(InstalledPackage p) {
    if (p.installed()) {
      return true;
    }
    String[] w = p.status().trim().split("\\s+");
    if (w.length != 3) {
      return false;
    }
    return switch (w[2]) {
      case "unpacked", "half-configured", "half-installed", "triggers-awaited",
          "triggers-pending" -> true;
      default -> false;
    };
  }

  private static String nativeArch(GuestRoot root, Collection<InstalledPackage> pkgs,
      String archFile) {
    for (InstalledPackage p : pkgs) {
      if (p.name().equals("dpkg") && !p.arch().isEmpty() && !p.arch().equals("all")) {
        return p.arch();
      }
    }
    if (archFile != null) {
      for (String a : archFile.split("\\s+")) {
        if (!a.isBlank()) {
          return a.strip();
        }
      }
    }
    Map<String, Integer> count = new HashMap<>();
    for (InstalledPackage p : pkgs) {
      if (!p.arch().isEmpty() && !p.arch().equals("all")) {
        count.merge(p.arch(), 1, Integer::sum);
      }
    }
    if (!count.isEmpty()) {
      return count.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
    }
    String a = root.os() == null || root.os().arch() == null ? "amd64"
        : root.os().arch().toLowerCase(Locale.ROOT);
    return switch (a) {
      case "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      case "i686", "i586", "i486" -> "i386";
      case "ppc64le" -> "ppc64el";
      default -> a;
    };
  }
}
