package dev.vdisk.apply.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.deb.ControlParagraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The guest's dpkg database as {@code dpkg --unpack} reads it: {@code status} (paragraphs kept
 * verbatim), {@code arch}, {@code diversions}, {@code statoverride}, {@code info/*.list},
 * {@code triggers/File} and the named trigger interest files; plus the guest's {@code
 * /etc/passwd} and {@code /etc/group} for owner names. Every file is bounded in size.
 */
final class DpkgDb {
  static final String ADMIN = "/var/lib/dpkg";
  /** The largest database file read (status of a big system is a few MiB). */
  static final long MAX_FILE = 256L << 20;

  /** One diversion. */
  record Diversion(String from, String to, String by) {}

  /** One stat override. */
  record StatOverride(int uid, int gid, int mode) {}

  final GuestFs fs;
  final List<ControlParagraph> status;
  final String nativeArch;
  final Map<String, Diversion> diversions = new HashMap<>();
  final Map<String, StatOverride> statOverrides = new HashMap<>();
  final Map<String, Integer> users = new HashMap<>();
  final Map<String, Integer> groups = new HashMap<>();
  /** File triggers: path to interested packages with their "/noawait" suffix. */
  final List<String[]> fileTriggers = new ArrayList<>();
  private final Map<String, List<String>> lists = new HashMap<>();

  DpkgDb(GuestFs fs) throws IOException {
    this.fs = fs;
    String text = readText(ADMIN + "/status");
    if (text == null) {
      throw new CorruptStructureException(fs.host(ADMIN + "/status"), -1, "dpkg status",
          "the guest has no dpkg status file");
    }
    status = new ArrayList<>(ControlParagraph.parseAll(text, ADMIN + "/status"));
    String arch = readText(ADMIN + "/arch");
    String a = null;
    if (arch != null && !arch.isBlank()) {
      a = arch.strip().split("\\s+")[0];
    }
    if (a == null) {
      for (ControlParagraph p : status) {
        if ("dpkg".equals(p.get("Package"))) {
          a = p.get("Architecture");
        }
      }
    }
    nativeArch = a == null ? "amd64" : a;
    String div = readText(ADMIN + "/diversions");
    if (div != null) {
      String[] l = div.split("\n");
      for (int i = 0; i + 2 < l.length; i += 3) {
        diversions.put(l[i], new Diversion(l[i], l[i + 1], l[i + 2]));
      }
    }
    readIds("/etc/passwd", users);
    readIds("/etc/group", groups);
    String so = readText(ADMIN + "/statoverride");
    if (so != null) {
      for (String line : so.split("\n")) {
        String[] f = line.strip().split("\\s+", 4);
        if (f.length == 4) {
          Integer uid = id(f[0], users);
          Integer gid = id(f[1], groups);
          try {
            int mode = Integer.parseInt(f[2], 8);
            if (uid != null && gid != null) {
              statOverrides.put(f[3], new StatOverride(uid, gid, mode));
            }
          } catch (NumberFormatException e) {
            // dpkg refuses such a line too; ignore it here
          }
        }
      }
    }
    String ft = readText(ADMIN + "/triggers/File");
    if (ft != null) {
      for (String line : ft.split("\n")) {
        String[] f = line.strip().split("\\s+");
        if (f.length == 2) {
          fileTriggers.add(f);
        }
      }
    }
  }

  private static Integer id(String s, Map<String, Integer> names) {
    if (s.startsWith("#")) {
      try {
        return Integer.parseInt(s.substring(1));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return names.get(s);
  }

  private void readIds(String file, Map<String, Integer> out) throws IOException {
    String t = readText(file);
    if (t == null) {
      return;
    }
    for (String line : t.split("\n")) {
      String[] f = line.split(":", -1);
      if (f.length >= 3) {
        try {
          out.putIfAbsent(f[0], Integer.parseInt(f[2]));
        } catch (NumberFormatException e) {
          // a malformed line: not a user dpkg would find either
        }
      }
    }
  }

  String readText(String guestPath) throws IOException {
    Path h = fs.host(fs.resolveAll(guestPath));
    if (!Files.isRegularFile(h)) {
      return null;
    }
    if (Files.size(h) > MAX_FILE) {
      throw new CorruptStructureException(h, -1, guestPath, "larger than " + MAX_FILE);
    }
    return new String(Files.readAllBytes(h), StandardCharsets.UTF_8);
  }

  /** The status paragraph of a package (by name and architecture), or null. */
  ControlParagraph find(String name, String arch, boolean multiArchSame) {
    for (ControlParagraph p : status) {
      if (!name.equals(p.get("Package"))) {
        continue;
      }
      String pa = p.get("Architecture", "");
      if (!multiArchSame || pa.equals(arch) || pa.equals("all") || arch.equals("all")) {
        return p;
      }
    }
    return null;
  }

  /** dpkg's info file base name: "pkg" or "pkg:arch" for Multi-Arch: same packages. */
  static String infoName(ControlParagraph p) {
    String name = p.get("Package");
    if ("same".equals(p.get("Multi-Arch"))) {
      return name + ":" + p.get("Architecture", "all");
    }
    return name;
  }

  /** The files a package lists in info/NAME.list (empty when none). */
  List<String> list(String infoName) throws IOException {
    List<String> l = lists.get(infoName);
    if (l == null) {
      String t = readText(ADMIN + "/info/" + infoName + ".list");
      l = new ArrayList<>();
      if (t != null) {
        for (String line : t.split("\n")) {
          if (!line.isEmpty()) {
            l.add(line);
          }
        }
      }
      lists.put(infoName, l);
    }
    return l;
  }

  void setList(String infoName, List<String> l) {
    lists.put(infoName, l);
  }

  /** Every installed package's info name except the one given, with its list. */
  Map<String, Set<String>> otherLists(String except) throws IOException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(fs.host(fs.resolveAll(ADMIN + "/info")))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String f = p.getFileName().toString();
        if (f.endsWith(".list")) {
          String n = f.substring(0, f.length() - 5);
          if (!n.equals(except)) {
            out.put(n, new LinkedHashSet<>(list(n)));
          }
        }
      }
    }
    return out;
  }

  /** The status file's text: every paragraph followed by a blank line, as dpkg writes it. */
  String formatStatus() {
    StringBuilder sb = new StringBuilder();
    for (ControlParagraph p : status) {
      sb.append(p.format()).append('\n');
    }
    return sb.toString();
  }

  /** Interested packages of a named trigger (triggers/NAME), with their "/noawait" suffixes. */
  List<String> interested(String trigger) throws IOException {
    if (trigger.contains("/") || trigger.startsWith(".")) {
      return List.of();
    }
    String t = readText(ADMIN + "/triggers/" + trigger);
    List<String> out = new ArrayList<>();
    if (t != null) {
      for (String line : t.split("\n")) {
        if (!line.isBlank()) {
          out.add(line.strip());
        }
      }
    }
    return out;
  }

  /** Conffile hashes from a status paragraph's Conffiles field (path to hash). */
  static Map<String, String[]> conffiles(ControlParagraph p) {
    Map<String, String[]> out = new LinkedHashMap<>();
    if (p == null || p.get("Conffiles") == null) {
      return out;
    }
    for (String line : p.get("Conffiles").split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length >= 2 && f[0].startsWith("/")) {
        out.put(f[0], f);
      }
    }
    return out;
  }
}
