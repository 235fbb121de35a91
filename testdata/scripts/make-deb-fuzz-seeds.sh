#!/usr/bin/env bash
# Seeds for package-apply's DebFuzzTest, cut from the real bookworm index (fetched and verified
# by fetch-bookworm-packages.sh) and written with printf:
#   version/   "A\nB": two Version fields of the index (an epoch, a tilde, a long one) and edge cases
#   relation/  Depends/Pre-Depends/Provides/Breaks fields of the index and syntax edge cases
# Usage: make-deb-fuzz-seeds.sh OUT_DIR   (OUT_DIR = .../DebFuzzTestInputs)
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
index=$("$here/fetch-bookworm-packages.sh")/bookworm.Packages
mkdir -p "$out/version" "$out/relation"
field() { # NAME PATTERN: the first value of field NAME matching PATTERN
  awk -v f="$1:" -v p="$2" '$1 == f { v = substr($0, length(f) + 2); if (v ~ p) { print v; exit } }' "$index"
}
printf '%s\n%s' "$(field Version ':')" "$(field Version '~')" >"$out/version/epoch-tilde"
printf '%s\n%s' "$(field Version '\\+deb12u')" "$(field Version '[0-9]{8}')" >"$out/version/security-date"
printf '%s\n%s' '1.0' '1.00' >"$out/version/equal-zeros"
printf '%s\n%s' '1.123456789012345678901' '1.123456789012345678902' >"$out/version/long-digits"
printf '%s\n%s' ' 0:1.0-0 ' '1:' >"$out/version/blanks-bad"
printf '%s' "$(field Depends '\\|')" >"$out/relation/depends-alternatives"
printf '%s' "$(field Pre-Depends '.')" >"$out/relation/pre-depends"
printf '%s' "$(field Provides '=')" >"$out/relation/versioned-provides"
printf '%s' "$(field Depends ':any')" >"$out/relation/any-qualifier"
printf '%s' "$(field Breaks '<<')" >"$out/relation/breaks"
printf '%s' 'a (<1), b (>2) [amd64 !i386] <!nocheck> <stage1 cross>, c:native (=1:2-3)' \
  >"$out/relation/obsolete-ops-arch-profiles"
printf '%s' 'a (<> 1), b |, (c)' >"$out/relation/malformed"
