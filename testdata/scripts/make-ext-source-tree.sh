#!/usr/bin/env bash
# Makes the source tree that the ext2/3/4 oracle tests put into images with `mke2fs -d`:
# a 3000-file directory, deep paths, 240-byte names, UTF-8 names, fast and slow symlinks,
# hard links, a 50 MiB and a 70 MiB sparse file, setuid/setgid/sticky bits, empty files and directories,
# small files (inline-data sized) and a multi-block file. Times are fixed, with nanoseconds.
# Usage: make-ext-source-tree.sh DIR   (DIR must not exist; run as root for the setuid bits)
set -euo pipefail
dst=${1:?usage: $0 DIR}
[[ ! -e $dst ]] || { echo "$0: $dst exists" >&2; exit 1; }
export LC_ALL=C.UTF-8
mkdir -p "$dst"
cd "$dst"

mkdir -p etc many deep links perms empty.d
printf 'NAME="vdisk test"\nID=vdisktest\nVERSION_ID=1\n' > etc/os-release
: > empty-file
printf 'x' > one-byte
printf 'small inline-sized content\n' > small.txt
head -c 150 /dev/zero | tr '\0' 'a' > sixty-plus.txt
# a multi-block file with varied bytes
python3 -c "
import sys
sys.stdout.buffer.write(bytes((i * 131 + (i >> 8) * 7) & 0xFF for i in range(300000)))
" > multi-block.bin
# 3000 files in one directory (htree on ext3/4)
for i in $(seq -w 1 3000); do printf '%s\n' "$i" > "many/file-$i.txt"; done
# deep paths
p=deep
for i in $(seq 1 40); do p="$p/d$i"; done
mkdir -p "$p"
printf 'bottom\n' > "$p/bottom.txt"
# 240-byte names
long=$(printf 'n%.0s' $(seq 1 240))
printf 'long name\n' > "$long"
mkdir "L${long:1}"
# UTF-8 names
printf 'grüße\n' > 'grüße.txt'
printf 'japanese\n' > '日本語のファイル名.txt'
printf 'emoji\n' > 'emoji-😀.txt'
mkdir 'répertoire é'
# symlinks: fast (short target), slow (target longer than 60 bytes), dangling, absolute, to dir
ln -s small.txt links/fast-link
ln -s "../$(printf 'x%.0s' $(seq 1 80))/target-that-is-long-enough-to-need-a-block" links/slow-link
ln -s /etc/os-release links/absolute-link
ln -s ../etc links/dir-link
ln -s does-not-exist links/dangling
# hard links
printf 'hard\n' > links/hard-a
ln links/hard-a links/hard-b
ln links/hard-a etc/hard-c
# a 50 MiB sparse file with data at a few places
truncate -s 50M sparse.bin
printf 'start' | dd of=sparse.bin conv=notrunc status=none
printf 'middle' | dd of=sparse.bin bs=1 seek=$((25 * 1024 * 1024 + 123)) conv=notrunc status=none
printf 'end' | dd of=sparse.bin bs=1 seek=$((50 * 1024 * 1024 - 3)) conv=notrunc status=none
# a 70 MiB sparse file with data past 64 MiB: triple-indirect blocks on a 1 KiB-block ext2/3
truncate -s 70M sparse-70m.bin
printf 'beyond-double-indirect' | dd of=sparse-70m.bin bs=1 seek=$((69 * 1024 * 1024)) conv=notrunc status=none
# modes
printf 'suid\n' > perms/setuid && chmod 4755 perms/setuid
printf 'sgid\n' > perms/setgid && chmod 2750 perms/setgid
mkdir perms/sticky && chmod 1777 perms/sticky
printf 'private\n' > perms/private && chmod 0600 perms/private
printf 'none\n' > perms/none && chmod 0000 perms/none
chown 1234:5678 perms/private 2>/dev/null || true
# fixed times with nanoseconds (directories last, deepest first)
find . -depth ! -type l -exec touch -h -d '2021-03-04 05:06:07.123456789 UTC' {} +
find . -type l -exec touch -h -d '2020-01-02 03:04:05.5 UTC' {} +
touch -d '2019-12-31 23:59:59.987654321 UTC' multi-block.bin
touch -d '2038-02-01 00:00:00.000000001 UTC' small.txt
