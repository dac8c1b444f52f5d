#!/usr/bin/env bash
# Fetches (with gdown, when installed) and verifies the CelebA files that prepare reads:
# img_align_celeba.zip, list_eval_partition.txt and list_attr_celeba.txt, flat in one folder.
# Run with --help for the options. Exit codes: 0 all three files verified, 1 a file is missing or corrupt
# (the manual download steps are printed), 2 bad arguments.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEFAULT_DEST="${ROOT}/data/raw/celeba"

# Google Drive file ids and MD5s: pytorch/vision, torchvision/datasets/celeba.py (CelebA.file_list).
# Sizes: tensorflow/datasets, tensorflow_datasets/url_checksums/celeb_a.txt, which lists the same three Drive ids
# with their SHA-256 (kept here for reference; the MD5 is what is checked):
#   img_align_celeba.zip     46fb89443c578308acf364d7d379fe1b9efb793042c0af734b6112e4fd3a8c74
#   list_eval_partition.txt  fc955bcb3ef8fbdf7d5640d9a8693a8431b5f2ee291a5c1449a1549e7e073fe7
#   list_attr_celeba.txt     f0e5da289d5ccf75ffe8811132694922b60f2af59256ed362afa03fefba324d0
NAMES=(img_align_celeba.zip list_eval_partition.txt list_attr_celeba.txt)
DRIVE_IDS=(0B7EVK8r0v71pZjFTYXZWM3FlRnM 0B7EVK8r0v71pY0NSMzRuSXJEVkk 0B7EVK8r0v71pblRyaVFSWGxPY0U)
MD5S=(00d2c5bc6d35e252742224ab0c1e8fcb d32c9cbf5e040fd4025c592c306e6668 75e246fa4810816ffd6ee81facbd244c)
BYTES=(1443490838 2836386 26721026)
DRIVE_FOLDERS=(Img Eval Anno)
# The aligned images, when img_align_celeba.zip has been unpacked instead (000001.jpg .. 202599.jpg).
IMAGE_DIR="img_align_celeba"
IMAGE_COUNT=202599

usage() {
  cat <<EOT
usage: data-prep/download-celeba.sh [--dest DIR] [--no-download]

Puts the three CelebA files that prepare needs flat in DIR (default: data/raw/celeba in the repository:
${DEFAULT_DEST}) and verifies the MD5 of each one present:

  file                      bytes          md5                               Drive folder
  img_align_celeba.zip      1,443,490,838  ${MD5S[0]}  Img/
  list_eval_partition.txt   2,836,386      ${MD5S[1]}  Eval/
  list_attr_celeba.txt      26,721,026     ${MD5S[2]}  Anno/

Instead of img_align_celeba.zip, DIR may hold the unpacked folder ${IMAGE_DIR}/ with its ${IMAGE_COUNT} JPEGs
(only the count is checked then). Files already present and correct are not fetched again; a download goes
to NAME.part and is renamed once its MD5 matches.

The official host is Google Drive (https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html links it, and a Baidu
Drive copy). Google Drive does not serve large files to plain curl/wget (it answers with a virus-scan page)
and rate-limits popular files ("Too many users have viewed or downloaded this file recently"). So:
  - if gdown (https://github.com/wkentaro/gdown; pip install gdown) is on the PATH, this script uses it;
  - otherwise, or when Drive refuses, it prints the manual steps below and verifies whatever is present.

Manual download:
  1. Open each file in a browser (signed in to Google helps), and press Download (for the zip, confirm
     "Download anyway" past the virus-scan warning):
$(manual_links "       ")
     or browse the Drive folder linked from the CelebA page (files sit under Img/, Eval/ and Anno/).
  2. Save the three files flat in DIR, under exactly these names (no Img/, Eval/, Anno/ sub-folders).
  3. Run this script again: it checks them and prints the next command.
  If Drive says the quota is exceeded: wait (the limit usually resets within a day), or, signed in, use
  "Make a copy" to put the file in your own Drive and download that copy (it has its own quota).
  Repackaged mirrors (e.g. on Kaggle, with CSV annotation files or nested folders) do not match these MD5s.

options:
  --dest DIR      target folder (default ${DEFAULT_DEST})
  --no-download   only verify the files present; never call gdown
  --help          show this help

next: data-prep/prepare-celeba.sh [--input DIR]   (see data-prep/README.md)
EOT
}

# Prints one "name  url" line per file, each prefixed by $1.
manual_links() {
  local i
  for i in "${!NAMES[@]}"; do
    printf '%s%-25s https://drive.google.com/file/d/%s/view\n' "$1" "${NAMES[$i]}" "${DRIVE_IDS[$i]}"
  done
}

die_usage() {
  echo "error: $*" >&2
  echo "run data-prep/download-celeba.sh --help for the options" >&2
  exit 2
}

# Prints the size of a file in bytes.
file_bytes() {
  wc -c <"$1" | tr -d '[:space:]'
}

# Prints the MD5 of a file (md5sum on Linux, md5 on macOS, openssl otherwise).
file_md5() {
  local out
  if command -v md5sum >/dev/null 2>&1; then
    out="$(md5sum -b "$1")"
    printf '%s\n' "${out%% *}"
  elif command -v md5 >/dev/null 2>&1; then
    md5 -q "$1"
  elif command -v openssl >/dev/null 2>&1; then
    out="$(openssl dgst -md5 -r "$1")"
    printf '%s\n' "${out%% *}"
  else
    echo "error: no MD5 tool found (md5sum, md5 or openssl)" >&2
    return 1
  fi
}

# True when FILE exists with the expected size and MD5; says why not on stderr otherwise.
file_ok() {
  local file="$1" bytes="$2" md5="$3" size sum
  [[ -f "$file" ]] || return 1
  size="$(file_bytes "$file")"
  if [[ "$size" != "$bytes" ]]; then
    echo "  ${file}: ${size} bytes, expected ${bytes}" >&2
    return 1
  fi
  sum="$(file_md5 "$file")"
  if [[ "$sum" != "$md5" ]]; then
    echo "  ${file}: md5 ${sum}, expected ${md5}" >&2
    return 1
  fi
}

# True when DIR/img_align_celeba holds all the aligned JPEGs.
image_dir_ok() {
  local dir="$1/${IMAGE_DIR}" count
  [[ -d "$dir" ]] || return 1
  count="$(find "$dir" -maxdepth 1 -type f -name '*.jpg' | wc -l | tr -d '[:space:]')"
  if [[ "$count" != "$IMAGE_COUNT" ]]; then
    echo "  ${dir}/: ${count} JPEGs, expected ${IMAGE_COUNT}" >&2
    return 1
  fi
}

# Downloads Drive file ID to FILE.part with gdown and renames it to FILE once size and MD5 match.
gdown_file() {
  local id="$1" file="$2" bytes="$3" md5="$4" part="${2}.part"
  rm -f -- "$part"
  echo "gdown: fetching $(basename "$file") (Drive id ${id}) ..." >&2
  if ! gdown "https://drive.google.com/uc?id=${id}" -O "$part"; then
    rm -f -- "$part"
    echo "  gdown failed for $(basename "$file") (Google Drive may be rate-limiting it; see the manual steps)" >&2
    return 1
  fi
  if ! file_ok "$part" "$bytes" "$md5"; then
    rm -f -- "$part"
    echo "  the downloaded $(basename "$file") failed verification and was deleted" >&2
    return 1
  fi
  mv -f -- "$part" "$file"
}

main() {
  local dest="$DEFAULT_DEST" download=1
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --help|-h) usage; exit 0 ;;
      --dest) [[ $# -ge 2 && -n "$2" ]] || die_usage "--dest needs a folder"; dest="$2"; shift 2 ;;
      --dest=*) dest="${1#--dest=}"; [[ -n "$dest" ]] || die_usage "--dest needs a folder"; shift ;;
      --no-download) download=0; shift ;;
      *) die_usage "unknown option '$1'" ;;
    esac
  done

  mkdir -p -- "$dest"
  dest="$(cd "$dest" && pwd)"
  local have_gdown=0
  if [[ "$download" -eq 1 ]] && command -v gdown >/dev/null 2>&1; then
    have_gdown=1
  fi

  local i name file missing=()
  for i in "${!NAMES[@]}"; do
    name="${NAMES[$i]}"
    file="${dest}/${name}"
    if [[ -e "$file" ]]; then
      echo "verifying ${name} ..." >&2
    fi
    if file_ok "$file" "${BYTES[$i]}" "${MD5S[$i]}"; then
      echo "ok       ${file}" >&2
      continue
    fi
    if [[ "$name" == "img_align_celeba.zip" && ! -e "$file" ]] && image_dir_ok "$dest"; then
      echo "ok       ${dest}/${IMAGE_DIR}/ (${IMAGE_COUNT} images; the zip is not needed)" >&2
      continue
    fi
    if [[ "$have_gdown" -eq 1 ]] && gdown_file "${DRIVE_IDS[$i]}" "$file" "${BYTES[$i]}" "${MD5S[$i]}"; then
      echo "ok       ${file} (downloaded)" >&2
      continue
    fi
    if [[ -e "$file" ]]; then
      echo "CORRUPT  ${file} (wrong size or MD5; replace it)" >&2
    else
      echo "MISSING  ${file}" >&2
    fi
    missing+=("$i")
  done

  if [[ ${#missing[@]} -gt 0 ]]; then
    {
      echo
      if [[ "$download" -eq 1 && "$have_gdown" -eq 0 ]]; then
        echo "gdown is not installed (pip install gdown), so nothing was downloaded."
      fi
      echo "Download these by hand and save them in ${dest}/ under exactly these names:"
      for i in "${missing[@]}"; do
        printf '  %-25s https://drive.google.com/file/d/%s/view   (Drive folder %s/, md5 %s)\n' \
          "${NAMES[$i]}" "${DRIVE_IDS[$i]}" "${DRIVE_FOLDERS[$i]}" "${MD5S[$i]}"
      done
      echo "then rerun this script to verify them (data-prep/download-celeba.sh --help: rate limits, mirrors)."
    } >&2
    exit 1
  fi

  local input_arg=""
  if [[ "$dest" != "$DEFAULT_DEST" ]]; then
    input_arg=" --input ${dest}"
  fi
  cat <<EOT
CelebA (aligned): ${dest}/
next: data-prep/prepare-celeba.sh${input_arg}
EOT
}

# The functions can be sourced (for tests) without running main.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
