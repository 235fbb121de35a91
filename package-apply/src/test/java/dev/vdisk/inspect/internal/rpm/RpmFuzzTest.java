package dev.vdisk.inspect.internal.rpm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.VdiskException;
import dev.vdisk.testdata.FuzzFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the rpm header blob parser, the Berkeley DB hash reader and the NDB
 * reader: they may only fail with {@link VdiskException} (corrupt or unsupported), and every
 * header they accept must answer every accessor and convert to a package (or fail typed when it
 * has no name). The seeds in {@code RpmFuzzTestInputs} (made by {@link MakeRpmFuzzSeeds} with
 * db5.3_load) run as a regression test in every build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class RpmFuzzTest {
  private static final Path DIR = FuzzFiles.directory("rpm-fuzz");

  @FuzzTest(maxDuration = "2m")
  void header(byte[] input) {
    try {
      probe(RpmHeader.parse(ByteBuffer.wrap(input), null, 0));
    } catch (VdiskException expected) {
      // malformed blob
    }
  }

  @FuzzTest(maxDuration = "2m")
  void bdb(byte[] input) throws IOException {
    FuzzFiles.withFile(DIR.resolve("Packages"), input, file -> {
      try {
        for (BerkeleyDbHash.Item item : BerkeleyDbHash.readAll(file)) {
          headerOf(item.data());
        }
      } catch (VdiskException expected) {
        // malformed database
      }
    });
  }

  @FuzzTest(maxDuration = "2m")
  void ndb(byte[] input) throws IOException {
    FuzzFiles.withFile(DIR.resolve("Packages.db"), input, file -> {
      try {
        for (NdbPackages.Blob blob : NdbPackages.readAll(file)) {
          headerOf(blob.data());
        }
      } catch (VdiskException expected) {
        // malformed database
      }
    });
  }

  private static void headerOf(byte[] data) {
    try {
      probe(RpmHeader.parse(data, null, 0));
    } catch (VdiskException expected) {
      // malformed blob
    }
  }

  private static void probe(RpmHeader h) throws VdiskException {
    for (int tag : h.tags()) {
      h.string(tag);
      h.strings(tag);
      h.number(tag);
      h.binary(tag);
    }
    RpmDatabases.toPackage(h);
  }
}
