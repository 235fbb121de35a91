package dev.vdisk.cli;

import dev.vdisk.apply.Applier;
import dev.vdisk.apply.ApplyOptions;
import dev.vdisk.core.util.WriteSteps;
import dev.vdisk.trust.TrustStore;
import java.nio.file.Path;
import java.util.List;

/**
 * The process {@link ApplyCrashIT} kills: runs {@link Applier#apply} and prints {@code step N
 * NAME} for every write-path step any layer reports (the ext4 driver writing into the
 * transaction, the transaction's commit, the redo record, the VMDK driver writing the image);
 * right after step {@code haltAt} it prints {@code halt} and stops dead ({@code Runtime.halt}: no
 * close, no shutdown hook), as a crash or a kill would.
 */
public final class ApplyCrashChild {
  private ApplyCrashChild() {}

  /**
   * Runs one apply.
   *
   * @param args image, package directory, keyring, repository, halt step (0 for never)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path image = Path.of(args[0]);
    int haltAt = Integer.parseInt(args[4]);
    int[] steps = {0};
    WriteSteps.setListener(step -> {
      steps[0]++;
      System.out.println("step " + steps[0] + " " + step);
      if (steps[0] == haltAt) {
        System.out.println("halt");
        System.out.flush();
        Runtime.getRuntime().halt(77);
      }
    });
    ApplyOptions options = ApplyOptions.of(TrustStore.load(List.of(Path.of(args[2]))))
        .withRepositories(List.of(args[3]));
    Applier.apply(image, List.of(Path.of(args[1])), options);
    System.out.println("done " + steps[0]);
    System.out.flush();
  }
}
