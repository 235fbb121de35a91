# Shared by the partitioned-image scripts: parses OUT [SIZE_MIB [ALIGN_KIB]], checks the tool,
# and creates an empty (sparse) image. Sets: out, size_mib, align_kib, total (512-byte sectors).
# Usage: parse_image_args TOOL DEBIAN_PACKAGE "$@"

image_args_usage() {
  echo "usage: $0 OUT [SIZE_MIB [ALIGN_KIB]]" >&2
  echo "  OUT        the raw image to (re)create" >&2
  echo "  SIZE_MIB   its size in MiB (default 16, at least 1)" >&2
  echo "  ALIGN_KIB  partition alignment in KiB (default 1024; use 4 for tiny images)" >&2
  exit 1
}

parse_image_args() {
  local tool=$1 package=$2
  shift 2
  [[ $# -ge 1 && $# -le 3 ]] || image_args_usage
  out=$1
  size_mib=${2:-16}
  align_kib=${3:-1024}
  [[ $size_mib =~ ^[0-9]+$ && $size_mib -ge 1 ]] || image_args_usage
  [[ $align_kib =~ ^[0-9]+$ && $align_kib -ge 1 ]] || image_args_usage
  command -v "$tool" >/dev/null || { echo "$0: $tool not found (Debian package $package)" >&2; exit 1; }
  total=$((size_mib * 2048))
}

create_empty_image() {
  rm -f -- "$out"
  truncate -s "${size_mib}M" -- "$out"
}
