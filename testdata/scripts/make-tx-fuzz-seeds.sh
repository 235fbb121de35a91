#!/usr/bin/env bash
# Seeds for vdisk-core's RedoRecordFuzzTest: a few inputs for each of its methods.
#   rawBytes:          an empty file, a header-sized file of "VDREDO01" and zeros, random bytes
#   wellFormedRecords: entry specifications (count byte, then per entry a 4-byte offset,
#                      a 2-byte length and data), from urandom and hand-made in/out of bounds
# Usage: make-tx-fuzz-seeds.sh [OUTDIR]  (default: the test's resources directory)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../vdisk-core/src/test/resources/dev/vdisk/core/tx/RedoRecordFuzzTestInputs}
mkdir -p "$out/rawBytes" "$out/wellFormedRecords"
: >"$out/rawBytes/empty"
{ printf 'VDREDO01'; head -c 40 /dev/zero; } >"$out/rawBytes/header-only"
head -c 200 /dev/urandom >"$out/rawBytes/random"
# one entry at offset 1024+16 (inside), 8 bytes
printf '\x01\x10\x04\x00\x00\x08\x00ABCDEFGH' >"$out/wellFormedRecords/one-inside"
# two entries, the second past the end of the 64 KiB device
printf '\x02\x00\x04\x00\x00\x04\x00abcd\x00\x04\x01\x00\x10\x00ponmlkjihgfedcba' \
  >"$out/wellFormedRecords/one-outside"
head -c 300 /dev/urandom >"$out/wellFormedRecords/random"
