#!/bin/sh
# Makes the qemu-img seeds of the VHD fuzz test (vdisk-vhd VhdFormatFuzzTestInputs/image): tiny
# fixed and dynamic VHDs, one with a block of data cut off after 8 KiB, each at most 64 KiB.
# The seeds written by VhdFormat itself come from VhdSeedsTest's main method (see its Javadoc).
# Usage: make-vhd-fuzz-seeds.sh OUTPUT_DIR
set -eu
out=${1:?usage: make-vhd-fuzz-seeds.sh OUTPUT_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
qemu-img create -q -f vpc -o subformat=fixed,force_size=on "$tmp/fixed.vhd" 32K
cp "$tmp/fixed.vhd" "$out/qemu-fixed-32k"
qemu-img create -q -f vpc -o subformat=dynamic "$tmp/dyn.vhd" 8M
cp "$tmp/dyn.vhd" "$out/qemu-dynamic-8m-empty"
# one allocated 2 MiB block holding a pattern; keep the first 8 KiB (the footer is lost, so the
# copy at offset 0 is used and the block runs past the end of the file)
qemu-img create -q -f vpc -o subformat=dynamic "$tmp/data.vhd" 4M
qemu-io -f vpc -c 'write -P 0x5a 0 4096' "$tmp/data.vhd" >/dev/null
head -c 8192 "$tmp/data.vhd" > "$out/qemu-dynamic-truncated-8k"
