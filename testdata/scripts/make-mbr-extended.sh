#!/usr/bin/env bash
# Makes a raw disk image with an MBR (DOS) partition table written by sfdisk: three primary
# partitions and an extended partition holding three logical partitions, of mixed types.
#
# The image is rebuilt from scratch on every run, so running it twice gives the same bytes.
set -euo pipefail

usage() {
  echo "usage: $0 OUT [SIZE_MIB [ALIGN_KIB]]" >&2
  echo "  OUT        the raw image to (re)create" >&2
  echo "  SIZE_MIB   its size in MiB (default 16, at least 1)" >&2
  echo "  ALIGN_KIB  partition alignment in KiB (default 1024; use 4 for tiny images)" >&2
  exit 1
}

[[ $# -ge 1 && $# -le 3 ]] || usage
out=$1
size_mib=${2:-16}
align_kib=${3:-1024}
[[ $size_mib =~ ^[0-9]+$ && $size_mib -ge 1 ]] || usage
[[ $align_kib =~ ^[0-9]+$ && $align_kib -ge 1 ]] || usage
command -v sfdisk >/dev/null || { echo "$0: sfdisk not found (Debian package fdisk)" >&2; exit 1; }

total=$((size_mib * 2048))          # 512-byte sectors
grain=$((align_kib * 2))            # alignment in sectors
unit=$(( (total / 8) / grain * grain ))
[[ $unit -ge $((2 * grain)) ]] || { echo "$0: $size_mib MiB is too small for alignment $align_kib KiB" >&2; exit 1; }

rm -f -- "$out"
truncate -s "${size_mib}M" -- "$out"

# Primaries 1-3, extended 4 over the rest; logicals 5-7 inside it (the last fills the remainder).
sfdisk --no-reread --no-tell-kernel "$out" >/dev/null <<SCRIPT
label: dos
label-id: 0x1a2b3c4d
unit: sectors
grain: $((grain * 512))

size=$unit, type=83, bootable
size=$unit, type=82
size=$unit, type=c
type=5
size=$unit, type=83
size=$unit, type=8e
type=7
SCRIPT

echo "$out"
