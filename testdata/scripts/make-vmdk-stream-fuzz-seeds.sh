#!/bin/sh
# Makes the qemu-img seed of the streamOptimized fuzz test (vdisk-vmdk, package internal.stream,
# StreamFuzzTestInputs/image): a 128 KiB disk with two data grains, converted by qemu-img to a
# streamOptimized VMDK (qemu's layout: grain directory near the start, no footer). The seeds
# written by StreamOptimizedWriter come from StreamFuzzSeeds' main method.
# Usage: make-vmdk-stream-fuzz-seeds.sh OUTPUT_DIR
set -eu
out=${1:?usage: make-vmdk-stream-fuzz-seeds.sh OUTPUT_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
truncate -s 128K "$tmp/d.raw"
printf 'vdisk stream seed' | dd of="$tmp/d.raw" bs=1 seek=100 conv=notrunc 2>/dev/null
head -c 3000 /dev/zero | tr '\0' 'x' | dd of="$tmp/d.raw" bs=1 seek=70000 conv=notrunc 2>/dev/null
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$tmp/d.raw" "$tmp/d.vmdk"
cp "$tmp/d.vmdk" "$out/qemu-128k"
