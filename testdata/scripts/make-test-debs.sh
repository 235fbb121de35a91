#!/usr/bin/env bash
# Two small binary packages built by dpkg-deb, for the trust tests.
# Usage: make-test-debs.sh OUTDIR   -> OUTDIR/vdisk-hello_1.0-1_all.deb,
#                                      OUTDIR/vdisk-tool_2.1-3_amd64.deb
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mk() { # name version arch
  local d=$work/$1
  mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1"
  printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: vdisk <vdisk@vdisk.test>\nDescription: vdisk trust test package %s\n a test fixture.\n' \
    "$1" "$2" "$3" "$1" >"$d/DEBIAN/control"
  printf '%s %s\n' "$1" "$2" >"$d/usr/share/doc/$1/README"
  SOURCE_DATE_EPOCH=1700000000 dpkg-deb --root-owner-group -Zxz --build "$d" "$out/${1}_${2}_${3}.deb" >/dev/null
}
mk vdisk-hello 1.0-1 all
mk vdisk-tool 2.1-3 amd64
