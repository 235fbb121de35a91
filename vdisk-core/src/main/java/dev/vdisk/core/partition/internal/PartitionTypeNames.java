package dev.vdisk.core.partition.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Readable names of MBR type bytes and GPT type GUIDs, as util-linux's fdisk and sfdisk name them
 * (the tables are resources next to this class, generated from {@code sfdisk --label dos -T} and
 * {@code sfdisk --label gpt -T}).
 */
public final class PartitionTypeNames {
  private static final Map<Integer, String> MBR = load("mbr-partition-types.tsv", true);
  private static final Map<String, String> GPT = load("gpt-partition-types.tsv", false);

  private PartitionTypeNames() {}

  /**
   * The name of an MBR type byte.
   *
   * @param typeByte 0..255
   * @return the name, if known
   */
  public static Optional<String> mbr(int typeByte) {
    return Optional.ofNullable(MBR.get(typeByte));
  }

  /**
   * The name of a GPT type GUID.
   *
   * @param guid the GUID in canonical form, any case
   * @return the name, if known
   */
  public static Optional<String> gpt(String guid) {
    return Optional.ofNullable(GPT.get(guid.toUpperCase(Locale.ROOT)));
  }

  @SuppressWarnings("unchecked")
  private static <K> Map<K, String> load(String resource, boolean hexKeys) {
    Map<K, String> map = new HashMap<>();
    try (InputStream in = PartitionTypeNames.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        String key = line.substring(0, tab).trim();
        String name = line.substring(tab + 1).trim();
        Object k = hexKeys ? Integer.valueOf(Integer.parseInt(key, 16)) : key.toUpperCase(Locale.ROOT);
        map.putIfAbsent((K) k, name); // the first name listed wins, as in sfdisk
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.copyOf(map);
  }
}
