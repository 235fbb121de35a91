#!/bin/sh
# Makes XPRESS Huffman and LZX test vectors with wimlib's own compressors (libwim), the
# independent implementation the vdisk-codecs decoders are checked against.
#
#   make-wim-codec-vectors.sh OUTDIR [FILE...]
#
# Writes OUTDIR/xpress-4096.vec, xpress-8192.vec, xpress-16384.vec, xpress-65536.vec, lzx-32768.vec and
# lzx-65536.vec (the number is wimlib's max_block_size: the chunk size, for LZX also the window).
# Without FILEs the inputs are synthetic and deterministic (zeros, random, text, repetitive data
# with long matches, x86-like code full of E8 calls, and sizes from 1 byte to the chunk size);
# with FILEs each file is cut into chunks. WIM_VECTOR_CONFIGS (e.g. "lzx:2097152 xpress:4096") replaces
# the list of ALGORITHM:CHUNK_SIZE configurations. Each chunk is compressed at wimlib compression levels
# 20, 50 and 100 in turn (different parsers and block splitting).
#
# Vector file format (little-endian): "VDCV", u32 wimlib compression type (1 XPRESS, 2 LZX),
# u32 chunk size, then records until the end: u32 uncompressed size, u32 compressed size (0 when
# wimlib declined to compress, as it does for inputs under 100 bytes with LZX), u32 level, the
# uncompressed bytes, the compressed bytes.
#
# Needs gcc and libwim-dev (Debian). The committed vectors are these files (but xpress-8192) gzip -9n compressed:
#   make-wim-codec-vectors.sh /tmp/v && gzip -9n /tmp/v/*.vec &&
#   cp /tmp/v/*.vec.gz vdisk-codecs/src/test/resources/dev/vdisk/codec/vectors/
set -eu
out=${1:?usage: make-wim-codec-vectors.sh OUTDIR [FILE...]}
shift
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/vectors.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <wimlib.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_random(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static void put32(FILE *f, uint32_t v) {
  unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };
  fwrite(b, 1, 4, f);
}

static struct wimlib_compressor *compressors[3];
static const unsigned levels[3] = { 20, 50, 100 };
static unsigned record;
static size_t chunk;

/* Compresses one chunk and writes its record. */
static void emit(FILE *f, const unsigned char *data, size_t n) {
  size_t avail = 2 * n + 4096;
  unsigned char *c = malloc(avail);
  unsigned which = record++ % 3;
  size_t clen = wimlib_compress(data, n, c, avail, compressors[which]);
  put32(f, (uint32_t)n);
  put32(f, (uint32_t)clen);
  put32(f, levels[which]);
  fwrite(data, 1, n, f);
  fwrite(c, 1, clen, f);
  free(c);
}

/* Cuts an input into chunks. */
static void emit_all(FILE *f, const unsigned char *data, size_t n) {
  for (size_t off = 0; off < n; off += chunk)
    emit(f, data + off, n - off < chunk ? n - off : chunk);
}

static const char *words[] = {
  "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
  "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
  "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
  "been", "if", "more", "when", "will", "would", "who", "so", "no", "volume", "cluster",
  "compression", "Windows", "registry", "System32", "driver", "update", "package", "servicing",
  "\n", ", ", ". ", "0x1F", "C:\\Windows\\WinSxS\\", "<assemblyIdentity name=\""
};

static void text(unsigned char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    const char *w = words[next_random() % (sizeof words / sizeof *words)];
    for (size_t k = 0; w[k] && i < n; k++) p[i++] = w[k];
    if (i < n) p[i++] = ' ';
  }
}

static void synthetic(FILE *f) {
  size_t big = chunk < 8000 ? chunk : 8000;
  unsigned char *p = calloc(1, 2 * chunk + 65536);
  /* zeros */
  memset(p, 0, chunk);
  emit_all(f, p, chunk);
  /* random */
  size_t n = chunk < 6000 ? chunk : 6000;
  for (size_t i = 0; i < n; i++) p[i] = next_random();
  emit_all(f, p, n);
  /* text */
  n = 2 * big;
  text(p, n);
  emit_all(f, p, n);
  /* repetitive with long matches: a random segment repeated with rare mutations */
  n = 2 * big;
  for (size_t i = 0; i < 700; i++) p[i] = next_random();
  for (size_t i = 700; i < n; i++) {
    p[i] = p[i - 700];
    if (next_random() % 400 == 0) p[i] = next_random();
  }
  emit_all(f, p, n);
  /* x86-like: E8 calls with small relative targets among random bytes */
  n = big;
  for (size_t i = 0; i < n; i++) p[i] = next_random() % 7 == 0 ? 0x90 : next_random() % 16;
  for (size_t i = 0; i + 5 < n; i += 5 + next_random() % 20) {
    int32_t rel = (int32_t)(next_random() % 40000) - 20000;
    p[i] = 0xE8; p[i + 1] = rel; p[i + 2] = rel >> 8; p[i + 3] = rel >> 16; p[i + 4] = rel >> 24;
  }
  emit_all(f, p, n);
  /* sizes from 1 byte to the chunk size */
  size_t sizes[] = { 1, 2, 3, 4, 7, 50, 99, 100, 101, 255, 256, 1000, 4095, chunk - 1 };
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    if (sizes[s] > chunk || sizes[s] > 16384) continue;
    text(p, sizes[s]);
    if (s % 2) for (size_t i = 0; i < sizes[s]; i += 3) p[i] = next_random();
    emit(f, p, sizes[s]);
  }
  /* far matches: a random segment repeated beyond 32 KiB (window sizes above 32 KiB) */
  if (chunk > 32768) {
    memset(p, 0, chunk);
    for (size_t i = 0; i < 2000; i++) p[i] = next_random();
    text(p + 2000, 3000);
    memcpy(p + chunk - 2100, p, 2000);
    emit(f, p, chunk);
  }
  free(p);
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: vectors xpress|lzx CHUNK OUT [FILE...]\n"); return 2; }
  enum wimlib_compression_type type =
      strcmp(argv[1], "lzx") == 0 ? WIMLIB_COMPRESSION_TYPE_LZX : WIMLIB_COMPRESSION_TYPE_XPRESS;
  chunk = strtoul(argv[2], NULL, 10);
  for (int i = 0; i < 3; i++) {
    int ret = wimlib_create_compressor(type, chunk, levels[i], &compressors[i]);
    if (ret) { fprintf(stderr, "wimlib_create_compressor: %s\n", wimlib_get_error_string(ret)); return 1; }
  }
  FILE *f = fopen(argv[3], "wb");
  if (!f) { perror(argv[3]); return 1; }
  fwrite("VDCV", 1, 4, f);
  put32(f, type);
  put32(f, (uint32_t)chunk);
  if (argc == 4) {
    synthetic(f);
  } else {
    for (int a = 4; a < argc; a++) {
      FILE *in = fopen(argv[a], "rb");
      if (!in) { perror(argv[a]); return 1; }
      fseek(in, 0, SEEK_END);
      long n = ftell(in);
      fseek(in, 0, SEEK_SET);
      unsigned char *p = malloc(n > 0 ? n : 1);
      if (fread(p, 1, n, in) != (size_t)n) { perror(argv[a]); return 1; }
      fclose(in);
      emit_all(f, p, n);
      free(p);
    }
  }
  if (fclose(f)) { perror(argv[3]); return 1; }
  return 0;
}
EOF
gcc -O2 -o "$work/vectors" "$work/vectors.c" -lwim
for config in ${WIM_VECTOR_CONFIGS:-xpress:4096 xpress:8192 xpress:16384 xpress:65536 lzx:32768 lzx:65536}; do
  alg=${config%%:*}
  size=${config#*:}
  "$work/vectors" "$alg" "$size" "$out/$alg-$size.vec" "$@"
done
