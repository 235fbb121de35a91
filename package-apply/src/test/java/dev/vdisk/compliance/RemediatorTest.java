package dev.vdisk.compliance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The names of the differencing children a snapshot remediation creates. */
class RemediatorTest {
  @TempDir Path tmp;

  @Test
  void snapshotChildrenAreNamedAfterTheImageWithTheTime() throws Exception {
    Instant at = Instant.parse("2026-11-30T01:15:00Z");
    Path image = tmp.resolve("web1.vmdk");
    Path first = Remediator.snapshotName(image, at);
    assertEquals(tmp.resolve("web1.remediated-20261130T011500Z.vmdk"), first);
    Files.createFile(first);
    assertEquals(tmp.resolve("web1.remediated-20261130T011500Z-2.vmdk"),
        Remediator.snapshotName(image, at));
    assertEquals(tmp.resolve("disk.remediated-20261130T011500Z"),
        Remediator.snapshotName(tmp.resolve("disk"), at));
    assertEquals(tmp.resolve("a.b.remediated-20261130T011500Z.vhdx"),
        Remediator.snapshotName(tmp.resolve("a.b.vhdx"), at));
  }
}
