package dev.vdisk.apply.internal;

import dev.vdisk.apply.PackageAction;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.deb.DataEntry;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.DebVersion;
import dev.vdisk.deb.Relation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline {@code dpkg --unpack}: writes packages into a guest root (any NIO provider) and records
 * them in the guest's dpkg database exactly as {@code dpkg --no-triggers --unpack} leaves it, so
 * that a later real {@code dpkg --configure -a} in the guest finishes the job. Packages whose
 * maintainer scripts cannot be evaluated offline are staged instead: copied to {@code
 * /var/lib/vdisk/staged/NN-name_version_arch.deb} for the first-boot unit ({@link FirstBoot}).
 *
 * <p>What is done per unpacked package, in order: the new {@code preinst}'s {@code
 * dpkg-maintscript-helper} calls for {@code upgrade OLD} (or {@code install}); the data archive
 * (directories created when missing, existing ones and links to directories kept; where the archive
 * has a link and the guest an empty directory or the staging directory {@code dir_to_symlink} made,
 * the directory is left alone and the link's path listed, as dpkg does; files, links and hard links
 * written as {@code PATH.dpkg-new} and renamed over {@code PATH}; conffiles left as {@code
 * CONFFILE.dpkg-new} for configure to decide, as dpkg does; owners by name through the guest's
 * passwd and group, else numeric; {@code statoverride} applied; diverted paths written to the
 * diversion's target unless the package is the diverter); the files the old version listed and the
 * new one lacks removed (not when another package lists them, not conffiles, not when the same file
 * is reached through a symbolic link by a new path, directories only when empty); {@code info/}
 * files replaced; file and explicit triggers recorded in the interested packages' {@code
 * Triggers-Pending}; the status paragraph rewritten in dpkg's field order with {@code Status: WANT
 * ok unpacked} and {@code Config-Version}. The status file is written once at the end through
 * {@code status-new} and a rename; the previous one is kept as {@code status-old}.
 *
 * <p>A package is staged when: the caller says so; its data holds a device or fifo (the NIO
 * providers cannot make them); it ships files under a foreign mount point; its {@code preinst}, or
 * on upgrade the installed version's {@code prerm} or {@code postrm}, does more than {@link
 * MaintScript} can evaluate; a helper's version guard is invalid; a {@code dir_to_symlink} call
 * would act where {@link HelperEffects} does not reproduce it (see there); its trigger interests
 * differ from the installed version's (dpkg re-registers them at unpack); its conffiles file has
 * flagged lines; or the installed version is in a half-done state. A file already listed by another
 * package is taken over when {@code Replaces} names that package (any version), else the whole
 * injection is refused with {@link UnsupportedFeatureException} (dpkg would refuse to overwrite
 * it). A {@code dir_to_symlink} whose checks fail (a conffile or a path the package does not list
 * under the directory) refuses the injection with {@link dev.vdisk.core.UnsafeToWriteException}:
 * the real helper would fail the preinst and dpkg abort the unpack. Not written: {@code
 * /var/log/dpkg.log}, dpkg's {@code available} (which {@code --unpack} leaves alone) and {@code
 * triggers/Unincorp} (with triggers deferred, dpkg records them in status directly).
 */
public final class DebInjector {
  private static final Logger LOG = LoggerFactory.getLogger(DebInjector.class);
  private static final String INFO = DpkgDb.ADMIN + "/info";
  /** The most data archive entries accepted per package (the largest Debian packages have ~100k). */
  private static final int MAX_ENTRIES = 2_000_000;
  /** The largest file accepted from a data archive. */
  private static final long MAX_FILE = 1L << 40;
  private static final Set<String> KNOWN_MEMBERS = Set.of("conffiles", "md5sums", "shlibs",
      "symbols", "triggers", "templates", "config", "preinst", "postinst", "prerm", "postrm");
  /** dpkg's status field order (lib/dpkg's field table); other fields follow in their order. */
  static final List<String> FIELD_ORDER = List.of("Package", "Essential", "Protected", "Status",
      "Priority", "Section", "Installed-Size", "Origin", "Maintainer", "Bugs", "Architecture",
      "Multi-Arch", "Source", "Version", "Config-Version", "Replaces", "Provides", "Depends",
      "Pre-Depends", "Recommends", "Suggests", "Breaks", "Conflicts", "Enhances", "Conffiles",
      "Description", "Triggers-Pending", "Triggers-Awaited");

  private final GuestFs fs;
  private final InjectOptions options;
  /** Awaited activations: {activating package, interested package}. */
  private final List<String[]> awaits = new ArrayList<>();
  private int filesWritten;

  /**
   * An injector for one guest.
   *
   * @param guestRoot the guest's "/" (any NIO provider)
   * @param options options
   */
  public DebInjector(Path guestRoot, InjectOptions options) {
    this.fs = new GuestFs(guestRoot);
    this.options = options;
  }

  /** What is known about one package before anything is written. */
  private static final class Plan {
    DebArchive deb;
    Path file;
    String name;
    String arch;
    String infoName;
    ControlParagraph old;
    String oldState;
    String oldVersion;
    String stageReason;
    List<MaintScript.HelperCall> preinstCalls = List.of();
    List<DataEntry> entries = new ArrayList<>();
    List<String> conffiles = new ArrayList<>();
  }

  /**
   * Injects packages.
   *
   * @param packages verified, dependency-checked, in unpack order
   * @param debFiles their files (for staging copies), same order
   * @param stage names the caller already decided must be staged, with reasons
   * @return what was done, per package in order
   * @throws IOException on an I/O error or a package that cannot be written; the caller's
   *     transaction discards partial writes
   */
  public List<PackageAction> inject(List<DebArchive> packages, List<Path> debFiles,
      Map<String, String> stage) throws IOException {
    if (packages.size() != debFiles.size()) {
      throw new IllegalArgumentException("packages and debFiles differ in length");
    }
    DpkgDb db = new DpkgDb(fs);
    String originalStatus = db.formatStatus();
    List<PackageAction> actions = new ArrayList<>();
    Map<String, Set<String>> pending = new LinkedHashMap<>();
    int stagedSeq = nextStagedNumber();
    boolean anything = false;
    for (int i = 0; i < packages.size(); i++) {
      Plan p = plan(db, packages.get(i), debFiles.get(i), stage);
      if (p == null) {
        DebArchive d = packages.get(i);
        actions.add(new PackageAction(d.name(), d.architecture(), d.version(), d.version(),
            PackageAction.Action.UNCHANGED, null, 0, List.of()));
        continue;
      }
      anything = true;
      if (p.stageReason != null) {
        String fileName = String.format("%02d-%s_%s_%s.deb", stagedSeq++, p.name,
            p.deb.version().replace(":", "%3a"), p.arch);
        fs.mkdirs("/var/lib/vdisk/staged");
        String dst = fs.resolveParent("/var/lib/vdisk/staged/" + fileName);
        try (InputStream in = Files.newInputStream(p.file)) {
          fs.writeFile(dst + ".tmp", in, MAX_FILE);
        }
        fs.rename(dst + ".tmp", dst);
        fs.setOwnerMode(dst, 0, 0, 0644, false);
        fs.setMtime(dst, options.now());
        LOG.info("staged {} {}: {}", p.name, p.deb.version(), p.stageReason);
        actions.add(new PackageAction(p.name, p.arch, p.oldVersion, p.deb.version(),
            PackageAction.Action.STAGED, p.stageReason, 0, List.of()));
        continue;
      }
      actions.add(unpack(db, p, pending));
    }
    applyPending(db, pending);
    if (anything) {
      String st = fs.resolveAll(DpkgDb.ADMIN + "/status");
      String dir = st.substring(0, st.lastIndexOf('/'));
      fs.writeBytes(dir + "/status-old", originalStatus.getBytes(StandardCharsets.UTF_8));
      fs.setOwnerMode(dir + "/status-old", 0, 0, 0644, false);
      fs.writeBytes(dir + "/status-new", db.formatStatus().getBytes(StandardCharsets.UTF_8));
      fs.setOwnerMode(dir + "/status-new", 0, 0, 0644, false);
      fs.rename(dir + "/status-new", st);
      new FirstBoot(fs).install();
    }
    return actions;
  }

  private int nextStagedNumber() throws IOException {
    Path dir = fs.host(fs.resolveAll("/var/lib/vdisk/staged"));
    int next = 1;
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f : (Iterable<Path>) s::iterator) {
          String n = f.getFileName().toString();
          int dash = n.indexOf('-');
          if (dash > 0 && n.endsWith(".deb")) {
            try {
              next = Math.max(next, Integer.parseInt(n.substring(0, dash)) + 1);
            } catch (NumberFormatException e) {
              // not one of ours
            }
          }
        }
      }
    }
    return next;
  }

  private Plan plan(DpkgDb db, DebArchive deb, Path file, Map<String, String> stage)
      throws IOException {
    Plan p = new Plan();
    p.deb = deb;
    p.file = file;
    p.name = deb.name();
    p.arch = deb.architecture();
    p.infoName = DpkgDb.infoName(deb.control());
    boolean same = "same".equals(deb.control().get("Multi-Arch"));
    p.old = db.find(p.name, p.arch, same);
    if (p.old != null) {
      String[] st = p.old.get("Status", "").split("\\s+");
      p.oldState = st.length == 3 ? st[2] : "";
      if (!p.oldState.equals("not-installed")) {
        p.oldVersion = p.old.get("Version");
      }
      if (p.oldState.equals("installed") && deb.version().equals(p.oldVersion)) {
        return null;
      }
    } else {
      p.oldState = "not-installed";
    }
    byte[] cf = deb.controlMembers().get("conffiles");
    if (cf != null) {
      for (String line : new String(cf, StandardCharsets.UTF_8).split("\n")) {
        String l = line.strip();
        if (l.startsWith("/")) {
          p.conffiles.add(l);
        } else if (!l.isEmpty()) {
          p.stageReason = "conffiles flag not supported offline: " + l;
        }
      }
    }
    deb.forEachData((e, in) -> {
      if (p.entries.size() >= MAX_ENTRIES) {
        throw new CorruptStructureException(file, -1, deb.dataMemberName(),
            "more than " + MAX_ENTRIES + " entries");
      }
      p.entries.add(e);
    });
    if (stage.containsKey(p.name)) {
      p.stageReason = stage.get(p.name);
      return p;
    }
    if (p.stageReason != null) {
      return p;
    }
    if (!Set.of("installed", "not-installed", "config-files", "unpacked", "triggers-pending",
        "triggers-awaited").contains(p.oldState)) {
      p.stageReason = "installed package is in state " + p.oldState;
      return p;
    }
    for (DataEntry e : p.entries) {
      switch (e.type()) {
        case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
          p.stageReason = "device or fifo " + e.path() + " cannot be made offline";
          return p;
        }
        default -> { }
      }
      for (String m : options.foreignMountPoints()) {
        String mp = m.endsWith("/") ? m.substring(0, m.length() - 1) : m;
        if (!mp.isEmpty() && (e.path().equals(mp) || e.path().startsWith(mp + "/"))
            && !e.path().equals(mp)) {
          p.stageReason = "ships " + e.path() + " on the separately mounted " + mp;
          return p;
        }
      }
    }
    // maintainer scripts: new preinst; old prerm and postrm on upgrade
    boolean upgrade = p.oldVersion != null && !p.oldState.equals("config-files");
    String action = upgrade ? "upgrade" : "install";
    byte[] pre = deb.controlMembers().get("preinst");
    if (pre != null) {
      Optional<List<MaintScript.HelperCall>> calls =
          MaintScript.parse(new String(pre, StandardCharsets.UTF_8), action);
      if (calls.isEmpty()) {
        p.stageReason = "preinst runs more than dpkg-maintscript-helper";
        return p;
      }
      p.preinstCalls = calls.get();
    }
    if (upgrade) {
      for (String s : new String[] {"prerm", "postrm"}) {
        byte[] old = db.fs.readAllOrNull(INFO + "/" + DpkgDb.infoName(p.old) + "." + s);
        if (old != null && MaintScript.parse(new String(old, StandardCharsets.UTF_8),
            "upgrade").isEmpty()) {
          p.stageReason = "the installed version's " + s + " runs more than"
              + " dpkg-maintscript-helper";
          return p;
        }
      }
    }
    // dpkg registers changed trigger interests at unpack (triggers/File and the named files);
    // rather than half-doing that, such a package is installed by dpkg at first boot
    Set<String> newInterests = interests(deb.controlMembers().get("triggers") == null ? null
        : new String(deb.controlMembers().get("triggers"), StandardCharsets.UTF_8));
    Set<String> oldInterests = p.old == null ? Set.of()
        : interests(db.readText(INFO + "/" + DpkgDb.infoName(p.old) + ".triggers"));
    if (!newInterests.equals(oldInterests)) {
      p.stageReason = "trigger interests change (" + oldInterests + " to " + newInterests + ")";
      return p;
    }
    String guard = HelperEffects.blocking(fs, db, p.preinstCalls, action,
        upgrade ? p.oldVersion : p.old == null ? null : p.old.get("Config-Version"), p.name,
        p.old, p.old == null ? List.of() : db.list(DpkgDb.infoName(p.old)), file,
        options.foreignMountPoints());
    if (guard != null) {
      p.stageReason = guard;
    }
    return p;
  }

  private PackageAction unpack(DpkgDb db, Plan p, Map<String, Set<String>> pending)
      throws IOException {
    boolean upgrade = p.oldVersion != null && !p.oldState.equals("config-files");
    String oldInfo = p.old == null ? p.infoName : DpkgDb.infoName(p.old);
    List<String> oldList = new ArrayList<>(db.list(oldInfo));
    Map<String, String[]> oldConf = DpkgDb.conffiles(p.old);
    // preinst helper calls
    HelperEffects.run(fs, db, p.preinstCalls, upgrade ? "upgrade" : "install",
        upgrade ? p.oldVersion : p.old == null ? null : p.old.get("Config-Version"), p.name,
        oldList, oldConf, options.now());
    Set<String> conffiles = new HashSet<>(p.conffiles);
    Map<String, Set<String>> others = db.otherLists(oldInfo);
    // files other packages own: taken over only when Replaces names the owner
    Map<String, String> newPaths = new LinkedHashMap<>();
    for (DataEntry e : p.entries) {
      newPaths.put(e.path(), e.path());
      if (e.type() == DataEntry.Type.DIRECTORY || e.path().equals("/")) {
        continue;
      }
      // dpkg leaves a directory where the archive has a link, without a conflict check
      if (e.type() == DataEntry.Type.SYMLINK
          && keptDirectory(fs.resolveParent(divert(db, e.path(), p.name)))) {
        continue;
      }
      for (Map.Entry<String, Set<String>> o : others.entrySet()) {
        if (o.getValue().contains(e.path())) {
          String owner = o.getKey().contains(":") ? o.getKey().substring(0,
              o.getKey().indexOf(':')) : o.getKey();
          ControlParagraph ownerStanza = db.find(owner, p.arch, false);
          String ownerVersion = ownerStanza == null ? null : ownerStanza.get("Version");
          if (!replaces(p.deb.control().get("Replaces"), owner, ownerVersion)) {
            throw new UnsupportedFeatureException(p.file, "file conflict", p.name
                + " would overwrite " + e.path() + ", which is also in package " + owner
                + " (no Replaces)");
          }
          o.getValue().remove(e.path());
          List<String> l = new ArrayList<>(o.getValue());
          db.setList(o.getKey(), l);
          writeList(o.getKey(), l);
        }
      }
    }
    // conffiles the admin changed, by md5 on disk against the status hash
    Map<String, String> modified = new HashMap<>();
    for (String c : p.conffiles) {
      String[] old = oldConf.get(c);
      String real = fs.resolveParent(divert(db, c, p.name));
      BasicFileAttributes a = fs.lstat(real);
      if (old != null && a != null && a.isRegularFile()) {
        String disk = md5(Files.newInputStream(fs.host(real)));
        if (!old[1].equals(disk)) {
          modified.put(c, disk);
        }
      }
    }
    Map<String, String> newConfHash = new HashMap<>();
    // without an md5sums member dpkg writes one itself: every regular file and hard link
    // (conffiles too) in archive order, hashed as unpacked
    Map<String, String> generatedMd5 = p.deb.controlMembers().containsKey("md5sums") ? null
        : new LinkedHashMap<>();
    // data
    List<String> list = new ArrayList<>();
    Set<String> newReal = new HashSet<>();
    Map<String, String> writtenReal = new HashMap<>();
    int[] count = {0};
    p.deb.forEachData((e, in) -> {
      String lit = e.path();
      if (lit.equals("/")) {
        list.add("/.");
        return;
      }
      list.add(lit);
      String target = divert(db, lit, p.name);
      String real = fs.resolveParent(target);
      newReal.add(real);
      activateFileTriggers(db, lit, pending, p.name);
      int uid = owner(db.users, e.userName(), e.uid());
      int gid = owner(db.groups, e.groupName(), e.gid());
      int mode = e.mode();
      DpkgDb.StatOverride so = db.statOverrides.get(lit);
      if (so != null) {
        uid = so.uid();
        gid = so.gid();
        mode = so.mode();
      }
      BasicFileAttributes a = fs.lstat(real);
      switch (e.type()) {
        case DIRECTORY -> {
          if (a == null) {
            fs.mkdir(real);
            fs.setOwnerMode(real, uid, gid, mode, false);
            fs.setMtime(real, e.mtime());
          } else if (a.isSymbolicLink()) {
            BasicFileAttributes t = fs.lstat(fs.resolveAll(real));
            if (t == null || !t.isDirectory()) {
              throw new UnsupportedFeatureException(p.file, "directory over link",
                  lit + " is a link to a non-directory in the guest");
            }
          } else if (!a.isDirectory()) {
            throw new UnsupportedFeatureException(p.file, "directory over file",
                lit + " is not a directory in the guest");
          }
        }
        case FILE -> {
          refuseDirectory(p, lit, a);
          String tmp = real + ".dpkg-new";
          if (conffiles.contains(lit) || generatedMd5 != null) {
            java.security.DigestInputStream din = new java.security.DigestInputStream(in,
                newMd5());
            fs.writeFile(tmp, din, e.size());
            String hash = HexFormat.of().formatHex(din.getMessageDigest().digest());
            if (conffiles.contains(lit)) {
              newConfHash.put(lit, hash);
            }
            if (generatedMd5 != null) {
              generatedMd5.put(lit, hash);
            }
          } else {
            fs.writeFile(tmp, in, e.size());
          }
          fs.setOwnerMode(tmp, uid, gid, mode, false);
          fs.setMtime(tmp, e.mtime());
          if (conffiles.contains(lit)) {
            writtenReal.put(lit, tmp);
          } else {
            fs.rename(tmp, real);
            writtenReal.put(lit, real);
          }
        }
        case SYMLINK -> {
          if (a != null && a.isDirectory() && keptDirectory(real)) {
            // dpkg keeps an existing directory (dir_to_symlink's staging directory, which the
            // new postinst turns into the link at configure, or an empty one), listing the path
            LOG.debug("{}: {} stays a directory", p.name, lit);
          } else {
            if (a != null && a.isDirectory()) {
              throw new UnsupportedFeatureException(p.file, "link over directory",
                  lit + " is a non-empty directory in the guest");
            }
            String tmp = real + ".dpkg-new";
            fs.symlink(tmp, e.linkTarget());
            fs.setOwnerMode(tmp, uid, gid, mode, true);
            fs.setMtime(tmp, e.mtime());
            fs.rename(tmp, real);
            fs.invalidate();
            writtenReal.put(lit, real);
          }
        }
        case HARDLINK -> {
          refuseDirectory(p, lit, a);
          String existing = writtenReal.get(e.linkTarget());
          if (existing == null) {
            throw new CorruptStructureException(p.file, -1, p.deb.dataMemberName(),
                "hard link " + lit + " to " + e.linkTarget() + ", which is not earlier");
          }
          String tmp = real + ".dpkg-new";
          fs.hardlink(tmp, existing);
          if (generatedMd5 != null) {
            String hash = generatedMd5.get(e.linkTarget());
            generatedMd5.put(lit, hash != null ? hash
                : md5(Files.newInputStream(fs.host(existing))));
          }
          if (conffiles.contains(lit)) {
            writtenReal.put(lit, tmp);
          } else {
            fs.rename(tmp, real);
            writtenReal.put(lit, real);
          }
        }
        default -> throw new UnsupportedFeatureException(p.file, "special file",
            lit + " is a device or fifo");
      }
      count[0]++;
      filesWritten++;
      if (options.failAfterFiles() >= 0 && filesWritten >= options.failAfterFiles()) {
        throw new IOException("injected failure after " + filesWritten + " files (test hook)");
      }
    });
    // kept at configure with a .dpkg-dist beside: changed by the admin and by the package
    List<String> kept = new ArrayList<>();
    for (String c : p.conffiles) {
      String disk = modified.get(c);
      String nw = newConfHash.get(c);
      if (disk != null && nw != null && !nw.equals(oldConf.get(c)[1]) && !nw.equals(disk)) {
        kept.add(c);
      }
    }
    // obsolete files of the old version
    removeObsolete(db, p, oldList, newPaths.keySet(), newReal, oldConf, others, pending);
    // info files
    writeInfo(db, p, oldInfo, list, generatedMd5);
    // triggers: explicit activations and changed interests
    triggers(db, p, pending);
    // status
    ControlParagraph stanza = statusStanza(p, oldConf);
    int at = p.old == null ? -1 : db.status.indexOf(p.old);
    if (at >= 0) {
      db.status.set(at, stanza);
    } else {
      int pos = 0;
      while (pos < db.status.size()
          && db.status.get(pos).get("Package", "").compareTo(p.name) <= 0) {
        pos++;
      }
      db.status.add(pos, stanza);
    }
    LOG.info("unpacked {} {} ({} entries)", p.name, p.deb.version(), count[0]);
    return new PackageAction(p.name, p.arch, p.oldVersion, p.deb.version(),
        PackageAction.Action.UNPACKED, null, count[0], List.copyOf(kept));
  }

  /**
   * Whether a resolved path is a directory that is left in place of the archive's link, as dpkg's
   * unpack leaves any existing directory there: an empty one, or the staging directory of {@code
   * dpkg-maintscript-helper dir_to_symlink} (it holds {@code .dpkg-staging-dir}). Other
   * directories are refused ("link over directory"), being more likely a mistake than intended.
   */
  private boolean keptDirectory(String real) throws IOException {
    BasicFileAttributes a = fs.lstat(real);
    if (a == null || !a.isDirectory()) {
      return false;
    }
    BasicFileAttributes m = fs.lstat(real + "/" + HelperEffects.STAGING_MARKER);
    if (m != null && m.isRegularFile()) {
      return true;
    }
    try (Stream<Path> s = Files.list(fs.host(real))) {
      return s.findAny().isEmpty();
    }
  }

  private static void refuseDirectory(Plan p, String lit, BasicFileAttributes a)
      throws IOException {
    if (a != null && a.isDirectory()) {
      throw new UnsupportedFeatureException(p.file, "file over directory",
          lit + " is a directory in the guest");
    }
  }

  private void removeObsolete(DpkgDb db, Plan p, List<String> oldList, Set<String> newPaths,
      Set<String> newReal, Map<String, String[]> oldConf, Map<String, Set<String>> others,
      Map<String, Set<String>> pending) throws IOException {
    Map<String, List<String>> otherByName = null;
    TreeSet<String> gone = new TreeSet<>(Collections.reverseOrder());
    for (String o : oldList) {
      if (!o.equals("/.") && !newPaths.contains(o) && !oldConf.containsKey(o)) {
        gone.add(o);
      }
    }
    outer:
    for (String o : gone) {
      for (Set<String> l : others.values()) {
        if (l.contains(o)) {
          continue outer;
        }
      }
      String target = divert(db, o, p.name);
      String real = fs.resolveParent(target);
      if (newReal.contains(real)) {
        continue;
      }
      if (otherByName == null) {
        otherByName = new HashMap<>();
        for (Set<String> l : others.values()) {
          for (String x : l) {
            otherByName.computeIfAbsent(x.substring(x.lastIndexOf('/') + 1),
                k -> new ArrayList<>()).add(x);
          }
        }
      }
      for (String x : otherByName.getOrDefault(o.substring(o.lastIndexOf('/') + 1), List.of())) {
        if (fs.resolveParent(x).equals(real)) {
          continue outer;
        }
      }
      BasicFileAttributes a = fs.lstat(real);
      if (a == null) {
        continue;
      }
      activateFileTriggers(db, o, pending, p.name);
      if (a.isDirectory()) {
        fs.remove(real);
      } else {
        fs.remove(real);
        fs.invalidate();
      }
    }
  }

  private void writeInfo(DpkgDb db, Plan p, String oldInfo, List<String> list,
      Map<String, String> generatedMd5) throws IOException {
    String infoDir = fs.resolveAll(INFO);
    Set<String> members = new LinkedHashSet<>();
    for (String m : p.deb.controlMembers().keySet()) {
      if (!m.equals("control")) {
        members.add(m);
      }
    }
    for (String m : KNOWN_MEMBERS) {
      if (!members.contains(m) && !(m.equals("md5sums") && generatedMd5 != null)) {
        fs.remove(infoDir + "/" + oldInfo + "." + m);
        if (!oldInfo.equals(p.infoName)) {
          fs.remove(infoDir + "/" + p.infoName + "." + m);
        }
      }
    }
    if (!oldInfo.equals(p.infoName)) {
      fs.remove(infoDir + "/" + oldInfo + ".list");
    }
    for (String m : members) {
      DataEntry e = p.deb.controlMemberEntries().get(m);
      String dst = infoDir + "/" + p.infoName + "." + m;
      fs.writeBytes(dst + ".dpkg-new", p.deb.controlMembers().get(m));
      fs.setOwnerMode(dst + ".dpkg-new", 0, 0, e.mode(), false);
      fs.setMtime(dst + ".dpkg-new", e.mtime());
      fs.rename(dst + ".dpkg-new", dst);
    }
    if (generatedMd5 != null) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, String> h : generatedMd5.entrySet()) {
        sb.append(h.getValue()).append("  ").append(h.getKey().substring(1)).append('\n');
      }
      String dst = infoDir + "/" + p.infoName + ".md5sums";
      fs.writeBytes(dst + ".dpkg-new", sb.toString().getBytes(StandardCharsets.UTF_8));
      fs.setOwnerMode(dst + ".dpkg-new", 0, 0, 0644, false);
      fs.setMtime(dst + ".dpkg-new", options.now());
      fs.rename(dst + ".dpkg-new", dst);
      if (!oldInfo.equals(p.infoName)) {
        fs.remove(infoDir + "/" + oldInfo + ".md5sums");
      }
    }
    db.setList(p.infoName, list);
    writeList(p.infoName, list);
  }

  private void writeList(String infoName, List<String> list) throws IOException {
    String dst = fs.resolveAll(INFO) + "/" + infoName + ".list";
    StringBuilder sb = new StringBuilder();
    for (String l : list) {
      sb.append(l).append('\n');
    }
    fs.writeBytes(dst + ".dpkg-new", sb.toString().getBytes(StandardCharsets.UTF_8));
    fs.setOwnerMode(dst + ".dpkg-new", 0, 0, 0644, false);
    fs.rename(dst + ".dpkg-new", dst);
  }

  private void triggers(DpkgDb db, Plan p, Map<String, Set<String>> pending)
      throws IOException {
    byte[] t = p.deb.controlMembers().get("triggers");
    if (t == null) {
      return;
    }
    // dpkg rewrites the interest files of the package it unpacks (unchanged here: plan() stages
    // packages whose interests change); rewriting them the same way keeps the trees identical
    Set<String> rewrite = new TreeSet<>();
    for (String i : interests(new String(t, StandardCharsets.UTF_8))) {
      String name = i.substring(i.indexOf(' ') + 1);
      rewrite.add(name.startsWith("/") ? "File" : name);
    }
    for (String name : rewrite) {
      if (name.contains("/") || name.startsWith(".")) {
        continue;
      }
      String f = fs.resolveAll(DpkgDb.ADMIN + "/triggers") + "/" + name;
      byte[] bytes = fs.readAllOrNull(f);
      if (bytes != null) {
        fs.writeBytes(f + ".new", bytes);
        fs.setOwnerMode(f + ".new", 0, 0, 0644, false);
        fs.rename(f + ".new", f);
      }
    }
    for (String line : new String(t, StandardCharsets.UTF_8).split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length == 2 && f[0].startsWith("activate")) {
        for (String q : db.interested(f[1])) {
          String name = q.split("/")[0];
          pending.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(f[1]);
          if (!f[0].equals("activate-noawait") && !q.endsWith("/noawait")) {
            awaits.add(new String[] {p.name, name});
          }
        }
      }
    }
  }

  /** The "interest*" lines of a triggers control file. */
  static Set<String> interests(String triggers) {
    Set<String> out = new TreeSet<>();
    if (triggers == null) {
      return out;
    }
    for (String line : triggers.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length == 2 && f[0].startsWith("interest")) {
        out.add(f[0] + " " + f[1]);
      }
    }
    return out;
  }

  private void activateFileTriggers(DpkgDb db, String path, Map<String, Set<String>> pending,
      String activator) {
    for (String[] t : db.fileTriggers) {
      if (path.equals(t[0]) || path.startsWith(t[0].endsWith("/") ? t[0] : t[0] + "/")) {
        String q = t[1].split("/")[0];
        pending.computeIfAbsent(q, k -> new LinkedHashSet<>()).add(t[0]);
        if (!t[1].endsWith("/noawait")) {
          awaits.add(new String[] {activator, q});
        }
      }
    }
  }

  private void applyPending(DpkgDb db, Map<String, Set<String>> pending) {
    for (Map.Entry<String, Set<String>> e : pending.entrySet()) {
      String name = e.getKey();
      String arch = null;
      if (name.contains(":")) {
        arch = name.substring(name.indexOf(':') + 1);
        name = name.substring(0, name.indexOf(':'));
      }
      for (int i = 0; i < db.status.size(); i++) {
        ControlParagraph q = db.status.get(i);
        if (!name.equals(q.get("Package"))
            || (arch != null && !arch.equals(q.get("Architecture")))) {
          continue;
        }
        String[] st = q.get("Status", "").split("\\s+");
        if (st.length != 3 || !(st[2].equals("installed") || st[2].equals("triggers-pending")
            || st[2].equals("triggers-awaited"))) {
          continue;
        }
        LinkedHashSet<String> trig = new LinkedHashSet<>();
        String have = q.get("Triggers-Pending");
        if (have != null) {
          for (String x : have.strip().split("\\s+")) {
            if (!x.isEmpty()) {
              trig.add(x);
            }
          }
        }
        trig.addAll(e.getValue());
        q = q.with("Status", st[0] + " " + st[1] + " triggers-pending");
        q = setOrdered(q, "Triggers-Pending", String.join(" ", trig));
        db.status.set(i, q);
        for (String[] aw : awaits) {
          if (aw[1].equals(e.getKey()) && !aw[0].equals(name)) {
            addAwaited(db, aw[0], name);
          }
        }
      }
    }
  }

  private static void addAwaited(DpkgDb db, String activator, String interested) {
    for (int i = 0; i < db.status.size(); i++) {
      ControlParagraph a = db.status.get(i);
      if (!activator.equals(a.get("Package"))) {
        continue;
      }
      LinkedHashSet<String> aw = new LinkedHashSet<>();
      String have = a.get("Triggers-Awaited");
      if (have != null) {
        for (String x : have.strip().split("\\s+")) {
          if (!x.isEmpty()) {
            aw.add(x);
          }
        }
      }
      if (aw.add(interested)) {
        db.status.set(i, setOrdered(a, "Triggers-Awaited", String.join(" ", aw)));
      }
    }
  }

  /** Sets a field at dpkg's position for it (replacing it in place when present). */
  static ControlParagraph setOrdered(ControlParagraph p, String name, String value) {
    if (p.has(name)) {
      return p.with(name, value);
    }
    int idx = FIELD_ORDER.indexOf(name);
    List<ControlParagraph.Field> fields = new ArrayList<>(p.fields());
    int pos = fields.size();
    for (int i = 0; i < fields.size(); i++) {
      int k = indexOf(fields.get(i).name());
      if (k < 0 || k > idx) {
        pos = i;
        break;
      }
    }
    fields.add(pos, ControlParagraph.Field.of(name, value));
    return ControlParagraph.of(fields);
  }

  private static int indexOf(String field) {
    for (int i = 0; i < FIELD_ORDER.size(); i++) {
      if (FIELD_ORDER.get(i).equalsIgnoreCase(field)) {
        return i;
      }
    }
    return -1;
  }

  private ControlParagraph statusStanza(Plan p, Map<String, String[]> oldConf) {
    ControlParagraph c = p.deb.control();
    String want = "install";
    if (p.old != null) {
      String[] st = p.old.get("Status", "").split("\\s+");
      if (st.length == 3 && st[0].equals("hold")) {
        want = "hold"; // a hold survives; any other selection becomes install, as with dpkg -i
      }
    }
    String configVersion = null;
    if (p.old != null) {
      if (Set.of("installed", "triggers-pending", "triggers-awaited").contains(p.oldState)) {
        configVersion = p.old.get("Version");
      } else {
        configVersion = p.old.get("Config-Version");
      }
    }
    StringBuilder conf = new StringBuilder();
    for (String f : p.conffiles) {
      String[] old = oldConf.get(f);
      conf.append('\n').append(f).append(' ').append(old != null ? old[1] : "newconffile");
    }
    for (Map.Entry<String, String[]> o : oldConf.entrySet()) {
      if (!p.conffiles.contains(o.getKey())) {
        conf.append('\n').append(o.getKey()).append(' ').append(o.getValue()[1])
            .append(" obsolete");
      }
    }
    Map<String, ControlParagraph.Field> known = new HashMap<>();
    List<ControlParagraph.Field> rest = new ArrayList<>();
    for (ControlParagraph.Field f : c.fields()) {
      int k = indexOf(f.name());
      if (f.name().equalsIgnoreCase("Status") || f.name().equalsIgnoreCase("Config-Version")
          || f.name().equalsIgnoreCase("Conffiles")
          || f.name().toLowerCase(java.util.Locale.ROOT).startsWith("triggers-")) {
        continue;
      }
      if ((f.name().equalsIgnoreCase("Essential") || f.name().equalsIgnoreCase("Protected"))
          && !f.value().equals("yes")) {
        continue;
      }
      if (f.name().equalsIgnoreCase("Multi-Arch") && f.value().equals("no")) {
        continue;
      }
      if (k >= 0 && RELATION_FIELDS.contains(FIELD_ORDER.get(k))) {
        f = normaliseRelations(f);
      }
      if (k >= 0) {
        known.put(FIELD_ORDER.get(k), f);
      } else {
        rest.add(f);
      }
    }
    known.put("Status", ControlParagraph.Field.of("Status", want + " ok unpacked"));
    if (configVersion != null && !configVersion.isEmpty()) {
      known.put("Config-Version", ControlParagraph.Field.of("Config-Version", configVersion));
    }
    if (conf.length() > 0) {
      known.put("Conffiles", ControlParagraph.Field.of("Conffiles", conf.toString()));
    }
    // awaited triggers stay awaited until the interested package processes them (dpkg keeps
    // them across a second unpack)
    if (p.old != null && p.old.get("Triggers-Awaited") != null) {
      known.put("Triggers-Awaited", ControlParagraph.Field.of("Triggers-Awaited",
          p.old.get("Triggers-Awaited").strip()));
    }
    List<ControlParagraph.Field> out = new ArrayList<>();
    for (String n : FIELD_ORDER) {
      ControlParagraph.Field f = known.get(n);
      if (f != null) {
        out.add(f);
      }
    }
    out.addAll(rest);
    return ControlParagraph.of(out);
  }

  /** Relationship fields, which dpkg writes back in its canonical spelling. */
  static final Set<String> RELATION_FIELDS = Set.of("Replaces", "Provides", "Depends",
      "Pre-Depends", "Recommends", "Suggests", "Breaks", "Conflicts", "Enhances");

  /** A relationship field as dpkg writes it to status ("a (>= 1), b | c"); kept if unparsable. */
  static ControlParagraph.Field normaliseRelations(ControlParagraph.Field f) {
    try {
      List<List<Relation>> groups = Relation.parseField(f.value());
      for (List<Relation> g : groups) {
        for (Relation r : g) {
          if (!r.architectures().isEmpty() || (r.op() != null && r.op().length() == 1)) {
            return f;
          }
        }
      }
      String text = Relation.formatField(groups);
      return text.equals(f.value()) ? f : ControlParagraph.Field.of(f.name(), text);
    } catch (IllegalArgumentException e) {
      return f;
    }
  }

  /** Whether a Replaces field covers an installed package (name and version). */
  static boolean replaces(String field, String name, String installedVersion) {
    if (field == null) {
      return false;
    }
    try {
      for (List<Relation> g : Relation.parseField(field)) {
        for (Relation r : g) {
          if (!r.name().equalsIgnoreCase(name)) {
            continue;
          }
          if (r.op() == null) {
            return true;
          }
          DebVersion v = installedVersion == null ? null : DebVersion.tryParse(installedVersion);
          if (v != null && r.versionSatisfiedBy(v)) {
            return true;
          }
        }
      }
    } catch (IllegalArgumentException e) {
      return false;
    }
    return false;
  }

  static int owner(Map<String, Integer> names, String name, int numeric) {
    if (name != null && !name.isEmpty()) {
      Integer id = names.get(name);
      if (id != null) {
        return id;
      }
    }
    return numeric;
  }

  static String divert(DpkgDb db, String path, String pkg) {
    DpkgDb.Diversion d = db.diversions.get(path);
    if (d == null || d.by().equals(pkg)) {
      return path;
    }
    return d.to();
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String md5(InputStream in) throws IOException {
    try (in) {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
