package dev.vdisk.apply;

import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.VerifyOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * How {@link Applier} injects packages.
 *
 * @param trust the keys packages and repositories must be signed by
 * @param repositories repositories whose verified indexes vouch for the packages (directories or
 *     {@code http(s)://} archive roots)
 * @param verify time and expiry handling
 * @param snapshot a differencing child to create and write into (the image stays unchanged), or
 *     {@code null} to write the image itself
 * @param dryRun do everything except make the result durable: the image is left unchanged
 * @param partition the partition holding the guest's root, or empty to find it
 */
public record ApplyOptions(TrustStore trust, List<String> repositories, VerifyOptions verify,
    Path snapshot, boolean dryRun, OptionalInt partition) {}
