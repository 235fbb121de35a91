#!/bin/sh
# Makes the seeds of the VMDK fuzz test (vdisk-vmdk VmdkFormatFuzzTestInputs/{image,descriptor}):
# tiny images made by qemu-img and qemu-io (monolithicSparse empty and with data, one truncated,
# streamOptimized, a delta's descriptor) and descriptor texts, each at most 256 KiB.
# Usage: make-vmdk-fuzz-seeds.sh OUTPUT_DIR   (OUTPUT_DIR gets image/ and descriptor/)
set -eu
out=${1:?usage: make-vmdk-fuzz-seeds.sh OUTPUT_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/image" "$out/descriptor"
qemu-img create -q -f vmdk "$tmp/empty.vmdk" 1M
cp "$tmp/empty.vmdk" "$out/image/qemu-sparse-1m-empty"
qemu-img create -q -f vmdk "$tmp/data.vmdk" 2M
qemu-io -f vmdk -c 'write -P 0x5a 0 4096' -c 'write -P 0xa5 1M 70k' "$tmp/data.vmdk" >/dev/null
cp "$tmp/data.vmdk" "$out/image/qemu-sparse-2m-data"
head -c 70000 "$tmp/data.vmdk" > "$out/image/qemu-sparse-2m-truncated"
head -c 1048576 /dev/zero | tr '\0' 'v' > "$tmp/v.raw"
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$tmp/v.raw" "$tmp/s.vmdk"
cp "$tmp/s.vmdk" "$out/image/qemu-stream-1m"
qemu-img create -q -f vmdk -o subformat=monolithicFlat "$tmp/flat.vmdk" 1M
cp "$tmp/flat.vmdk" "$out/descriptor/qemu-monolithic-flat"
qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentSparse "$tmp/split.vmdk" 3G
cp "$tmp/split.vmdk" "$out/descriptor/qemu-two-gb-sparse"
qemu-img create -q -f vmdk -b empty.vmdk -F vmdk "$tmp/child.vmdk"
dd if="$tmp/child.vmdk" bs=512 skip=1 count=20 status=none | tr -d '\000' \
  > "$out/descriptor/qemu-delta-embedded"
printf '# Disk DescriptorFile\r\nversion=1\r\nCID=fffffffe\r\nparentCID=ffffffff\r\ncreateType="vmfs"\r\n\r\nRW 2048 VMFS "x-flat.vmdk"\r\nRW 100 ZERO\r\nRDONLY 8 FLAT "y.vmdk" 4\r\nddb.adapterType = "lsilogic"\r\n' \
  > "$out/descriptor/vmfs-crlf"
