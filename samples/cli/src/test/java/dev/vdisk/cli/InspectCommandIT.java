package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk inspect} on the Debian guest of {@code make-debian-inspect-vmdk.sh}: the JSON
 * packages are what {@code dpkg-query} lists over the debootstrap tree the image was made from,
 * the {@code os} fields what bash reads from its os-release; the text output names the product;
 * an image without an operating system exits 2 with "no operating system found".
 */
class InspectCommandIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir Path work;

  @Test
  void jsonAndTextOnADebianGuest() throws Exception {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("sgdisk", "gdisk");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("dpkg-query", "dpkg");
    Oracles.requireRoot("debootstrap");
    Path vmdk = work.resolve("debian.vmdk");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-inspect-vmdk.sh").toString(),
        vmdk.toString());
    Path tree = Path.of(System.getenv().getOrDefault("VDISK_DEBOOTSTRAP_CACHE",
        "/tmp/vdisk-debootstrap-bookworm"));

    CliRunner json = CliRunner.run("inspect", "--json", vmdk.toString());
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode top = MAPPER.readTree(json.out());
    JsonNode os = top.get("os");
    String[] sourced = Oracles.runOk("bash", "-c",
        ". \"$1\"; printf '%s\\n' \"$ID\" \"$VERSION_ID\" \"$PRETTY_NAME\"", "sh",
        tree.resolve("usr/lib/os-release").toString()).split("\n");
    assertThat(os.get("family").asText()).isEqualTo("linux");
    assertThat(os.get("distribution").asText()).isEqualTo(sourced[0]);
    assertThat(os.get("versionId").asText()).isEqualTo(sourced[1]);
    assertThat(os.get("product").asText()).isEqualTo(sourced[2]);
    assertThat(top.get("packageFormat").asText()).isEqualTo("deb");
    assertThat(top.get("roots")).hasSize(1);

    List<String> ours = new ArrayList<>();
    for (JsonNode p : top.get("packages")) {
      ours.add(p.get("name").asText() + " " + p.get("version").asText() + " "
          + p.get("arch").asText() + " " + p.get("status").asText());
    }
    List<String> theirs = new ArrayList<>(Oracles.runOk("dpkg-query",
        "--admindir=" + tree.resolve("var/lib/dpkg"), "-W", "-f",
        "${Package} ${Version} ${Architecture} ${Status}\n").lines().toList());
    ours.sort(null);
    theirs.sort(null);
    assertThat(ours).isEqualTo(theirs);

    CliRunner text = CliRunner.run("inspect", vmdk.toString());
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).startsWith(sourced[2] + " (partition 2)");
    assertThat(text.out()).contains("/boot = partition 1");
  }

  @Test
  void noOperatingSystemExitsTwo() throws Exception {
    Path image = ProjectPaths.image("gpt5.img");
    CliRunner r = CliRunner.run("inspect", image.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err()).contains("no operating system found");
    CliRunner json = CliRunner.run("inspect", "--json", image.toString());
    assertThat(json.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(MAPPER.readTree(json.out()).get("roots")).isEmpty();
  }

  /**
   * {@code vdisk inspect --json} on the Windows fixture ({@code make-windows-ntfs.sh}: hives built
   * by hivexregedit on NTFS in an MBR partition of a VHDX): the facts are what {@code hivexget}
   * reads from the same hive files; CurrentState 0x70 is installed, 0x20 is not; C: is partition 1.
   */
  @Test
  void jsonOnAWindowsGuest() throws Exception {
    Oracles.require("hivexget", "libhivex-bin");
    Oracles.require("hivexregedit", "libwin-hivex-perl");
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.requireRoot("mounting with ntfs-3g");
    Path out = work.resolve("windows");
    Oracles.runOk("bash", ProjectPaths.script("make-windows-ntfs.sh").toString(),
        out.toString());
    CliRunner json = CliRunner.run("inspect", "--json", out.resolve("windows.vhdx").toString());
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode root = MAPPER.readTree(json.out()).get("roots").get(0);
    JsonNode os = root.get("os");
    String software = out.resolve("SOFTWARE").toString();
    String system = out.resolve("SYSTEM").toString();
    String cv = "\\Microsoft\\Windows NT\\CurrentVersion";
    String build = String.join(".",
        Oracles.runOk("hivexget", software, cv, "CurrentMajorVersionNumber").strip(),
        Oracles.runOk("hivexget", software, cv, "CurrentMinorVersionNumber").strip(),
        Oracles.runOk("hivexget", software, cv, "CurrentBuildNumber").strip(),
        Oracles.runOk("hivexget", software, cv, "UBR").strip());
    String current = Oracles.runOk("hivexget", system, "\\Select", "Current").strip();
    String hostname = Oracles.runOk("hivexget", system, String.format(
        "\\ControlSet%03d\\Control\\ComputerName\\ComputerName",
        Integer.parseInt(current)), "ComputerName").strip();
    assertThat(os.get("family").asText()).isEqualTo("windows");
    assertThat(os.get("build").asText()).isEqualTo(build);
    assertThat(os.get("edition").asText()).isEqualTo(
        Oracles.runOk("hivexget", software, cv, "EditionID").strip());
    assertThat(os.get("hostname").asText()).isEqualTo(hostname);
    List<String> states = new ArrayList<>();
    for (JsonNode u : root.get("updates")) {
      String key = "\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
          + "\\Packages\\" + u.get("id").asText();
      long code = Long.parseLong(Oracles.runOk("hivexget", software, key, "CurrentState")
          .strip());
      assertThat(u.get("stateCode").asLong() & 0xffffffffL).as(u.toString()).isEqualTo(code);
      states.add(u.get("stateCode").asInt() + " " + u.get("installed").asBoolean());
    }
    assertThat(states).contains("112 true", "32 false");
    assertThat(root.get("mounts").get("C:").asText()).isEqualTo("partition 1");
  }
}
