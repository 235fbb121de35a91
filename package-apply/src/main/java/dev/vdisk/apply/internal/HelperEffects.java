package dev.vdisk.apply.internal;

import dev.vdisk.deb.DebVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
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
 *   <li>{@code dir_to_symlink}: when its guard is active and the directory exists, the package is
 *       staged (the switch checks every file's owner through dpkg-query).</li>
 * </ul>
 * The helper does nothing for {@code prerm} and {@code postrm} with {@code upgrade}.
 */
final class HelperEffects {
  private static final Logger LOG = LoggerFactory.getLogger(HelperEffects.class);

  private HelperEffects() {}

  /** The reason a call cannot be done offline, or null. */
  static String blocking(GuestFs fs, List<MaintScript.HelperCall> calls, String action,
      String oldVersion) throws IOException {
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
      if (a.size() < 2) {
        return "dir_to_symlink without arguments";
      }
      String path = stripSlash(a.get(0));
      if (acts(action, oldVersion, a.size() > 2 ? a.get(2) : "")) {
        BasicFileAttributes at = fs.lstat(fs.resolveParent(path));
        if (at != null && at.isDirectory()) {
          return "preinst dir_to_symlink " + path + " must switch a directory";
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

  static void run(GuestFs fs, DpkgDb db, List<MaintScript.HelperCall> calls, String action,
      String oldVersion, String pkg, List<String> ownList, Map<String, String[]> conffiles)
      throws IOException {
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
        default -> {
          // dir_to_symlink: blocking() staged the package when it would act
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
