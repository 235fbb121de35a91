#!/usr/bin/env bash
# Seeds for package-apply's LinuxParsersFuzzTest, cut from the debootstrap bookworm tree
# ($VDISK_DEBOOTSTRAP_CACHE, made by make-debian-ext4.sh) and written with printf:
#   osRelease/    the tree's os-release, an lsb-release, quoting cases
#   dpkgStatus/   the first paragraphs of the tree's dpkg status, a status.d-style paragraph
#   apkInstalled/ apk installed records (one without an origin)
#   elfHeader/    the first 64 bytes of the tree's dash and of this host's ls
# Usage: make-inspect-fuzz-seeds.sh OUT_DIR   (OUT_DIR = .../LinuxParsersFuzzTestInputs)
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
cache=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
[[ -f $cache/.vdisk-complete ]] || { echo "$0: run make-debian-ext4.sh first" >&2; exit 1; }
mkdir -p "$out/osRelease" "$out/dpkgStatus" "$out/apkInstalled" "$out/elfHeader"
cp "$cache/usr/lib/os-release" "$out/osRelease/debian-bookworm"
printf 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n' \
  >"$out/osRelease/lsb-release"
printf '%s\n' "NAME='single quoted'" 'PRETTY_NAME="a \"b\" \$c \\d"' 'ID=plain\ escaped' \
  '# comment' 'VERSION="unterminated' 'export X=1' >"$out/osRelease/quoting"
awk 'BEGIN{RS=""; ORS="\n\n"} NR<=3' "$cache/var/lib/dpkg/status" >"$out/dpkgStatus/bookworm-head"
printf 'Package: foo\nArchitecture: amd64\nVersion: 1:2.3-4\nSource: foo-src (2.3-3)\nDescription: x\n continued\n .\n more\n' \
  >"$out/dpkgStatus/status-d"
printf 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\nT:the musl c library\no:musl\nm:Maintainer <m@example.org>\nt:1700000000\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:no-origin\nV:0.1-r0\nA:noarch\n\n' \
  >"$out/apkInstalled/two-records"
head -c 64 "$cache/usr/bin/dash" >"$out/elfHeader/dash"
head -c 64 "$(command -v ls)" >"$out/elfHeader/host-ls"
