#!/usr/bin/env bash
# Seeds for package-apply's TrustParsersFuzzTest, made by the trust fixture scripts (gpg,
# apt-ftparchive, dpkg-deb) and cut with head/printf:
#   clearsigned/  the test repository's InRelease (signed by the good key's subkey), its head,
#                 a dash-escaped message signed by gpg --clearsign
#   release/      the test repository's Release, a Release with Valid-Until
#   packages/     the binary-amd64 Packages index (empty-package-name, a Jazzer finding, is
#                 kept beside it as a regression input)
#   keyring/      good.gpg (binary, with subkey), revoked.asc (armored, with revocation), lapsed.gpg
#   signature/    Release.gpg (binary detached), an armored detached signature
# Usage: make-trust-fuzz-seeds.sh OUT_DIR   (OUT_DIR = .../TrustParsersFuzzTestInputs)
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/make-test-keys.sh" "$work/keys" 2>/dev/null
"$here/make-test-debs.sh" "$work/debs"
"$here/make-apt-repo.sh" "$work/repo" "$work/keys/home" "$(cat "$work/keys/good.fpr")" "$work"/debs/*.deb
VALID_UNTIL="Sat, 01 Jan 2000 00:00:00 UTC" \
  "$here/make-apt-repo.sh" "$work/repo2" "$work/keys/home" "$(cat "$work/keys/good.fpr")" "$work"/debs/*.deb
mkdir -p "$out/clearsigned" "$out/release" "$out/packages" "$out/keyring" "$out/signature"
suite=$work/repo/dists/bookworm-vdisk
cp "$suite/InRelease" "$out/clearsigned/inrelease"
head -c 200 "$suite/InRelease" >"$out/clearsigned/head"
printf 'Package: x\n-dash line\n--- more\ntrailing   \n' >"$work/dashes"
gpg --homedir "$work/keys/home" --batch --yes --quiet -u "$(cat "$work/keys/good.fpr")" \
  --clearsign --output "$out/clearsigned/dash-escaped" "$work/dashes"
cp "$suite/Release" "$out/release/release"
cp "$work/repo2/dists/bookworm-vdisk/Release" "$out/release/valid-until"
cp "$suite/main/binary-amd64/Packages" "$out/packages/amd64"
cp "$work/keys/good.gpg" "$out/keyring/good.gpg"
cp "$work/keys/revoked.asc" "$out/keyring/revoked.asc"
cp "$work/keys/lapsed.gpg" "$out/keyring/lapsed.gpg"
cp "$suite/Release.gpg" "$out/signature/release.gpg"
gpg --homedir "$work/keys/home" --batch --yes --quiet -u "$(cat "$work/keys/good.fpr")" \
  --armor --detach-sign --output "$out/signature/armored.asc" "$work/dashes"
gpgconf --homedir "$work/keys/home" --kill gpg-agent 2>/dev/null || true
