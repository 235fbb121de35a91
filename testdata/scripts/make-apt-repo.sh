#!/usr/bin/env bash
# A signed apt repository built by apt-ftparchive and gpg.
# Usage: make-apt-repo.sh OUTDIR GNUPGHOME KEYID DEB...
#   OUTDIR/pool/main/*.deb                          the packages (copied)
#   OUTDIR/dists/bookworm-vdisk/main/binary-amd64/Packages{,.gz,.xz}   (every given .deb,
#                                                   amd64 and all, as Debian's binary-amd64 does)
#   OUTDIR/dists/bookworm-vdisk/main/binary-all/Packages{,.gz,.xz}     (only Architecture: all)
#   OUTDIR/dists/bookworm-vdisk/{Release,Release.gpg,InRelease}  signed by KEYID
#                                                   (gpg --clearsign and --detach-sign)
# KEYID is passed to gpg --local-user as given (append '!' to force a particular subkey).
# Optional environment:
#   SUITE         suite/codename (default bookworm-vdisk)
#   VALID_UNTIL   a Valid-Until value (RFC 2822 date, e.g. "Sat, 01 Jan 2000 00:00:00 UTC")
#   RELEASE_DATE  the Date value (default: now)
#   SIGN_TIME     sign with gpg --faked-system-time SIGN_TIME (e.g. 20200101T120000)
#   FLAT=1        a flat repository instead: OUTDIR/*.deb, OUTDIR/Packages{,.gz,.xz} and
#                 OUTDIR/{Release,Release.gpg,InRelease} (sources.list: deb file:OUTDIR ./)
set -euo pipefail
out=${1:?usage: $0 OUTDIR GNUPGHOME KEYID DEB...}
gnupghome=${2:?usage: $0 OUTDIR GNUPGHOME KEYID DEB...}
keyid=${3:?usage: $0 OUTDIR GNUPGHOME KEYID DEB...}
shift 3
suite=${SUITE:-bookworm-vdisk}
if [[ -n ${FLAT:-} ]]; then
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  for deb in "$@"; do cp "$deb" "$out/"; done
  cd "$out"
  apt-ftparchive packages . >Packages
  gzip -9cn Packages >Packages.gz
  xz -9c Packages >Packages.xz
  rm -f Release InRelease Release.gpg
  apt-ftparchive -o "APT::FTPArchive::Release::Origin=vdisk" release . >"$out/Release.tmp"
  mv "$out/Release.tmp" Release
  trap 'gpgconf --homedir "$gnupghome" --kill gpg-agent 2>/dev/null || true' EXIT
  g=(gpg --homedir "$gnupghome" --batch --yes --no-tty --quiet --pinentry-mode loopback
    --passphrase '' --local-user "$keyid")
  "${g[@]}" --clearsign --output InRelease Release
  "${g[@]}" --detach-sign --output Release.gpg Release
  exit 0
fi
mkdir -p "$out/pool/main" "$out/dists/$suite/main/binary-amd64" "$out/dists/$suite/main/binary-all"
out=$(cd "$out" && pwd)
for deb in "$@"; do cp "$deb" "$out/pool/main/"; done
cd "$out"
apt-ftparchive packages pool/main >"dists/$suite/main/binary-amd64/Packages"
awk 'BEGIN{RS=""; ORS="\n\n"} /\nArchitecture: all\n/' "dists/$suite/main/binary-amd64/Packages" \
  >"dists/$suite/main/binary-all/Packages"
for arch in amd64 all; do
  p=dists/$suite/main/binary-$arch/Packages
  gzip -9cn "$p" >"$p.gz"
  xz -9c "$p" >"$p.xz"
done
opts=(-o "APT::FTPArchive::Release::Origin=vdisk" -o "APT::FTPArchive::Release::Label=vdisk"
  -o "APT::FTPArchive::Release::Suite=$suite" -o "APT::FTPArchive::Release::Codename=$suite"
  -o "APT::FTPArchive::Release::Architectures=amd64 all"
  -o "APT::FTPArchive::Release::Components=main")
[[ -n ${RELEASE_DATE:-} ]] && opts+=(-o "APT::FTPArchive::Release::Date=$RELEASE_DATE")
rm -f "dists/$suite/Release" "dists/$suite/InRelease" "dists/$suite/Release.gpg"
apt-ftparchive "${opts[@]}" release "dists/$suite" >"$out/Release.tmp"
if [[ -n ${VALID_UNTIL:-} ]]; then
  # apt-ftparchive writes Valid-Until only as Date + APT::FTPArchive::Release::ValidTime;
  # an absolute value goes in after the Date line
  awk -v vu="$VALID_UNTIL" '{print} /^Date: / && !done {print "Valid-Until: " vu; done=1}' \
    "$out/Release.tmp" >"dists/$suite/Release"
  rm "$out/Release.tmp"
else
  mv "$out/Release.tmp" "dists/$suite/Release"
fi
# stop the gpg-agent signing starts, so no daemon outlives this script
trap 'gpgconf --homedir "$gnupghome" --kill gpg-agent 2>/dev/null || true' EXIT
gpgopts=(--homedir "$gnupghome" --batch --yes --no-tty --quiet --pinentry-mode loopback
  --passphrase '' --local-user "$keyid")
[[ -n ${SIGN_TIME:-} ]] && gpgopts+=(--faked-system-time "$SIGN_TIME")
gpg "${gpgopts[@]}" --clearsign --output "dists/$suite/InRelease" "dists/$suite/Release"
gpg "${gpgopts[@]}" --detach-sign --output "dists/$suite/Release.gpg" "dists/$suite/Release"
