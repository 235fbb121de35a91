package dev.vdisk.trust.internal;

import dev.vdisk.trust.TrustStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.bouncycastle.util.encoders.Hex;

/**
 * Checks OpenPGP signatures over some data against a {@link TrustStore}, the way apt judges
 * gpgv's report: the data is trusted when at least one signature is good and made by a trusted
 * key that was neither revoked nor expired (at the signature's time and now), and no signature
 * by a known key is bad. Signatures by unknown keys are ignored when another one is good.
 */
public final class SignatureCheck {
  /** How far in the future a signature (or a key's creation) may lie before it is refused. */
  public static final Duration CLOCK_SLACK = Duration.ofMinutes(10);

  /** The largest detached signature file read. */
  public static final int MAX_SIGNATURE_BYTES = 1 << 20;

  private static final BcPGPContentVerifierBuilderProvider VERIFIERS =
      new BcPGPContentVerifierBuilderProvider();

  private SignatureCheck() {}

  /** Feeds the signed data to a signature being verified. */
  @FunctionalInterface
  public interface Data {
    /**
     * Writes the data into the signature ({@link PGPSignature#update}).
     *
     * @param signature the initialised signature
     * @throws IOException on an I/O error reading the data
     */
    void feed(PGPSignature signature) throws IOException;
  }

  /**
   * The outcome.
   *
   * @param trusted whether the data is trusted
   * @param signer the key of the good signature that made it trusted, or {@code null}
   * @param reasons why it is refused (empty when trusted)
   */
  public record Result(boolean trusted, KeyValidity signer, List<String> reasons) {}

  /**
   * Reads the signature packets of a detached or cleartext signature block (binary or armored;
   * marker packets skipped).
   *
   * @param bytes the signature bytes
   * @return the signatures
   * @throws IOException if the bytes are not OpenPGP signatures (bad armor, bad checksum, other
   *     packets)
   */
  public static List<PGPSignature> readSignatures(byte[] bytes) throws IOException {
    if (bytes.length > MAX_SIGNATURE_BYTES) {
      throw new IOException("signature is larger than " + MAX_SIGNATURE_BYTES + " bytes");
    }
    List<PGPSignature> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
      BcPGPObjectFactory f = new BcPGPObjectFactory(in);
      Object o;
      int guard = 0;
      while ((o = nextOrEnd(f, !out.isEmpty())) != null) {
        if (++guard > 1000) {
          throw new IOException("more than 1000 packets in a signature");
        }
        if (o instanceof PGPSignatureList l) {
          for (PGPSignature s : l) {
            out.add(s);
          }
        } else if (o instanceof PGPMarker) {
          continue;
        } else if (o instanceof PGPCompressedData) {
          throw new IOException("compressed data where a signature was expected");
        } else {
          throw new IOException("not a signature packet: " + o.getClass().getSimpleName());
        }
      }
      // drain: an armor checksum is only checked at the end of the stream
      in.readAllBytes();
    } catch (RuntimeException e) {
      throw new IOException("malformed signature: " + e, e);
    }
    if (out.isEmpty()) {
      throw new IOException("no signature packets");
    }
    return out;
  }

  /** The next object; after a signature was read, unparsable trailing bytes end the list. */
  private static Object nextOrEnd(BcPGPObjectFactory f, boolean haveSignature)
      throws IOException {
    try {
      return f.nextObject();
    } catch (IOException | RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof org.bouncycastle.bcpg.ArmoredInputException) {
          throw new IOException("bad armor: " + t.getMessage(), e); // a checksum mismatch
        }
      }
      if (haveSignature) {
        // gpgv ignores trailing garbage after the signature packets
        return null;
      }
      throw e;
    }
  }

  /**
   * Checks signatures.
   *
   * @param trust the trusted keys
   * @param signatures the signatures over the data
   * @param data the signed data
   * @param now the time to judge expiry against
   * @param cleartext whether the signatures come from a cleartext-signed message (they must then
   *     be text signatures, type 0x01)
   * @return the outcome
   * @throws IOException on an I/O error feeding the data
   */
  public static Result check(TrustStore trust, List<PGPSignature> signatures, Data data,
      Instant now, boolean cleartext) throws IOException {
    List<String> bad = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    KeyValidity good = null;
    for (PGPSignature sig : signatures) {
      String issuer = issuer(sig);
      int type = sig.getSignatureType();
      if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
        problems.add("signature by key " + issuer + " is not a document signature (type 0x"
            + Integer.toHexString(type) + ")");
        continue;
      }
      if (cleartext && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
        problems.add("signature by key " + issuer + " in a cleartext message is not a text "
            + "signature");
        continue;
      }
      List<PGPPublicKey> keys = candidates(trust, sig);
      if (keys.isEmpty()) {
        problems.add("signature by unknown key " + issuer
            + " (no public key for it in the trusted keyrings)");
        continue;
      }
      boolean verified = false;
      PGPPublicKey key = null;
      for (PGPPublicKey k : keys) {
        try {
          sig.init(VERIFIERS, k);
          data.feed(sig);
          if (sig.verify()) {
            verified = true;
            key = k;
            break;
          }
        } catch (PGPException | RuntimeException e) {
          // a key of another algorithm, or a malformed signature: not verified by this key
        }
      }
      if (!verified) {
        KeyValidity kv = trust.validity(keys.get(0));
        bad.add("bad signature by key " + kv.keyId() + describeUser(kv)
            + ": the data or the signature was changed");
        continue;
      }
      KeyValidity kv = trust.validity(key);
      String problem = judge(sig, kv, now);
      if (problem != null) {
        problems.add(problem);
      } else if (good == null) {
        good = kv;
      }
    }
    if (!bad.isEmpty()) {
      List<String> reasons = new ArrayList<>(bad);
      reasons.addAll(problems);
      return new Result(false, null, reasons);
    }
    if (good != null) {
      return new Result(true, good, List.of());
    }
    if (problems.isEmpty()) {
      problems.add("no signature");
    }
    return new Result(false, null, problems);
  }

  /** Why a cryptographically good signature by a known key is still not trusted, or null. */
  private static String judge(PGPSignature sig, KeyValidity kv, Instant now) {
    String who = "key " + kv.keyId() + describeUser(kv);
    Instant made = sig.getCreationTime().toInstant();
    if (kv.unusable() != null) {
      return "signature by " + who + " is not trusted: " + kv.unusable();
    }
    if (kv.revoked() != null) {
      return "signature by " + who + " is not trusted: the key " + kv.revoked();
    }
    int h = sig.getHashAlgorithm();
    if (h == HashAlgorithmTags.MD5 || h == HashAlgorithmTags.SHA1
        || h == HashAlgorithmTags.RIPEMD160) {
      return "signature by " + who + " uses the weak digest algorithm "
          + (h == HashAlgorithmTags.MD5 ? "MD5" : h == HashAlgorithmTags.SHA1 ? "SHA1"
          : "RIPEMD160") + " (refused, as apt does)";
    }
    if (kv.created().isAfter(made.plus(CLOCK_SLACK))) {
      return "signature by " + who + " was made on " + KeyValidity.date(made)
          + ", before the key was created on " + KeyValidity.date(kv.created());
    }
    if (made.isAfter(now.plus(CLOCK_SLACK))) {
      return "signature by " + who + " was made in the future (" + KeyValidity.date(made)
          + ", now is " + KeyValidity.date(now) + ")";
    }
    if (kv.expires() != null) {
      if (!kv.expires().isAfter(made)) {
        return "signature by " + who + " was made on " + KeyValidity.date(made)
            + " after the key expired on " + KeyValidity.date(kv.expires())
            + " (expired at signature time)";
      }
      if (!kv.expires().isAfter(now)) {
        return "signature by " + who + " was made on " + KeyValidity.date(made)
            + " while the key was valid, but the key expired on "
            + KeyValidity.date(kv.expires()) + " (expired now)";
      }
    }
    long sigExpiry = sig.getHashedSubPackets() == null ? 0
        : sig.getHashedSubPackets().getSignatureExpirationTime();
    if (sigExpiry > 0 && !made.plusSeconds(sigExpiry).isAfter(now)) {
      return "signature by " + who + " expired on "
          + KeyValidity.date(made.plusSeconds(sigExpiry));
    }
    return null;
  }

  private static String describeUser(KeyValidity kv) {
    return kv.userId() == null ? "" : " (" + kv.userId() + ")";
  }

  /** The keys a signature may be by: its issuer fingerprint, else its issuer key id. */
  private static List<PGPPublicKey> candidates(TrustStore trust, PGPSignature sig) {
    byte[] fpr = issuerFingerprint(sig);
    long id = sig.getKeyID();
    if (id == 0 && fpr != null && fpr.length >= 8) {
      id = java.nio.ByteBuffer.wrap(fpr, fpr.length - 8, 8).getLong();
    }
    List<PGPPublicKey> out = new ArrayList<>();
    for (PGPPublicKey k : trust.keys(id)) {
      if (fpr == null || java.util.Arrays.equals(fpr, k.getFingerprint())) {
        out.add(k);
      }
    }
    return out;
  }

  private static byte[] issuerFingerprint(PGPSignature sig) {
    for (var v : new org.bouncycastle.openpgp.PGPSignatureSubpacketVector[] {
        sig.getHashedSubPackets()}) {
      if (v != null && v.getIssuerFingerprint() != null) {
        return v.getIssuerFingerprint().getFingerprint();
      }
    }
    return null;
  }

  /**
   * The issuer of a signature as text: its key id, or its fingerprint when no key id is given.
   *
   * @param sig the signature
   * @return the text
   */
  public static String issuer(PGPSignature sig) {
    if (sig.getKeyID() != 0) {
      return KeyValidity.keyIdHex(sig.getKeyID());
    }
    byte[] fpr = issuerFingerprint(sig);
    return fpr == null ? "(no issuer)" : Hex.toHexString(fpr).toUpperCase(java.util.Locale.ROOT);
  }
}
