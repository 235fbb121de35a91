#!/usr/bin/env bash
# Builds newer versions of several packages installed in the debootstrap tree (Debian 12 minbase,
# testdata/scripts/make-debian-ext4.sh) from the .debs in its apt cache, for the offline
# injection tests and the `vdisk apply` benchmark.
# Usage: make-newer-debs.sh OUTDIR   (run as root so dpkg-deb -R/-b keep owners)
# Each package gets "+vdisk1" appended to its Version and, in its data: a changed file (a line
# appended to its copyright file), a new file (/usr/share/doc/PKG/vdisk-new.txt), a removed file
# (the first non-conffile regular file outside /usr/share/doc, /bin, /lib, /usr/bin and /usr/lib
# when there is one; see REMOVED below), and in packages with conffiles a changed conffile (a
# comment line appended to the first one). md5sums is rewritten to match.
#   base-files     conffiles, postinst; a new file in /usr/share/debianutils/shells.d
#                  (debianutils' file trigger)                                -Zxz
#   login          conffiles, dpkg-maintscript-helper preinst/prerm/postrm     -Zgzip
#   libzstd1       "activate-noawait ldconfig" trigger (libc-bin is interested)  -Zzstd
#   debian-archive-keyring  rm_conffile preinst/prerm, postrm with a purge-only block  -Zgzip
#   bash           prerm runs update-alternatives: staged                     -Znone
#   usr-is-merged  an arbitrary preinst: cannot be evaluated offline, is staged  -Zxz
# Also vdisk-fresh 1.0-1 (all), a package the tree does not have (fresh install: a conffile, a
# link, a non-canonical Depends that dpkg rewrites), second in the list.
# Output: OUTDIR/NAME_VERSION_ARCH.deb (the version's ':' written as %3a, as apt names files)
# and OUTDIR/packages.txt listing the file names, one per line, in unpack order.
# The cache is $VDISK_DEBOOTSTRAP_CACHE (default /tmp/vdisk-debootstrap-bookworm)/var/cache/apt/archives.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
tree=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
cache=$tree/var/cache/apt/archives
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$out/packages.txt"

fresh() {   # a package new to the guest: conffile, directory, link, file under /usr/share/doc
  local dir=$work/vdisk-fresh
  mkdir -p "$dir/DEBIAN" "$dir/etc" "$dir/usr/share/doc/vdisk-fresh" "$dir/usr/bin"
  printf 'Package: vdisk-fresh\nVersion: 1.0-1\nArchitecture: all\nMaintainer: vdisk tests <tests@vdisk.invalid>\nInstalled-Size: 8\nSection: misc\nPriority: optional\nDepends: libc6(>=2.34),base-files|dash\nDescription: fresh install test package\n A package not installed in the debootstrap tree.\n' \
    >"$dir/DEBIAN/control"
  echo /etc/vdisk-fresh.conf >"$dir/DEBIAN/conffiles"
  echo "setting=1" >"$dir/etc/vdisk-fresh.conf"
  echo "fresh package" >"$dir/usr/share/doc/vdisk-fresh/README"
  ln -s ../share/doc/vdisk-fresh/README "$dir/usr/bin/vdisk-fresh-readme"
  (cd "$dir" && find usr -type f | LC_ALL=C sort | xargs md5sum >DEBIAN/md5sums)
  find "$dir" -path "$dir/DEBIAN" -prune -o -print0 | xargs -0 -r touch -h -d '2026-01-02 03:04:05 UTC'
  dpkg-deb --root-owner-group -Zxz -b "$dir" "$out/vdisk-fresh_1.0-1_all.deb" >/dev/null
  echo vdisk-fresh_1.0-1_all.deb >>"$out/packages.txt"
}

build() {   # build NAME COMPRESSOR REMOVE-PATH (or -)
  local name=$1 comp=$2 remove=$3
  local deb
  deb=$(ls "$cache/${name}"_*.deb | head -1)
  local dir=$work/$name
  dpkg-deb -R "$deb" "$dir"
  local version arch
  version=$(dpkg-deb --field "$deb" Version)
  arch=$(dpkg-deb --field "$deb" Architecture)
  local newver=${version}+vdisk1
  sed -i "s/^Version: .*/Version: $newver/" "$dir/DEBIAN/control"
  local doc=$dir/usr/share/doc/$name
  if [[ -L $doc || ! -d $doc ]]; then doc=$dir/usr/share/doc/$(ls "$dir/usr/share/doc" | head -1); fi
  # changed file
  if [[ -f $doc/copyright ]]; then echo "vdisk test change $newver" >>"$doc/copyright"; fi
  # new file
  echo "added by make-newer-debs.sh in $newver" >"$doc/vdisk-new.txt"
  chmod 0644 "$doc/vdisk-new.txt"
  # base-files: a file in a directory debianutils' file trigger watches
  if [[ $name == base-files ]]; then
    mkdir -p "$dir/usr/share/debianutils/shells.d"
    echo "# vdisk test: activates debianutils' file trigger" >"$dir/usr/share/debianutils/shells.d/vdisk-test"
  fi
  # removed file
  if [[ $remove != - ]]; then rm -f "$dir$remove"; fi
  # changed conffile
  if [[ -s $dir/DEBIAN/conffiles ]]; then
    local conf
    conf=$(head -1 "$dir/DEBIAN/conffiles")
    echo "# vdisk test change $newver" >>"$dir$conf"
  fi
  # md5sums for every regular file outside DEBIAN, conffiles excluded (as dh_md5sums does)
  (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
    | { if [[ -s DEBIAN/conffiles ]]; then grep -vxF -f <(sed 's|^/||' DEBIAN/conffiles); else cat; fi; } \
    | xargs -r -d '\n' md5sum >DEBIAN/md5sums)
  # the data files' mtimes: one fixed time, so the archive's times are known
  find "$dir" -path "$dir/DEBIAN" -prune -o -print0 \
    | xargs -0 -r touch -h -d '2026-01-02 03:04:05 UTC'
  local file="${name}_${newver//:/%3a}_${arch}.deb"
  dpkg-deb -Z"$comp" -b "$dir" "$out/$file" >/dev/null
  echo "$file" >>"$out/packages.txt"
}

build libzstd1 zstd -
fresh
build base-files xz /usr/share/common-licenses/Artistic
build login gzip /usr/share/man/man5/faillog.5.gz
build debian-archive-keyring gzip -
build bash none /usr/share/man/man7/bash-builtins.7.gz
build usr-is-merged xz -
