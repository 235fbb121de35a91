#!/usr/bin/python3
"""Prints the media size and SHA-256 of a VMDK delta chain's virtual disk as libvmdk reads it.

Usage: pyvmdk-chain-sha256.py IMAGE [PARENT [GRANDPARENT ...]]

Each image's extent data files are opened from its own folder; each image gets the next one as
its parent (libvmdk's set_parent). Used by the vdisk-vmdk delta tests as a reader independent of
qemu. Output: "<media size> <sha256 hex>".
"""
import hashlib
import sys

import pyvmdk


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    handles = []
    for path in argv[1:]:
        handle = pyvmdk.handle()
        handle.open(path)
        handle.open_extent_data_files()
        handles.append(handle)
    for child, parent in zip(handles, handles[1:]):
        child.set_parent(parent)
    top = handles[0]
    size = top.get_media_size()
    digest = hashlib.sha256()
    offset = 0
    chunk = 1 << 20
    while offset < size:
        n = min(chunk, size - offset)
        data = top.read_buffer_at_offset(n, offset)
        if len(data) != n:
            sys.stderr.write("short read at %d: %d of %d bytes\n" % (offset, len(data), n))
            return 1
        digest.update(data)
        offset += n
    print(size, digest.hexdigest())
    for handle in handles:
        handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
