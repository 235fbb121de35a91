package dev.vdisk.compliance;

/**
 * The state of one baseline requirement on one target (the states of AWS SSM Patch Manager).
 * {@link #INSTALLED}, {@link #INSTALLED_PENDING_REBOOT}, {@link #INSTALLED_OTHER} and {@link
 * #NOT_APPLICABLE} are compliant; {@link #MISSING} and {@link #FAILED} are not.
 */
public enum RequirementState {
  /** Satisfied: the required version (or newer) is installed, or a forbidden package is absent. */
  INSTALLED,
  /** Not satisfied: an update is available in the baseline's sources, or a forbidden package is
   * installed. */
  MISSING,
  /** Satisfied once the guest boots: unpacked or staged by vdisk, configured by its first-boot
   * unit. */
  INSTALLED_PENDING_REBOOT,
  /** Satisfied, but the installed version is not one the baseline's sources carry (built
   * locally, from another archive, or newer than the sources). */
  INSTALLED_OTHER,
  /** The requirement does not concern this target (the package is not installed, a Windows
   * update on a Linux guest, an excluded package). */
  NOT_APPLICABLE,
  /** The package is recorded in a failed state (half-installed, half-configured, reinstall
   * required) or the requirement could not be evaluated. */
  FAILED;

  /**
   * Whether this state counts as compliant.
   *
   * @return true for the satisfied and not applicable states
   */
  public boolean compliant() {
    return this != MISSING && this != FAILED;
  }
}
