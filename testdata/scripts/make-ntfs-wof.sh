#!/usr/bin/env bash
# Makes an NTFS volume holding files compressed the way Windows' Overlay Filter compresses them
# (CompactOS, `compact /c /exe:ALG`), built from parts made by independent tools: mkntfs, wimlib's
# compressors (through make-wim-codec-vectors.sh) for the chunks, and an ntfs-3g mount that writes
# the WofCompressedData stream, the sparse unnamed $DATA and the IO_REPARSE_TAG_WOF reparse point.
#
#   make-ntfs-wof.sh IMAGE FILE...
#
# For every FILE and every algorithm (XPRESS4K, XPRESS8K, XPRESS16K, LZX) the volume holds
# /wof/ALG/NAME compressed and /plain/NAME with the original bytes. Needs root (FUSE), gcc and
# libwim-dev.
set -euo pipefail
image=${1:?usage: make-ntfs-wof.sh IMAGE FILE...}
shift
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'umount "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT
rm -f "$image"
truncate -s 64M "$image"
mkntfs -q -F -f -L wof "$image" >/dev/null 2>&1
mkdir "$work/mnt"
ntfs-3g -o streams_interface=windows "$image" "$work/mnt"
mkdir -p "$work/mnt/plain"
for f in "$@"; do cp "$f" "$work/mnt/plain/"; done
# algorithm code in the file provider's reparse data, wimlib type, chunk size
for spec in XPRESS4K:0:xpress:4096 LZX:1:lzx:32768 XPRESS8K:2:xpress:8192 \
    XPRESS16K:3:xpress:16384; do
  IFS=: read -r name code type chunk <<<"$spec"
  mkdir -p "$work/mnt/wof/$name"
  for f in "$@"; do
    base=$(basename "$f")
    WIM_VECTOR_CONFIGS="$type:$chunk" sh "$here/make-wim-codec-vectors.sh" "$work/v" "$f" \
      >/dev/null
    python3 - "$work/v/$type-$chunk.vec" "$work/stream" <<'PY'
import struct, sys
vec, out = sys.argv[1], sys.argv[2]
data = open(vec, "rb").read()
assert data[:4] == b"VDCV"
pos = 12
chunks = []
total = 0
while pos < len(data):
    n, c, _level = struct.unpack_from("<III", data, pos)
    pos += 12
    raw = data[pos:pos + n]
    pos += n
    comp = data[pos:pos + c]
    pos += c
    # WOF keeps a chunk raw when compressing does not make it smaller
    chunks.append(comp if 0 < c < n else raw)
    total += n
width = 8 if total >= 1 << 32 else 4
table = b""
offset = 0
for chunk in chunks[:-1]:
    offset += len(chunk)
    table += offset.to_bytes(width, "little")
open(out, "wb").write(table + b"".join(chunks))
PY
    rm -rf "$work/v"
    target="$work/mnt/wof/$name/$base"
    : > "$target"
    truncate -s "$(stat -c %s "$f")" "$target"
    cat "$work/stream" > "$target:WofCompressedData"
    # IO_REPARSE_TAG_WOF, 16 bytes: WOF version 1, file provider 2, provider version 1, algorithm
    setfattr -n system.ntfs_reparse_data -v "0x17000080100000000100000002000000010000000$(printf %x "$code")000000" "$target"
  done
done
umount "$work/mnt"
