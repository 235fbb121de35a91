#!/usr/bin/env bash
# Makes the Windows inspection fixture in OUTDIR:
#   SOFTWARE, SYSTEM   hives built with hivexregedit --merge from software.reg and system.reg
#                      (written here) on make-hives.sh's empty.hive:
#     SOFTWARE  Microsoft\Windows NT\CurrentVersion facts (a Windows 11 build that still says
#               "Windows 10" in ProductName), six Component Based Servicing packages in different
#               states (0x70 installed, 0x20 resolved, 0x50 superseded, 0x40 staged, 0x60 install
#               pending, a RollupFix with an InstallName naming its KB), RebootPending, Uninstall
#               entries in the native and the WOW6432Node view (one SystemComponent, one without
#               DisplayName)
#     SYSTEM    Select\Current = 2 with ControlSet001 and ControlSet002 holding different host
#               names, PROCESSOR_ARCHITECTURE, PendingFileRenameOperations, MountedDevices with C:
#               as MBR signature 0x1a2b3c4d + offset 1 MiB and E: as a GPT partition GUID
#   windows.raw        an MBR disk (label-id 0x1a2b3c4d) with one NTFS partition (type 7, start
#                      1 MiB) made by mkntfs and filled through ntfs-3g with
#                      Windows/System32/config/{SOFTWARE,SYSTEM} and Windows/WinSxS/pending.xml
#   windows.vhdx       that disk converted by qemu-img (dynamic VHDX)
#   windows-gpt.raw    the same volume in a GPT disk, partition 1 with the unique GUID that
#                      MountedDevices gives E: (so there E: is partition 1 and C: is nowhere)
# Usage: make-windows-ntfs.sh OUTDIR. Needs root (the FUSE mount), hivexregedit, mkntfs, ntfs-3g,
# sfdisk, qemu-img, python3.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
tmp=$(mktemp -d)
mnt="$tmp/mnt"
mkdir "$mnt"
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" || umount -l "$mnt" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

sh "$here/make-hives.sh" "$tmp/hives" >/dev/null

python3 - "$out" <<'PY'
import sys, struct, uuid
out = sys.argv[1]
def hexs(b): return ','.join('%02x' % x for x in b)
def multi(strings):
    return 'hex(7):' + hexs(''.join(s + '\0' for s in strings).encode('utf-16-le') + b'\0\0')
def esc(s): return s.replace('\\', '\\\\').replace('"', '\\"')
def keys(lines, path):
    # parents before children
    parts = path.split('\\')
    for i in range(1, len(parts) + 1):
        p = '\\'.join(parts[:i])
        if p not in seen:
            seen.add(p); lines.append('\n[\\%s]' % p)
seen = set()
sw = ['Windows Registry Editor Version 5.00']
def key(lines, path, values=()):
    keys(lines, path)
    if path in done:
        raise SystemExit('key twice: ' + path)
    done.add(path)
    if path in seen and lines[-1] != '\n[\\%s]' % path:
        lines.append('\n[\\%s]' % path)
    for name, v in values:
        if isinstance(v, int):
            lines.append('"%s"=dword:%08x' % (esc(name), v))
        elif isinstance(v, str):
            lines.append('"%s"="%s"' % (esc(name), esc(v)))
        else:
            lines.append('"%s"=%s' % (esc(name), v[0]))
done = set()
key(sw, r'Microsoft\Windows NT\CurrentVersion', [
    ('ProductName', 'Windows 10 Pro'), ('EditionID', 'Professional'),
    ('InstallationType', 'Client'), ('CurrentMajorVersionNumber', 10),
    ('CurrentMinorVersionNumber', 0), ('CurrentVersion', '6.3'),
    ('CurrentBuildNumber', '22631'), ('CurrentBuild', '22631'), ('UBR', 3155),
    ('DisplayVersion', '23H2'), ('ReleaseId', '2009'), ('RegisteredOwner', 'vdisk')])
cbs = r'Microsoft\Windows\CurrentVersion\Component Based Servicing'
packages = [
    ('Package_for_KB5034441~31bf3856ad364e35~amd64~~22621.3155.1.1', 0x70, None),
    ('Package_for_KB5012170~31bf3856ad364e35~amd64~~22621.2.1.0', 0x20, None),
    ('Package_1_for_KB5031455~31bf3856ad364e35~amd64~~22621.2506.1.7', 0x50, None),
    ('Package_for_ServicingStack_3155~31bf3856ad364e35~amd64~~22621.3155.1.1', 0x40, None),
    ('Package_for_KB5035853~31bf3856ad364e35~amd64~~22621.3296.1.0', 0x60, None),
    ('Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3155.1.6', 0x70,
     'Windows11.0-KB5034765-x64.cab'),
    ('Microsoft-Windows-Client-LanguagePack-Package~31bf3856ad364e35~amd64~en-US~10.0.22621.3155',
     0x80, None),
]
key(sw, cbs + r'\Packages')
for name, state, install in packages:
    vals = [('CurrentState', state), ('Visibility', 1)]
    if install:
        vals.append(('InstallName', install))
    key(sw, cbs + '\\Packages\\' + name, vals)
key(sw, cbs + r'\RebootPending')
un = r'Microsoft\Windows\CurrentVersion\Uninstall'
key(sw, un)
key(sw, un + r'\7-Zip', [('DisplayName', '7-Zip 23.01 (x64)'), ('DisplayVersion', '23.01'),
    ('Publisher', 'Igor Pavlov'), ('InstallDate', '20240115')])
key(sw, un + r'\{90160000-008C-0000-1000-0000000FF1CE}', [
    ('DisplayName', 'Office 16 Click-to-Run Extensibility Component'),
    ('DisplayVersion', '16.0.17126.20132'), ('Publisher', 'Microsoft Corporation'),
    ('InstallDate', '20240201'), ('SystemComponent', 1)])
key(sw, un + r'\AddressBook', [('NoRemove', 1)])
key(sw, un + r'\Zürich Tool', [('DisplayName', 'Zürich Tool'), ('DisplayVersion', '1.0'),
    ('Publisher', 'Ünïcode AG')])
wun = r'WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
key(sw, wun)
key(sw, wun + r'\Notepad++', [('DisplayName', 'Notepad++ (32-bit x86)'),
    ('DisplayVersion', '8.6.2'), ('Publisher', 'Notepad++ Team'), ('InstallDate', '20240110')])
key(sw, wun + r'\{B2FE1952-0186-46C3-BAEC-A80AA35AC5B8}_is1', [('Publisher', 'nobody'),
    ('DisplayVersion', '0.1')])
open(out + '/software.reg', 'w', encoding='utf-8').write('\n'.join(sw) + '\n')

seen = set(); done = set()
sy = ['Windows Registry Editor Version 5.00']
key(sy, 'Select', [('Current', 2), ('Default', 2), ('Failed', 0), ('LastKnownGood', 1)])
for n, host in ((1, 'OLD-HOSTNAME'), (2, 'WIN-VDISK01')):
    cs = 'ControlSet%03d' % n
    key(sy, cs + r'\Control\ComputerName\ComputerName', [('ComputerName', host)])
    key(sy, cs + r'\Control\Session Manager', [] if n == 1 else [
        ('PendingFileRenameOperations', (multi([r'\??\C:\Windows\Temp\old.dll', '']),))])
    key(sy, cs + r'\Control\Session Manager\Environment',
        [('PROCESSOR_ARCHITECTURE', 'x86' if n == 1 else 'AMD64')])
mbr = struct.pack('<IQ', 0x1a2b3c4d, 1 << 20)
gpt = b'DMIO:ID:' + uuid.UUID('0f5b6d8e-1c2d-4e3f-8a9b-0c1d2e3f4a5b').bytes_le
key(sy, 'MountedDevices', [('\\DosDevices\\C:', ('hex(3):' + hexs(mbr),)),
    ('\\DosDevices\\E:', ('hex(3):' + hexs(gpt),)),
    ('\\DosDevices\\D:', ('hex(3):' + hexs('\\??\\IDE#CdRomVBOX'.encode('utf-16-le')),))])
open(out + '/system.reg', 'w', encoding='utf-8').write('\n'.join(sy) + '\n')
PY

for h in SOFTWARE SYSTEM; do
  cp "$tmp/hives/empty.hive" "$out/$h"
  lower=$(echo "$h" | tr A-Z a-z)
  LC_ALL=C.UTF-8 PERL_UNICODE=SDA hivexregedit --merge "$out/$h" "$out/$lower.reg"
done

part="$tmp/part.img"
truncate -s 32M "$part"
mkntfs -F -Q -L WINDOWS -c 4096 -p 2048 -H 255 -S 63 "$part" >"$tmp/mkntfs.log" 2>&1 \
  || { cat "$tmp/mkntfs.log" >&2; exit 1; }
ntfs-3g "$part" "$mnt"
mkdir -p "$mnt/Windows/System32/config" "$mnt/Windows/WinSxS"
cp "$out/SOFTWARE" "$out/SYSTEM" "$mnt/Windows/System32/config/"
printf '<?xml version="1.0" encoding="utf-8"?>\n<PendingTransaction Version="3.1" Identifier="vdisk"/>\n' \
  > "$mnt/Windows/WinSxS/pending.xml"
umount "$mnt"

rm -f "$out/windows.raw" "$out/windows.vhdx"
truncate -s 33M "$out/windows.raw"
printf 'label: dos\nlabel-id: 0x1a2b3c4d\nstart=2048, size=%d, type=7\n' $(( 32 << 11 )) \
  | sfdisk -q "$out/windows.raw" >/dev/null
dd if="$part" of="$out/windows.raw" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$out/windows-gpt.raw"
truncate -s 34M "$out/windows-gpt.raw"
printf 'label: gpt\nlabel-id: 5A3C1E2B-4D6F-4A8B-9C0D-1E2F3A4B5C6D\nstart=2048, size=%d, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=0F5B6D8E-1C2D-4E3F-8A9B-0C1D2E3F4A5B\n' \
  $(( 32 << 11 )) | sfdisk -q "$out/windows-gpt.raw" >/dev/null
dd if="$part" of="$out/windows-gpt.raw" bs=1M seek=1 conv=notrunc,sparse status=none
qemu-img convert -f raw -O vhdx -o subformat=dynamic "$out/windows.raw" "$out/windows.vhdx"
