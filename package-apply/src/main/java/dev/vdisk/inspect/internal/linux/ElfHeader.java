package dev.vdisk.inspect.internal.linux;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The ELF file header's identification and machine fields (System V ABI, "ELF Header"):
 * {@code e_ident} (magic, class, data encoding), {@code e_machine} and, for 32-bit ARM,
 * {@code e_flags} (hard-float ABI).
 *
 * @param elfClass 1 for ELFCLASS32, 2 for ELFCLASS64
 * @param littleEndian whether EI_DATA is ELFDATA2LSB
 * @param machine {@code e_machine}
 * @param flags {@code e_flags}
 */
public record ElfHeader(int elfClass, boolean littleEndian, int machine, int flags) {
  /** Bytes needed to read the fields (the 64-bit header is 64 bytes). */
  public static final int SIZE = 64;

  /** Parses the start of a file; at least the first 52 bytes must be there. */
  public static ElfHeader parse(ByteBuffer buf, Path file) throws CorruptStructureException {
    ByteBuffer b = buf.slice();
    if (b.remaining() < 20 || b.get(0) != 0x7f || b.get(1) != 'E' || b.get(2) != 'L'
        || b.get(3) != 'F') {
      throw new CorruptStructureException(file, 0, "ELF header", "no \\x7fELF magic");
    }
    int elfClass = b.get(4);
    int data = b.get(5);
    if (elfClass != 1 && elfClass != 2) {
      throw new CorruptStructureException(file, 4, "ELF header", "EI_CLASS " + elfClass);
    }
    if (data != 1 && data != 2) {
      throw new CorruptStructureException(file, 5, "ELF header", "EI_DATA " + data);
    }
    b.order(data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int machine = Short.toUnsignedInt(b.getShort(18));
    int flagsOffset = elfClass == 1 ? 36 : 48;
    int flags = b.remaining() >= flagsOffset + 4 ? b.getInt(flagsOffset) : 0;
    return new ElfHeader(elfClass, data == 1, machine, flags);
  }

  /**
   * The architecture as Linux distributions name it ({@code x86_64}, {@code aarch64}, {@code
   * i386}, {@code armhf}, {@code arm}, {@code riscv64}, {@code ppc64le}, {@code s390x}, ...), or
   * {@code elf-machine-N} for one not named here.
   */
  public String architecture() {
    boolean is64 = elfClass == 2;
    switch (machine) {
      case 3: return "i386";
      case 62: return "x86_64";
      case 183: return "aarch64";
      case 40: return (flags & 0x400) != 0 ? "armhf" : "arm"; // EF_ARM_ABI_FLOAT_HARD
      case 243: return is64 ? "riscv64" : "riscv32";
      case 21: return littleEndian ? "ppc64le" : "ppc64";
      case 20: return "ppc";
      case 22: return is64 ? "s390x" : "s390";
      case 8: return is64 ? (littleEndian ? "mips64el" : "mips64") : (littleEndian ? "mipsel" : "mips");
      case 258: return "loongarch64";
      case 2: return "sparc";
      case 43: return "sparc64";
      case 50: return "ia64";
      default: return "elf-machine-" + machine;
    }
  }
}
