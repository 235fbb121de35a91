#!/usr/bin/env bash
# Builds a tzdata from before the posix/ directories became links (Debian switched them with
# dpkg-maintscript-helper dir_to_symlink, guard 2022g-1~), for DebInjectorDirToSymlinkIT: the
# debootstrap tree's cached tzdata .deb unpacked with dpkg-deb -R, each
# /usr/share/zoneinfo/posix/AREA link that its preinst switches replaced by a directory holding a
# copy of ../AREA (cp -a), Version set to 2021a-1, md5sums rewritten; scripts and templates kept.
# Usage: make-old-tzdata-deb.sh OUTDIR   (run as root so dpkg-deb -R/-b keep owners)
# Output: OUTDIR/tzdata_2021a-1_all.deb and OUTDIR/new.txt naming the cached (new) tzdata file.
# The cache is $VDISK_DEBOOTSTRAP_CACHE (default /tmp/vdisk-debootstrap-bookworm)/var/cache/apt/archives.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
tree=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
deb=$(ls "$tree"/var/cache/apt/archives/tzdata_*_all.deb | head -1)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
d=$work/tzdata
dpkg-deb -R "$deb" "$d"
zi=$d/usr/share/zoneinfo
areas=$(sed -n 's|^dpkg-maintscript-helper dir_to_symlink /usr/share/zoneinfo/posix/\([^ ]*\) .*|\1|p' "$d/DEBIAN/preinst")
[[ -n $areas ]] || { echo "no dir_to_symlink calls in $deb's preinst" >&2; exit 1; }
for a in $areas; do
  [[ -L $zi/posix/$a && -d $zi/$a ]] || { echo "posix/$a is not a link to a directory" >&2; exit 1; }
  rm "$zi/posix/$a"
  cp -a "$zi/$a" "$zi/posix/$a"
done
sed -i 's/^Version: .*/Version: 2021a-1/' "$d/DEBIAN/control"
(cd "$d" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
  | xargs md5sum >DEBIAN/md5sums)
dpkg-deb -Zxz -b "$d" "$out/tzdata_2021a-1_all.deb" >/dev/null
basename "$deb" >"$out/new.txt"
cp "$deb" "$out/"
