package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which maintainer scripts are evaluable offline, and the helper calls read from them. */
class MaintScriptTest {

  @Test
  void debhelperRmConffile() {
    String s = "#!/bin/sh\nset -e\n# Automatically added by dh_installdeb/13.11.4\n"
        + "dpkg-maintscript-helper rm_conffile /etc/securetty 1:4.7-1\\~ -- \"$@\"\n"
        + "# End automatically added section\n";
    Optional<List<MaintScript.HelperCall>> c = MaintScript.parse(s, "upgrade");
    assertTrue(c.isPresent());
    assertEquals(List.of(new MaintScript.HelperCall("rm_conffile",
        List.of("/etc/securetty", "1:4.7-1~"))), c.get());
  }

  @Test
  void quotedArgumentsAndAllFourCommands() {
    String s = "#!/bin/sh -e\n"
        + "dpkg-maintscript-helper mv_conffile '/etc/a b' \"/etc/c\" 2.0~ pkg -- \"$@\"\n"
        + "dpkg-maintscript-helper symlink_to_dir /usr/share/doc/x y 1.0 -- \"$@\"\n"
        + "dpkg-maintscript-helper dir_to_symlink /usr/share/z ../w 3 -- \"$@\"\n"
        + "exit 0\n";
    List<MaintScript.HelperCall> c = MaintScript.parse(s, "upgrade").orElseThrow();
    assertEquals(List.of("/etc/a b", "/etc/c", "2.0~", "pkg"), c.get(0).args());
    assertEquals("symlink_to_dir", c.get(1).command());
    assertEquals("dir_to_symlink", c.get(2).command());
  }

  @Test
  void purgeOnlyBlocksAreSkippedForUpgrade() {
    String s = "#!/bin/sh\nset -e\nif [ \"$1\" = \"purge\" ]\nthen\n"
        + "  rm -f /etc/apt/trusted.gpg.d/x.gpg\n  if [ -d /x ]; then rmdir /x; fi\nfi\n"
        + "if [ -z \"${DPKG_ROOT:-}\" ] && [ \"$1\" = remove ] && [ -d /run/systemd/system ]"
        + " ; then\n\tdeb-systemd-invoke stop x.timer >/dev/null || true\nfi\n"
        + "dpkg-maintscript-helper rm_conffile /etc/x 1.0 -- \"$@\"\n";
    assertEquals(1, MaintScript.parse(s, "upgrade").orElseThrow().size());
    // the same script run for purge would execute the block
    assertFalse(MaintScript.parse(s, "purge").isPresent());
  }

  @Test
  void anythingElseIsNotEvaluable() {
    for (String body : List.of(
        "update-alternatives --remove builtins.7.gz /usr/share/man/man7/bash-builtins.7.gz",
        "if [ \"$1\" = upgrade ]; then\n  true\nfi",
        "if rm -rf /x && [ \"$1\" = purge ]; then\n  true\nfi",
        "case \"$1\" in\n  upgrade) ;;\nesac",
        "dpkg-maintscript-helper rm_conffile /etc/x 1.0 -- $@",
        "dpkg-maintscript-helper supports rm_conffile || exit 0",
        "dpkg-maintscript-helper rm_conffile /etc/$X 1.0 -- \"$@\"",
        "if [ \"$1\" = purge ]; then\n  rm -f /x\n",
        "[ \"$1\" = purge ] && rm -f /x")) {
      assertFalse(MaintScript.parse("#!/bin/sh\nset -e\n" + body + "\n", "upgrade").isPresent(),
          body);
    }
  }

  @Test
  void emptyScriptIsEvaluable() {
    assertEquals(List.of(), MaintScript.parse("#!/bin/sh\nset -e\n\n#DEBHELPER#\n", "upgrade")
        .orElseThrow());
  }

  @Test
  void guards() {
    // acts when the old version is le-nl the prior-version guard; never without an old version
    assertTrue(HelperEffects.acts("upgrade", "1.0-1", "2.0~"));
    assertTrue(HelperEffects.acts("upgrade", "2.0~", "2.0~"));
    assertFalse(HelperEffects.acts("upgrade", "2.0", "2.0~"));
    assertTrue(HelperEffects.acts("upgrade", "9", ""));
    assertFalse(HelperEffects.acts("install", null, "2.0"));
    assertFalse(HelperEffects.acts("configure", "1.0", "2.0"));
    assertFalse(HelperEffects.acts("upgrade", "1:4.13+dfsg1-1+deb12u2", "1:4.7-1~"));
  }
}
