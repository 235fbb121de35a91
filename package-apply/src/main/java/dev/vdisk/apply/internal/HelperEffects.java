package dev.vdisk.apply.internal;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.deb.DebVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code dpkg-maintscript-helper} does when a {@code preinst} calls it with {@code install}
 * or {@code upgrade OLD-VERSION} (dpkg-maintscript-helper(1)), done in Java: each call acts only
 * when the old version is {@code le-nl} the call's prior-version guard (an empty guard always
 * acts).
 * <ul>
 *   <li>{@code rm_conffile CONFFILE}: an existing conffile that the package lists is moved to
 *       {@code .dpkg-backup} when its md5 differs from the one in status (modified), else to
 *       {@code .dpkg-remove}; the package's postinst finishes the job at first boot.</li>
 *   <li>{@code mv_conffile OLD NEW}: an unmodified OLD the package lists is moved to {@code
 *       OLD.dpkg-remove}.</li>
 *   <li>{@code symlink_to_dir SYMLINK TARGET}: a link whose target is TARGET is moved to {@code
 *       SYMLINK.dpkg-backup}.</li>
 *   <li>{@code dir_to_symlink PATHNAME TARGET}: acts when PATHNAME is a directory (not a link to
 *       one). The helper first checks that the package (the call's fourth argument, else the
 *       package itself) has no conffile under PATHNAME (its status {@code Conffiles}) and that
 *       PATHNAME and every path under it (links not followed) is in the package's file list;
 *       then it moves PATHNAME to {@code PATHNAME.dpkg-backup}, makes an empty PATHNAME
 *       (0755, root) and in it an empty {@code .dpkg-staging-dir} (0644, root). dpkg's unpack
 *       leaves an existing directory where the archive has a symbolic link, so the staging
 *       directory stays until the new postinst's {@code configure} (first boot) moves anything
 *       else in it to TARGET, replaces it with the link and removes the backup. When a check
 *       fails the real helper exits non-zero and dpkg aborts the package's unpack (the
 *       installed version stays as it was); staging would only fail the same way at first boot,
 *       so the injection is refused instead ({@link UnsafeToWriteException}, naming the package,
 *       the directory and the conffile or unowned path) and nothing is written. The package is
 *       staged (the real helper runs at first boot) only in two states the offline switch does
 *       not reproduce: {@code PATHNAME.dpkg-backup} already exists ({@code mv} would move the
 *       directory into it), or a separately mounted file system lies at or under PATHNAME.</li>
 * </ul>
 * The helper does nothing for {@code prerm} and {@code postrm} with {@code upgrade}.
 */
final class HelperEffects {
  private static final Logger LOG = LoggerFactory.getLogger(HelperEffects.class);

  /** The file the helper puts in the directory that stands in for the future link. */
  static final String STAGING_MARKER = ".dpkg-staging-dir";

  private HelperEffects() {}

  /**
   * The reason the calls cannot be done offline (the package is then staged), or null; throws
   * when a {@code dir_to_symlink} call's checks fail, as the real helper would.
   *
   * @param fs the guest
   * @param db the guest's dpkg database
   * @param calls the new preinst's helper calls
   * @param action {@code install} or {@code upgrade}
   * @param oldVersion the preinst's second argument (null or empty when none)
   * @param pkg the package's name
   * @param old the package's status paragraph in the guest, or null
   * @param ownList the package's file list in the guest
   * @param debFile the package's file (for the exception)
   * @param foreignMounts guest paths where other file systems are mounted
   * @return the staging reason, or null
   * @throws UnsafeToWriteException when a {@code dir_to_symlink} check fails
   * @throws IOException on an I/O error
   */
  static String blocking(GuestFs fs, DpkgDb db, List<MaintScript.HelperCall> calls,
      String action, String oldVersion, String pkg, ControlParagraph old, List<String> ownList,
      Path debFile, Set<String> foreignMounts) throws IOException {
    for (MaintScript.HelperCall c : calls) {
      List<String> a = c.args();
      int guard = c.command().equals("rm_conffile") ? 1 : 2;
      if (a.size() > guard && !a.get(guard).isEmpty() && DebVersion.tryParse(a.get(guard)) == null) {
        return "preinst " + c.command() + " has an invalid version guard '" + a.get(guard) + "'";
      }
      if (oldVersion != null && !oldVersion.isEmpty() && DebVersion.tryParse(oldVersion) == null) {
        return "the installed version '" + oldVersion + "' is not a valid version";
      }
      if (!c.command().equals("dir_to_symlink")) {
        continue;
      }
      if (a.size() < 2 || a.get(1).isEmpty()) {
        return "dir_to_symlink without a symlink target";
      }
      String path = stripSlash(a.get(0));
      if (!path.startsWith("/") || path.equals("/")) {
        return "dir_to_symlink of '" + a.get(0) + "', not an absolute directory";
      }
      if (!acts(action, oldVersion, a.size() > 2 ? a.get(2) : "")) {
        continue;
      }
      String real = fs.resolveParent(path);
      BasicFileAttributes at = fs.lstat(real);
      if (at == null || !at.isDirectory()) {
        continue;
      }
      String reason = checkDirToSymlink(fs, db, path, real,
          a.size() > 3 && !a.get(3).isEmpty() ? a.get(3) : pkg, pkg, old, ownList, debFile,
          foreignMounts);
      if (reason != null) {
        return reason;
      }
    }
    return null;
  }

  /**
   * The checks the helper makes before it switches a directory: a staging reason for states the
   * offline switch does not reproduce, null when the switch can be done, or an exception when
   * the helper would fail.
   */
  private static String checkDirToSymlink(GuestFs fs, DpkgDb db, String path, String real,
      String owner, String pkg, ControlParagraph old, List<String> ownList, Path debFile,
      Set<String> foreignMounts) throws IOException {
    if (fs.lstat(real + ".dpkg-backup") != null) {
      return "preinst dir_to_symlink " + path + ": " + path + ".dpkg-backup already exists";
    }
    for (String m : foreignMounts) {
      String mp = stripSlash(m);
      if (mp.equals(path) || mp.startsWith(path + "/") || mp.equals(real)
          || mp.startsWith(real + "/")) {
        return "preinst dir_to_symlink " + path + ": " + mp + " is mounted there";
      }
    }
    String base = owner.contains(":") ? owner.substring(0, owner.indexOf(':')) : owner;
    ControlParagraph ownerStanza;
    Set<String> owned;
    if (base.equals(pkg)) {
      ownerStanza = old;
      owned = new HashSet<>(ownList);
    } else {
      String arch = owner.contains(":") ? owner.substring(owner.indexOf(':') + 1) : null;
      ownerStanza = arch == null ? db.find(base, "all", false) : db.find(base, arch, true);
      owned = ownerStanza == null ? Set.of()
          : new HashSet<>(db.list(DpkgDb.infoName(ownerStanza)));
    }
    for (String conf : DpkgDb.conffiles(ownerStanza).keySet()) {
      if (conf.startsWith(path + "/")) {
        throw new UnsafeToWriteException(debFile, UnsafeToWriteException.Reason.OTHER,
            pkg + ": preinst dir_to_symlink " + path + " would fail: the directory holds "
            + "conffile " + conf + " of " + owner + " (dpkg would abort the unpack)");
      }
    }
    Path top = fs.host(real);
    try (Stream<Path> s = Files.walk(top)) {
      for (Path h : (Iterable<Path>) s::iterator) {
        StringBuilder lit = new StringBuilder(path);
        for (Path n : top.relativize(h)) {
          if (!n.toString().isEmpty()) {
            lit.append('/').append(n);
          }
        }
        if (!owned.contains(lit.toString())) {
          throw new UnsafeToWriteException(debFile, UnsafeToWriteException.Reason.OTHER,
              pkg + ": preinst dir_to_symlink " + path + " would fail: " + lit
              + " is not in the file list of " + owner + " (a local file or another "
              + "package's; dpkg would abort the unpack)");
        }
      }
    }
    return null;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }

  /** Whether a call with this guard acts for this invocation. */
  static boolean acts(String action, String oldVersion, String lastVersion) {
    if (!(action.equals("install") || action.equals("upgrade"))) {
      return false;
    }
    if (oldVersion == null || oldVersion.isEmpty()) {
      return false;
    }
    if (lastVersion == null || lastVersion.isEmpty()) {
      return true;
    }
    try {
      return DebVersion.compare(oldVersion, lastVersion) <= 0;
    } catch (IllegalArgumentException e) {
      return false; // blocking() stages packages with such guards
    }
  }

  /**
   * Does what the calls do for this invocation (after {@link #blocking} found nothing to stage).
   *
   * @param now the time the staging directory of {@code dir_to_symlink} gets
   */
  static void run(GuestFs fs, DpkgDb db, List<MaintScript.HelperCall> calls, String action,
      String oldVersion, String pkg, List<String> ownList, Map<String, String[]> conffiles,
      Instant now) throws IOException {
    for (MaintScript.HelperCall c : calls) {
      List<String> a = c.args();
      switch (c.command()) {
        case "rm_conffile" -> {
          if (a.isEmpty() || !acts(action, oldVersion, a.size() > 1 ? a.get(1) : "")) {
            continue;
          }
          String conf = a.get(0);
          String owner = a.size() > 2 ? a.get(2) : pkg;
          String real = fs.resolveParent(conf);
          if (!fs.exists(real) || !owns(db, owner, pkg, ownList, conf)) {
            continue;
          }
          String[] h = conffiles.get(conf);
          String md5 = DebInjector.md5(Files.newInputStream(fs.host(fs.resolveAll(conf))));
          String suffix = h != null && h[1].equals(md5) ? ".dpkg-remove" : ".dpkg-backup";
          LOG.info("{}: preinst rm_conffile {} -> {}", pkg, conf, suffix);
          fs.rename(real, real + suffix);
        }
        case "mv_conffile" -> {
          if (a.size() < 2 || !acts(action, oldVersion, a.size() > 2 ? a.get(2) : "")) {
            continue;
          }
          String conf = a.get(0);
          String owner = a.size() > 3 ? a.get(3) : pkg;
          String real = fs.resolveParent(conf);
          if (!fs.exists(real) || !owns(db, owner, pkg, ownList, conf)) {
            continue;
          }
          String[] h = conffiles.get(conf);
          String md5 = DebInjector.md5(Files.newInputStream(fs.host(fs.resolveAll(conf))));
          if (h != null && h[1].equals(md5)) {
            LOG.info("{}: preinst mv_conffile {} -> .dpkg-remove", pkg, conf);
            fs.rename(real, real + ".dpkg-remove");
          }
        }
        case "symlink_to_dir" -> {
          if (a.size() < 2 || !acts(action, oldVersion, a.size() > 2 ? a.get(2) : "")) {
            continue;
          }
          String link = a.get(0);
          String real = fs.resolveParent(link);
          BasicFileAttributes at = fs.lstat(real);
          if (at == null || !at.isSymbolicLink()) {
            continue;
          }
          String target = Files.readSymbolicLink(fs.host(real)).toString();
          String want = a.get(1);
          boolean match = target.equals(want);
          if (!match) {
            String wantAbs = want.startsWith("/") ? want
                : link.substring(0, link.lastIndexOf('/') + 1) + want;
            match = fs.resolveAll(real).equals(fs.resolveAll(wantAbs));
          }
          if (match) {
            LOG.info("{}: preinst symlink_to_dir {} -> .dpkg-backup", pkg, link);
            fs.rename(real, real + ".dpkg-backup");
            fs.invalidate();
          }
        }
        case "dir_to_symlink" -> {
          if (a.size() < 2 || !acts(action, oldVersion, a.size() > 2 ? a.get(2) : "")) {
            continue;
          }
          String path = stripSlash(a.get(0));
          String real = fs.resolveParent(path);
          BasicFileAttributes at = fs.lstat(real);
          if (at == null || !at.isDirectory()) {
            continue;
          }
          // blocking() checked ownership and conffiles; the switch to a staging directory
          LOG.info("{}: preinst dir_to_symlink {} -> .dpkg-backup, staging directory", pkg,
              path);
          fs.rename(real, real + ".dpkg-backup");
          fs.invalidate();
          fs.mkdir(real);
          fs.setOwnerMode(real, 0, 0, 0755, false);
          String marker = real + "/" + STAGING_MARKER;
          fs.writeBytes(marker, new byte[0]);
          fs.setOwnerMode(marker, 0, 0, 0644, false);
          fs.setMtime(marker, now);
          fs.setMtime(real, now);
        }
        default -> {
          // MaintScript admits no other command
        }
      }
    }
  }

  private static boolean owns(DpkgDb db, String owner, String pkg, List<String> ownList,
      String path) throws IOException {
    String base = owner.contains(":") ? owner.substring(0, owner.indexOf(':')) : owner;
    if (base.equals(pkg)) {
      return ownList.contains(path);
    }
    return db.list(owner).contains(path);
  }
}
