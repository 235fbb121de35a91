package dev.vdisk.ntfs.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** Builds self-relative security descriptors byte by byte for tests (independent of the parser). */
public final class SdBytes {
  private SdBytes() {}

  /** An ACE to write: type, flags, mask, object GUIDs (object types only, may be null), SID. */
  public record AceSpec(int type, int flags, int mask, UUID object, UUID inherited, String sid,
      byte[] extra) {}

  /** {@return the binary SID for its string form} */
  public static byte[] sid(String text) {
    String[] p = text.split("-");
    long auth = p[2].startsWith("0x") ? Long.parseLong(p[2].substring(2), 16)
        : Long.parseLong(p[2]);
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * (p.length - 3)).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).put((byte) (p.length - 3));
    for (int i = 5; i >= 0; i--) {
      b.put((byte) (auth >>> (8 * i)));
    }
    for (int i = 3; i < p.length; i++) {
      b.putInt((int) Long.parseLong(p[i]));
    }
    return b.array();
  }

  private static void guid(ByteBuffer b, UUID u) {
    long hi = u.getMostSignificantBits();
    b.putInt((int) (hi >>> 32)).putShort((short) (hi >>> 16)).putShort((short) hi);
    long lo = u.getLeastSignificantBits();
    for (int i = 7; i >= 0; i--) {
      b.put((byte) (lo >>> (8 * i)));
    }
  }

  /** {@return an ACE's bytes} */
  public static byte[] ace(AceSpec a) {
    boolean object = a.type() >= 5 && a.type() <= 8;
    byte[] sid = a.sid() == null ? new byte[0] : sid(a.sid());
    int objFlags = (a.object() != null ? 1 : 0) | (a.inherited() != null ? 2 : 0);
    int size = 8 + (object ? 4 : 0) + (a.object() != null ? 16 : 0)
        + (a.inherited() != null ? 16 : 0) + sid.length
        + (a.extra() == null ? 0 : a.extra().length);
    size = (size + 3) & ~3;
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) a.type()).put((byte) a.flags()).putShort((short) size).putInt(a.mask());
    if (object) {
      b.putInt(objFlags);
      if (a.object() != null) {
        guid(b, a.object());
      }
      if (a.inherited() != null) {
        guid(b, a.inherited());
      }
    }
    b.put(sid);
    if (a.extra() != null) {
      b.put(a.extra());
    }
    return b.array();
  }

  /** {@return an ACL's bytes} */
  public static byte[] acl(int revision, List<AceSpec> aces) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (AceSpec a : aces) {
      body.writeBytes(ace(a));
    }
    ByteBuffer b = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) revision).put((byte) 0).putShort((short) (8 + body.size()))
        .putShort((short) aces.size()).putShort((short) 0).put(body.toByteArray());
    return b.array();
  }

  /**
   * {@return a self-relative descriptor: owner, group (null for none), SACL, DACL (null for none);
   * the control's present bits are set for non-null ACLs and kept from {@code control} otherwise}
   */
  public static byte[] descriptor(int control, String owner, String group, byte[] sacl,
      byte[] dacl) {
    List<byte[]> parts = new ArrayList<>();
    int[] offsets = new int[4];
    int pos = 20;
    byte[][] items = {owner == null ? null : sid(owner), group == null ? null : sid(group), sacl,
        dacl};
    for (int i = 0; i < 4; i++) {
      if (items[i] != null) {
        offsets[i] = pos;
        parts.add(items[i]);
        pos += items[i].length;
      }
    }
    int c = control | 0x8000 | (sacl != null ? 0x10 : 0) | (dacl != null ? 0x4 : 0);
    ByteBuffer b = ByteBuffer.allocate(pos).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).put((byte) 0).putShort((short) c);
    for (int o : offsets) {
      b.putInt(o);
    }
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static final String[] WELL_KNOWN = {"S-1-1-0", "S-1-3-0", "S-1-3-1", "S-1-3-4",
      "S-1-5-11", "S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-32-544", "S-1-5-32-545",
      "S-1-5-32-546", "S-1-5-32-580", "S-1-5-32-553", "S-1-16-4096", "S-1-15-2-1", "S-1-5-80-0",
      "S-1-5-84-0-0-0-0-0", "S-1-18-1", "S-1-0-0", "S-1-5", "S-1-2-0", "S-1-5-33"};
  private static final int[] NICE_MASKS = {0x1f01ff, 0x120089, 0x1301bf, 0x1200a9, 0x10000000,
      0xa0000000, 0x20000, 0x1, 0x3f, 0x30, 0xf01ff, 0};

  /** {@return a random SID, often a well-known or a domain one} */
  public static String randomSid(Random r, String domain) {
    return switch (r.nextInt(4)) {
      case 0, 1 -> WELL_KNOWN[r.nextInt(WELL_KNOWN.length)];
      case 2 -> domain + "-" + (r.nextBoolean() ? 490 + r.nextInt(70) : 1000 + r.nextInt(5000));
      default -> {
        StringBuilder s = new StringBuilder("S-1-")
            .append(r.nextInt(8) == 0 ? Long.toString(r.nextLong() & 0xffffffffffffL)
                : Integer.toString(r.nextInt(20)));
        int n = r.nextInt(16);
        for (int i = 0; i < n; i++) {
          s.append('-').append(Integer.toUnsignedString(r.nextInt()));
        }
        yield s.toString();
      }
    };
  }

  /** {@return a random ACE of the types and flags Samba 4.17 has SDDL codes for} */
  public static AceSpec randomAce(Random r, String domain, boolean audit) {
    int type = audit ? new int[] {2, 3, 7, 8}[r.nextInt(4)] : new int[] {0, 1, 5, 6}[r.nextInt(4)];
    int[] flagBits = {1, 2, 4, 8, 0x10, 0x40, 0x80};
    int flags = 0;
    for (int f : flagBits) {
      flags |= r.nextInt(4) == 0 ? f : 0;
    }
    int mask = r.nextBoolean() ? NICE_MASKS[r.nextInt(NICE_MASKS.length)] : r.nextInt();
    boolean object = type >= 5;
    UUID o = object && r.nextBoolean() ? new UUID(r.nextLong(), r.nextLong()) : null;
    UUID i = object && r.nextBoolean() ? new UUID(r.nextLong(), r.nextLong()) : null;
    return new AceSpec(type, flags, mask, o, i, randomSid(r, domain), null);
  }

  /** {@return a random descriptor Samba 4.17 can write as SDDL} */
  public static byte[] randomDescriptor(Random r, String domain) {
    int control = 0;
    int[] bits = {0x1, 0x2, 0x8, 0x20, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000};
    for (int b : bits) {
      control |= r.nextInt(3) == 0 ? b : 0;
    }
    byte[] sacl = null;
    byte[] dacl = null;
    if (r.nextInt(3) == 0) {
      sacl = randomAcl(r, domain, true);
    }
    if (r.nextInt(5) != 0) {
      dacl = randomAcl(r, domain, false);
    } else if (r.nextBoolean()) {
      control |= 0x4; // a null DACL: present, offset 0
    }
    return descriptor(control, r.nextInt(6) == 0 ? null : randomSid(r, domain),
        r.nextInt(6) == 0 ? null : randomSid(r, domain), sacl, dacl);
  }

  private static byte[] randomAcl(Random r, String domain, boolean audit) {
    int n = r.nextInt(6);
    List<AceSpec> aces = new ArrayList<>();
    boolean object = false;
    for (int i = 0; i < n; i++) {
      AceSpec a = randomAce(r, domain, audit);
      object |= a.type() >= 5;
      aces.add(a);
    }
    return acl(object ? 4 : 2, aces);
  }
}
