package dev.vdisk.cli;

import dev.vdisk.core.TrustException;
import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.Verification;
import dev.vdisk.trust.Verifier;
import dev.vdisk.trust.VerifyOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk verify}: signature and hash-chain verdicts for repositories, indexes, packages. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify apt repositories (a directory with dists/*/InRelease or Release+Release.gpg),",
      "InRelease/Release files, Packages indexes and .deb packages against trusted OpenPGP",
      "keys. A .deb is trusted through a verified index of a --repo that lists it with the",
      "same size and SHA256, or through a detached signature beside it (PKG.deb.sig/.asc).",
      "Exit 0 when everything is trusted, 3 when anything is refused, 2 when an input or",
      "keyring cannot be read."
    })
final class VerifyCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "Repository directories, InRelease, Release, Packages or .deb files.")
  List<Path> paths;

  @Option(names = "--trust", required = true, paramLabel = "KEYRING",
      description = "A keyring (.gpg binary or .asc armored) or a directory of them, like "
          + "apt's trusted.gpg.d (repeatable).")
  List<Path> trust;

  @Option(names = "--repo", paramLabel = "R",
      description = "A repository that vouches for the .deb files: a local archive root "
          + "(every dists/* suite), or 'URL SUITE [COMPONENT...]' as in sources.list "
          + "(https://deb.debian.org/debian bookworm main); repeatable.")
  List<String> repos = new ArrayList<>();

  @Option(names = "--allow-expired",
      description = "Accept indexes past their Valid-Until (signatures must still be valid).")
  boolean allowExpired;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TrustStore store;
    try {
      store = TrustStore.load(trust);
    } catch (TrustException e) {
      err.println("vdisk: " + e.getMessage());
      err.flush();
      return ExitCode.BAD_INPUT;
    }
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw new NoSuchFileException(p.toString());
      }
    }
    Verifier verifier = new Verifier(store,
        new VerifyOptions(java.time.Instant.now(), allowExpired));
    List<Path> debs = new ArrayList<>();
    for (Path p : paths) {
      if (isDeb(p)) {
        debs.add(p);
      }
    }
    List<Verification> debVerdicts = debs.isEmpty() ? List.of()
        : verifier.verifyPackages(debs, repos);
    List<Verification> verdicts = new ArrayList<>();
    int d = 0;
    for (Path p : paths) {
      verdicts.add(isDeb(p) ? debVerdicts.get(d++) : verifier.verify(p));
    }
    boolean all = verdicts.stream().allMatch(Verification::trusted);
    if (json) {
      Map<String, Object> top = new LinkedHashMap<>();
      top.put("trusted", all);
      List<Object> list = new ArrayList<>();
      for (Verification v : verdicts) {
        list.add(toJson(v));
      }
      top.put("results", list);
      out.println(Json.write(top));
    } else {
      for (Verification v : verdicts) {
        printText(out, v, "");
      }
    }
    out.flush();
    return all ? ExitCode.OK : ExitCode.REFUSED;
  }

  private static boolean isDeb(Path p) {
    String n = p.getFileName() == null ? "" : p.getFileName().toString();
    return Files.isRegularFile(p) && (n.endsWith(".deb") || n.endsWith(".udeb"));
  }

  static Map<String, Object> toJson(Verification v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", v.path().toString());
    m.put("kind", v.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    m.put("trusted", v.trusted());
    m.put("keyId", v.keyId());
    m.put("fingerprint", v.fingerprint());
    m.put("userId", v.userId());
    m.put("sha256", v.sha256());
    m.put("via", v.via());
    m.put("reasons", v.reasons());
    List<Object> children = new ArrayList<>();
    for (Verification c : v.children()) {
      children.add(toJson(c));
    }
    m.put("children", children);
    return m;
  }

  private static void printText(PrintWriter out, Verification v, String indent) {
    StringBuilder sb = new StringBuilder(indent);
    sb.append(v.path()).append(": ").append(v.trusted() ? "trusted" : "REFUSED");
    if (v.trusted()) {
      if (v.via() != null) {
        sb.append(" (").append(v.via()).append(')');
      }
      if (v.keyId() != null) {
        sb.append(" key ").append(v.keyId());
        if (v.userId() != null) {
          sb.append(' ').append(v.userId());
        }
      }
    }
    out.println(sb);
    for (String r : v.reasons()) {
      out.println(indent + "  - " + r);
    }
    for (Verification c : v.children()) {
      printText(out, c, indent + "  ");
    }
  }
}
