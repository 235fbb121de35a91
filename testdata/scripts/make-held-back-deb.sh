#!/usr/bin/env bash
# Builds a newer version of a package installed in the debootstrap tree that needs a package the
# tree does not have, so that `apt-get upgrade` keeps it back (it installs no new packages):
#   hostname  VERSION+vdisk1, its Depends extended by "vdisk-fresh (>= 1.0)"   -Zxz
# (vdisk-fresh 1.0-1 is made by make-newer-debs.sh.) Used by the scan and remediation tests, so
# that the packages a baseline finds MISSING are not simply every newer version in the source.
# Usage: make-held-back-deb.sh OUTDIR   (run as root so dpkg-deb -R/-b keep owners)
# Output: OUTDIR/hostname_VERSION+vdisk1_ARCH.deb, its name appended to OUTDIR/held-back.txt.
# The cache is $VDISK_DEBOOTSTRAP_CACHE (default /tmp/vdisk-debootstrap-bookworm)/var/cache/apt/archives.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
tree=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
cache=$tree/var/cache/apt/archives
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=hostname
deb=$(ls "$cache/${name}"_*.deb | head -1)
dir=$work/$name
dpkg-deb -R "$deb" "$dir"
version=$(dpkg-deb --field "$deb" Version)
arch=$(dpkg-deb --field "$deb" Architecture)
newver=${version}+vdisk1
sed -i "s/^Version: .*/Version: $newver/" "$dir/DEBIAN/control"
if grep -q '^Depends:' "$dir/DEBIAN/control"; then
  sed -i 's/^Depends: \(.*\)$/Depends: \1, vdisk-fresh (>= 1.0)/' "$dir/DEBIAN/control"
else
  sed -i '/^Architecture:/a Depends: vdisk-fresh (>= 1.0)' "$dir/DEBIAN/control"
fi
find "$dir" -path "$dir/DEBIAN" -prune -o -print0 | xargs -0 -r touch -h -d '2026-01-02 03:04:05 UTC'
file="${name}_${newver//:/%3a}_${arch}.deb"
dpkg-deb -Zxz -b "$dir" "$out/$file" >/dev/null
echo "$file" >>"$out/held-back.txt"
