#!/usr/bin/env bash
# Makes the seed corpus of fs-ntfs's NtfsMetadataFuzzTest from a volume that mkntfs makes and
# ntfs-3g fills (modes, POSIX ACLs, planted reparse points, Interix special files):
#   securityDescriptor/  raw descriptors (getfattr -n system.ntfs_acl) and two hand-made ones
#                        (object ACEs; a SACL with a mandatory label and a callback ACE)
#   secureStore/         the first 4 KiB of $Secure:$SDS, and the $SII and $SDH index roots
#                        (icat), each prefixed by one byte saying which it is (0, 1, 2)
#   reparsePoint/        reparse data read back by getfattr -n system.ntfs_reparse_data
#   interixFile/         4-byte LE file attributes + the unnamed $DATA of ntfs-3g's Interix files
#   volumeInformation/   $Volume's $VOLUME_INFORMATION value (icat)
#   logFile/             the first 8 KiB of $LogFile: mkntfs's (all 0xff) and two restart page
#                        pairs built here by the documented layout (version 1.1 clean, 2.0 dirty)
#   hibernationFile/     8-byte LE file size + the first bytes of hiberfil.sys headers
# Needs root (the ntfs-3g mount). Usage: make-ntfs-metadata-fuzz-seeds.sh RESOURCE_DIR
#   (e.g. fs-ntfs/src/test/resources/dev/vdisk/ntfs)
set -euo pipefail
[[ -n ${TRACE:-} ]] && set -x
out=$(realpath -m "${1:?usage: $0 RESOURCE_DIR}")
seeds="$out/NtfsMetadataFuzzTestInputs"
rm -rf "$seeds"
mkdir -p "$seeds"/{securityDescriptor,secureStore,reparsePoint,interixFile,volumeInformation,logFile,hibernationFile}
tmp=$(mktemp -d)
trap 'cd /; umount "$tmp/mnt" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8
img="$tmp/meta.img"
truncate -s 16M "$img"
mkntfs -F -Q "$img" >/dev/null 2>&1
mkdir "$tmp/mnt"
hexval() { getfattr -h -e hex -n "$1" "$2" | sed -n "s/^$1=0x//p" | xxd -r -p; }

ntfs-3g -o permissions,acl "$img" "$tmp/mnt"
cd "$tmp/mnt"
echo x > mode644; chmod 644 mode644
echo x > mode000; chmod 000 mode000
mkdir sticky; chmod 1777 sticky
echo x > owned; chown 1000:1000 owned
echo x > acl; setfacl -m u:1234:rwx,g:555:r-x acl
mkdir defaults; setfacl -m d:u:1234:rwx,d:g::r-x defaults
for f in mode644 mode000 sticky owned acl defaults; do
  hexval system.ntfs_acl "$f" > "$seeds/securityDescriptor/ntfs-3g-$f"
done
cd /
umount "$tmp/mnt"

ntfs-3g "$img" "$tmp/mnt"
cd "$tmp/mnt"
link() { # TAG SUBSTITUTE PRINT [FLAGS]: reparse data of a symlink or junction, as hex
  python3 - "$@" <<'PY'
import struct, sys
tag, sub, pr = int(sys.argv[1], 16), sys.argv[2].encode('utf-16le'), sys.argv[3].encode('utf-16le')
body = struct.pack('<HHHH', 0, len(sub), len(sub) + 2, len(pr))
if len(sys.argv) > 4:
    body += struct.pack('<I', int(sys.argv[4]))
body += sub + b'\0\0' + pr + b'\0\0'
print('0x' + (struct.pack('<IHH', tag, len(body), 0) + body).hex())
PY
}
mkdir -p dir/x j-here j-other
touch s-abs s-rel w-xpress4k w-lzx dedup
setfattr -n system.ntfs_reparse_data -v "$(link A0000003 '\??\C:\dir\x' 'C:\dir\x')" j-here
setfattr -n system.ntfs_reparse_data -v "$(link A0000003 '\??\D:\other' 'D:\other')" j-other
setfattr -n system.ntfs_reparse_data -v "$(link A000000C '\??\C:\dir\x' 'C:\dir\x' 0)" s-abs
setfattr -n system.ntfs_reparse_data -v "$(link A000000C '..\dir\x' '..\dir\x' 1)" s-rel
setfattr -n system.ntfs_reparse_data -v 0x170000801000000001000000020000000100000000000000 w-xpress4k
setfattr -n system.ntfs_reparse_data -v 0x170000801000000001000000020000000100000001000000 w-lzx
setfattr -n system.ntfs_reparse_data -v 0x13000080080000000102030405060708 dedup
ln -s ../target/file ln-rel
ln -s /abs/日本 ln-unicode
mkfifo fifo
mknod chr c 4 5
mknod blk b 8 1
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
cd /
umount "$tmp/mnt"
ntfs-3g "$img" "$tmp/mnt"
for f in j-here j-other s-abs s-rel w-xpress4k w-lzx dedup; do
  hexval system.ntfs_reparse_data "$tmp/mnt/$f" > "$seeds/reparsePoint/$f"
done
declare -A inode
for f in ln-rel ln-unicode fifo chr blk sock; do inode[$f]=$(stat -c %i "$tmp/mnt/$f"); done
umount "$tmp/mnt"
for f in ln-rel ln-unicode fifo chr blk sock; do
  { printf '\x24\x00\x00\x00'; icat "$img" "${inode[$f]}"; } > "$seeds/interixFile/$f"
done

sds=$(istat "$img" 9 | sed -n 's/.*(128-\([0-9]*\)) *Name: \$SDS.*/\1/p')
sii=$(istat "$img" 9 | sed -n 's/.*(144-\([0-9]*\)) *Name: \$SII.*/\1/p')
sdh=$(istat "$img" 9 | sed -n 's/.*(144-\([0-9]*\)) *Name: \$SDH.*/\1/p')
icat "$img" "9-128-$sds" > "$tmp/sds"
{ printf '\x00'; head -c 4096 "$tmp/sds"; } > "$seeds/secureStore/sds"
{ printf '\x01'; icat "$img" "9-144-$sii"; } > "$seeds/secureStore/sii-root"
{ printf '\x02'; icat "$img" "9-144-$sdh"; } > "$seeds/secureStore/sdh-root"
vi=$(istat "$img" 3 | sed -n 's/.*(112-\([0-9]*\)).*/\1/p')
icat "$img" "3-112-$vi" > "$seeds/volumeInformation/mkntfs"
icat "$img" 2 > "$tmp/log"
head -c 8192 "$tmp/log" > "$seeds/logFile/mkntfs-empty"

python3 - "$seeds" <<'PY'
import struct, sys
seeds = sys.argv[1]
def ace(typ, flags, mask, sid, extra=b''):
    body = struct.pack('<I', mask) + sid + extra
    return struct.pack('<BBH', typ, flags, 4 + len(body)) + body
def sid(auth, *subs):
    return struct.pack('<BB', 1, len(subs)) + auth.to_bytes(6, 'big') + b''.join(struct.pack('<I', s) for s in subs)
def acl(rev, aces):
    body = b''.join(aces)
    return struct.pack('<BBHHH', rev, 0, 8 + len(body), len(aces), 0) + body
def sd(control, owner, group, sacl, dacl):
    parts, offs, pos = [], [], 20
    for p in (owner, group, sacl, dacl):
        offs.append(pos if p else 0); parts.append(p or b''); pos += len(p or b'')
    return struct.pack('<BBHIIII', 1, 0, control | 0x8000, *offs) + b''.join(parts)
guid = bytes(range(16))
obj = struct.pack('<BBH', 5, 2, 4 + 4 + 4 + 32 + 12) + struct.pack('<II', 0x30, 3) + guid + guid[::-1] + sid(5, 10)
open(f'{seeds}/securityDescriptor/object-aces', 'wb').write(
    sd(0x4, sid(5, 32, 544), None, None, acl(4, [obj, ace(0, 0x13, 0x1f01ff, sid(5, 18))])))
open(f'{seeds}/securityDescriptor/label-and-callback', 'wb').write(
    sd(0x14 | 0x1400, sid(5, 21, 1, 2, 3, 1001), sid(5, 21, 1, 2, 3, 513),
       acl(2, [ace(0x11, 0x0b, 1, sid(16, 4096))]),
       acl(2, [ace(9, 0, 0x1f01ff, sid(5, 18), b'artx\x01\x00\x00\x00')])))
def restart(lsn, flags, in_use, major, minor):
    p = bytearray(4096)
    struct.pack_into('<4sHHqIIHhh', p, 0, b'RSTR', 0x1e, 9, 0, 4096, 4096, 0x30, minor, major)
    ra = 0x30
    struct.pack_into('<QHHHHIHHqIHHI', p, ra, lsn, 1, 0xffff, in_use, flags, 0x2d, 0xe0, 0x40,
                     1 << 21, 0x70, 0x30, 0x40, 0)
    c = ra + 0x40
    struct.pack_into('<QQHHH6xI', p, c, 0, 0, 0xffff, 0xffff, 0, 8)
    p[c + 0x20:c + 0x28] = 'NTFS'.encode('utf-16le')
    usn = 3
    struct.pack_into('<H', p, 0x1e, usn)
    for i in range(1, 9):
        p[0x1e + 2 * i:0x20 + 2 * i] = p[i * 512 - 2:i * 512]
        struct.pack_into('<H', p, i * 512 - 2, usn)
    return bytes(p)
open(f'{seeds}/logFile/v1.1-clean', 'wb').write(restart(100, 2, 0, 1, 1) * 2)
open(f'{seeds}/logFile/v2.0-dirty', 'wb').write(restart(200, 0, 0, 2, 0) + restart(100, 2, 0, 2, 0))
for sig in ('hibr', 'wake', 'RSTR'):
    open(f'{seeds}/hibernationFile/{sig}', 'wb').write(struct.pack('<q', 1 << 30) + sig.encode() + bytes(60))
open(f'{seeds}/hibernationFile/zeroes', 'wb').write(struct.pack('<q', 8192) + bytes(64))
open(f'{seeds}/hibernationFile/short', 'wb').write(struct.pack('<q', 100) + b'hibr')
PY
ls -l "$seeds"/*
