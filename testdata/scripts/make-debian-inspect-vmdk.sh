#!/usr/bin/env bash
# Makes a Debian 12 guest for `vdisk inspect`: the debootstrap minbase bookworm tree (shared with
# make-debian-ext4.sh, kept in $VDISK_DEBOOTSTRAP_CACHE) on a GPT disk inside a monolithicSparse
# VMDK, with /boot on its own ext4 partition named in /etc/fstab by UUID, the root named by LABEL,
# a host name, and a marker file on /boot.
#   partition 1 "boot": ext4, label vdisk-boot, UUID $BOOT_UUID, holds /boot/vdisk-boot-marker
#   partition 2 "root": ext4, label vdisk-root
# Usage: make-debian-inspect-vmdk.sh OUT.vmdk   (run as root; needs debootstrap, sgdisk, mke2fs,
# qemu-img)
set -euo pipefail
out=${1:?usage: $0 OUT.vmdk}
here=$(cd "$(dirname "$0")" && pwd)
cache=${VDISK_DEBOOTSTRAP_CACHE:-/tmp/vdisk-debootstrap-bookworm}
mke2fs=$(command -v mke2fs || echo /usr/sbin/mke2fs)
BOOT_UUID=6b1f5c1e-8d2a-4c7e-9f3b-2a1d0e5c7b94
HOSTNAME_=vdisk-inspect-guest

if [[ ! -f $cache/.vdisk-complete ]]; then
  # make-debian-ext4.sh fills the cache as a side effect
  tmpimg=$(mktemp)
  "$here/make-debian-ext4.sh" "$tmpimg" 1G
  rm -f "$tmpimg"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root" "$work/boot"
cp -a "$cache/." "$work/root/"
rm -f "$work/root/.vdisk-complete"
echo "$HOSTNAME_" >"$work/root/etc/hostname"
cat >"$work/root/etc/fstab" <<FSTAB
# /etc/fstab written by make-debian-inspect-vmdk.sh
LABEL=vdisk-root  /      ext4  errors=remount-ro  0 1
UUID=$BOOT_UUID  /boot  ext4  defaults  0 2
proc  /proc  proc  defaults  0 0
tmpfs  /tmp  tmpfs  defaults  0 0
FSTAB
# what debootstrap put in /boot goes to the boot partition; the root keeps an empty mount point
cp -a "$work/root/boot/." "$work/boot/" 2>/dev/null || true
rm -rf "${work:?}/root/boot"
mkdir "$work/root/boot"
echo "on the boot partition" >"$work/boot/vdisk-boot-marker"

"$mke2fs" -q -F -t ext4 -L vdisk-boot -U "$BOOT_UUID" -d "$work/boot" "$work/boot.img" 64M
"$mke2fs" -q -F -t ext4 -L vdisk-root -d "$work/root" "$work/root.img" 900M

raw=$work/disk.raw
truncate -s $((1 + 64 + 900 + 1))M "$raw"
# Not -q: sgdisk -q sometimes silently writes nothing. Output goes to /dev/null instead.
sgdisk -n 1:2048:+64M -c 1:boot -t 1:8300 -n 2:0:+900M -c 2:root -t 2:8304 "$raw" >/dev/null
sgdisk --verify "$raw" | grep -q 'No problems found' || { echo "$0: no valid GPT" >&2; exit 1; }
start2=$(sgdisk -i 2 "$raw" | awk '/First sector/ {print $3}')
dd if="$work/boot.img" of="$raw" bs=512 seek=2048 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$raw" bs=512 seek="$start2" conv=notrunc,sparse status=none
rm -f "$out"
qemu-img convert -f raw -O vmdk "$raw" "$out"
