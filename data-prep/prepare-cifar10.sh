#!/usr/bin/env bash
# Runs the prepare job on the downloaded CIFAR-10 binary archive: 45,000 train / 5,000 val / 10,000 test images
# of 32x32 as Parquet under <output-root>/prepared (out/cifar10/prepared with conf/cifar10-vae.conf).
# Run with --help for the options. Exit codes: those of the job (0 done, 1 failed, 2 bad arguments/config).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="data-prep/prepare-cifar10.sh"
DATASET="cifar10"
DEFAULT_INPUT="${ROOT}/data/raw/cifar10"
DEFAULT_CONFIG="${ROOT}/conf/cifar10-vae.conf"

usage() {
  cat <<EOT
usage: data-prep/prepare-cifar10.sh [--input PATH] [--config FILE] [--set key=value]... [--overwrite] [-- JOB ARGS...]

Runs:  submit/local.sh prepare --config conf/cifar10-vae.conf --dataset cifar10 --input PATH [--set ...] [--overwrite]
(or the script named by \$SPARK_VAE_SUBMIT instead of submit/local.sh, with the same arguments).

options:
  --input PATH     the download folder of data-prep/download-cifar10.sh, cifar-10-binary.tar.gz itself, or a
                   cifar-10-batches-bin folder; a local path or a Hadoop URI (hdfs://, s3a://).
                   Default: data/raw/cifar10 in the repository (${DEFAULT_INPUT}).
  --config FILE    job configuration (default conf/cifar10-vae.conf)
  --set key=value  passed to the job, repeatable (e.g. --set output-root=/data/spark-vae)
  --overwrite      passed to the job: replace an existing prepared dataset
  -- ARGS...       everything after -- is passed to the job unchanged
  --help           show this help

environment:
  SPARK_VAE_SUBMIT  submit script to use instead of submit/local.sh (e.g. a cluster wrapper)

Output: <output-root>/prepared/ (Parquet partitioned by split, _dataset.json): 45,000 train, 5,000 val
(held out of the five training batches: data.cifar10.val-count, data.cifar10.seed) and 10,000 test
(test_batch) images of 32x32: 184 MB of raw pixels before zstd compression.
EOT
}

# shellcheck source=data-prep/prepare-common.sh
source "${ROOT}/data-prep/prepare-common.sh"
prepare_main "$@"
