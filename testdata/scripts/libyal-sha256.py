#!/usr/bin/python3
"""Prints the media size and SHA-256 of a virtual disk as a libyal Python binding reads it.

Usage: libyal-sha256.py [--limit BYTES] MODULE IMAGE [PARENT [GRANDPARENT ...]]

MODULE is the binding: pyvhdi (libvhdi: VHD, VHDX) or pyvmdk (libvmdk: VMDK). Each file is opened
with the module's handle (pyvmdk.handle, pyvhdi.file); where the handle can open extent data files
(pyvmdk), they are opened from the image's own folder, by the names its descriptor gives them. A
differencing/delta image needs its parents named in order (the bindings do not follow parent
locators or parentFileNameHint): each handle is given the next one with set_parent, the deepest
first, so that each child sees a complete chain. With --limit, only the first BYTES bytes are
hashed. Output: "<media size> <sha256 hex>".

Reads go in 64 KiB pieces, so that none crosses a 512 KiB block boundary: libvhdi 20210425
returns zeros for the later blocks of a single read that spans several blocks.
"""
import hashlib
import importlib
import sys

CHUNK = 64 << 10


def open_handle(module, path):
    handle = module.handle() if hasattr(module, "handle") else module.file()
    handle.open(path)
    if hasattr(handle, "open_extent_data_files"):
        handle.open_extent_data_files()
    return handle


def main(argv):
    limit = None
    if len(argv) > 2 and argv[1] == "--limit":
        limit = int(argv[2])
        argv = [argv[0]] + argv[3:]
    if len(argv) < 3 or argv[1] not in ("pyvhdi", "pyvmdk"):
        sys.stderr.write(__doc__)
        return 2
    module = importlib.import_module(argv[1])
    handles = [open_handle(module, path) for path in argv[2:]]
    for i in range(len(handles) - 2, -1, -1):
        handles[i].set_parent(handles[i + 1])
    top = handles[0]
    size = top.get_media_size()
    length = size if limit is None else min(size, limit)
    digest = hashlib.sha256()
    offset = 0
    while offset < length:
        n = min(CHUNK, length - offset)
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
