#!/usr/bin/env bash
# Runs the prepare job on the downloaded CelebA files: 162,770 train / 19,867 val / 19,962 test images, each
# the 140x140 centre crop of an aligned image resized to 64x64, as Parquet under <output-root>/prepared
# (out/celeba/prepared with conf/celeba-vae.conf).
# Run with --help for the options. Exit codes: those of the job (0 done, 1 failed, 2 bad arguments/config).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="data-prep/prepare-celeba.sh"
DATASET="celeba"
DEFAULT_INPUT="${ROOT}/data/raw/celeba"
DEFAULT_CONFIG="${ROOT}/conf/celeba-vae.conf"

usage() {
  cat <<EOT
usage: data-prep/prepare-celeba.sh [--input PATH] [--config FILE] [--set key=value]... [--overwrite] [-- JOB ARGS...]

Runs:  submit/local.sh prepare --config conf/celeba-vae.conf --dataset celeba --input PATH [--set ...] [--overwrite]
(or the script named by \$SPARK_VAE_SUBMIT instead of submit/local.sh, with the same arguments).

options:
  --input PATH     folder holding img_align_celeba.zip (or the unpacked img_align_celeba/),
                   list_eval_partition.txt and list_attr_celeba.txt, as data-prep/download-celeba.sh leaves it;
                   a local path or a Hadoop URI (hdfs://, s3a://).
                   Default: data/raw/celeba in the repository (${DEFAULT_INPUT}).
  --config FILE    job configuration (default conf/celeba-vae.conf)
  --set key=value  passed to the job, repeatable (e.g. --set output-root=/data/spark-vae)
  --overwrite      passed to the job: replace an existing prepared dataset
  -- ARGS...       everything after -- is passed to the job unchanged
  --help           show this help

environment:
  SPARK_VAE_SUBMIT  submit script to use instead of submit/local.sh (e.g. a cluster wrapper)

Output: <output-root>/prepared/ (Parquet partitioned by split, _dataset.json): 162,770 train, 19,867 val and
19,962 test images (the official list_eval_partition.txt split) of 64x64 after a 140x140 centre crop
(data.celeba.crop-size / image-size), with the 40 attributes: 2.5 GB of raw pixels before zstd compression.
EOT
}

# shellcheck source=data-prep/prepare-common.sh
source "${ROOT}/data-prep/prepare-common.sh"
prepare_main "$@"
