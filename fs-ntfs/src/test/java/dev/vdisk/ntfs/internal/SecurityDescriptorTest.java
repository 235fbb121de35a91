package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.ntfs.internal.SdBytes.AceSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SecurityDescriptorTest {
  private static final String DOMAIN = "S-1-5-21-1-2-3";

  private static SecurityDescriptor parse(byte[] b) throws CorruptStructureException {
    return SecurityDescriptor.parse(ByteBuffer.wrap(b), "sd", 100);
  }

  private static AceSpec allow(int flags, int mask, String sid) {
    return new AceSpec(0, flags, mask, null, null, sid, null);
  }

  @Test
  void sidParseAndString() throws Exception {
    Sid s = Sid.parse(ByteBuffer.wrap(SdBytes.sid("S-1-5-21-4294967295-2-3-1001")), 0, "s", 0);
    assertThat(s).hasToString("S-1-5-21-4294967295-2-3-1001");
    assertThat(s.identifierAuthority()).isEqualTo(5);
    assertThat(s.rid()).isEqualTo(1001);
    assertThat(s.size()).isEqualTo(8 + 4 * 5);
    assertThat(s.isInDomain(Sid.of("S-1-5-21-4294967295-2-3"))).isTrue();
    assertThat(s.isInDomain(Sid.of("S-1-5-21-4294967295-2"))).isFalse();
    assertThat(Sid.of("S-1-0x100000000-7")).hasToString("S-1-0x100000000-7");
    assertThat(Sid.of("S-1-4294967295-1")).hasToString("S-1-0xffffffff-1");
    assertThat(Sid.of("S-1-5")).hasToString("S-1-5");
    ByteBuffer out = ByteBuffer.allocate(s.size());
    s.writeTo(out);
    assertThat(out.array()).isEqualTo(SdBytes.sid(s.toString()));
    assertThat(Sid.of("S-1-5-18")).isEqualTo(Sid.of("S-1-5-18"))
        .hasSameHashCodeAs(Sid.of("S-1-5-18"));
  }

  @Test
  void sidRejectsBadRevisionCountAndTruncation() {
    byte[] ok = SdBytes.sid("S-1-5-32-544");
    byte[] rev = ok.clone();
    rev[0] = 2;
    byte[] count = ok.clone();
    count[1] = 16;
    byte[] more = ok.clone();
    more[1] = 3;
    for (byte[] b : List.of(rev, count, more, new byte[] {1, 0, 0})) {
      assertThatThrownBy(() -> Sid.parse(ByteBuffer.wrap(b), 0, "s", 0))
          .isInstanceOf(CorruptStructureException.class);
    }
  }

  @Test
  void ntfs3gStyleDescriptor() throws Exception {
    byte[] dacl = SdBytes.acl(2, List.of(allow(0, 0x1f01ff, "S-1-5-32-544"),
        allow(0x13, 0x120089, "S-1-5-18"), allow(0, 0x1301bf, "S-1-5-11")));
    SecurityDescriptor sd = parse(SdBytes.descriptor(0x1400, "S-1-5-32-544", "S-1-5-18", null,
        dacl));
    assertThat(sd.owner()).contains(Sid.of("S-1-5-32-544"));
    assertThat(sd.dacl().orElseThrow().aces()).hasSize(3);
    assertThat(sd.sacl()).isEmpty();
    assertThat(sd.toSddl()).isEqualTo("O:BAG:SYD:PAI(A;;0x001f01ff;;;BA)(A;OICIID;0x00120089;;;SY)"
        + "(A;;0x001301bf;;;AU)");
  }

  @Test
  void letterCodesOnlyWhenEveryBitHasOne() {
    assertThat(SecurityDescriptor.sddlMask(0x10000000)).isEqualTo("GA");
    assertThat(SecurityDescriptor.sddlMask(0xa0000000)).isEqualTo("GRGX");
    assertThat(SecurityDescriptor.sddlMask(0x000f003f))
        .isEqualTo("RPWPCCDCLCRCWOWDSDSW");
    assertThat(SecurityDescriptor.sddlMask(0x00100000)).isEqualTo("0x00100000");
    assertThat(SecurityDescriptor.sddlMask(0)).isEmpty();
    assertThat(SecurityDescriptor.sddlAceFlags(0xdf & ~0x20)).isEqualTo("OICINPIOIDSAFA");
    assertThat(SecurityDescriptor.sddlAceFlags(0x20)).isEqualTo("0x20");
  }

  @Test
  void domainAliasesNeedTheDomain() throws Exception {
    byte[] b = SdBytes.descriptor(0, DOMAIN + "-500", DOMAIN + "-513", null,
        SdBytes.acl(2, List.of(allow(0, 0x10000000, DOMAIN + "-512"),
            allow(0, 0x10000000, DOMAIN + "-1001"), allow(0, 1, "S-1-5-21-9-9-9-500"))));
    SecurityDescriptor sd = parse(b);
    assertThat(sd.toSddl(Sid.of(DOMAIN))).isEqualTo(
        "O:LAG:DUD:(A;;GA;;;DA)(A;;GA;;;" + DOMAIN + "-1001)(A;;CC;;;S-1-5-21-9-9-9-500)");
    assertThat(sd.toSddl()).startsWith("O:" + DOMAIN + "-500G:" + DOMAIN + "-513D:");
  }

  @Test
  void nullAndAbsentAclsAndSaclFlags() throws Exception {
    // DACL present with offset 0: a null DACL, which Samba leaves out
    SecurityDescriptor nullDacl = parse(SdBytes.descriptor(0x4, "S-1-1-0", null, null, null));
    assertThat(nullDacl.dacl()).isEmpty();
    assertThat(nullDacl.toSddl()).isEqualTo("O:WD");
    // a SACL offset without the present flag is ignored
    byte[] b = SdBytes.descriptor(0x2800, null, null,
        SdBytes.acl(2, List.of(new AceSpec(2, 0xc0, 0x10, null, null, "S-1-1-0", null))), null);
    SecurityDescriptor sd = parse(b);
    assertThat(sd.toSddl()).isEqualTo("S:PAI(AU;SAFA;RP;;;WD)");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(2, (short) 0xa800);
    assertThat(parse(b).sacl()).isEmpty();
  }

  @Test
  void objectAces() throws Exception {
    UUID o = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
    UUID i = UUID.fromString("bf967aba-0de6-11d0-a285-00aa003049e2");
    byte[] b = SdBytes.descriptor(0, null, null, null, SdBytes.acl(4, List.of(
        new AceSpec(5, 0, 0x30, o, i, "S-1-5-10", null),
        new AceSpec(6, 2, 0x100, null, i, "S-1-1-0", null),
        new AceSpec(5, 0, 0x1, null, null, "S-1-5-11", null))));
    SecurityDescriptor sd = parse(b);
    SecurityDescriptor.Ace first = sd.dacl().orElseThrow().aces().get(0);
    assertThat(first.objectType()).contains(o);
    assertThat(first.inheritedObjectType()).contains(i);
    assertThat(first.objectFlags()).isEqualTo(3);
    assertThat(sd.toSddl()).isEqualTo("D:(OA;;RPWP;" + o + ";" + i + ";PS)(OD;CI;CR;;" + i
        + ";WD)(OA;;CC;;;AU)");
  }

  @Test
  void unknownAceTypesKeepTheirBytes() throws Exception {
    byte[] app = {'a', 'r', 't', 'x', 1, 2, 3, 4};
    byte[] b = SdBytes.descriptor(0, null, null,
        SdBytes.acl(2, List.of(new AceSpec(0x11, 3, 1, null, null, "S-1-16-4096", null))),
        SdBytes.acl(2, List.of(new AceSpec(9, 0, 0x1f01ff, null, null, "S-1-5-18", app),
            new AceSpec(0x42, 0, 0, null, null, null, new byte[8]))));
    SecurityDescriptor sd = parse(b);
    SecurityDescriptor.Ace callback = sd.dacl().orElseThrow().aces().get(0);
    assertThat(callback.isKnownType()).isFalse();
    assertThat(callback.sid()).contains(Sid.of("S-1-5-18"));
    assertThat(callback.raw()).hasSize(4 + 12 + app.length);
    SecurityDescriptor.Ace odd = sd.dacl().orElseThrow().aces().get(1);
    assertThat(odd.sid()).isEmpty();
    assertThat(sd.toSddl()).isEqualTo("D:(XA;;0x001f01ff;;;SY)(0x42;;;;;)S:(ML;OICI;NW;;;LW)");
    assertThat(callback).isEqualTo(parse(b).dacl().orElseThrow().aces().get(0))
        .hasSameHashCodeAs(parse(b).dacl().orElseThrow().aces().get(0));
  }

  @Test
  void rejectsCorruptDescriptors() {
    byte[] good = SdBytes.descriptor(0, "S-1-5-18", "S-1-5-18", null,
        SdBytes.acl(2, List.of(allow(0, 1, "S-1-1-0"))));
    assertThatThrownBy(() -> parse(new byte[10])).isInstanceOf(CorruptStructureException.class);
    int acl = good.length - 28; // 8-byte header and one 20-byte ACE
    for (int[] patch : new int[][] {
        {0, 2}, // revision
        {3, 0}, // not self-relative
        {4, 200}, // owner beyond the end
        {4, 3}, // owner inside the header
        {16, 250}, // DACL beyond the end
        {acl, 9}, // ACL revision
        {acl + 2, 4}, // ACL size below its header
        {acl + 4, 50}, // ACE count
        {acl + 8 + 2, 6}, // ACE size below 8
        {acl + 8 + 2, 64}, // ACE size beyond the ACL
        {acl + 8 + 8, 2}, // the ACE's SID revision
    }) {
      byte[] b = good.clone();
      b[patch[0]] = (byte) patch[1];
      assertThatThrownBy(() -> parse(b)).as("patch %d=%d", patch[0], patch[1])
          .isInstanceOf(CorruptStructureException.class);
    }
  }
}
