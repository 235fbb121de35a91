#!/usr/bin/python3
"""Prints the media size and the SHA-256 of a VMDK's whole virtual disk as libvmdk reads it.

Usage: pyvmdk-stream-sha256.py IMAGE

Used by the streamOptimized writer and COWD reader tests (vdisk-vmdk, packages internal.stream
and internal.esx) as a second, independent reader. libvmdk 20200926 reads monolithic and
streamOptimized sparse files and vmfsSparse (COWD) descriptors, not SESPARSE extents, and opens
extent files by the name the (embedded) descriptor gives them. Output: "<media size> <sha256>".
"""
import hashlib
import sys

import pyvmdk


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    handle = pyvmdk.handle()
    handle.open(argv[1])
    handle.open_extent_data_files()
    size = handle.get_media_size()
    digest = hashlib.sha256()
    offset = 0
    chunk = 1 << 20
    while offset < size:
        n = min(chunk, size - offset)
        data = handle.read_buffer_at_offset(n, offset)
        if len(data) != n:
            sys.stderr.write("short read at %d: %d of %d bytes\n" % (offset, len(data), n))
            return 1
        digest.update(data)
        offset += n
    print(size, digest.hexdigest())
    handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
