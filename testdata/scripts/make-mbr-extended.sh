#!/usr/bin/env bash
# Makes a raw disk image with an MBR (DOS) partition table written by sfdisk: three primary
# partitions and an extended partition holding three logical partitions, of mixed types.
#
# The image is rebuilt from scratch on every run, so running it twice gives the same bytes.
set -euo pipefail

source "$(dirname "$0")/lib/image-args.sh"
parse_image_args sfdisk fdisk "$@"
grain=$((align_kib * 2))            # alignment in sectors
unit=$(( (total / 8) / grain * grain ))
[[ $unit -ge $((2 * grain)) ]] || { echo "$0: $size_mib MiB is too small for alignment $align_kib KiB" >&2; exit 1; }

create_empty_image

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
