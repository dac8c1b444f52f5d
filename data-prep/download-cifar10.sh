#!/usr/bin/env bash
# Downloads the official binary version of CIFAR-10 (cifar-10-binary.tar.gz, 170,052,171 bytes) and verifies it.
# Run with --help for the options. Exit codes: 0 done, 1 download or verification failed, 2 bad arguments.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ARCHIVE="cifar-10-binary.tar.gz"
DEFAULT_URL="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
# Size and SHA-256 of cifar-10-binary.tar.gz: tensorflow/datasets, tensorflow_datasets/url_checksums/cifar10.txt
#   ("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz  170052171  c4a38c50…bca1dd").
# The dataset page https://www.cs.toronto.edu/~kriz/cifar.html publishes the MD5 c32a1d4ab5d03f1284b67883e8d87530
# for the same file; the SHA-256 is the one checked here.
ARCHIVE_BYTES=170052171
ARCHIVE_SHA256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
# --extract writes these files to <dest>/cifar-10-batches-bin/; each holds 10,000 records of 1 label byte + 3,072
# pixel bytes (the format documented on the dataset page), hence 30,730,000 bytes.
BATCH_DIR="cifar-10-batches-bin"
BATCH_FILES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
BATCH_BYTES=30730000

usage() {
  cat <<EOT
usage: data-prep/download-cifar10.sh [--dest DIR] [--extract] [--url URL]

Downloads the official binary version of CIFAR-10 to DIR/${ARCHIVE} and checks its size and SHA-256.
Nothing is downloaded when that file is already there and correct, so the script can be rerun freely;
a download goes to ${ARCHIVE}.part first (resumed when rerun) and is renamed once it is verified.

options:
  --dest DIR   target folder (default: data/raw/cifar10 in the repository: ${ROOT}/data/raw/cifar10)
  --extract    also unpack DIR/${BATCH_DIR}/ (data_batch_1..5.bin, test_batch.bin; 185 MB), checking each
               file's size. Not needed: prepare reads the archive itself.
  --url URL    download from a mirror instead of ${DEFAULT_URL}
               (the file must be identical: it is checked against the same SHA-256)
  --help       show this help

checksum: ${ARCHIVE}  ${ARCHIVE_BYTES} bytes  sha256 ${ARCHIVE_SHA256}
next:     data-prep/prepare-cifar10.sh [--input DIR]   (see data-prep/README.md)
EOT
}

die_usage() {
  echo "error: $*" >&2
  echo "run data-prep/download-cifar10.sh --help for the options" >&2
  exit 2
}

# Prints the size of a file in bytes.
file_bytes() {
  wc -c <"$1" | tr -d '[:space:]'
}

# Prints the SHA-256 of a file (sha256sum on Linux, shasum on macOS, openssl otherwise).
file_sha256() {
  local out
  if command -v sha256sum >/dev/null 2>&1; then
    out="$(sha256sum -b "$1")"
  elif command -v shasum >/dev/null 2>&1; then
    out="$(shasum -a 256 -b "$1")"
  elif command -v openssl >/dev/null 2>&1; then
    out="$(openssl dgst -sha256 -r "$1")"
  else
    echo "error: no SHA-256 tool found (sha256sum, shasum or openssl)" >&2
    return 1
  fi
  printf '%s\n' "${out%% *}"
}

# True when the file exists and has the expected size and SHA-256; says why not on stderr otherwise.
archive_ok() {
  local file="$1" size sum
  [[ -f "$file" ]] || return 1
  size="$(file_bytes "$file")"
  if [[ "$size" != "$ARCHIVE_BYTES" ]]; then
    echo "  ${file}: ${size} bytes, expected ${ARCHIVE_BYTES}" >&2
    return 1
  fi
  echo "verifying SHA-256 of ${file} ..." >&2
  sum="$(file_sha256 "$file")"
  if [[ "$sum" != "$ARCHIVE_SHA256" ]]; then
    echo "  ${file}: sha256 ${sum}, expected ${ARCHIVE_SHA256}" >&2
    return 1
  fi
}

# Downloads URL to FILE with curl or wget, retrying, resuming an existing FILE.
fetch_url() {
  local url="$1" file="$2"
  if command -v curl >/dev/null 2>&1; then
    curl --fail --location --retry 5 --retry-delay 5 --retry-connrefused --connect-timeout 30 \
      --continue-at - --output "$file" "$url"
  elif command -v wget >/dev/null 2>&1; then
    wget --tries=5 --waitretry=5 --timeout=60 --continue --output-document="$file" "$url"
  else
    echo "error: neither curl nor wget is installed" >&2
    return 1
  fi
}

# True when DIR/cifar-10-batches-bin holds the six batch files with their expected sizes.
batches_ok() {
  local dir="$1" name size ok=0
  for name in "${BATCH_FILES[@]}"; do
    if [[ ! -f "${dir}/${name}" ]]; then
      ok=1
      continue
    fi
    size="$(file_bytes "${dir}/${name}")"
    if [[ "$size" != "$BATCH_BYTES" ]]; then
      echo "  ${dir}/${name}: ${size} bytes, expected ${BATCH_BYTES}" >&2
      ok=1
    fi
  done
  return "$ok"
}

# Unpacks the six batch files next to the archive, through a temporary folder renamed at the end.
extract_batches() {
  local dest="$1" target="${1}/${BATCH_DIR}" tmp members=() name
  if batches_ok "$target" 2>/dev/null; then
    echo "already extracted: ${target}/ (six batch files of ${BATCH_BYTES} bytes)" >&2
    return 0
  fi
  for name in "${BATCH_FILES[@]}" batches.meta.txt; do
    members+=("${BATCH_DIR}/${name}")
  done
  tmp="$(mktemp -d "${dest}/.extract.XXXXXX")"
  # shellcheck disable=SC2064  # expand now: the trap must remove this very folder
  trap "rm -rf -- '${tmp}'" EXIT
  echo "extracting ${BATCH_DIR}/ ..." >&2
  tar -xzf "${dest}/${ARCHIVE}" -C "$tmp" "${members[@]}"
  if ! batches_ok "${tmp}/${BATCH_DIR}"; then
    echo "error: the extracted batch files do not have the expected sizes" >&2
    return 1
  fi
  rm -rf -- "$target"
  mv -- "${tmp}/${BATCH_DIR}" "$target"
  rm -rf -- "$tmp"
  trap - EXIT
  echo "extracted: ${target}/" >&2
}

main() {
  local dest="${ROOT}/data/raw/cifar10" extract=0 url="$DEFAULT_URL"
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --help|-h) usage; exit 0 ;;
      --dest) [[ $# -ge 2 && -n "$2" ]] || die_usage "--dest needs a folder"; dest="$2"; shift 2 ;;
      --dest=*) dest="${1#--dest=}"; [[ -n "$dest" ]] || die_usage "--dest needs a folder"; shift ;;
      --url) [[ $# -ge 2 && -n "$2" ]] || die_usage "--url needs a URL"; url="$2"; shift 2 ;;
      --url=*) url="${1#--url=}"; [[ -n "$url" ]] || die_usage "--url needs a URL"; shift ;;
      --extract) extract=1; shift ;;
      *) die_usage "unknown option '$1'" ;;
    esac
  done

  mkdir -p -- "$dest"
  dest="$(cd "$dest" && pwd)"
  local file="${dest}/${ARCHIVE}" part="${dest}/${ARCHIVE}.part"

  if archive_ok "$file"; then
    echo "already downloaded and verified: ${file}" >&2
  else
    if [[ -e "$file" ]]; then
      echo "${file} is incomplete or corrupt: downloading it again (it is replaced once the new copy is verified)" >&2
    fi
    if [[ -f "$part" && "$(file_bytes "$part")" -ge "$ARCHIVE_BYTES" ]]; then
      rm -f -- "$part" # a complete or oversized leftover cannot be resumed
    fi
    echo "downloading ${url}" >&2
    echo "        to ${part}" >&2
    if ! fetch_url "$url" "$part"; then
      echo "error: download failed; rerun to resume it, or delete ${part} to start over" >&2
      exit 1
    fi
    if ! archive_ok "$part"; then
      rm -f -- "$part"
      echo "error: the downloaded file failed verification and was deleted; rerun to try again" >&2
      exit 1
    fi
    mv -f -- "$part" "$file"
    echo "downloaded and verified: ${file}" >&2
  fi

  if [[ "$extract" -eq 1 ]]; then
    extract_batches "$dest"
  fi

  local input_arg=""
  if [[ "$dest" != "${ROOT}/data/raw/cifar10" ]]; then
    input_arg=" --input ${dest}"
  fi
  cat <<EOT
CIFAR-10 (binary version): ${file}
next: data-prep/prepare-cifar10.sh${input_arg}
EOT
}

# The functions can be sourced (for tests) without running main.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
