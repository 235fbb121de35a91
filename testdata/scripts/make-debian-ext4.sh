#!/usr/bin/env bash
# Makes the ext4 root file system of a minimal Debian (debootstrap --variant=minbase, bookworm)
# as a raw image with `mke2fs -t ext4 -d`: a real distribution root for the write tests.
# Usage: make-debian-ext4.sh OUT.img [SIZE]   (SIZE for mke2fs, default 1G; run as root)
# The debootstrap tree is kept in $VDISK_DEBOOTSTRAP_CACHE (default /tmp/vdisk-debootstrap-bookworm)
# and reused when it is complete, so several tests in one run download it once.
# Mirror: $VDISK_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
out=${1:?usage: $0 OUT.img [SIZE]}
size=${2:-1G}
cache=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
mirror=${VDISK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
debootstrap=$(command -v debootstrap || echo /usr/sbin/debootstrap)
mke2fs=$(command -v mke2fs || echo /usr/sbin/mke2fs)

if [[ ! -f $cache/.vdisk-complete ]]; then
  rm -rf "$cache"
  tmp=$cache.partial.$$
  rm -rf "$tmp"
  "$debootstrap" --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 \
    || { tail -20 "$tmp.log" >&2; exit 1; }
  rm -f "$tmp.log"
  touch "$tmp/.vdisk-complete"
  mv "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"   # another run may have won the race
fi
rm -f "$out"
"$mke2fs" -q -F -t ext4 -L debian-root -d "$cache" "$out" "$size"
# the marker is not part of the distribution
debugfs=$(command -v debugfs || echo /usr/sbin/debugfs)
"$debugfs" -w -R 'rm /.vdisk-complete' "$out" >/dev/null 2>&1
