#!/usr/bin/env bash
# Rebuilds every .deb of the debootstrap tree's apt cache with "+vdisk1" appended to its Version
# and nothing else changed (gzip data), for the broad injection oracle test.
# Usage: make-all-newer-debs.sh OUTDIR   (run as root so dpkg-deb -R/-b keep owners)
# Output: OUTDIR/*.deb and OUTDIR/packages.txt (the file names in name order).
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
tree=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$out/packages.txt"
for deb in "$tree"/var/cache/apt/archives/*.deb; do
  n=$(basename "$deb" .deb)
  dpkg-deb -R "$deb" "$work/$n"
  v=$(dpkg-deb --field "$deb" Version)
  sed -i "s/^Version: .*/Version: $v+vdisk1/" "$work/$n/DEBIAN/control"
  a=$(dpkg-deb --field "$deb" Architecture)
  p=$(dpkg-deb --field "$deb" Package)
  f="${p}_${v//:/%3a}+vdisk1_${a}.deb"
  dpkg-deb -Zgzip -b "$work/$n" "$out/$f" >/dev/null
  rm -rf "$work/$n"
  echo "$f" >>"$out/packages.txt"
done
