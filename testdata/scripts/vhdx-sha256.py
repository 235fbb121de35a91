#!/usr/bin/python3
"""Prints the SHA-256 of a VHD/VHDX image's virtual disk as libvhdi (pyvhdi) reads it.

Usage: vhdx-sha256.py IMAGE [PARENT [GRANDPARENT ...]]
The parents, if given, are attached with set_parent, child first.
"""
import hashlib
import sys

import pyvhdi


def main():
    paths = sys.argv[1:]
    if not paths:
        sys.exit("usage: vhdx-sha256.py IMAGE [PARENT ...]")
    files = []
    for path in paths:
        f = pyvhdi.file()
        f.open(path)
        files.append(f)
    # Attach from the base upwards so each parent is complete when it is attached.
    for i in range(len(files) - 2, -1, -1):
        files[i].set_parent(files[i + 1])
    image = files[0]
    size = image.get_media_size()
    digest = hashlib.sha256()
    offset = 0
    chunk = 1 << 20
    while offset < size:
        n = min(chunk, size - offset)
        data = image.read_buffer_at_offset(n, offset)
        if len(data) != n:
            sys.exit("short read at %d: %d of %d bytes" % (offset, len(data), n))
        digest.update(data)
        offset += n
    print(digest.hexdigest())


if __name__ == "__main__":
    main()
