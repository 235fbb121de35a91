#!/usr/bin/python3
# Oracle for fs-ntfs's SecurityDescriptor: reads one self-relative security descriptor per line
# (hex) on stdin and prints, per line, Samba's SDDL for it (security.descriptor.as_sddl), or
# "!CRASH <signal>" when Samba crashes (Samba 4.17 segfaults on ACE types and flags it has no SDDL
# code for), or "!ERROR <message>" when Samba cannot parse the bytes.
# Usage: samba-sddl.py [DOMAIN_SID] < descriptors.hex
import os
import sys

from samba.dcerpc import security
from samba.ndr import ndr_unpack

domain = security.dom_sid(sys.argv[1]) if len(sys.argv) > 1 else None
for line in sys.stdin:
    line = line.strip()
    sys.stdout.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            sd = ndr_unpack(security.descriptor, bytes.fromhex(line))
            out = sd.as_sddl(domain) if domain else sd.as_sddl()
        except Exception as e:  # noqa: BLE001 - any parse failure is the answer
            out = "!ERROR " + str(e).replace("\n", " ")
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        c = os.read(r, 65536)
        if not c:
            break
        chunks.append(c)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        print("!CRASH %d" % os.WTERMSIG(status))
    else:
        print(b"".join(chunks).decode())
