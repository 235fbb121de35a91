package dev.vdisk.trust;

import dev.vdisk.core.TrustException;
import dev.vdisk.trust.internal.KeyValidity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenPGP public keys a verification trusts, read from keyrings (binary or ASCII-armored, as
 * apt's {@code trusted.gpg.d} holds them) with their subkeys, expiry and revocations.
 *
 * <p>Every key (primary or subkey) is indexed by its 64-bit key id and its fingerprint; whether a
 * key may sign at a given time (self-signatures, subkey bindings with their back-signatures,
 * expiry, revocation) is judged by {@link #validity(PGPPublicKey)}.
 */
public final class TrustStore {
  private static final Logger LOG = LoggerFactory.getLogger(TrustStore.class);

  /** The largest keyring file read (Debian's archive keyring is about 60 KiB). */
  static final long MAX_KEYRING_BYTES = 32L << 20;

  private final List<PGPPublicKeyRing> rings;
  private final Map<Long, List<PGPPublicKey>> byKeyId = new HashMap<>();
  private final Map<Long, PGPPublicKeyRing> ringOf = new HashMap<>();
  private final Map<PGPPublicKey, KeyValidity> validity = new HashMap<>();

  private TrustStore(List<PGPPublicKeyRing> rings) {
    this.rings = List.copyOf(rings);
    for (PGPPublicKeyRing ring : this.rings) {
      Iterator<PGPPublicKey> keys = ring.getPublicKeys();
      while (keys.hasNext()) {
        PGPPublicKey k = keys.next();
        byKeyId.computeIfAbsent(k.getKeyID(), id -> new ArrayList<>()).add(k);
        ringOf.putIfAbsent(k.getKeyID(), ring);
      }
    }
  }

  /**
   * Loads keyrings.
   *
   * @param keyringsOrDirectories keyring files, or directories whose {@code *.gpg} and {@code
   *     *.asc} files are all loaded, in name order (like apt's {@code trusted.gpg.d}; other files
   *     there are ignored)
   * @return the store
   * @throws dev.vdisk.core.TrustException if a file is not a keyring (names it), or a directory
   *     holds none
   * @throws IOException on an I/O error
   */
  public static TrustStore load(List<Path> keyringsOrDirectories) throws IOException {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (Path p : keyringsOrDirectories) {
      if (Files.isDirectory(p)) {
        List<Path> files;
        try (Stream<Path> s = Files.list(p)) {
          files = s.filter(f -> {
            String n = f.getFileName().toString();
            return (n.endsWith(".gpg") || n.endsWith(".asc")) && Files.isRegularFile(f);
          }).sorted().toList();
        }
        for (Path f : files) {
          rings.addAll(readKeyring(f));
        }
      } else {
        rings.addAll(readKeyring(p));
      }
    }
    LOG.debug("loaded {} key rings from {}", rings.size(), keyringsOrDirectories);
    return new TrustStore(rings);
  }

  /**
   * Reads the public key rings of one keyring file (binary packets or ASCII armor; several
   * concatenated keys; GnuPG trust packets are skipped).
   *
   * @param file the file
   * @return its key rings
   * @throws TrustException if it is not an OpenPGP keyring (a keybox, garbage, secret keys)
   * @throws IOException on an I/O error
   */
  public static List<PGPPublicKeyRing> readKeyring(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_KEYRING_BYTES) {
      throw new TrustException(file, "keyring is " + size + " bytes, more than the "
          + MAX_KEYRING_BYTES + " accepted");
    }
    byte[] bytes = Files.readAllBytes(file);
    return parseKeyring(bytes, file);
  }

  /**
   * Parses keyring bytes.
   *
   * @param bytes the keyring (binary or armored)
   * @param file the file's name, for messages (may be {@code null})
   * @return the key rings
   * @throws TrustException if the bytes are not an OpenPGP public keyring
   */
  public static List<PGPPublicKeyRing> parseKeyring(byte[] bytes, Path file)
      throws TrustException {
    if (bytes.length >= 8 && bytes[4] == 'K' && bytes[5] == 'B' && bytes[6] == 'X'
        && bytes[7] == 'f') {
      throw new TrustException(file, "a GnuPG keybox (.kbx) is not a keyring; export it with "
          + "gpg --export");
    }
    String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1)
        .strip();
    if (bytes.length == 0 || head.isEmpty()) {
      throw new TrustException(file, "empty keyring");
    }
    List<PGPPublicKeyRing> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
      PGPPublicKeyRingCollection c = new PGPPublicKeyRingCollection(in,
          new BcKeyFingerprintCalculator());
      c.getKeyRings().forEachRemaining(out::add);
    } catch (IOException | PGPException | RuntimeException e) {
      throw new TrustException(file, "not an OpenPGP public keyring: " + describe(e));
    }
    if (out.isEmpty()) {
      throw new TrustException(file, "no public keys in keyring");
    }
    return out;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /**
   * The key rings, in load order.
   *
   * @return the rings (unmodifiable)
   */
  public List<PGPPublicKeyRing> keyRings() {
    return Collections.unmodifiableList(rings);
  }

  /**
   * The keys (primary keys and subkeys) with a key id.
   *
   * @param keyId the 64-bit key id
   * @return the keys (usually one; empty when unknown)
   */
  public List<PGPPublicKey> keys(long keyId) {
    return byKeyId.getOrDefault(keyId, List.of());
  }

  /**
   * The primary key of the ring holding a key.
   *
   * @param key a primary key or subkey of this store
   * @return its primary key
   */
  public PGPPublicKey primaryOf(PGPPublicKey key) {
    PGPPublicKeyRing ring = ringOf.get(key.getKeyID());
    return ring == null ? key : ring.getPublicKey();
  }

  /**
   * The primary fingerprints of every key, with the primary user id (for listings).
   *
   * @return fingerprint (hex, upper case) to user id ({@code ""} when none)
   */
  public Map<String, String> describeKeys() {
    Map<String, String> out = new LinkedHashMap<>();
    for (PGPPublicKeyRing r : rings) {
      PGPPublicKey k = r.getPublicKey();
      String uid = validity(k).userId();
      out.put(KeyValidity.hex(k.getFingerprint()), uid == null ? "" : uid);
    }
    return out;
  }

  /**
   * How a key may be used: its binding, expiry and revocation as its ring's verified
   * self-signatures say.
   *
   * @param key a key of this store
   * @return the judgement (computed once per key)
   */
  public synchronized KeyValidity validity(PGPPublicKey key) {
    KeyValidity v = validity.get(key);
    if (v == null) {
      v = KeyValidity.of(primaryOf(key), key);
      validity.put(key, v);
    }
    return v;
  }
}
