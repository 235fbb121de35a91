package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A security identifier (SID) in its binary form: revision 1, an identifier authority of 48 bits
 * (stored big-endian) and up to 15 sub-authorities of 32 bits (stored little-endian).
 *
 * @param identifierAuthority the identifier authority (0 to 2<sup>48</sup>-1)
 * @param subAuthorities the sub-authorities, each an unsigned 32-bit value in an {@code int}
 */
public record Sid(long identifierAuthority, int[] subAuthorities) {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "SID";

  /** The only SID revision. */
  public static final int REVISION = 1;

  /** The most sub-authorities a SID may have. */
  public static final int MAX_SUB_AUTHORITIES = 15;

  /**
   * A SID.
   *
   * @param identifierAuthority the identifier authority
   * @param subAuthorities the sub-authorities (copied)
   */
  public Sid {
    if (identifierAuthority < 0 || identifierAuthority >= 1L << 48) {
      throw new IllegalArgumentException("identifier authority out of range");
    }
    if (subAuthorities.length > MAX_SUB_AUTHORITIES) {
      throw new IllegalArgumentException("more than 15 sub-authorities");
    }
    subAuthorities = subAuthorities.clone();
  }

  /**
   * Parses a SID at {@code pos} of {@code b}.
   *
   * @param b the bytes (any byte order; read as the format requires)
   * @param pos where the SID starts, relative to index 0 of {@code b}
   * @param source the device or file, for error messages
   * @param offset byte offset of {@code b}'s index 0 on {@code source}, for error messages
   * @return the SID
   * @throws CorruptStructureException if the SID lies outside {@code b} or is not revision 1 with at
   *     most 15 sub-authorities
   */
  public static Sid parse(ByteBuffer b, int pos, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer le = Bytes.le(b);
    Bytes.require(le, pos, 8, source, offset, STRUCTURE);
    int revision = le.get(pos) & 0xff;
    int count = le.get(pos + 1) & 0xff;
    if (revision != REVISION) {
      throw new CorruptStructureException(source, offset + pos, STRUCTURE,
          "revision " + revision + " is not 1");
    }
    if (count > MAX_SUB_AUTHORITIES) {
      throw new CorruptStructureException(source, offset + pos, STRUCTURE,
          count + " sub-authorities exceed the maximum of 15");
    }
    Bytes.require(le, pos, 8 + 4 * count, source, offset, STRUCTURE);
    long authority = 0;
    for (int i = 0; i < 6; i++) {
      authority = authority << 8 | (le.get(pos + 2 + i) & 0xff);
    }
    int[] subs = new int[count];
    for (int i = 0; i < count; i++) {
      subs[i] = le.getInt(pos + 8 + 4 * i);
    }
    return new Sid(authority, subs);
  }

  /**
   * Parses the string form {@code S-1-AUTHORITY-SUB...} (authority decimal or {@code 0x} hex).
   *
   * @param text the string
   * @return the SID
   * @throws IllegalArgumentException if {@code text} is not a SID string
   */
  public static Sid of(String text) {
    String[] parts = text.split("-", -1);
    if (parts.length < 3 || !parts[0].equalsIgnoreCase("S") || !parts[1].equals("1")) {
      throw new IllegalArgumentException("not a SID: " + text);
    }
    long authority = parts[2].startsWith("0x") || parts[2].startsWith("0X")
        ? Long.parseLong(parts[2].substring(2), 16) : Long.parseLong(parts[2]);
    int[] subs = new int[parts.length - 3];
    for (int i = 0; i < subs.length; i++) {
      subs[i] = Integer.parseUnsignedInt(parts[i + 3]);
    }
    return new Sid(authority, subs);
  }

  /** {@return the size of the binary form in bytes} */
  public int size() {
    return 8 + 4 * subAuthorities.length;
  }

  /** {@return the sub-authorities (a copy)} */
  @Override
  public int[] subAuthorities() {
    return subAuthorities.clone();
  }

  /** {@return the last sub-authority (the relative identifier) or -1 when there is none} */
  public long rid() {
    return subAuthorities.length == 0 ? -1
        : Integer.toUnsignedLong(subAuthorities[subAuthorities.length - 1]);
  }

  /**
   * {@return whether this SID is {@code domain} followed by exactly one more sub-authority}
   *
   * @param domain the domain SID
   */
  public boolean isInDomain(Sid domain) {
    int n = domain.subAuthorities.length;
    return identifierAuthority == domain.identifierAuthority
        && subAuthorities.length == n + 1
        && Arrays.equals(subAuthorities, 0, n, domain.subAuthorities, 0, n);
  }

  /**
   * Writes the binary form.
   *
   * @param out where to put it, at its position (which advances)
   */
  public void writeTo(ByteBuffer out) {
    out.put((byte) REVISION).put((byte) subAuthorities.length);
    for (int i = 5; i >= 0; i--) {
      out.put((byte) (identifierAuthority >>> (8 * i)));
    }
    for (int s : subAuthorities) {
      out.put((byte) s).put((byte) (s >>> 8)).put((byte) (s >>> 16)).put((byte) (s >>> 24));
    }
  }

  /**
   * {@return the string form {@code S-1-5-21-...}; the authority in hex ({@code 0x...}) from
   * 2<sup>32</sup>-1 up, as Samba writes it}
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("S-1-");
    if (identifierAuthority >= 0xffffffffL) {
      s.append("0x").append(Long.toHexString(identifierAuthority));
    } else {
      s.append(identifierAuthority);
    }
    for (int sub : subAuthorities) {
      s.append('-').append(Integer.toUnsignedString(sub));
    }
    return s.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sid other && other.identifierAuthority == identifierAuthority
        && Arrays.equals(other.subAuthorities, subAuthorities);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(identifierAuthority) * 31 + Arrays.hashCode(subAuthorities);
  }
}
