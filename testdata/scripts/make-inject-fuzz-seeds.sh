#!/usr/bin/env bash
# Seeds for package-apply's DebArchiveFuzzTest and InjectorParsersFuzzTest.
#   DebArchiveFuzzTestInputs/open/       tiny packages built by dpkg-deb -b with each compressor
#                                        (xz, gzip, zstd, none), one whose data has a long name,
#                                        a link and a hard link
#   InjectorParsersFuzzTestInputs/maintScript/  the preinst, prerm and postrm scripts of the
#                                        debootstrap tree's login, tzdata, debian-archive-keyring
#                                        and bash packages
#   InjectorParsersFuzzTestInputs/database/     the tree's dpkg status head, diversions,
#                                        statoverride (made up: none in minbase),
#                                        triggers/File, /etc/passwd, /etc/group, joined by NUL bytes
# Usage: make-inject-fuzz-seeds.sh TEST_RESOURCES_DIR   (.../src/test/resources; run as root)
set -euo pipefail
res=${1:?usage: $0 TEST_RESOURCES_DIR}
tree=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
[[ -f $tree/.vdisk-complete ]] || { echo "$0: run make-debian-ext4.sh first" >&2; exit 1; }
deb=$res/dev/vdisk/deb/DebArchiveFuzzTestInputs/open
fz=$res/dev/vdisk/apply/internal/InjectorParsersFuzzTestInputs
mkdir -p "$deb" "$fz/maintScript" "$fz/database"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/p/DEBIAN" "$work/p/usr/share/doc/seed" "$work/p/etc"
printf 'Package: seed\nVersion: 1.0-1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: fuzz seed\n' \
  >"$work/p/DEBIAN/control"
printf '/etc/seed.conf\n' >"$work/p/DEBIAN/conffiles"
printf '#!/bin/sh\nset -e\ndpkg-maintscript-helper rm_conffile /etc/old.conf 1.0~ -- "$@"\n' >"$work/p/DEBIAN/preinst"
chmod 0755 "$work/p/DEBIAN/preinst"
echo conf >"$work/p/etc/seed.conf"
echo doc >"$work/p/usr/share/doc/seed/README"
for z in xz gzip zstd none; do
  dpkg-deb --root-owner-group -Z$z -b "$work/p" "$deb/seed-$z.deb" >/dev/null
done
long=$work/p/usr/share/doc/seed/$(printf 'n%.0s' $(seq 1 120))
mkdir -p "$long"
echo long >"$long/file"
ln -s ../README "$long/link"
ln "$work/p/usr/share/doc/seed/README" "$work/p/usr/share/doc/seed/hard"
dpkg-deb --root-owner-group -Zxz -b "$work/p" "$deb/seed-long-names.deb" >/dev/null
for p in login tzdata debian-archive-keyring bash; do
  for s in preinst prerm postrm; do
    f=$tree/var/lib/dpkg/info/$p.$s
    [[ -f $f ]] && cp "$f" "$fz/maintScript/$p.$s"
  done
done
{
  awk 'BEGIN{RS=""; ORS="\n\n"} NR<=4' "$tree/var/lib/dpkg/status"; printf '\0'
  cat "$tree/var/lib/dpkg/diversions"; printf '\0'
  printf 'root root 0755 /usr/bin/x\n#0 #0 4755 /usr/bin/y\n'; printf '\0'
  cat "$tree/var/lib/dpkg/triggers/File"; printf '\0'
  cat "$tree/etc/passwd"; printf '\0'
  cat "$tree/etc/group"
} >"$fz/database/bookworm"
