package dev.vdisk.apply.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The first-boot completion written into the guest once anything was unpacked or staged.
 *
 * <ul>
 *   <li>{@value #SCRIPT} (0755): appends to {@value #LOG}; runs {@code dpkg --configure -a}, then
 *       for each {@code /var/lib/vdisk/staged/*.deb} in name order {@code dpkg --unpack} of it
 *       (removed once unpacked) and {@code dpkg --configure -a} (one package per dpkg call, the
 *       procedure {@code Dependencies.plan} simulates), then {@code dpkg --configure -a} again; conffile questions are answered
 *       {@code --force-confdef --force-confold} (an admin-modified conffile is kept, the new one
 *       left as {@code .dpkg-dist}). When everything succeeded it removes its own start links
 *       (systemd and sysvinit), so it does not run again; on a failure they stay and the next
 *       boot retries, the log saying what failed.</li>
 *   <li>{@value #UNIT}: {@code Type=oneshot}, {@code After=local-fs.target}, {@code
 *       Before=multi-user.target} (services of the updated packages start after their
 *       configuration), enabled by the link {@value #WANTS}.</li>
 *   <li>sysvinit fallback for guests without systemd: {@value #INITD} (an LSB script of the same
 *       name, so systemd's sysv generator ignores it in favour of the unit) with links {@code
 *       /etc/rc[2-5].d/S01vdisk-firstboot}.</li>
 * </ul>
 */
final class FirstBoot {
  static final String SCRIPT = "/usr/local/sbin/vdisk-firstboot";
  static final String LOG = "/var/log/vdisk-firstboot.log";
  static final String UNIT = "/etc/systemd/system/vdisk-firstboot.service";
  static final String WANTS =
      "/etc/systemd/system/multi-user.target.wants/vdisk-firstboot.service";
  static final String INITD = "/etc/init.d/vdisk-firstboot";
  static final String STAGED = "/var/lib/vdisk/staged";

  private final GuestFs fs;

  FirstBoot(GuestFs fs) {
    this.fs = fs;
  }

  static String script() {
    return """
        #!/bin/sh
        # Written by vdisk apply: finishes the package installation done offline.
        # dpkg --configure -a, then each staged package in order (unpack, configure -a), then
        # configure again.
        # Removes its start links when everything succeeded; otherwise retries next boot.
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        export PATH
        DEBIAN_FRONTEND=noninteractive
        export DEBIAN_FRONTEND
        exec >>%LOG% 2>&1 </dev/null
        echo "vdisk-firstboot: start $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
        rc=0
        opts="--force-confdef --force-confold"
        dpkg $opts --configure -a || rc=1
        for deb in %STAGED%/*.deb; do
          [ -e "$deb" ] || continue
          echo "vdisk-firstboot: installing $deb"
          # one package per dpkg call, configured before the next (dpkg refuses a
          # pre-dependency that is unpacked but not configured)
          if dpkg $opts --unpack "$deb"; then
            rm -f "$deb"
            dpkg $opts --configure -a || rc=1
          else
            rc=1
          fi
        done
        dpkg $opts --configure -a || rc=1
        if [ "$rc" -eq 0 ]; then
          rm -f %WANTS%
          for l in 2 3 4 5; do rm -f /etc/rc$l.d/S01vdisk-firstboot; done
          echo "vdisk-firstboot: done, disabled"
        else
          echo "vdisk-firstboot: failed (exit $rc); will run again at next boot"
        fi
        exit $rc
        """.replace("%LOG%", LOG).replace("%STAGED%", STAGED).replace("%WANTS%", WANTS);
  }

  static String unit() {
    return """
        [Unit]
        Description=vdisk: finish offline package installation (dpkg --configure -a, staged packages)
        After=local-fs.target
        Before=multi-user.target
        ConditionPathExists=%SCRIPT%

        [Service]
        Type=oneshot
        ExecStart=%SCRIPT%
        TimeoutSec=0
        StandardOutput=journal+console

        [Install]
        WantedBy=multi-user.target
        """.replace("%SCRIPT%", SCRIPT);
  }

  static String initScript() {
    return """
        #!/bin/sh
        ### BEGIN INIT INFO
        # Provides:          vdisk-firstboot
        # Required-Start:    $local_fs $remote_fs
        # Required-Stop:
        # Default-Start:     2 3 4 5
        # Default-Stop:
        # Short-Description: vdisk: finish offline package installation
        ### END INIT INFO
        case "$1" in
          start) exec %SCRIPT% ;;
          *) exit 0 ;;
        esac
        """.replace("%SCRIPT%", SCRIPT);
  }

  /** Writes the script, the unit, the init script and their links (idempotent). */
  void install() throws IOException {
    write(SCRIPT, script(), 0755);
    write(UNIT, unit(), 0644);
    link(WANTS, "../vdisk-firstboot.service");
    write(INITD, initScript(), 0755);
    for (int l = 2; l <= 5; l++) {
      link("/etc/rc" + l + ".d/S01vdisk-firstboot", "../init.d/vdisk-firstboot");
    }
  }

  private void write(String path, String text, int mode) throws IOException {
    fs.mkdirs(path.substring(0, path.lastIndexOf('/')));
    String real = fs.resolveParent(path);
    fs.writeBytes(real + ".vdisk-new", text.getBytes(StandardCharsets.UTF_8));
    fs.setOwnerMode(real + ".vdisk-new", 0, 0, mode, false);
    fs.rename(real + ".vdisk-new", real);
  }

  private void link(String path, String target) throws IOException {
    fs.mkdirs(path.substring(0, path.lastIndexOf('/')));
    String real = fs.resolveParent(path);
    if (fs.lstat(real) == null) {
      fs.symlink(real, target);
      fs.setOwnerMode(real, 0, 0, 0777, true);
    }
  }
}
