#!/usr/bin/env bash
# Runs spark-vae in Spark local mode, building the project first if needed.
#   submit/local.sh                  prepare + train + evaluate + sample with conf/local.conf (replaces earlier
#                                    output)
#   submit/local.sh vqvae            the VQ path with conf/local-vqvae.conf: prepare (unless kept) + train +
#                                    evaluate + encode + train-prior + sample
#   submit/local.sh COMMAND ARGS...  one step, e.g. submit/local.sh train --config conf/local.conf --set train.epochs=3
# Environment: SPARK_VAE_HEAP (driver heap, default 4g), SPARK_VAE_OFFHEAP (ND4J off-heap limit, default 6g),
#              SPARK_VAE_CONFIG (config of the default pipeline, default conf/local.conf),
#              OMP_NUM_THREADS (native threads per worker, default 1: local[2] runs 2 workers on 2 cores),
#              JAVA (java binary), MVN (maven binary).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=submit/jvm-options.sh
source "$ROOT/submit/jvm-options.sh"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
HEAP="${SPARK_VAE_HEAP:-4g}"
OFFHEAP="${SPARK_VAE_OFFHEAP:-6g}"
CONFIG="${SPARK_VAE_CONFIG:-conf/local.conf}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# OpenBLAS single-threaded whatever OMP_NUM_THREADS is: its spinning pthreads slow multi-threaded training
export ND4J_SKIP_BLAS_THREADS=1 OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
for size in "$HEAP" "$OFFHEAP"; do
  if [[ ! "$size" =~ ^[0-9]+g$ ]]; then
    echo "error: SPARK_VAE_HEAP and SPARK_VAE_OFFHEAP are whole gigabytes like 4g (got '$size')" >&2
    exit 2
  fi
done
JAR="target/spark-vae.jar"
CLASSPATH_FILE="target/classpath.txt"

build() {
  local newest
  newest="$(find pom.xml src/main -type f -newer "$JAR" 2>/dev/null | head -n 1 || true)"
  if [[ ! -f "$JAR" || ! -f "$CLASSPATH_FILE" || -n "$newest" ]]; then
    echo "building spark-vae (mvn package, tests skipped)..." >&2
    "$MVN" -B -q -Dstyle.color=never -DskipTests package >&2
    "$MVN" -B -q dependency:build-classpath -Dmdep.includeScope=compile \
      -Dmdep.outputFile="$CLASSPATH_FILE" >/dev/null
  fi
}

JVM_OPTS=(
  "-Xmx${HEAP}"
  "-Dorg.bytedeco.javacpp.maxbytes=${OFFHEAP}"
  "-Dorg.bytedeco.javacpp.maxphysicalbytes=$((${OFFHEAP%g} + ${HEAP%g} + 2))g"
  "-Dlog4j2.configurationFile=${ROOT}/conf/log4j2.properties"
  "-Djava.awt.headless=true"
  "${SPARK_JAVA17_OPTS[@]}"
)

run_step() {
  "$JAVA" "${JVM_OPTS[@]}" -cp "${JAR}:$(cat "$CLASSPATH_FILE")" io.sparkvae.cli.Main "$@"
}

build
if [[ $# -gt 0 && ! ( $# -eq 1 && "$1" == "vqvae" ) ]]; then
  exec "$JAVA" "${JVM_OPTS[@]}" -cp "${JAR}:$(cat "$CLASSPATH_FILE")" io.sparkvae.cli.Main "$@"
fi

start=$(date +%s)
if [[ "${1:-}" == "vqvae" ]]; then
  CONFIG="${SPARK_VAE_CONFIG:-conf/local-vqvae.conf}"
  RUN="out/local/runs/local-vqvae"
  # the VAE run's prepared dataset is kept when it is this configuration's (same generator, count, size, seed
  # and split fractions): validate says that running prepare would do nothing
  if run_step validate prepare --config "$CONFIG" 2>/dev/null | grep -q "running it does nothing"; then
    echo "== 1/6 prepare: keeping the prepared dataset (it is this configuration's) ==" >&2
  else
    echo "== 1/6 prepare (synthetic shapes) ==" >&2
    run_step prepare --config "$CONFIG" --overwrite
  fi
  echo "== 2/6 train (VQ-VAE, parameter averaging) ==" >&2
  run_step train --config "$CONFIG" --overwrite
  echo "== 3/6 evaluate (the test split) ==" >&2
  run_step evaluate --config "$CONFIG" --overwrite
  echo "== 4/6 encode (code grids of every image) ==" >&2
  run_step encode --config "$CONFIG" --overwrite
  echo "== 5/6 train-prior (PixelCNN over the code grids) ==" >&2
  run_step train-prior --config "$CONFIG" --overwrite
  echo "== 6/6 sample (prior -> codes -> decoder) ==" >&2
  run_step sample --config "$CONFIG" --overwrite
  cat <<EOT
done in $(( $(date +%s) - start )) s. Outputs:
  prepared data     out/local/prepared/          (Parquet, partitioned by split; _dataset.json)
  VQ-VAE            ${RUN}/model.zip
  metrics           ${RUN}/metrics.jsonl         (one JSON line per epoch: PSNR, perplexity, codebook usage)
  evaluation        ${RUN}/eval.json             (the model on the test split: PSNR, perplexity, codes used)
  code grids        ${RUN}/codes/                (Parquet, partitioned by split)
  prior             ${RUN}/prior.zip, ${RUN}/prior-metrics.jsonl (val NLL vs unigram entropy)
  plots             ${RUN}/plots/                (loss, psnr, codebook, code-usage, reconstructions, prior-nll,
                                                  eval-reconstructions)
  samples           ${RUN}/samples/              (Parquet, with the code grids)
  contact sheet     ${RUN}/samples.png
(paths assume the default output-root and run-id of ${CONFIG})
EOT
  exit 0
fi

echo "== 1/4 prepare (synthetic shapes) ==" >&2
run_step prepare --config "$CONFIG" --overwrite
echo "== 2/4 train (VAE, parameter averaging) ==" >&2
run_step train --config "$CONFIG" --overwrite
echo "== 3/4 evaluate (the test split) ==" >&2
run_step evaluate --config "$CONFIG" --overwrite
echo "== 4/4 sample ==" >&2
run_step sample --config "$CONFIG" --overwrite
RUN="out/local/runs/local"
cat <<EOT
done in $(( $(date +%s) - start )) s. Outputs:
  prepared data     out/local/prepared/          (Parquet, partitioned by split; _dataset.json)
  model             ${RUN}/model.zip
  metrics           ${RUN}/metrics.jsonl         (one JSON line per epoch)
  evaluation        ${RUN}/eval.json             (the model on the test split: -ELBO, bits/dim, PSNR)
  latent prior      ${RUN}/latent-prior.json     (the Gaussian mixture over z the samples come from)
  plots             ${RUN}/plots/                (loss.png, psnr.png, reconstructions.png, prior-samples.png,
                                                  mixture-samples.png, eval-reconstructions.png)
  samples           ${RUN}/samples/              (Parquet)
  contact sheet     ${RUN}/samples.png
(paths assume the default output-root and run-id of ${CONFIG})
EOT
