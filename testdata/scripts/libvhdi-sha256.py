#!/usr/bin/python3
"""Prints the media size and the SHA-256 of a VHD/VHDX's whole virtual disk as libvhdi reads it.

Usage: libvhdi-sha256.py [--limit BYTES] IMAGE [PARENT [GRANDPARENT ...]]

A differencing image needs its parents named in order (libvhdi's Python bindings do not follow
parent locators): each file is opened with pyvhdi and given the next one with set_parent. With
--limit, only the first BYTES bytes are hashed. Output: "<media size> <sha256 hex>".

Reads go in 64 KiB pieces that never cross a block boundary: libvhdi 20210425 returns zeros for
the later blocks of a single read that spans several 512 KiB blocks.
"""
import hashlib
import sys

import pyvhdi


def main(argv):
    limit = None
    if len(argv) > 2 and argv[1] == "--limit":
        limit = int(argv[2])
        argv = [argv[0]] + argv[3:]
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    files = []
    for path in argv[1:]:
        f = pyvhdi.file()
        f.open(path)
        files.append(f)
    # set the deepest parent first, so that each child sees a complete chain
    for i in range(len(files) - 2, -1, -1):
        files[i].set_parent(files[i + 1])
    image = files[0]
    size = image.get_media_size()
    length = size if limit is None else min(size, limit)
    digest = hashlib.sha256()
    offset = 0
    chunk = 64 << 10
    while offset < length:
        n = min(chunk, length - offset)
        data = image.read_buffer_at_offset(n, offset)
        if len(data) != n:
            sys.stderr.write("short read at %d: %d of %d bytes\n" % (offset, len(data), n))
            return 1
        digest.update(data)
        offset += n
    print(size, digest.hexdigest())
    for f in files:
        f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
