#!/usr/bin/env bash
# Writes the base hives of package-apply's WindowsInspectorFuzzTest: the SOFTWARE and SYSTEM
# hives of make-windows-ntfs.sh (hivexregedit --merge), gzipped, into OUTDIR (normally
# package-apply/src/test/resources/dev/vdisk/inspect/internal/windows). Usage:
# make-windows-fuzz-seeds.sh OUTDIR. Needs what make-windows-ntfs.sh needs.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$here/make-windows-ntfs.sh" "$tmp"
mkdir -p "$out"
gzip -n -9 -c "$tmp/SOFTWARE" > "$out/fuzz-SOFTWARE.gz"
gzip -n -9 -c "$tmp/SYSTEM" > "$out/fuzz-SYSTEM.gz"
mkdir -p "$out/WindowsInspectorFuzzTestInputs/hives"
printf '' > "$out/WindowsInspectorFuzzTestInputs/hives/nopatch"
# three seeded patch lists: cells of SOFTWARE (checksum fixed), cells of SYSTEM (checksum fixed),
# the base blocks of both
python3 - "$out/WindowsInspectorFuzzTestInputs/hives" <<'PY'
import os, random, struct, sys
r = random.Random(9)
for name, mode in (('software-cells', 5), ('system-cells', 6), ('both-base-block', 3)):
    b = bytes([mode])
    for i in range(6):
        off = r.randrange(0, 4096) if mode == 3 else 4096 + r.randrange(0, 8192)
        data = bytes(r.randrange(256) for _ in range(r.randrange(1, 9)))
        b += struct.pack('<IB', off, len(data)) + data
    open(os.path.join(sys.argv[1], name), 'wb').write(b)
PY
