#!/usr/bin/env bash
# Downloads Debian bookworm's main/binary-amd64 Packages indexes (bookworm, bookworm-updates,
# bookworm-security) from deb.debian.org, checks each InRelease with gpgv against
# debian-archive-keyring, checks each Packages.xz's SHA256 against its InRelease, and leaves
#   OUTDIR/bookworm.Packages  OUTDIR/bookworm-updates.Packages  OUTDIR/bookworm-security.Packages
# (decompressed). Files already present and verified are kept (a cache); the default OUTDIR is
# ${VDISK_DEB_INDEX_CACHE:-/tmp/vdisk-bookworm-index}.
# Usage: fetch-bookworm-packages.sh [OUTDIR]
set -euo pipefail
out="${1:-${VDISK_DEB_INDEX_CACHE:-/tmp/vdisk-bookworm-index}}"
keyring="${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org}"
mkdir -p "$out"
[[ -r "$keyring" ]] || { echo "missing $keyring (Debian package debian-archive-keyring)" >&2; exit 1; }

fetch() { # name base-url suite
  local name=$1 base=$2 suite=$3
  local dir="$out/$name.d"
  mkdir -p "$dir"
  if [[ -s "$out/$name.Packages" && -s "$dir/ok" ]]; then
    return 0
  fi
  curl -fsSL --retry 3 -o "$dir/InRelease" "$base/dists/$suite/InRelease"
  # gpgv prints the signed text only when the signature is good and made by a key of the keyring
  gpgv --quiet --keyring "$keyring" --output "$dir/Release" "$dir/InRelease" 2>"$dir/gpgv.log" \
    || { cat "$dir/gpgv.log" >&2; echo "$name: bad InRelease signature" >&2; exit 1; }
  local want
  want=$(awk '/^SHA256:/{s=1;next} /^[^ ]/{s=0} s && $3=="main/binary-amd64/Packages.xz"{print $1}' \
    "$dir/Release")
  [[ -n "$want" ]] || { echo "$name: no SHA256 for main/binary-amd64/Packages.xz" >&2; exit 1; }
  curl -fsSL --retry 3 -o "$dir/Packages.xz" "$base/dists/$suite/main/binary-amd64/Packages.xz"
  local got
  got=$(sha256sum "$dir/Packages.xz" | cut -d' ' -f1)
  [[ "$got" == "$want" ]] || { echo "$name: Packages.xz sha256 $got, InRelease says $want" >&2; exit 1; }
  xz -dc "$dir/Packages.xz" >"$out/$name.Packages.tmp"
  mv "$out/$name.Packages.tmp" "$out/$name.Packages"
  echo "$want" >"$dir/ok"
}

fetch bookworm "$mirror/debian" bookworm
fetch bookworm-updates "$mirror/debian" bookworm-updates
fetch bookworm-security "$mirror/debian-security" bookworm-security
echo "$out"
