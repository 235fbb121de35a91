#!/usr/bin/env bash
# OpenPGP test keys for the trust tests, made by gpg (no passphrases).
# Usage: make-test-keys.sh OUTDIR
# Writes:
#   OUTDIR/home/          GNUPGHOME holding every secret key (sign with it: gpg --homedir OUTDIR/home)
#   OUTDIR/NAME.gpg       NAME's public key, binary;  OUTDIR/NAME.asc  the same, ASCII-armored
#   OUTDIR/NAME.fpr       NAME's primary fingerprint; OUTDIR/NAME.sigfpr the key that signs
#                         (a subkey for `good`); OUTDIR/keys.env  NAME_FPR=... lines
# Keys:
#   good     ed25519 certify-only primary + ed25519 signing subkey, no expiry
#   other    ed25519 signing key, no expiry (not trusted by the tests)
#   expired  created 2020-01-01, expires 1 day later (signatures with
#            --faked-system-time 20200101T120000 were made while it was valid)
#   lapsed   created 2020-01-01 without expiry in OUTDIR/home; its exported public key
#            (lapsed.gpg/.asc) carries a later self-signature giving it a 1-day expiry,
#            so a signature made in home at 2020-01-03 is by a key expired at signing time
#   revoked  signs normally in OUTDIR/home; its exported public key (revoked.gpg/.asc)
#            carries the revocation certificate gpg wrote when generating it
#   subrevoked  certify-only primary + signing subkey; signs normally in OUTDIR/home; its
#            exported public key carries a revocation of the signing subkey (gpg --edit-key
#            revkey), the primary stays valid
#   all.gpg  good + other + expired + lapsed + revoked + subrevoked public keys (binary)
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
home=$out/home
rm -rf "$home" "$out/aux"
mkdir -m 700 "$home" "$out/aux"
# stop the gpg-agents this script starts, so no daemon outlives it
trap 'gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
      gpgconf --homedir "$out/aux" --kill gpg-agent 2>/dev/null || true' EXIT
g() { gpg --homedir "$home" --batch --yes --no-tty --quiet --pinentry-mode loopback --passphrase '' "$@"; }
fpr_of() { g --with-colons --list-keys "$1" | awk -F: '$1=="fpr"{print $10; exit}'; }

g --quick-gen-key 'vdisk good <good@vdisk.test>' ed25519 cert never
good=$(fpr_of good@vdisk.test)
g --quick-add-key "$good" ed25519 sign never
goodsub=$(g --with-colons --list-keys "$good" | awk -F: '$1=="sub"{s=1} s&&$1=="fpr"{print $10; exit}')

g --quick-gen-key 'vdisk other <other@vdisk.test>' ed25519 sign never
other=$(fpr_of other@vdisk.test)

g --faked-system-time 20200101T000000 --quick-gen-key 'vdisk expired <expired@vdisk.test>' \
  ed25519 sign 1d
expired=$(fpr_of expired@vdisk.test)

g --faked-system-time 20200101T000000 --quick-gen-key 'vdisk lapsed <lapsed@vdisk.test>' \
  ed25519 sign never
lapsed=$(fpr_of lapsed@vdisk.test)

g --quick-gen-key 'vdisk revoked <revoked@vdisk.test>' ed25519 sign never
revoked=$(fpr_of revoked@vdisk.test)

g --quick-gen-key 'vdisk subrevoked <subrevoked@vdisk.test>' ed25519 cert never
subrevoked=$(fpr_of subrevoked@vdisk.test)
g --quick-add-key "$subrevoked" ed25519 sign never
subrevokedsub=$(g --with-colons --list-keys "$subrevoked" | awk -F: '$1=="sub"{s=1} s&&$1=="fpr"{print $10; exit}')

for name in good other expired; do
  fpr=${!name}
  g --export "$fpr" >"$out/$name.gpg"
  g --armor --export "$fpr" >"$out/$name.asc"
done

# lapsed: a second home gets the secret key and a newer self-signature with a 1-day expiry
aux=$out/aux
ga() { gpg --homedir "$aux" --batch --yes --no-tty --quiet --pinentry-mode loopback --passphrase '' "$@"; }
g --export-secret-keys "$lapsed" | ga --import
ga --faked-system-time 20200101T010000 --quick-set-expire "$lapsed" 1d
ga --export "$lapsed" >"$out/lapsed.gpg"
ga --armor --export "$lapsed" >"$out/lapsed.asc"
gpgconf --homedir "$aux" --kill gpg-agent 2>/dev/null || true
rm -rf "$aux"; mkdir -m 700 "$aux"

# revoked: the public key plus gpg's own revocation certificate, imported in a scratch home
g --export "$revoked" | ga --import
sed 's/^:-----/-----/' "$home/openpgp-revocs.d/$revoked.rev" | ga --import
ga --export "$revoked" >"$out/revoked.gpg"
ga --armor --export "$revoked" >"$out/revoked.asc"
gpgconf --homedir "$aux" --kill gpg-agent 2>/dev/null || true
rm -rf "$aux"

# subrevoked: the secret key in a scratch home, its signing subkey revoked there
mkdir -m 700 "$aux"
g --export-secret-keys "$subrevoked" | ga --import
printf 'key 1\nrevkey\ny\n0\n\ny\nsave\n' | gpg --homedir "$aux" --batch --yes --no-tty \
  --pinentry-mode loopback --passphrase '' --command-fd 0 --edit-key "$subrevoked" >/dev/null 2>&1
ga --export "$subrevoked" >"$out/subrevoked.gpg"
ga --armor --export "$subrevoked" >"$out/subrevoked.asc"
gpgconf --homedir "$aux" --kill gpg-agent 2>/dev/null || true
rm -rf "$aux"

cat "$out"/{good,other,expired,lapsed,revoked,subrevoked}.gpg >"$out/all.gpg"
: >"$out/keys.env"
for name in good other expired lapsed revoked subrevoked; do
  echo "${!name}" >"$out/$name.fpr"
  echo "${!name}" >"$out/$name.sigfpr"
  echo "${name^^}_FPR=${!name}" >>"$out/keys.env"
done
echo "$goodsub" >"$out/good.sigfpr"
echo "$subrevokedsub" >"$out/subrevoked.sigfpr"
echo "GOOD_SUBKEY_FPR=$goodsub" >>"$out/keys.env"
