package dev.vdisk.compliance;

/** The overall verdict on one target. */
public enum Compliance {
  /** Every requirement is in a compliant state. */
  COMPLIANT,
  /** At least one requirement is {@link RequirementState#MISSING} or {@link
   * RequirementState#FAILED}. */
  NON_COMPLIANT,
  /** The target could not be judged (no operating system found, no package database, the image
   * could not be read); the report says why. */
  UNKNOWN
}
