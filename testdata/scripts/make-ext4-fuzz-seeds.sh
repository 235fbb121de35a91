#!/usr/bin/env bash
# Makes the seed corpus of fs-ext4's Ext4FuzzTest from images that mke2fs and debugfs write:
#   image/          small whole images (ext2, ext3, ext4 with extents, inline data, htree)
#   superblock/     1024-byte superblocks
#   inode/          superblock (1024 bytes) + one inode
#   extentTree/     60-byte i_block roots followed by 1 KiB blocks
#   directoryBlock/ directory blocks (linear, htree root, inline)
#   journal/        the first journal blocks of debugfs-written transactions
# and journal-base.img.gz: a 3 MiB ext4 (1 KiB blocks) with a clean journal, onto which the
# journal fuzz target lays its input.
# Usage: make-ext4-fuzz-seeds.sh RESOURCE_DIR   (e.g. fs-ext4/src/test/resources/dev/vdisk/ext4)
set -euo pipefail
[[ -n ${TRACE:-} ]] && set -x
out=${1:?usage: $0 RESOURCE_DIR}
seeds="$out/Ext4FuzzTestInputs"
rm -rf "$seeds"
mkdir -p "$seeds"/{image,superblock,inode,extentTree,directoryBlock,journal}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8 E2FSPROGS_FAKE_TIME=1600000000 MKE2FS_DETERMINISTIC=1

src="$tmp/src"
mkdir -p "$src/dir" "$src/many"
printf 'hello\n' > "$src/hello.txt"
printf 'tiny' > "$src/dir/tiny"
head -c 5000 /dev/zero | tr '\0' 'z' > "$src/dir/five-k"
ln -s hello.txt "$src/link"
ln -s "$(printf 'p%.0s' $(seq 1 70))" "$src/slow-link"
for i in $(seq 1 60); do : > "$src/many/entry-with-a-longer-name-$i"; done

mk() { # name size mke2fs-options...
  local name=$1 size=$2; shift 2
  mke2fs -q -F -U 0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9 -E hash_seed=11111111-2222-3333-4444-555555555555 \
    "$@" -d "$src" "$tmp/$name.img" "$size" >/dev/null
  e2fsck -fyD "$tmp/$name.img" >/dev/null 2>&1 || true
}
mk ext2 160k -t ext2 -b 1024 -N 256
mk ext4 256k -t ext4 -b 1024 -N 256 -O ^has_journal,^resize_inode
mk inline 256k -t ext4 -b 1024 -N 256 -I 256 -O ^has_journal,^resize_inode,inline_data
mk nocsum 256k -t ext4 -b 1024 -N 256 -O ^has_journal,^resize_inode,^metadata_csum
for n in ext2 ext4 inline nocsum; do cp "$tmp/$n.img" "$seeds/image/$n"; done

for n in ext2 ext4 inline nocsum; do
  img="$tmp/$n.img"
  dd if="$img" of="$seeds/superblock/$n" bs=1024 skip=1 count=1 status=none
  isize=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Inode size/ {gsub(/ /,"",$2); print $2}')
  for ino in 2 12 13 14 15; do
    loc=$(debugfs -R "imap <$ino>" "$img" 2>/dev/null | sed -n 's/.*located at block \([0-9]*\), offset \(0x[0-9a-f]*\).*/\1 \2/p')
    [[ -n $loc ]] || continue
    set -- $loc
    off=$(( $1 * 1024 + $2 ))
    { dd if="$img" bs=1024 skip=1 count=1 status=none
      dd if="$img" bs=1 skip=$off count="$isize" status=none; } > "$seeds/inode/$n-$ino"
    { dd if="$img" bs=1 skip=$((off + 40)) count=60 status=none
      dd if="$img" bs=1024 count=8 status=none; } > "$seeds/extentTree/$n-$ino"
  done
  for d in / /dir /many; do
    blk=$(debugfs -R "bmap $d 0" "$img" 2>/dev/null || true)
    [[ $blk =~ ^[0-9]+$ && $blk != 0 ]] || continue
    dd if="$img" of="$seeds/directoryBlock/$n-$(echo "$d" | tr / _)" bs=1024 skip="$blk" count=1 status=none
  done
done

# Journals: a clean base, and copies with debugfs-written transactions (csum v3 and none).
base="$tmp/base.img"
mke2fs -q -F -U 0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9 -t ext4 -b 1024 -N 256 -J size=1 \
  -O ^resize_inode -d "$src" "$base" 3M >/dev/null
gzip -9n < "$base" > "$out/journal-base.img.gz"
jblk=$(debugfs -R 'bmap <8> 0' "$base" 2>/dev/null)
hello=$(debugfs -R 'bmap /hello.txt 0' "$base" 2>/dev/null)
tiny=$(debugfs -R 'bmap /dir/five-k 0' "$base" 2>/dev/null)
printf 'journaled!\n' > "$tmp/blk"; truncate -s 2048 "$tmp/blk"
for variant in csum plain; do
  j="$tmp/j-$variant.img"
  cp "$base" "$j"
  flag=""; [[ $variant == csum ]] && flag="-c"
  printf 'jo %s\njw -b %s,%s %s\njw -b %s -r %s %s\njc\n' "$flag" "$hello" "$tiny" "$tmp/blk" \
    "$tiny" "$hello" "$tmp/blk" | debugfs -w -f - "$j" >/dev/null 2>&1
  dd if="$j" of="$seeds/journal/$variant" bs=1024 skip="$jblk" count=12 status=none
done
ls -R "$seeds" | head -60
