#!/usr/bin/env bash
# Builds the package pairs for the dpkg-maintscript-helper dir_to_symlink tests
# (DebInjectorDirToSymlinkIT) with dpkg-deb.
# Usage: make-d2s-debs.sh OUTDIR   (run as root so dpkg-deb keeps root ownership)
#   vdisk-d2s 1.0       /usr/share/vdisk-d2s/{a,b,sub/c}: a directory with files
#   vdisk-d2s 2.0       /usr/share/vdisk-d2s -> vdisk-d2s-target (a link to a directory it
#                       ships, {a,n}); preinst, postinst and postrm carry debhelper's line
#                       dpkg-maintscript-helper dir_to_symlink /usr/share/vdisk-d2s
#                       vdisk-d2s-target 2.0\~ -- "$@"
#   vdisk-d2s-conf 1.0  /etc/vdisk-d2s-conf/{x.conf (a conffile),y}
#   vdisk-d2s-conf 2.0  /etc/vdisk-d2s-conf -> vdisk-d2s-conf.d with the same helper lines: the
#                       switch must fail (the directory holds a conffile)
#   vdisk-d2s-link 1.0  a link /usr/share/vdisk-d2s-link -> vdisk-d2s-target and a README, no
#                       scripts (installed over an existing empty directory, which dpkg keeps)
#   vdisk-nomd5 1.0     no md5sums member (dpkg then writes info/vdisk-nomd5.md5sums itself):
#                       files, an empty file, a hard link, a symlink and a conffile
#   vdisk-nomd5 2.0     the same package with an md5sums member and one file fewer
# Output: OUTDIR/NAME_VERSION_all.deb
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

control() {   # control DIR NAME VERSION
  mkdir -p "$1/DEBIAN"
  printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: vdisk tests <tests@vdisk.invalid>\nInstalled-Size: 8\nSection: misc\nPriority: optional\nDescription: dir_to_symlink test package\n Switches a directory to a symbolic link in version 2.0.\n' \
    "$2" "$3" >"$1/DEBIAN/control"
}

helper_scripts() {   # helper_scripts DIR PATHNAME TARGET
  local s
  for s in preinst postinst postrm; do
    printf '#!/bin/sh\nset -e\n# Automatically added by dh_installdeb/13.11.4\ndpkg-maintscript-helper dir_to_symlink %s %s 2.0\\~ -- "$@"\n# End automatically added section\n' \
      "$2" "$3" >"$1/DEBIAN/$s"
    chmod 0755 "$1/DEBIAN/$s"
  done
}

finish() {   # finish DIR DATE FILE [nomd5]
  if [[ ${4:-} != nomd5 ]]; then
  (cd "$1" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
    | { if [[ -s DEBIAN/conffiles ]]; then grep -vxF -f <(sed 's|^/||' DEBIAN/conffiles) || true; else cat; fi; } \
    | xargs -r md5sum >DEBIAN/md5sums)
  [[ -s $1/DEBIAN/md5sums ]] || rm -f "$1/DEBIAN/md5sums"
  fi
  find "$1" -path "$1/DEBIAN" -prune -o -print0 | xargs -0 -r touch -h -d "$2"
  dpkg-deb --root-owner-group -Zxz -b "$1" "$out/$3" >/dev/null
}

d=$work/d2s-1
control "$d" vdisk-d2s 1.0
mkdir -p "$d/usr/share/vdisk-d2s/sub"
echo "a 1.0" >"$d/usr/share/vdisk-d2s/a"
echo "b 1.0" >"$d/usr/share/vdisk-d2s/b"
echo "c 1.0" >"$d/usr/share/vdisk-d2s/sub/c"
finish "$d" '2026-01-02 03:04:05 UTC' vdisk-d2s_1.0_all.deb

d=$work/d2s-2
control "$d" vdisk-d2s 2.0
mkdir -p "$d/usr/share/vdisk-d2s-target"
echo "a 2.0" >"$d/usr/share/vdisk-d2s-target/a"
echo "n 2.0" >"$d/usr/share/vdisk-d2s-target/n"
ln -s vdisk-d2s-target "$d/usr/share/vdisk-d2s"
helper_scripts "$d" /usr/share/vdisk-d2s vdisk-d2s-target
finish "$d" '2026-01-03 03:04:05 UTC' vdisk-d2s_2.0_all.deb

d=$work/conf-1
control "$d" vdisk-d2s-conf 1.0
mkdir -p "$d/etc/vdisk-d2s-conf"
echo "x=1" >"$d/etc/vdisk-d2s-conf/x.conf"
echo "y 1.0" >"$d/etc/vdisk-d2s-conf/y"
echo /etc/vdisk-d2s-conf/x.conf >"$d/DEBIAN/conffiles"
finish "$d" '2026-01-02 03:04:05 UTC' vdisk-d2s-conf_1.0_all.deb

d=$work/conf-2
control "$d" vdisk-d2s-conf 2.0
mkdir -p "$d/etc/vdisk-d2s-conf.d"
echo "x=2" >"$d/etc/vdisk-d2s-conf.d/x.conf"
echo /etc/vdisk-d2s-conf.d/x.conf >"$d/DEBIAN/conffiles"
ln -s vdisk-d2s-conf.d "$d/etc/vdisk-d2s-conf"
helper_scripts "$d" /etc/vdisk-d2s-conf vdisk-d2s-conf.d
finish "$d" '2026-01-03 03:04:05 UTC' vdisk-d2s-conf_2.0_all.deb

d=$work/link-1
control "$d" vdisk-d2s-link 1.0
mkdir -p "$d/usr/share/doc/vdisk-d2s-link"
echo "link 1.0" >"$d/usr/share/doc/vdisk-d2s-link/README"
ln -s vdisk-d2s-target "$d/usr/share/vdisk-d2s-link"
finish "$d" '2026-01-03 03:04:05 UTC' vdisk-d2s-link_1.0_all.deb

d=$work/nomd5-1
control "$d" vdisk-nomd5 1.0
mkdir -p "$d/usr/share/vdisk-nomd5" "$d/etc"
echo "b 1.0" >"$d/usr/share/vdisk-nomd5/b"
echo "a 1.0" >"$d/usr/share/vdisk-nomd5/a"
: >"$d/usr/share/vdisk-nomd5/empty"
ln "$d/usr/share/vdisk-nomd5/a" "$d/usr/share/vdisk-nomd5/hard"
ln -s a "$d/usr/share/vdisk-nomd5/soft"
echo "conf=1" >"$d/etc/vdisk-nomd5.conf"
echo /etc/vdisk-nomd5.conf >"$d/DEBIAN/conffiles"
finish "$d" '2026-01-02 03:04:05 UTC' vdisk-nomd5_1.0_all.deb nomd5

d=$work/nomd5-2
control "$d" vdisk-nomd5 2.0
mkdir -p "$d/usr/share/vdisk-nomd5" "$d/etc"
echo "a 2.0" >"$d/usr/share/vdisk-nomd5/a"
echo "conf=1" >"$d/etc/vdisk-nomd5.conf"
echo /etc/vdisk-nomd5.conf >"$d/DEBIAN/conffiles"
finish "$d" '2026-01-03 03:04:05 UTC' vdisk-nomd5_2.0_all.deb
