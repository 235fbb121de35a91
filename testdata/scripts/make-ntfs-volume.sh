#!/usr/bin/env bash
# Makes an NTFS acceptance fixture: a volume made by mkntfs and filled through an ntfs-3g FUSE
# mount (-o streams_interface=windows,compression), holding
#   src/          the ext tests' source tree (make-ext-source-tree.sh): 3000-file directory, deep
#                 paths, 240-byte names, UTF-8 names, symlinks (ntfs-3g writes them as Interix
#                 "IntxLNK" files), hard links, 50 MiB and 70 MiB sparse files, fixed times
#   compressed/   a directory with the compressed attribute (clusters <= 4 KiB only: NTFS cannot
#                 compress with larger clusters): compressible, incompressible, mixed, resident,
#                 one-compression-unit, sparse and empty files; checked with istat
#   streams/      alternate data streams: several per file (empty, small, > 1 MiB, a Unicode
#                 stream name), a file with only named streams, a stream on a directory
#   frag/         few-runs.bin (tens of runs, its runlist in the base record: 74 with 4 KiB
#                 clusters, 38 with 512 B, 1 with 64 KiB) and attrlist.bin (so many runs that its
#                 $DATA spills into extension records, and its $FILE_NAME with it: checked to have
#                 an $ATTRIBUTE_LIST; 1026 runs with 4 KiB clusters, 936 with 512 B, 237 with
#                 64 KiB, 1515 with 4 KiB MFT records), written into the holes left by deleting
#                 every other file of a full volume
#   big/          a directory with 10000 entries (2000 on the non-default variants)
#   names/        Japanese and emoji names, names differing only in case (a and A)
#   reparse/      Windows reparse points set through system.ntfs_reparse_data: relative and
#                 absolute symbolic links (C: and D:), a junction; an Interix symlink (ln -s)
#   special/      a FIFO, a character and a block device, a socket (Interix files)
#   links/        hard links (three names of one file)
#   misc/         empty file, a file of exactly one cluster, sparse files written at offsets
#   attrs/        files and a directory with DOS attributes (read-only, hidden, system, archive)
#   deep/         a path of 30 levels longer than MAX_PATH (260)
#
# Usage: make-ntfs-volume.sh VARIANT OUT [MBR_RAW]
#   VARIANT  default  4 KiB clusters, 1 KiB MFT records, 128 MiB
#            c512     512-byte clusters
#            c64k     64 KiB clusters (no compressed/)
#            mft4k    4 KiB MFT records (mkntfs has no record-size option: a 4096-byte sector
#                     size, -s 4096, gives 4 KiB records)
#            c2m      2 MiB clusters, 1 GiB (no compressed/, no frag/: filling a 1 GiB volume
#                     through FUSE is too slow for a fixture)
#            mbr      the default contents in an NTFS partition (MBR, type 0x07, start 1 MiB) of a
#                     raw disk
#            vhd      that disk as a dynamic VHD (qemu-img -O vpc -o subformat=dynamic)
#            vhdx     that disk as a dynamic VHDX (qemu-img -O vhdx)
#   OUT      the image to write
#   MBR_RAW  for vhd and vhdx: an already made `mbr` disk to convert (else one is made)
# Needs root (the FUSE mount), mkntfs, ntfs-3g, setfattr, sleuthkit (istat, ifind), sfdisk, and
# qemu-img for vhd/vhdx.
set -euo pipefail
[[ -n ${TRACE:-} ]] && set -x
variant=${1:?usage: $0 VARIANT OUT [MBR_RAW]}
out=${2:?usage: $0 VARIANT OUT [MBR_RAW]}
mbr_raw=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8

tmp=$(mktemp -d)
mnt="$tmp/mnt"
mkdir "$mnt"
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" || umount -l "$mnt" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

die() { echo "$0: $*" >&2; exit 1; }

# Hex of a reparse point's data (system.ntfs_reparse_data): sym-rel TARGET, sym-abs TARGET
# (a Windows path such as C:\dir\file), junction TARGET.
reparse_hex() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
kind, target = sys.argv[1], sys.argv[2]
if kind.startswith("sym"):
    relative = kind == "sym-rel"
    sub = (target if relative else "\\??\\" + target).encode("utf-16-le")
    prn = target.encode("utf-16-le")
    body = struct.pack("<HHHHI", 0, len(sub), len(sub), len(prn), 1 if relative else 0) + sub + prn
    tag = 0xA000000C
else:
    sub = ("\\??\\" + target).encode("utf-16-le") + b"\0\0"
    prn = target.encode("utf-16-le") + b"\0\0"
    body = struct.pack("<HHHH", 0, len(sub) - 2, len(sub), len(prn) - 2) + sub + prn
    tag = 0xA0000003
print("0x" + (struct.pack("<IHH", tag, len(body), 0) + body).hex())
EOF
}

# Writes SIZE bytes from a seeded generator: random (incompressible) or text (compressible).
gen() { # KIND SIZE SEED
  python3 - "$@" <<'EOF'
import random, sys
kind, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
out = sys.stdout.buffer
if kind == "random":
    out.write(r.randbytes(size))
elif kind == "text":
    words = [b"alpha", b"beta", b"gamma", b"delta", b"ntfs", b"cluster", b"\n"]
    buf = bytearray()
    while len(buf) < size:
        buf += words[r.randrange(len(words))] + b" "
    out.write(bytes(buf[:size]))
elif kind == "mixed":
    buf = bytearray()
    i = 0
    while len(buf) < size:
        buf += r.randbytes(65536) if i % 2 else (b"compressible %08d " % i) * 3000
        i += 1
    out.write(bytes(buf[:size]))
EOF
}

# Makes SIZE bytes of NTFS in IMAGE with mkntfs args, mounts it, fills it, unmounts it.
make_volume() { # IMAGE SIZE CLUSTER MKNTFS_ARGS...
  local image=$1 size=$2 cluster=$3
  shift 3
  rm -f "$image"
  truncate -s "$size" "$image"
  mkntfs -F -Q -L "vdisk-$variant" -c "$cluster" "$@" "$image" >"$tmp/mkntfs.log" 2>&1 \
    || { cat "$tmp/mkntfs.log" >&2; die "mkntfs failed"; }
  ntfs-3g -o streams_interface=windows,compression "$image" "$mnt"
  fill "$cluster"
  umount "$mnt"
  fallocate --dig-holes "$image" 2>/dev/null || true # the filler's zeros
  check "$image" "$cluster"
}

fill() { # CLUSTER
  local cluster=$1 m=$mnt i
  local entries=2000 runs_small=150 runs_attrlist=1200
  [[ $variant == default || $variant == mbr ]] && entries=10000
  [[ $variant == c64k ]] && runs_attrlist=400
  [[ $variant == mft4k ]] && runs_attrlist=2400
  [[ $variant == c2m ]] && runs_attrlist=0

  # fragmented files first, while the volume is empty: fill it with HOLE-byte files and a filler,
  # delete every other small file, then write into the holes.
  if (( runs_attrlist > 0 )); then
    local hole=$(( cluster < 2048 ? 2048 : cluster ))
    local holes=$(( 2 * (runs_small + runs_attrlist + 20) ))
    mkdir "$m/holes" "$m/frag"
    python3 - "$m/holes" "$holes" "$hole" <<'EOF'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
block = b"\xa5" * size
for i in range(n):
    with open(os.path.join(d, "h%05d" % i), "wb") as f:
        f.write(block)
EOF
    dd if=/dev/zero of="$m/filler" bs=1M status=none 2>/dev/null || true
    python3 - "$m/holes" "$holes" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(0, n, 2):
    os.unlink(os.path.join(d, "h%05d" % i))
EOF
    gen random $(( runs_small * hole )) 11 > "$m/frag/few-runs.bin"
    gen random $(( runs_attrlist * hole )) 12 > "$m/frag/attrlist.bin"
    rm -f "$m/filler"
    rm -rf "$m/holes"
  fi

  # the ext tests' tree
  "$here/make-ext-source-tree.sh" "$tmp/src" >/dev/null
  cp -R -P --preserve=timestamps,links --sparse=always "$tmp/src" "$m/src"

  if (( cluster <= 4096 )); then
    mkdir "$m/compressed"
    setfattr -n system.ntfs_attrib_be -v 0x00000800 "$m/compressed"
    gen text 1048576 21 > "$m/compressed/compressible.txt"
    gen random 307200 22 > "$m/compressed/incompressible.bin"
    gen mixed 700000 23 > "$m/compressed/mixed.bin"
    printf 'resident and compressed\n' > "$m/compressed/small.txt"
    gen text 65536 24 > "$m/compressed/one-unit.txt"
    : > "$m/compressed/empty"
    truncate -s 3M "$m/compressed/sparse.bin"
    printf 'in the middle' | dd of="$m/compressed/sparse.bin" bs=1 seek=1500000 conv=notrunc status=none
    mkdir "$m/compressed/sub"
    gen text 200000 25 > "$m/compressed/sub/nested.txt"
  fi

  mkdir "$m/streams" "$m/streams/dir"
  printf 'main data\n' > "$m/streams/file.txt"
  : > "$m/streams/file.txt:empty"
  printf 'small stream\n' > "$m/streams/file.txt:small"
  gen random 1572864 31 > "$m/streams/file.txt:big"
  printf 'unicode stream name\n' > "$m/streams/file.txt:ストリーム"
  : > "$m/streams/only-streams"
  printf 'a\n' > "$m/streams/only-streams:one"
  printf 'b\n' > "$m/streams/only-streams:two"
  printf 'on a directory\n' > "$m/streams/dir:dirstream"
  printf 'child\n' > "$m/streams/dir/child.txt"

  mkdir "$m/big"
  python3 - "$m/big" "$entries" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    name = os.path.join(d, "entry-%05d.txt" % i)
    if i % 10 == 0:
        with open(name, "w") as f:
            f.write("entry %d\n" % i)
    else:
        os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o644))
EOF

  mkdir -p "$m/names/日本語のディレクトリ" "$m/names/case"
  printf 'nihongo\n' > "$m/names/日本語のディレクトリ/ファイル名.txt"
  printf 'emoji\n' > "$m/names/emoji-🎉🚀.txt"
  mkdir "$m/names/📁-dir"
  printf 'lower\n' > "$m/names/case/a"
  printf 'UPPER\n' > "$m/names/case/A"
  printf 'Ä upper\n' > "$m/names/case/Äb"
  printf 'ä lower\n' > "$m/names/case/äb"

  mkdir -p "$m/reparse/dir"
  printf 'reparse target\n' > "$m/reparse/target.txt"
  printf 'in dir\n' > "$m/reparse/dir/inner.txt"
  : > "$m/reparse/rel-link"
  setfattr -n system.ntfs_reparse_data -v "$(reparse_hex sym-rel 'target.txt')" "$m/reparse/rel-link"
  : > "$m/reparse/rel-up-link"
  setfattr -n system.ntfs_reparse_data -v "$(reparse_hex sym-rel '..\names\case\a')" "$m/reparse/rel-up-link"
  : > "$m/reparse/abs-link"
  setfattr -n system.ntfs_reparse_data -v "$(reparse_hex sym-abs 'C:\reparse\target.txt')" "$m/reparse/abs-link"
  mkdir "$m/reparse/junction"
  setfattr -n system.ntfs_reparse_data -v "$(reparse_hex junction 'C:\reparse\dir')" "$m/reparse/junction"
  : > "$m/reparse/other-drive-link"
  setfattr -n system.ntfs_reparse_data -v "$(reparse_hex sym-abs 'D:\elsewhere\file.txt')" \
    "$m/reparse/other-drive-link"
  ln -s target.txt "$m/reparse/interix-link"

  mkdir -p "$m/links/sub"
  printf 'three names\n' > "$m/links/first"
  ln "$m/links/first" "$m/links/second"
  ln "$m/links/first" "$m/links/sub/third"

  mkdir "$m/misc"
  : > "$m/misc/zero.bin"
  gen random "$cluster" 41 > "$m/misc/cluster.bin"
  gen random $(( cluster + 1 )) 42 > "$m/misc/cluster-plus-one.bin"
  truncate -s 10M "$m/misc/sparse-hole-only.bin"
  truncate -s 8M "$m/misc/sparse-offsets.bin"
  for off in 0 65536 1048577 4194304 8388600; do
    printf 'data@%d' "$off" | dd of="$m/misc/sparse-offsets.bin" bs=1 seek="$off" conv=notrunc status=none
  done

  mkdir "$m/attrs" "$m/attrs/hidden-dir"
  for a in readonly:0x00000001 hidden:0x00000002 system:0x00000004 archive:0x00000020 \
      all:0x00000027 none:0x00000000; do
    printf '%s\n' "${a%%:*}" > "$m/attrs/${a%%:*}.txt"
    setfattr -n system.ntfs_attrib_be -v "${a#*:}" "$m/attrs/${a%%:*}.txt"
  done
  setfattr -n system.ntfs_attrib_be -v 0x00000012 "$m/attrs/hidden-dir"

  local p="$m/deep"
  for i in $(seq -w 1 30); do p="$p/level-$i-abcdefghijk"; done
  mkdir -p "$p"
  printf 'far down\n' > "$p/leaf.txt"

  # fixed times on the new files (the source tree keeps its own)
  find "$m" \( -path "$m/src" -o -path "$m/reparse" \) -prune -o ! -type l -print0 \
    | xargs -0 touch -h -d '2022-06-07 08:09:10.1234567 UTC'
  touch -d '1999-12-31 23:59:59.9999999 UTC' "$m/misc/cluster.bin"

  # after the times: touch would open them. ntfs-3g writes these as Interix files.
  mkdir "$m/special"
  mkfifo "$m/special/fifo"
  mknod "$m/special/char-1-3" c 1 3
  mknod "$m/special/block-7-0" b 7 0
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$m/special/socket"
}

# The fixture must hold what it claims: checked with sleuthkit on the unmounted volume.
check() { # IMAGE CLUSTER
  local image=$1 cluster=$2 inode
  # sleuthkit 4.12 cannot open 2 MiB-cluster volumes ("Cannot determine file system type")
  [[ $variant == c2m ]] && return 0
  if (( cluster <= 4096 )); then
    inode=$(ifind -n /compressed/compressible.txt "$image")
    grep -q 'Non-Resident, Compressed' <<<"$(istat "$image" "$inode")" \
      || die "compressed/compressible.txt is not compressed"
  fi
  if [[ $variant != c2m ]]; then
    inode=$(ifind -n /frag/attrlist.bin "$image")
    grep -q '^\$ATTRIBUTE_LIST' <<<"$(istat "$image" "$inode")" \
      || die "frag/attrlist.bin has no \$ATTRIBUTE_LIST"
  fi
  inode=$(ifind -n /streams/file.txt "$image")
  grep -q 'Type: \$DATA (128-[0-9]*)   Name: big' <<<"$(istat "$image" "$inode")" \
    || die "streams/file.txt has no stream big"
}

case $variant in
  default) make_volume "$out" 128M 4096 ;;
  c512) make_volume "$out" 128M 512 ;;
  c64k) make_volume "$out" 256M 65536 ;;
  mft4k) make_volume "$out" 256M 4096 -s 4096 ;;
  c2m) make_volume "$out" 1G 2097152 ;;
  mbr)
    # partition start 2048 (1 MiB), the usual geometry in the boot sector
    make_volume "$tmp/part.img" 128M 4096 -p 2048 -H 255 -S 63
    rm -f "$out"
    truncate -s $(( 129 << 20 )) "$out"
    printf 'label: dos\nstart=2048, size=%d, type=7\n' $(( 128 << 11 )) | sfdisk -q "$out" >/dev/null
    dd if="$tmp/part.img" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
    ;;
  vhd | vhdx)
    if [[ -z $mbr_raw ]]; then
      mbr_raw="$tmp/mbr.raw"
      "$0" mbr "$mbr_raw"
    fi
    rm -f "$out"
    if [[ $variant == vhd ]]; then
      qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on "$mbr_raw" "$out"
    else
      qemu-img convert -f raw -O vhdx -o subformat=dynamic "$mbr_raw" "$out"
    fi
    ;;
  *) die "unknown variant $variant" ;;
esac
