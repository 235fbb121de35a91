#!/usr/bin/env bash
# Makes the seed corpus of PartitionTableFuzzTest: small partition tables written by sfdisk and
# sgdisk on 64 KiB images (the fuzz device's size), some damaged on purpose with dd, and the first
# 64 KiB of the committed fixtures with trailing zeros trimmed.
set -euo pipefail

usage() {
  echo "usage: $0 OUT_DIR" >&2
  echo "  OUT_DIR  directory to (re)fill with seed files" >&2
  exit 1
}
[[ $# -eq 1 ]] || usage
out=$1
here=$(cd "$(dirname "$0")" && pwd)
images=$here/../images
for tool in sfdisk sgdisk python3; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
mkdir -p -- "$out"
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

# First N bytes of a file with trailing zero bytes removed.
head_trimmed() { # FILE BYTES DEST
  python3 -c 'import sys; d=open(sys.argv[1],"rb").read(int(sys.argv[2])); open(sys.argv[3],"wb").write(d.rstrip(b"\0"))' "$@"
}
# Overwrite bytes at an offset with hex bytes: patch FILE OFFSET HEX
patch() {
  printf '%b' "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

head_trimmed "$images/gpt5.img" 65536 "$out/gpt5-head"
head_trimmed "$images/mbr-extended.img" 65536 "$out/mbr-extended-head"

# A GPT with three partitions on a 64 KiB disk (128 sectors; usable 34..94).
truncate -s 0 "$tmp/gpt.img"; truncate -s 64K "$tmp/gpt.img"
sgdisk --clear --set-alignment=1 --disk-guid=5EC4D1A2-7B3F-4C2E-9A61-0D8F3B2C1E47 \
  --new=1:34:+16 --typecode=1:ef00 --change-name=1:"EFI" \
  --new=2:0:+16 --typecode=2:8300 --change-name=2:"root fs" \
  --new=3:0:0 --typecode=3:0700 --change-name=3:"données" \
  --partition-guid=1:0A1B2C3D-4E5F-4607-8819-2A3B4C5D6E70 \
  --partition-guid=2:1B2C3D4E-5F60-4718-992A-3B4C5D6E7F81 \
  --partition-guid=3:2C3D4E5F-6071-4829-AA3B-4C5D6E7F8092 "$tmp/gpt.img" >/dev/null
cp "$tmp/gpt.img" "$out/gpt-64k"
cp "$tmp/gpt.img" "$out/gpt-64k-primary-zeroed"
dd if=/dev/zero of="$out/gpt-64k-primary-zeroed" bs=512 seek=1 count=1 conv=notrunc status=none
cp "$tmp/gpt.img" "$out/gpt-64k-primary-array-corrupt"
patch "$out/gpt-64k-primary-array-corrupt" $((1024 + 56)) 58
cp "$out/gpt-64k-primary-array-corrupt" "$out/gpt-64k-both-arrays-corrupt"
patch "$out/gpt-64k-both-arrays-corrupt" $((95 * 512 + 56)) 58
cp "$tmp/gpt.img" "$out/protective-mbr-without-gpt"
dd if=/dev/zero of="$out/protective-mbr-without-gpt" bs=512 seek=1 count=1 conv=notrunc status=none
dd if=/dev/zero of="$out/protective-mbr-without-gpt" bs=512 seek=127 count=1 conv=notrunc status=none

# Odd-length inputs make the harness recompute GPT CRCs before reading (see PartitionTableFuzzTest).
{ cat "$tmp/gpt.img"; printf '\0'; } > "$out/gpt-64k-fix-crcs"
cp "$tmp/gpt.img" "$tmp/huge.img"
patch "$tmp/huge.img" $((512 + 80)) ffffffff   # NumberOfPartitionEntries
{ cat "$tmp/huge.img"; printf '\0'; } > "$out/gpt-64k-huge-entry-count-fix-crcs"

# An MBR with two primaries and an extended partition holding three logicals, on 64 KiB.
truncate -s 0 "$tmp/mbr.img"; truncate -s 64K "$tmp/mbr.img"
sfdisk --no-reread --no-tell-kernel "$tmp/mbr.img" >/dev/null <<SCRIPT
label: dos
label-id: 0x1a2b3c4d
unit: sectors
grain: 512

start=1, size=10, type=83, bootable
size=10, type=82
type=5
size=10, type=83
size=10, type=8e
type=7
SCRIPT
cp "$tmp/mbr.img" "$out/mbr-ext-64k"
# The first EBR (at the extended partition's start) links to itself.
ext_start=$(sfdisk --dump "$tmp/mbr.img" | sed -n 's/.*img3 : start= *\([0-9]*\).*/\1/p')
cp "$tmp/mbr.img" "$out/mbr-ebr-loop"
patch "$out/mbr-ebr-loop" $((ext_start * 512 + 446 + 16)) 0000000005000000000000000a000000
# A logical partition that runs past the end of the device.
cp "$tmp/mbr.img" "$out/mbr-logical-past-end"
patch "$out/mbr-logical-past-end" $((ext_start * 512 + 446 + 12)) ffffff00

ls -- "$out"
