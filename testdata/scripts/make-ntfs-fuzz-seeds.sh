#!/usr/bin/env bash
# Makes the seed corpus of fs-ntfs's NtfsFuzzTest from a volume that mkntfs makes and ntfs-3g fills:
#   bootSector/  512-byte boot sectors (4 KiB, 512 B and 64 KiB clusters)
#   mftRecord/   MFT entries as on disk (fixups not applied): $MFT, root, $Bitmap, a resident file,
#                a sparse file, a file grown by appends, a directory with an index allocation
#   dataRuns/    lastVcn (8 bytes LE) + cluster count (8 bytes LE) + a runlist, taken from those,
#                and one hand-made runlist (relative negative LCN, sparse run, 3-byte fields)
#   indexRecord/ INDX records of a directory's $INDEX_ALLOCATION as on disk (4 KiB)
#   volume/      patches (offset u32 LE, length u8, bytes) for the small volume fuzz-volume.ntfs.gz
#                (mkntfs, 2 MiB, 512-byte clusters, filled by ntfs-3g): none, and patches over
#                its boot sector, MFT entries and index records
# Needs root (the ntfs-3g mount). Usage: make-ntfs-fuzz-seeds.sh RESOURCE_DIR
#   (e.g. fs-ntfs/src/test/resources/dev/vdisk/ntfs)
set -euo pipefail
[[ -n ${TRACE:-} ]] && set -x
out=${1:?usage: $0 RESOURCE_DIR}
seeds="$out/NtfsFuzzTestInputs"
rm -rf "$seeds"
mkdir -p "$seeds"/{bootSector,mftRecord,dataRuns,indexRecord,volume}
tmp=$(mktemp -d)
trap 'umount "$tmp/mnt" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8

for c in 512 4096 65536; do
  truncate -s 64M "$tmp/b$c.img"
  mkntfs -F -Q -c "$c" "$tmp/b$c.img" >/dev/null
  head -c 512 "$tmp/b$c.img" > "$seeds/bootSector/clusters-$c"
done

img="$tmp/b4096.img"
mkdir "$tmp/mnt"
ntfs-3g "$img" "$tmp/mnt"
printf 'hello ntfs\n' > "$tmp/mnt/small.txt"
mkdir "$tmp/mnt/dir"
for i in $(seq 1 60); do printf 'entry %d\n' "$i" > "$tmp/mnt/dir/file-with-a-long-name-$i.txt"; done
printf 'middle' | dd of="$tmp/mnt/sparse.bin" bs=1 seek=5000000 conv=notrunc status=none
truncate -s 40000000 "$tmp/mnt/sparse.bin"
for i in $(seq 1 60); do
  head -c 4096 /dev/urandom >> "$tmp/mnt/frag-a.bin"
  head -c 4096 /dev/urandom >> "$tmp/mnt/frag-b.bin"
  sync "$tmp/mnt/frag-a.bin"
done
declare -A inode
for f in small.txt dir sparse.bin frag-a.bin; do inode[$f]=$(stat -c %i "$tmp/mnt/$f"); done
umount "$tmp/mnt"

ntfscat -i 0 "$img" > "$tmp/mft"
record() { dd if="$tmp/mft" bs=1024 skip="$1" count=1 status=none > "$seeds/mftRecord/$2"; }
record 0 mft
record 5 root
record 6 bitmap
record "${inode[small.txt]}" resident-file
record "${inode[dir]}" directory
record "${inode[sparse.bin]}" sparse-file
record "${inode[frag-a.bin]}" appended-file

clusters=$(ntfsinfo -m "$img" | sed -n 's/.*Volume Size in Clusters: //p')
python3 - "$seeds" "$clusters" <<'PY'
import os, struct, sys
seeds, clusters = sys.argv[1], int(sys.argv[2])
for name in sorted(os.listdir(f"{seeds}/mftRecord")):
    rec = bytearray(open(f"{seeds}/mftRecord/{name}", "rb").read())
    usa, count = struct.unpack_from("<HH", rec, 4)
    for i in range(1, count):
        rec[i * 512 - 2:i * 512] = rec[usa + 2 * i:usa + 2 * i + 2]
    pos = struct.unpack_from("<H", rec, 0x14)[0]
    n = 0
    while pos + 8 <= len(rec):
        atype, length = struct.unpack_from("<II", rec, pos)
        if atype == 0xFFFFFFFF or length < 16:
            break
        if rec[pos + 8] == 1:
            last_vcn = struct.unpack_from("<q", rec, pos + 0x18)[0]
            runs_at = struct.unpack_from("<H", rec, pos + 0x20)[0]
            runs = rec[pos + runs_at:pos + length]
            with open(f"{seeds}/dataRuns/{name}-{n}", "wb") as f:
                f.write(struct.pack("<qq", last_vcn, clusters) + runs)
            n += 1
        pos += length
PY
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<qq", 318, 1 << 20)
    + bytes.fromhex("21100001" "0120" "311000ffff" "32ff0000000100" "00"))' \
  > "$seeds/dataRuns/hand-made"
# INDX records: the $INDEX_ALLOCATION of the 60-entry directory, in index-record-size pieces.
icat "$img" "${inode[dir]}-160" > "$tmp/indx" 2>/dev/null || ntfscat -i "${inode[dir]}" -a INDEX_ALLOCATION -n '$I30' "$img" > "$tmp/indx"
n=0
while [[ $(( (n + 1) * 4096 )) -le $(stat -c %s "$tmp/indx") ]]; do
  dd if="$tmp/indx" bs=4096 skip="$n" count=1 status=none > "$seeds/indexRecord/indx-$n"
  n=$((n + 1))
done

# The small volume the `volume` target patches.
vol="$tmp/fuzz.img"
truncate -s 2M "$vol"
mkntfs -F -f -Q -c 512 -L fuzz "$vol" >/dev/null
ntfs-3g -o streams_interface=windows "$vol" "$tmp/mnt"
printf 'hello\n' > "$tmp/mnt/small.txt"
printf 'stream' > "$tmp/mnt/small.txt:ads"
mkdir "$tmp/mnt/d"
for i in $(seq 1 40); do printf '%d\n' "$i" > "$tmp/mnt/d/entry-with-a-longer-name-$i"; done
head -c 20000 /dev/urandom > "$tmp/mnt/d/big.bin"
truncate -s 300000 "$tmp/mnt/sparse"
ln -s d/big.bin "$tmp/mnt/link"
umount "$tmp/mnt"
gzip -9 -n -c "$vol" > "$out/fuzz-volume.ntfs.gz"
python3 - "$vol" "$seeds/volume" <<'PY'
import struct, sys
vol, out = sys.argv[1], sys.argv[2]
img = open(vol, "rb").read()
spc = img[13]
mft = struct.unpack_from("<q", img, 0x30)[0] * 512 * spc
def patch(name, *edits):
    with open(f"{out}/{name}", "wb") as f:
        for off, data in edits:
            f.write(struct.pack("<IB", off, len(data)) + data)
patch("none")
patch("boot-mft-cluster", (0x30, b"\xff\xff\x00\x00"))
patch("root-entry", (mft + 5 * 1024 + 0x40, b"\x00" * 16))
patch("mft-entry-0-runs", (mft + 0x140, b"\x41\xff\xff\xff"))
idx = img.find(b"INDX")
if idx > 0:
    patch("indx-header", (idx + 0x18, b"\x28\x00\x00\x00\xff\x0f"))
    patch("indx-entry", (idx + 0x48, b"\xff\xff\x10"))
PY
ls -l "$seeds"/* "$out/fuzz-volume.ntfs.gz"
