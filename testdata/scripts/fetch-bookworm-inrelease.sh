#!/usr/bin/env bash
# The real Debian 12 InRelease files, downloaded with curl:
#   OUTDIR/bookworm.InRelease           https://deb.debian.org/debian/dists/bookworm/InRelease
#   OUTDIR/bookworm-updates.InRelease   https://deb.debian.org/debian/dists/bookworm-updates/InRelease
#   OUTDIR/bookworm-security.InRelease  https://deb.debian.org/debian-security/dists/bookworm-security/InRelease
# Verify them with /usr/share/keyrings/debian-archive-keyring.gpg (package debian-archive-keyring).
# Existing non-empty files are kept (delete them to refresh).
# Usage: fetch-bookworm-inrelease.sh OUTDIR
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
fetch() {
  local url=$1 dest=$out/$2
  if [[ ! -s $dest ]]; then
    curl -fsSL --retry 3 --max-time 120 -o "$dest.part" "$url"
    mv "$dest.part" "$dest"
  fi
}
fetch https://deb.debian.org/debian/dists/bookworm/InRelease bookworm.InRelease
fetch https://deb.debian.org/debian/dists/bookworm-updates/InRelease bookworm-updates.InRelease
fetch https://deb.debian.org/debian-security/dists/bookworm-security/InRelease bookworm-security.InRelease
