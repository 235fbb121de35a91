package dev.vdisk.cli;

import picocli.CommandLine;

/** Lets options take sizes such as {@code 32M}. */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return Sizes.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
