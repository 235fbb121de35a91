package dev.vdisk.core;

import java.nio.file.Path;

/**
 * The input is well-formed but uses a feature vdisk does not implement, such as an unknown
 * incompatible feature flag, an image variant, or a partition scheme.
 */
public class UnsupportedFeatureException extends VdiskException {
  private static final long serialVersionUID = 1L;

  private final String feature;

  /**
   * Creates the exception.
   *
   * @param file the image or file concerned, or {@code null}
   * @param feature the feature or flag, named as its specification names it
   * @param detail further explanation, may be empty
   */
  public UnsupportedFeatureException(Path file, String feature, String detail) {
    super(
        file,
        (file == null ? "<device>" : file.toString())
            + ": unsupported feature "
            + feature
            + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.feature = feature;
  }

  /**
   * The feature or flag that is not supported.
   *
   * @return the feature's name
   */
  public String feature() {
    return feature;
  }
}
