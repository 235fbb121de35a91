package dev.vdisk.testdata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;

/**
 * Samba's Python bindings (Debian python3-samba) as the SDDL oracle for NTFS security
 * descriptors: {@code ndr_unpack(security.descriptor, bytes).as_sddl()} on each descriptor, each in
 * its own forked process because Samba 4.17 crashes on ACE types and flags it has no code for.
 */
public final class SambaSddl {
  /** What Samba's answer starts with when it crashed on a descriptor. */
  public static final String CRASH = "!CRASH";

  /** What Samba's answer starts with when it could not parse a descriptor. */
  public static final String ERROR = "!ERROR";

  private SambaSddl() {}

  /** Requires the samba Python module: fails under CI=true, skips elsewhere. */
  public static void require() {
    Oracles.requirePythonModule("samba.dcerpc.security", "python3-samba");
  }

  /**
   * Converts descriptors to SDDL with Samba.
   *
   * @param descriptors self-relative descriptors
   * @param domainSid the domain SID for the domain-relative aliases, or null
   * @return one answer per descriptor: the SDDL, or a text starting with {@link #CRASH} or {@link
   *     #ERROR}
   */
  public static List<String> sddl(List<byte[]> descriptors, String domainSid) {
    StringBuilder in = new StringBuilder();
    for (byte[] d : descriptors) {
      in.append(HexFormat.of().formatHex(d)).append('\n');
    }
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3",
        ProjectPaths.script("samba-sddl.py").toString()));
    if (domainSid != null) {
      command.add(domainSid);
    }
    Oracles.Result r = Oracles.run(in.toString().getBytes(StandardCharsets.US_ASCII), Map.of(),
        command.toArray(String[]::new));
    if (r.exitCode() != 0) {
      Assertions.fail(r.describe());
    }
    List<String> lines = r.stdout().lines().toList();
    Assertions.assertEquals(descriptors.size(), lines.size(), "one answer per descriptor");
    return lines;
  }
}
