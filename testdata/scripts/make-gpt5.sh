#!/usr/bin/env bash
# Makes a raw disk image with a GPT written by sgdisk: five named partitions of different types
# (EFI System, Linux filesystem, Linux swap, Microsoft basic data, Linux LVM), with names that
# contain spaces and one non-ASCII name. Disk and partition GUIDs are fixed, so running it twice
# gives the same bytes.
set -euo pipefail

source "$(dirname "$0")/lib/image-args.sh"
parse_image_args sgdisk gdisk "$@"
align=$((align_kib * 2))            # alignment in sectors
# Five partitions of one unit each; the last usable sector is total - 34.
unit=$(( ((total - 34 - align) / 6) / align * align ))
[[ $unit -ge $align ]] || { echo "$0: $size_mib MiB is too small for alignment $align_kib KiB" >&2; exit 1; }

create_empty_image

# Not -q: sgdisk -q sometimes silently writes nothing. Output goes to /dev/null instead.
export LC_ALL=C.UTF-8
sgdisk \
  --clear \
  --set-alignment="$align" \
  --disk-guid=5EC4D1A2-7B3F-4C2E-9A61-0D8F3B2C1E47 \
  --new=1:0:+"$unit" --typecode=1:ef00 --change-name=1:"EFI System Partition" \
  --partition-guid=1:0A1B2C3D-4E5F-4607-8819-2A3B4C5D6E70 \
  --new=2:0:+"$unit" --typecode=2:8300 --change-name=2:"Linux root fs" \
  --partition-guid=2:1B2C3D4E-5F60-4718-992A-3B4C5D6E7F81 \
  --new=3:0:+"$unit" --typecode=3:8200 --change-name=3:"swap space" \
  --partition-guid=3:2C3D4E5F-6071-4829-AA3B-4C5D6E7F8092 \
  --new=4:0:+"$unit" --typecode=4:0700 --change-name=4:"données" \
  --partition-guid=4:3D4E5F60-7182-493A-BB4C-5D6E7F8091A3 \
  --new=5:0:+"$unit" --typecode=5:8e00 --change-name=5:"LVM physical volume" \
  --partition-guid=5:4E5F6071-8293-4A4B-8C5D-6E7F8091A2B4 \
  "$out" >/dev/null

# sgdisk exits 0 even in some cases where it wrote nothing; make sure the table is there.
sgdisk --verify "$out" | grep -q 'No problems found' || {
  echo "$0: sgdisk did not produce a valid GPT in $out" >&2
  exit 1
}

echo "$out"
