package dev.vdisk.trust.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * What a key's own signatures say about it: for a primary key its newest verified
 * self-certification (expiry, primary user id) and verified revocations; for a subkey its newest
 * verified binding signature by the primary key (with the embedded back-signature a signing
 * subkey needs, RFC 4880 5.2.1 type 0x19), its expiry, and verified subkey revocations. A subkey
 * is also unusable when its primary key is revoked or expired.
 *
 * @param keyId the key's id (16 hex digits, upper case)
 * @param fingerprint the key's fingerprint (hex, upper case)
 * @param primaryKeyId the primary key's id
 * @param primaryFingerprint the primary key's fingerprint
 * @param userId the primary user id, or {@code null}
 * @param created when the key was created
 * @param expires when it expires (its own or its primary's, the earlier), or {@code null}
 * @param revoked a description of the revocation, or {@code null}
 * @param unusable why the key cannot sign at all (no valid binding), or {@code null}
 */
public record KeyValidity(String keyId, String fingerprint, String primaryKeyId,
    String primaryFingerprint, String userId, Instant created, Instant expires, String revoked,
    String unusable) {

  private static final BcPGPContentVerifierBuilderProvider VERIFIERS =
      new BcPGPContentVerifierBuilderProvider();

  /**
   * Judges a key.
   *
   * @param primary the primary key of its ring
   * @param key the key (the primary itself or one of its subkeys)
   * @return the judgement
   */
  public static KeyValidity of(PGPPublicKey primary, PGPPublicKey key) {
    SelfInfo p = primaryInfo(primary);
    String keyId = keyIdHex(key.getKeyID());
    String fpr = hex(key.getFingerprint());
    String pid = keyIdHex(primary.getKeyID());
    String pfpr = hex(primary.getFingerprint());
    Instant created = key.getCreationTime().toInstant();
    if (key == primary || key.getKeyID() == primary.getKeyID()) {
      String unusable = p.certified ? null : "key " + keyId + " has no valid self-signature";
      return new KeyValidity(keyId, fpr, pid, pfpr, p.userId, created, p.expires, p.revoked,
          unusable);
    }
    // subkey
    PGPSignature binding = null;
    String revoked = p.revoked == null ? null : "its primary key " + pid + " " + p.revoked;
    for (PGPSignature s : iterable(key.getSignatures())) {
      try {
        if (s.getSignatureType() == PGPSignature.SUBKEY_BINDING && issuedBy(s, primary)) {
          s.init(VERIFIERS, primary);
          if (s.verifyCertification(primary, key)
              && (binding == null || s.getCreationTime().after(binding.getCreationTime()))) {
            binding = s;
          }
        } else if (s.getSignatureType() == PGPSignature.SUBKEY_REVOCATION
            && issuedBy(s, primary)) {
          s.init(VERIFIERS, primary);
          if (s.verifyCertification(primary, key) && revoked == null) {
            revoked = "was revoked on " + date(s.getCreationTime().toInstant());
          }
        }
      } catch (PGPException | RuntimeException e) {
        // an unverifiable signature counts as absent
      }
    }
    String unusable = null;
    Instant expires = p.expires;
    if (binding == null) {
      unusable = "subkey " + keyId + " has no valid binding signature from its primary key "
          + pid;
    } else {
      PGPSignatureSubpacketVector h = binding.getHashedSubPackets();
      long secs = h == null ? 0 : h.getKeyExpirationTime();
      if (secs > 0) {
        Instant own = created.plusSeconds(secs);
        if (expires == null || own.isBefore(expires)) {
          expires = own;
        }
      }
      int flags = h == null ? 0 : h.getKeyFlags();
      boolean signing = flags == 0 || (flags & 0x02) != 0;
      if (!signing) {
        unusable = "subkey " + keyId + " is not a signing key";
      } else if (!hasBackSignature(binding, primary, key)) {
        unusable = "signing subkey " + keyId + " is not cross-certified (no valid primary key "
            + "binding signature)";
      }
    }
    if (!p.certified && unusable == null) {
      unusable = "primary key " + pid + " has no valid self-signature";
    }
    return new KeyValidity(keyId, fpr, pid, pfpr, p.userId, created, expires, revoked, unusable);
  }

  private record SelfInfo(boolean certified, String userId, Instant expires, String revoked) {}

  private static SelfInfo primaryInfo(PGPPublicKey primary) {
    PGPSignature newest = null;
    String newestUid = null;
    String primaryUid = null;
    String firstUid = null;
    for (Object id : iterable(primary.getUserIDs())) {
      String uid = (String) id;
      for (PGPSignature s : iterable(primary.getSignaturesForID(uid))) {
        int t = s.getSignatureType();
        if (t < PGPSignature.DEFAULT_CERTIFICATION || t > PGPSignature.POSITIVE_CERTIFICATION
            || !issuedBy(s, primary)) {
          continue;
        }
        try {
          s.init(VERIFIERS, primary);
          if (!s.verifyCertification(uid, primary)) {
            continue;
          }
        } catch (PGPException | RuntimeException e) {
          continue;
        }
        if (firstUid == null) {
          firstUid = uid;
        }
        PGPSignatureSubpacketVector h = s.getHashedSubPackets();
        if (h != null && h.isPrimaryUserID() && primaryUid == null) {
          primaryUid = uid;
        }
        if (newest == null || s.getCreationTime().after(newest.getCreationTime())) {
          newest = s;
          newestUid = uid;
        }
      }
    }
    PGPSignature direct = null;
    String revoked = null;
    for (PGPSignature s : iterable(primary.getKeySignatures())) {
      try {
        if (s.getSignatureType() == PGPSignature.DIRECT_KEY && issuedBy(s, primary)) {
          s.init(VERIFIERS, primary);
          if (s.verifyCertification(primary)
              && (direct == null || s.getCreationTime().after(direct.getCreationTime()))) {
            direct = s;
          }
        }
      } catch (PGPException | RuntimeException e) {
        // ignored
      }
    }
    for (PGPSignature s : iterable(primary.getSignaturesOfType(PGPSignature.KEY_REVOCATION))) {
      try {
        if (issuedBy(s, primary)) {
          s.init(VERIFIERS, primary);
          if (s.verifyCertification(primary) && revoked == null) {
            revoked = "was revoked on " + date(s.getCreationTime().toInstant());
          }
        }
      } catch (PGPException | RuntimeException e) {
        // ignored
      }
    }
    PGPSignature self = newest;
    if (direct != null && (self == null || direct.getCreationTime().after(self.getCreationTime()))) {
      self = direct;
    }
    Instant expires = null;
    if (self != null && self.getHashedSubPackets() != null) {
      long secs = self.getHashedSubPackets().getKeyExpirationTime();
      if (secs > 0) {
        expires = primary.getCreationTime().toInstant().plusSeconds(secs);
      }
    }
    String uid = primaryUid != null ? primaryUid : newestUid != null ? newestUid : firstUid;
    return new SelfInfo(self != null, uid, expires, revoked);
  }

  private static boolean hasBackSignature(PGPSignature binding, PGPPublicKey primary,
      PGPPublicKey sub) {
    List<PGPSignature> embedded = new ArrayList<>();
    for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {
        binding.getHashedSubPackets(), binding.getUnhashedSubPackets()}) {
      if (v == null || v.getSubpacket(SignatureSubpacketTags.EMBEDDED_SIGNATURE) == null) {
        continue;
      }
      try {
        PGPSignatureList l = v.getEmbeddedSignatures();
        for (PGPSignature s : l) {
          embedded.add(s);
        }
      } catch (PGPException | RuntimeException e) {
        // ignored
      }
    }
    for (PGPSignature s : embedded) {
      if (s.getSignatureType() != PGPSignature.PRIMARYKEY_BINDING) {
        continue;
      }
      try {
        s.init(VERIFIERS, sub);
        if (s.verifyCertification(primary, sub)) {
          return true;
        }
      } catch (PGPException | RuntimeException e) {
        // ignored
      }
    }
    return false;
  }

  /**
   * Whether a signature names a key as its issuer (issuer key id or issuer fingerprint
   * subpacket).
   *
   * @param s the signature
   * @param key the key
   * @return whether it does
   */
  public static boolean issuedBy(PGPSignature s, PGPPublicKey key) {
    return s.getKeyID() == key.getKeyID() || s.getKeyID() == 0;
  }

  @SuppressWarnings("unchecked")
  private static <T> Iterable<T> iterable(Iterator<? extends T> it) {
    return () -> (Iterator<T>) it;
  }

  /**
   * A key id as 16 upper-case hex digits.
   *
   * @param keyId the id
   * @return the text
   */
  public static String keyIdHex(long keyId) {
    return String.format(Locale.ROOT, "%016X", keyId);
  }

  /**
   * Bytes as upper-case hex.
   *
   * @param bytes the bytes
   * @return the text
   */
  public static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(String.format(Locale.ROOT, "%02X", b & 0xff));
    }
    return sb.toString();
  }

  /**
   * A date as an ISO-8601 UTC time without fractions.
   *
   * @param t the time
   * @return the text
   */
  public static String date(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
