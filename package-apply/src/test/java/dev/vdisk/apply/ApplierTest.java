package dev.vdisk.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.deb.ControlParagraph;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of {@link Applier} that need no image: package lists and dpkg's architecture. */
class ApplierTest {
  @TempDir Path dir;

  @Test
  void directoriesBecomeTheirDebFilesSortedAndFilesStayInOrder() throws Exception {
    Path d = Files.createDirectories(dir.resolve("debs"));
    Files.write(d.resolve("b_1_all.deb"), new byte[1]);
    Files.write(d.resolve("a_1_all.deb"), new byte[1]);
    Files.write(d.resolve("notes.txt"), new byte[1]);
    Files.createDirectories(d.resolve("sub.deb"));
    Path single = Files.write(dir.resolve("z_1_all.deb"), new byte[1]);
    assertThat(Applier.expand(List.of(single, d)))
        .containsExactly(single, d.resolve("a_1_all.deb"), d.resolve("b_1_all.deb"));
    // the same file twice is taken once
    assertThat(Applier.expand(List.of(single, single))).containsExactly(single);
  }

  @Test
  void missingOrEmptyInputIsNamed() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> Applier.expand(List.of(empty)))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> Applier.expand(List.of(dir.resolve("gone.deb"))))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("gone.deb");
  }

  private static ControlParagraph stanza(String text) throws Exception {
    return ControlParagraph.parse(text, "status");
  }

  @Test
  void nativeArchitectureIsDpkgsOwnElseTheArchFile() throws Exception {
    ControlParagraph dpkg = stanza("Package: dpkg\nStatus: install ok installed\n"
        + "Architecture: arm64\nVersion: 1.21.22\n");
    ControlParagraph other = stanza("Package: base-files\nStatus: install ok installed\n"
        + "Architecture: amd64\nVersion: 12.4\n");
    ControlParagraph removed = stanza("Package: dpkg\nStatus: deinstall ok config-files\n"
        + "Architecture: i386\nVersion: 1.0\n");
    assertThat(Applier.nativeArch(List.of(other, dpkg), List.of("amd64", "i386")))
        .isEqualTo("arm64");
    assertThat(Applier.nativeArch(List.of(other, removed), List.of("amd64", "i386")))
        .isEqualTo("amd64");
    assertThat(Applier.nativeArch(List.of(other), List.of())).isNull();
  }
}
