#!/usr/bin/env bash
# Makes the seed corpus of vdisk-codecs's CodecsFuzzTest:
#   xpressHuffman/, lzx/  4-byte LE uncompressed size + a chunk wimlib compressed
#                         (make-wim-codec-vectors.sh, synthetic inputs)
#   wofReader/            algorithm code byte + 4-byte LE uncompressed size + a WofCompressedData
#                         stream laid out from those chunks (incompressible chunks stored raw)
#   lznt1/                4-byte LE unit size + a compression unit ntfs-3g wrote (-o compression),
#                         cut out of the volume at the clusters sleuthkit's istat lists
# Needs gcc, libwim-dev, ntfs-3g, sleuthkit, attr and root (the ntfs-3g mount).
# Usage: make-codecs-fuzz-seeds.sh RESOURCE_DIR (e.g. vdisk-codecs/src/test/resources/dev/vdisk/codec)
set -euo pipefail
out=${1:?usage: $0 RESOURCE_DIR}
seeds="$out/CodecsFuzzTestInputs"
rm -rf "$seeds"
mkdir -p "$seeds"/{xpressHuffman,lzx,wofReader,lznt1}
tmp=$(mktemp -d)
trap 'umount "$tmp/mnt" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8
here=$(cd "$(dirname "$0")" && pwd)

sh "$here/make-wim-codec-vectors.sh" "$tmp/vec"

# an NTFS volume with compressed files
truncate -s 32M "$tmp/ntfs.img"
mkntfs -F -f -Q -c 1024 "$tmp/ntfs.img" >/dev/null
mkdir "$tmp/mnt"
ntfs-3g -o compression "$tmp/ntfs.img" "$tmp/mnt"
mkdir "$tmp/mnt/c"
setfattr -n system.ntfs_attrib_be -v 0x00000810 "$tmp/mnt/c"
head -c 40000 "$tmp/vec/xpress-4096.vec" > "$tmp/mnt/c/vec.bin"
python3 -c "import sys; sys.stdout.write(('LZNT1 compresses NTFS files in units of sixteen clusters %d\\n' * 400) % tuple(range(400)))" > "$tmp/mnt/c/text.txt"
inodes="$(stat -c %i "$tmp/mnt/c/vec.bin") $(stat -c %i "$tmp/mnt/c/text.txt")"
umount "$tmp/mnt"
for i in $inodes; do istat "$tmp/ntfs.img" "$i" > "$tmp/istat-$i.txt"; done

python3 - "$tmp" "$seeds" $inodes <<'EOF'
import struct, sys, os
tmp, seeds, inodes = sys.argv[1], sys.argv[2], sys.argv[3:]

def records(path):
    data = open(path, 'rb').read()
    assert data[:4] == b'VDCV'
    pos, out = 12, []
    while pos < len(data):
        ulen, clen, level = struct.unpack_from('<III', data, pos)
        pos += 12
        raw = data[pos:pos + ulen]; pos += ulen
        comp = data[pos:pos + clen]; pos += clen
        out.append((raw, comp))
    return out

def write(target, name, blob):
    with open(os.path.join(seeds, target, name), 'wb') as f:
        f.write(blob)

for vec, target in [('xpress-4096', 'xpressHuffman'), ('xpress-65536', 'xpressHuffman'),
                    ('lzx-32768', 'lzx'), ('lzx-65536', 'lzx')]:
    n = 0
    for i, (raw, comp) in enumerate(records(f'{tmp}/vec/{vec}.vec')):
        if comp and len(comp) <= 6000 and n < 4:
            write(target, f'{vec}-{i}', struct.pack('<I', len(raw)) + comp)
            n += 1

for vec, code, chunk in [('xpress-4096', 0, 4096), ('lzx-32768', 1, 32768)]:
    recs = [r for r in records(f'{tmp}/vec/{vec}.vec') if len(r[0]) == chunk][:3]
    tail = next(r for r in records(f'{tmp}/vec/{vec}.vec') if 1000 < len(r[0]) < chunk)
    recs.append(tail)
    data, ends, size = b'', [], 0
    for raw, comp in recs:
        data += comp if comp and len(comp) < len(raw) else raw
        ends.append(len(data)); size += len(raw)
    table = b''.join(struct.pack('<I', e) for e in ends[:-1])
    write('wofReader', vec, bytes([code]) + struct.pack('<I', size) + table + data)

img = open(f'{tmp}/ntfs.img', 'rb')
n = 0
for inode in inodes:
    clusters, in_data = [], False
    for line in open(f'{tmp}/istat-{inode}.txt'):
        if line.startswith('Type: '):
            in_data = line.startswith('Type: $DATA') and 'Name: N/A' in line
            continue
        if in_data and line.strip():
            clusters += [int(x) for x in line.split()]
        elif in_data:
            in_data = False
    for u in range(0, len(clusters), 16):
        real = [c for c in clusters[u:u + 16] if c]
        if not real or len(real) == 16:
            continue
        blob = b''
        for c in real:
            img.seek(c * 1024); blob += img.read(1024)
        write('lznt1', f'ntfs3g-{inode}-unit{u // 16}', struct.pack('<I', 16384) + blob)
        n += 1
assert n >= 2, 'no compressed units found'
EOF
ls -l "$seeds"/*
