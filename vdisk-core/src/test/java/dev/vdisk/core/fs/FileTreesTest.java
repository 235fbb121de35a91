package dev.vdisk.core.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.copy.ProgressListener;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileTrees} copying out of the in-memory test file system onto the host's. */
class FileTreesTest {
  @TempDir Path dir;
  private VdiskFileSystem fs;

  @BeforeEach
  void open() throws IOException {
    fs = MemoryFileSystemDriver.openTestFileSystem();
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  @Test
  void copiesContentsLinksHardLinksModesAndTimes() throws IOException {
    Path out = dir.resolve("out");
    List<long[]> progress = new ArrayList<>();
    ProgressListener listener = (done, total) -> progress.add(new long[] {done, total});
    FileTrees.Summary summary = FileTrees.copy(fs.getPath("/"), out,
        new FileTrees.Options(false, false, listener));

    assertThat(Files.readString(out.resolve("etc/os-release"))).isEqualTo("ID=test\nVERSION_ID=1\n");
    assertThat(Files.readAllBytes(out.resolve("big.bin")))
        .isEqualTo(Files.readAllBytes(fs.getPath("/big.bin")));
    assertThat(Files.readSymbolicLink(out.resolve("rel-link")).toString())
        .isEqualTo("etc/os-release");
    assertThat(Files.readSymbolicLink(out.resolve("abs-link")).toString()).isEqualTo("/etc");
    assertThat(Files.getAttribute(out.resolve("hard.bin"), "unix:ino"))
        .isEqualTo(Files.getAttribute(out.resolve("big.bin"), "unix:ino"));
    assertThat((int) Files.getAttribute(out.resolve("big.bin"), "unix:mode") & 07777)
        .isEqualTo(04755);
    assertThat((int) Files.getAttribute(out.resolve("etc/empty.d"), "unix:mode") & 07777)
        .isEqualTo(0700);
    assertThat(Files.getLastModifiedTime(out.resolve("etc"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(Files.getLastModifiedTime(fs.getPath("/etc"), LinkOption.NOFOLLOW_LINKS));
    assertThat(summary.hardLinks()).isEqualTo(1);
    assertThat(summary.symlinks()).isEqualTo(3);
    assertThat(summary.files()).isEqualTo(3);
    assertThat(summary.skipped()).isEmpty();
    long total = FileTrees.totalSize(fs.getPath("/"));
    assertThat(summary.bytes()).isEqualTo(total - 100_000); // the hard link is not read twice
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1)[0]).isEqualTo(summary.bytes());
  }

  @Test
  void refusesAnExistingTargetUnlessMergingDirectories() throws IOException {
    Path out = Files.createDirectories(dir.resolve("existing"));
    assertThatThrownBy(() -> FileTrees.copy(fs.getPath("/etc"), out, false))
        .isInstanceOf(FileAlreadyExistsException.class);
    FileTrees.Summary merged = FileTrees.copy(fs.getPath("/etc"), out,
        new FileTrees.Options(false, true, ProgressListener.NONE));
    assertThat(merged.files()).isEqualTo(1);
    assertThat(out.resolve("os-release")).exists();
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> FileTrees.copy(fs.getPath("/etc"), file,
        new FileTrees.Options(false, true, ProgressListener.NONE)))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void aFailureInsideTheTreeIsReported() throws IOException {
    Path out = dir.resolve("out");
    // A directory where a file of the tree must go makes that file's copy fail.
    Files.createDirectories(out.resolve("etc/os-release"));
    assertThatThrownBy(() -> FileTrees.copy(fs.getPath("/"), out,
        new FileTrees.Options(false, true, ProgressListener.NONE)))
        .isInstanceOf(IOException.class);
  }
}
