package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6) as NTFS stores it in {@code $Secure:$SDS}
 * and in {@code $SECURITY_DESCRIPTOR} attributes: the control flags, the owner and group SIDs and
 * the discretionary and system ACLs with their ACEs.
 *
 * @param revision the revision (1)
 * @param control the control flags ({@link #SE_DACL_PRESENT} ...)
 * @param owner the owner SID, if any
 * @param group the primary group SID, if any
 * @param sacl the system ACL, if present and not null
 * @param dacl the discretionary ACL, if present and not null
 */
public record SecurityDescriptor(
    int revision, int control, Optional<Sid> owner, Optional<Sid> group, Optional<Acl> sacl,
    Optional<Acl> dacl) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "security descriptor";

  /** Control: the owner was defaulted. */
  public static final int SE_OWNER_DEFAULTED = 0x0001;
  /** Control: the group was defaulted. */
  public static final int SE_GROUP_DEFAULTED = 0x0002;
  /** Control: a DACL is present (an offset of 0 then means a null DACL: everyone has access). */
  public static final int SE_DACL_PRESENT = 0x0004;
  /** Control: the DACL was defaulted. */
  public static final int SE_DACL_DEFAULTED = 0x0008;
  /** Control: a SACL is present. */
  public static final int SE_SACL_PRESENT = 0x0010;
  /** Control: the SACL was defaulted. */
  public static final int SE_SACL_DEFAULTED = 0x0020;
  /** Control: DACL auto-inheritance requested (SDDL {@code AR}). */
  public static final int SE_DACL_AUTO_INHERIT_REQ = 0x0100;
  /** Control: SACL auto-inheritance requested. */
  public static final int SE_SACL_AUTO_INHERIT_REQ = 0x0200;
  /** Control: the DACL was auto-inherited (SDDL {@code AI}). */
  public static final int SE_DACL_AUTO_INHERITED = 0x0400;
  /** Control: the SACL was auto-inherited. */
  public static final int SE_SACL_AUTO_INHERITED = 0x0800;
  /** Control: the DACL is protected from inheritance (SDDL {@code P}). */
  public static final int SE_DACL_PROTECTED = 0x1000;
  /** Control: the SACL is protected from inheritance. */
  public static final int SE_SACL_PROTECTED = 0x2000;
  /** Control: the descriptor is self-relative (always so on disk). */
  public static final int SE_SELF_RELATIVE = 0x8000;

  /** The size of the fixed header. */
  public static final int HEADER_SIZE = 20;

  /** ACE type: access allowed. */
  public static final int ACCESS_ALLOWED = 0;
  /** ACE type: access denied. */
  public static final int ACCESS_DENIED = 1;
  /** ACE type: system audit. */
  public static final int SYSTEM_AUDIT = 2;
  /** ACE type: system alarm. */
  public static final int SYSTEM_ALARM = 3;
  /** ACE type: access allowed, compound (not used on NTFS; kept as unknown). */
  public static final int ACCESS_ALLOWED_COMPOUND = 4;
  /** ACE type: object access allowed. */
  public static final int ACCESS_ALLOWED_OBJECT = 5;
  /** ACE type: object access denied. */
  public static final int ACCESS_DENIED_OBJECT = 6;
  /** ACE type: object system audit. */
  public static final int SYSTEM_AUDIT_OBJECT = 7;
  /** ACE type: object system alarm. */
  public static final int SYSTEM_ALARM_OBJECT = 8;
  /** ACE type: system mandatory label. */
  public static final int SYSTEM_MANDATORY_LABEL = 0x11;

  /** Object ACE flag: the object type GUID is present. */
  public static final int ACE_OBJECT_TYPE_PRESENT = 1;
  /** Object ACE flag: the inherited object type GUID is present. */
  public static final int ACE_INHERITED_OBJECT_TYPE_PRESENT = 2;

  /** The ACL revision without object ACEs. */
  public static final int ACL_REVISION = 2;
  /** The ACL revision with object ACEs. */
  public static final int ACL_REVISION_DS = 4;

  /**
   * An access control list.
   *
   * @param revision the ACL revision (2 or 4)
   * @param size the ACL's size in bytes, header included
   * @param aces the ACEs in order
   */
  public record Acl(int revision, int size, List<Ace> aces) {
    /**
     * An ACL.
     *
     * @param revision the revision
     * @param size the size
     * @param aces the ACEs (copied)
     */
    public Acl {
      aces = List.copyOf(aces);
    }
  }

  /**
   * An access control entry. Known types (0-3, 5-8, 0x11) have their mask, SID and (object types)
   * GUIDs decoded; other types (callback, compound, resource attribute ...) keep their body in
   * {@link #raw()} and decode mask and SID only where every ACE type has them.
   *
   * @param type the ACE type
   * @param flags the ACE flags ({@code OI} 0x01, {@code CI} 0x02, {@code NP} 0x04, {@code IO}
   *     0x08, {@code ID} 0x10, {@code SA} 0x40, {@code FA} 0x80)
   * @param size the ACE's size in bytes, header included
   * @param mask the access mask
   * @param objectFlags the object ACE flags (0 for other types)
   * @param objectType the object type GUID, if present
   * @param inheritedObjectType the inherited object type GUID, if present
   * @param sid the trustee, if the type is known (or it parsed after the mask)
   * @param raw the ACE's bytes after its 4-byte header (empty for known types)
   */
  public record Ace(int type, int flags, int size, int mask, int objectFlags,
      Optional<UUID> objectType, Optional<UUID> inheritedObjectType, Optional<Sid> sid,
      byte[] raw) {
    /** {@return whether the type is one this class decodes completely} */
    public boolean isKnownType() {
      return type <= SYSTEM_ALARM_OBJECT && type != ACCESS_ALLOWED_COMPOUND
          || type == SYSTEM_MANDATORY_LABEL;
    }

    /** {@return whether the type is an object ACE type (with object flags and GUIDs)} */
    public boolean isObjectType() {
      return type >= ACCESS_ALLOWED_OBJECT && type <= SYSTEM_ALARM_OBJECT;
    }

    /** {@return the body bytes (a copy)} */
    @Override
    public byte[] raw() {
      return raw.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ace a && a.type == type && a.flags == flags && a.size == size
          && a.mask == mask && a.objectFlags == objectFlags && a.objectType.equals(objectType)
          && a.inheritedObjectType.equals(inheritedObjectType) && a.sid.equals(sid)
          && java.util.Arrays.equals(a.raw, raw);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(type, flags, size, mask, objectFlags, objectType,
          inheritedObjectType, sid) * 31 + java.util.Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
      return String.format("Ace[type=%d, flags=0x%02x, size=%d, mask=0x%08x, sid=%s%s]", type,
          flags, size, mask, sid.map(Sid::toString).orElse("-"),
          raw.length == 0 ? "" : ", raw=" + java.util.HexFormat.of().formatHex(raw));
    }
  }

  /**
   * Parses a self-relative security descriptor.
   *
   * @param buffer the descriptor, from its position to its limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the descriptor on {@code source}, for error messages
   * @return the descriptor
   * @throws CorruptStructureException if the header, an offset, a SID, an ACL or an ACE is invalid
   *     or lies outside the buffer
   */
  public static SecurityDescriptor parse(ByteBuffer buffer, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(buffer.slice());
    Bytes.require(b, 0, HEADER_SIZE, source, offset, STRUCTURE);
    int revision = b.get(0) & 0xff;
    int control = b.getShort(2) & 0xffff;
    if (revision != 1) {
      throw new CorruptStructureException(source, offset, STRUCTURE,
          "revision " + revision + " is not 1");
    }
    if ((control & SE_SELF_RELATIVE) == 0) {
      throw new CorruptStructureException(source, offset, STRUCTURE, "not self-relative");
    }
    int ownerAt = field(b, 4, source, offset);
    int groupAt = field(b, 8, source, offset);
    int saclAt = field(b, 12, source, offset);
    int daclAt = field(b, 16, source, offset);
    Optional<Sid> owner = ownerAt == 0 ? Optional.empty()
        : Optional.of(Sid.parse(b, ownerAt, source, offset));
    Optional<Sid> group = groupAt == 0 ? Optional.empty()
        : Optional.of(Sid.parse(b, groupAt, source, offset));
    Optional<Acl> sacl = (control & SE_SACL_PRESENT) == 0 || saclAt == 0 ? Optional.empty()
        : Optional.of(parseAcl(b, saclAt, source, offset));
    Optional<Acl> dacl = (control & SE_DACL_PRESENT) == 0 || daclAt == 0 ? Optional.empty()
        : Optional.of(parseAcl(b, daclAt, source, offset));
    return new SecurityDescriptor(revision, control, owner, group, sacl, dacl);
  }

  private static int field(ByteBuffer b, int at, String source, long offset)
      throws CorruptStructureException {
    long v = b.getInt(at) & 0xffffffffL;
    if (v != 0 && (v < HEADER_SIZE || v >= b.limit())) {
      throw new CorruptStructureException(source, offset, STRUCTURE,
          "offset " + v + " at " + at + " lies outside the " + b.limit() + " bytes");
    }
    return (int) v;
  }

  private static Acl parseAcl(ByteBuffer b, int at, String source, long offset)
      throws CorruptStructureException {
    Bytes.require(b, at, 8, source, offset, STRUCTURE);
    int revision = b.get(at) & 0xff;
    int size = b.getShort(at + 2) & 0xffff;
    int count = b.getShort(at + 4) & 0xffff;
    if (revision < ACL_REVISION || revision > ACL_REVISION_DS) {
      throw new CorruptStructureException(source, offset + at, STRUCTURE,
          "ACL revision " + revision + " is not 2, 3 or 4");
    }
    if (size < 8) {
      throw new CorruptStructureException(source, offset + at, STRUCTURE,
          "ACL size " + size + " is below its 8-byte header");
    }
    Bytes.require(b, at, size, source, offset, STRUCTURE);
    if (count > (size - 8) / 8) {
      throw new CorruptStructureException(source, offset + at, STRUCTURE,
          count + " ACEs cannot fit in an ACL of " + size + " bytes");
    }
    ByteBuffer acl = Bytes.le(b.slice(at, size));
    List<Ace> aces = new ArrayList<>(count);
    int pos = 8;
    for (int i = 0; i < count; i++) {
      Bytes.require(acl, pos, 4, source, offset + at, STRUCTURE);
      int aceSize = acl.getShort(pos + 2) & 0xffff;
      if (aceSize < 8 || (aceSize & 3) != 0) {
        throw new CorruptStructureException(source, offset + at + pos, STRUCTURE,
            "ACE size " + aceSize + " is below 8 or not a multiple of 4");
      }
      Bytes.require(acl, pos, aceSize, source, offset + at, STRUCTURE);
      aces.add(parseAce(Bytes.le(acl.slice(pos, aceSize)), source, offset + at + pos));
      pos += aceSize;
    }
    return new Acl(revision, size, aces);
  }

  private static Ace parseAce(ByteBuffer a, String source, long offset)
      throws CorruptStructureException {
    int type = a.get(0) & 0xff;
    int flags = a.get(1) & 0xff;
    int size = a.limit();
    int mask = a.getInt(4);
    int objectFlags = 0;
    Optional<UUID> objectType = Optional.empty();
    Optional<UUID> inherited = Optional.empty();
    boolean object = type >= ACCESS_ALLOWED_OBJECT && type <= SYSTEM_ALARM_OBJECT;
    boolean known = type <= SYSTEM_ALARM_OBJECT && type != ACCESS_ALLOWED_COMPOUND
        || type == SYSTEM_MANDATORY_LABEL;
    int pos = 8;
    if (object) {
      Bytes.require(a, pos, 4, source, offset, STRUCTURE);
      objectFlags = a.getInt(pos);
      pos += 4;
      if ((objectFlags & ACE_OBJECT_TYPE_PRESENT) != 0) {
        Bytes.require(a, pos, 16, source, offset, STRUCTURE);
        objectType = Optional.of(guid(a, pos));
        pos += 16;
      }
      if ((objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) != 0) {
        Bytes.require(a, pos, 16, source, offset, STRUCTURE);
        inherited = Optional.of(guid(a, pos));
        pos += 16;
      }
    }
    if (known) {
      return new Ace(type, flags, size, mask, objectFlags, objectType, inherited,
          Optional.of(Sid.parse(a, pos, source, offset)), new byte[0]);
    }
    byte[] raw = new byte[size - 4];
    a.get(4, raw);
    Optional<Sid> sid;
    try {
      sid = Optional.of(Sid.parse(a, 8, source, offset));
    } catch (CorruptStructureException notThere) {
      sid = Optional.empty();
    }
    return new Ace(type, flags, size, mask, 0, objectType, inherited, sid, raw);
  }

  /** Reads a GUID in its mixed-endian binary form (MS-DTYP 2.3.4.2). */
  static UUID guid(ByteBuffer le, int pos) {
    long d1 = le.getInt(pos) & 0xffffffffL;
    long d2 = le.getShort(pos + 4) & 0xffffL;
    long d3 = le.getShort(pos + 6) & 0xffffL;
    long hi = d1 << 32 | d2 << 16 | d3;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      lo = lo << 8 | (le.get(pos + 8 + i) & 0xff);
    }
    return new UUID(hi, lo);
  }

  // ---- SDDL, as Samba 4.17's sddl_encode writes it ----

  private static final Map<String, String> WELL_KNOWN = wellKnown();

  private static Map<String, String> wellKnown() {
    String[] pairs = {
      "S-1-1-0", "WD", "S-1-3-0", "CO", "S-1-3-1", "CG", "S-1-3-4", "OW",
      "S-1-5-2", "NU", "S-1-5-4", "IU", "S-1-5-6", "SU", "S-1-5-7", "AN", "S-1-5-9", "ED",
      "S-1-5-10", "PS", "S-1-5-11", "AU", "S-1-5-12", "RC", "S-1-5-18", "SY", "S-1-5-19", "LS",
      "S-1-5-20", "NS", "S-1-5-33", "WR",
      "S-1-5-32-544", "BA", "S-1-5-32-545", "BU", "S-1-5-32-546", "BG", "S-1-5-32-547", "PU",
      "S-1-5-32-548", "AO", "S-1-5-32-549", "SO", "S-1-5-32-550", "PO", "S-1-5-32-551", "BO",
      "S-1-5-32-552", "RE", "S-1-5-32-554", "RU", "S-1-5-32-555", "RD", "S-1-5-32-556", "NO",
      "S-1-5-32-558", "MU", "S-1-5-32-559", "LU", "S-1-5-32-568", "IS", "S-1-5-32-569", "CY",
      "S-1-5-32-573", "ER", "S-1-5-32-574", "CD", "S-1-5-32-575", "RA", "S-1-5-32-576", "ES",
      "S-1-5-32-577", "MS", "S-1-5-32-578", "HA", "S-1-5-32-579", "AA", "S-1-5-32-580", "RM",
      "S-1-16-4096", "LW", "S-1-16-8192", "ME", "S-1-16-8448", "MP", "S-1-16-12288", "HI",
      "S-1-16-16384", "SI", "S-1-15-2-1", "AC", "S-1-5-84-0-0-0-0-0", "UD",
      "S-1-18-1", "AS", "S-1-18-2", "SS",
    };
    java.util.HashMap<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  private static final Map<Long, String> DOMAIN_RIDS = Map.ofEntries(
      Map.entry(498L, "RO"), Map.entry(500L, "LA"), Map.entry(501L, "LG"),
      Map.entry(512L, "DA"), Map.entry(513L, "DU"), Map.entry(514L, "DG"),
      Map.entry(515L, "DC"), Map.entry(516L, "DD"), Map.entry(517L, "CA"),
      Map.entry(518L, "SA"), Map.entry(519L, "EA"), Map.entry(520L, "PA"),
      Map.entry(522L, "CN"), Map.entry(525L, "AP"), Map.entry(526L, "KA"),
      Map.entry(527L, "EK"), Map.entry(553L, "RS"));

  private static final String[] MASK_NAMES = {
    "RP", "WP", "CR", "CC", "DC", "LC", "LO", "RC", "WO", "WD", "SD", "DT", "SW",
    "GA", "GR", "GW", "GX"};
  private static final int[] MASK_BITS = {
    0x10, 0x20, 0x100, 0x1, 0x2, 0x4, 0x80, 0x20000, 0x80000, 0x40000, 0x10000, 0x40, 0x8,
    0x10000000, 0x80000000, 0x40000000, 0x20000000};

  private static final String[] ACE_FLAG_NAMES = {"OI", "CI", "NP", "IO", "ID", "SA", "FA"};
  private static final int[] ACE_FLAG_BITS = {0x01, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80};

  /**
   * {@return the SDDL string of this descriptor without a domain: what Samba's {@code
   * security.descriptor.as_sddl()} gives, so domain-relative SIDs appear in full}
   */
  public String toSddl() {
    return toSddl(null);
  }

  /**
   * Writes this descriptor as SDDL the way Samba 4.17 does: {@code O:} owner, {@code G:} group,
   * {@code D:} DACL and {@code S:} SACL (each only when present, a null ACL omitted), ACL flags
   * {@code P}, {@code AR}, {@code AI}; each ACE as {@code (type;flags;rights;object;inherited
   * object;trustee)} with the rights as letter codes when every bit has one and as {@code
   * 0x%08x} otherwise; SIDs as two-letter aliases where Samba has one. Where Samba has no
   * encoding (it crashes or prints meaningless type codes: unknown ACE flags, callback and later
   * ACE types) this writes the Windows codes ({@code XA}, {@code XD}, {@code ZA}, {@code XU},
   * {@code ML}, {@code RA}, {@code SP}) or {@code 0x%02x}.
   *
   * @param domain the domain SID for the domain-relative aliases ({@code LA}, {@code DA}, {@code
   *     DU} ...), or null for none
   * @return the SDDL string
   */
  public String toSddl(Sid domain) {
    StringBuilder s = new StringBuilder();
    owner.ifPresent(o -> s.append("O:").append(sddlSid(o, domain)));
    group.ifPresent(g -> s.append("G:").append(sddlSid(g, domain)));
    dacl.ifPresent(a -> s.append("D:").append(sddlAcl(a, control, domain)));
    sacl.ifPresent(a -> s.append("S:").append(sddlAcl(a, control >> 1, domain)));
    return s.toString();
  }

  /**
   * {@return a SID as SDDL: its alias, or its string form}
   *
   * @param sid the SID
   * @param domain the domain SID for the domain-relative aliases, or null
   */
  public static String sddlSid(Sid sid, Sid domain) {
    String text = sid.toString();
    String alias = WELL_KNOWN.get(text);
    if (alias != null) {
      return alias;
    }
    if (domain != null && sid.isInDomain(domain)) {
      alias = DOMAIN_RIDS.get(sid.rid());
      if (alias != null) {
        return alias;
      }
    }
    return text;
  }

  private static String sddlAcl(Acl acl, int flags, Sid domain) {
    StringBuilder s = new StringBuilder();
    if ((flags & SE_DACL_PROTECTED) != 0) {
      s.append('P');
    }
    if ((flags & SE_DACL_AUTO_INHERIT_REQ) != 0) {
      s.append("AR");
    }
    if ((flags & SE_DACL_AUTO_INHERITED) != 0) {
      s.append("AI");
    }
    for (Ace ace : acl.aces()) {
      s.append('(').append(sddlAceType(ace.type())).append(';')
          .append(sddlAceFlags(ace.flags())).append(';');
      if (ace.type() == SYSTEM_MANDATORY_LABEL) {
        s.append(sddlLabelMask(ace.mask()));
      } else if (ace.isKnownType() || ace.raw.length >= 4) {
        s.append(sddlMask(ace.mask()));
      }
      s.append(';');
      ace.objectType().ifPresent(g -> s.append(g));
      s.append(';');
      ace.inheritedObjectType().ifPresent(g -> s.append(g));
      s.append(';');
      ace.sid().ifPresent(id -> s.append(sddlSid(id, domain)));
      s.append(')');
    }
    return s.toString();
  }

  private static String sddlAceType(int type) {
    return switch (type) {
      case ACCESS_ALLOWED -> "A";
      case ACCESS_DENIED -> "D";
      case SYSTEM_AUDIT -> "AU";
      case SYSTEM_ALARM -> "AL";
      case ACCESS_ALLOWED_OBJECT -> "OA";
      case ACCESS_DENIED_OBJECT -> "OD";
      case SYSTEM_AUDIT_OBJECT -> "OU";
      case SYSTEM_ALARM_OBJECT -> "OL";
      case 0x09 -> "XA";
      case 0x0a -> "XD";
      case 0x0b -> "ZA";
      case 0x0d -> "XU";
      case SYSTEM_MANDATORY_LABEL -> "ML";
      case 0x12 -> "RA";
      case 0x13 -> "SP";
      default -> String.format("0x%02x", type);
    };
  }

  /**
   * {@return ACE flags as SDDL ({@code OI}, {@code CI}, {@code NP}, {@code IO}, {@code ID}, {@code
   * SA}, {@code FA}), or {@code 0x%02x} when an undefined bit is set}
   *
   * @param flags the ACE flags
   */
  static String sddlAceFlags(int flags) {
    StringBuilder s = new StringBuilder();
    int left = flags;
    for (int i = 0; i < ACE_FLAG_BITS.length; i++) {
      if ((left & ACE_FLAG_BITS[i]) != 0) {
        s.append(ACE_FLAG_NAMES[i]);
        left &= ~ACE_FLAG_BITS[i];
      }
    }
    return left == 0 ? s.toString() : String.format("0x%02x", flags);
  }

  /**
   * {@return an access mask as SDDL: the letter codes in Samba's order when every set bit has one,
   * otherwise {@code 0x%08x}}
   *
   * @param mask the access mask
   */
  public static String sddlMask(int mask) {
    StringBuilder s = new StringBuilder();
    int left = mask;
    for (int i = 0; i < MASK_BITS.length; i++) {
      if ((left & MASK_BITS[i]) != 0) {
        s.append(MASK_NAMES[i]);
        left &= ~MASK_BITS[i];
      }
    }
    return left == 0 ? s.toString() : String.format("0x%08x", mask);
  }

  private static String sddlLabelMask(int mask) {
    if ((mask & ~7) != 0) {
      return String.format("0x%08x", mask);
    }
    return ((mask & 1) != 0 ? "NW" : "") + ((mask & 2) != 0 ? "NR" : "")
        + ((mask & 4) != 0 ? "NX" : "");
  }
}
