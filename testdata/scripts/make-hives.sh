#!/bin/sh
# Builds regf test hives with hivexregedit --merge into OUTDIR.
# hivex cannot create an empty hive, so the starting point is a minimal hive written here:
# a base block, one 4 KiB hive bin holding the root key node, one security cell and a free cell.
set -eu
OUT=${1:?usage: make-hives.sh OUTDIR}
mkdir -p "$OUT"
python3 - "$OUT/empty.hive" <<'PY'
import struct, sys
hb = bytearray(4096)
hb[0:4] = b'hbin'; struct.pack_into('<III', hb, 4, 0, 4096, 0)
name = b'ROOT'
nk = bytearray(4 + 76 + len(name)); nk_size = (len(nk) + 7) & ~7; nk += bytes(nk_size - len(nk))
sk_off = 0x20 + nk_size
struct.pack_into('<i', nk, 0, -nk_size)
nk[4:6] = b'nk'
struct.pack_into('<H', nk, 6, 0x2c)
struct.pack_into('<Q', nk, 8, 0x01d0000000000000)
struct.pack_into('<IIIIIIIIII', nk, 20, 0xffffffff, 0, 0, 0xffffffff, 0xffffffff, 0, 0xffffffff, sk_off, 0xffffffff, 0)
struct.pack_into('<HH', nk, 76, len(name), 0); nk[80:80+len(name)] = name
sd = struct.pack('<BBHIIII', 1, 0, 0x8000, 0, 0, 0, 0)
sk = bytearray(4 + 20 + len(sd)); sk_size = (len(sk) + 7) & ~7; sk += bytes(sk_size - len(sk))
struct.pack_into('<i', sk, 0, -sk_size); sk[4:6] = b'sk'
struct.pack_into('<IIII', sk, 8, sk_off, sk_off, 1, len(sd)); sk[24:24+len(sd)] = sd
hb[0x20:0x20+nk_size] = nk; hb[sk_off:sk_off+sk_size] = sk
free_off = sk_off + sk_size
struct.pack_into('<i', hb, free_off, 4096 - free_off)
bb = bytearray(4096)
bb[0:4] = b'regf'
struct.pack_into('<IIQIIIIIII', bb, 4, 1, 1, 0x01d0000000000000, 1, 3, 0, 1, 0x20, 4096, 1)
ck = 0
for i in range(0, 508, 4): ck ^= struct.unpack_from('<I', bb, i)[0]
struct.pack_into('<I', bb, 508, ck)
open(sys.argv[1], 'wb').write(bb + hb)
PY

# Every value type, default values, escaping, compressed (ASCII) and UTF-16 (Japanese) names.
cat > "$OUT/types.reg" <<'REG'
Windows Registry Editor Version 5.00

[\Types]
@="default value"
"sz"="hello \"quoted\" back\\slash"
"expand"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,00,00
"binary"=hex:00,01,02,ff,fe
"dword"=dword:12345678
"dwordbe"=hex(5):12,34,56,78
"link"=hex(6):5c,00,52,00,00,00
"multi"=hex(7):61,00,00,00,62,00,63,00,00,00,00,00
"none"=hex(0):
"reslist"=hex(8):01,02
"fullres"=hex(9):03,04
"reqlist"=hex(a):05,06
"qword"=hex(b):01,02,03,04,05,06,07,08
"odd"=hex(4):01,02
"unknown"=hex(1234abcd):09,08
"empty"=""
"quo\"te"="x"
"back\\slash"="y"

[\Types\Sub key]
"a"=dword:00000001

[\日本語キー]
"値の名前"="日本語の値"
"ASCII"="plain"

[\日本語キー\子キー]
@=hex(3):

[\Compressed]

[\Compressed\Deep]

[\Compressed\Deep\Er]
"Name"="value"
REG

python3 - "$OUT/big.reg" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('Windows Registry Editor Version 5.00\n\n[\\Big]\n')
    for name, n in (('b100k', 100 * 1024), ('b16344', 16344), ('b16345', 16345), ('b40000', 40000)):
        f.write('"%s"=hex:%s\n' % (name, ','.join('%02x' % (i * 7 % 251) for i in range(n))))
    f.write('\n')
PY

python3 - "$OUT/many.reg" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('Windows Registry Editor Version 5.00\n\n[\\Many]\n\n')
    for i in range(5000):
        f.write('[\\Many\\key%05d]\n"v"=dword:%08x\n\n' % (i, i))
PY

# Without PERL_UNICODE=SDA hivexregedit reads the .reg as bytes and stores non-ASCII string
# data as its UTF-8 bytes widened to UTF-16 (key and value names come out right either way).
export PERL_UNICODE=SDA LC_ALL=C.UTF-8
cp "$OUT/empty.hive" "$OUT/types.hive"
hivexregedit --merge "$OUT/types.hive" "$OUT/types.reg"
cp "$OUT/empty.hive" "$OUT/big.hive"
hivexregedit --merge "$OUT/big.hive" "$OUT/big.reg"
cp "$OUT/empty.hive" "$OUT/many.hive"
hivexregedit --merge "$OUT/many.hive" "$OUT/many.reg"
