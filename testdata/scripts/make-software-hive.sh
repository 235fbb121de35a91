#!/bin/sh
# Builds a SOFTWARE-sized hive (about 50 MiB, 62 000 keys, 360 000 values) with
# hivexregedit --merge into OUTDIR/software.hive, for benchmarks. The content is seeded random:
# vendor/product/component keys holding strings, DWORDs, binary and multi-string values, the
# shape of a real SOFTWARE hive's Classes and vendor trees. Usage: make-software-hive.sh OUTDIR
# [VENDORS] (60 vendors by default; each adds about 0.8 MiB).
set -eu
OUT=${1:?usage: make-software-hive.sh OUTDIR [VENDORS]}
VENDORS=${2:-60}
HERE=$(dirname "$0")
mkdir -p "$OUT"
if [ ! -f "$OUT/empty.hive" ]; then
  sh "$HERE/make-hives.sh" "$OUT" >/dev/null
fi
python3 - "$OUT/software.reg" "$VENDORS" <<'PY'
import random, sys
r = random.Random(7)
vendors = int(sys.argv[2])
def hexs(b): return ','.join('%02x' % x for x in b)
with open(sys.argv[1], 'w', encoding='utf-8') as out:
    out.write('Windows Registry Editor Version 5.00\n\n')
    for a in range(vendors):
        out.write('[\\Vendor%03d]\n\n' % a)
        for b in range(25):
            out.write('[\\Vendor%03d\\Product%02d]\n"Version"="1.%d"\n"InstallPath"="C:\\\\Program Files\\\\Vendor%03d"\n\n' % (a, b, b, a))
            for c in range(40):
                out.write('[\\Vendor%03d\\Product%02d\\Component %03d]\n' % (a, b, c))
                for v in range(6):
                    t = r.choice(['sz', 'dword', 'bin', 'multi'])
                    if t == 'sz':
                        out.write('"Val%d"="%s"\n' % (v, 'x' * r.randint(5, 80)))
                    elif t == 'dword':
                        out.write('"Val%d"=dword:%08x\n' % (v, r.getrandbits(32)))
                    elif t == 'bin':
                        out.write('"Val%d"=hex:%s\n' % (v, hexs(r.randbytes(r.randint(1, 200)))))
                    else:
                        s = 'a' * r.randint(1, 30) + '\0b\0\0'
                        out.write('"Val%d"=hex(7):%s\n' % (v, hexs(s.encode('utf-16le'))))
                out.write('\n')
PY
cp "$OUT/empty.hive" "$OUT/software.hive.tmp"
hivexregedit --merge "$OUT/software.hive.tmp" "$OUT/software.reg"
mv "$OUT/software.hive.tmp" "$OUT/software.hive"
