#!/usr/bin/env bash
# Throughput benchmark of the CIFAR-shaped VAE (32x32x3, encoder 32-64-128, latent 64, batch 64).
# Prints, from one run: training img/s in one JVM without Spark (best of 1 and 2 native threads),
# the same through Spark local[2] with 2 parameter-averaging workers, decoder-forward img/s and
# sampling-job img/s (decode + PNG + Parquet), and the ratios between them.
# Environment: JAVA, MVN, BENCH_ITERATIONS (single-JVM minibatches, default 40),
#              BENCH_SPARK_IMAGES (images per Spark epoch, default 3840), BENCH_SAMPLES (default 2000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
ITER="${BENCH_ITERATIONS:-40}"
SPARK_IMAGES="${BENCH_SPARK_IMAGES:-3840}"
SAMPLES="${BENCH_SAMPLES:-2000}"

"$MVN" -B -q -Dstyle.color=never -DskipTests test-compile >&2
"$MVN" -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
# shellcheck source=submit/jvm-options.sh
source "$ROOT/submit/jvm-options.sh"
OPENS=("${SPARK_JAVA17_OPTS[@]}"
  -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=6g -Dorg.bytedeco.javacpp.maxphysicalbytes=12g
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=${ROOT}/conf/log4j2.properties")

measure() { # threads mode count
  OMP_NUM_THREADS="$1" "$JAVA" "${OPENS[@]}" -cp "$CP" io.sparkvae.bench.VaeBenchmark "$2" "$3" 2>/dev/null \
    | awk '/^RESULT/ {print $3}'
}

echo "measuring (a few minutes)..." >&2
single1=$(measure 1 single "$ITER")
single2=$(measure 2 single "$ITER")
spark2=$(measure 1 spark "$SPARK_IMAGES")
decode=$(measure 2 decode "$SAMPLES")
sample=$(measure 1 sample "$SAMPLES")
best=$(awk -v a="$single1" -v b="$single2" 'BEGIN {print (a > b) ? a : b}')

printf '%-58s %10s\n' "measurement ($(nproc) cores)" "img/s"
printf '%-58s %10.1f\n' "train, one JVM, no Spark, 1 native thread" "$single1"
printf '%-58s %10.1f\n' "train, one JVM, no Spark, 2 native threads" "$single2"
printf '%-58s %10.1f\n' "train, Spark local[2], 2 workers x 1 thread, avg freq 5" "$spark2"
printf '%-58s %10.1f\n' "decoder forward only (batch 100, 2 threads)" "$decode"
printf '%-58s %10.1f\n' "sampling job: decode + PNG + Parquet, local[2]" "$sample"
awk -v s="$spark2" -v b="$best" -v d="$decode" -v p="$sample" 'BEGIN {
  printf "ratio Spark local[2] / best single JVM        %.2f\n", s / b;
  printf "ratio sampling job / decoder forward only     %.2f\n", p / d }'
