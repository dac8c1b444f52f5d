#!/usr/bin/env bash
# Throughput of `prepare` on generated data in the official formats, in Spark local[2] with a 2 GB heap
# (driver and executor are one JVM in local mode):
#  - CelebA: N generated 178x218 JPEGs (default 20,000) -> decode, 140x140 centre crop, area resize to 64x64,
#    Parquet; images/s and images/s per core, beside the JPEG decode alone on one thread;
#  - CIFAR-10: the six binary batches (default 10,000 records each, as the real ones) in the tar.gz -> Parquet.
# Also prints each run's peak heap. Data generation is not timed.
# Environment: JAVA, MVN, BENCH_CELEBA_IMAGES (default 20000), BENCH_CIFAR_RECORDS (per batch, default 10000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
CELEBA="${BENCH_CELEBA_IMAGES:-20000}"
CIFAR="${BENCH_CIFAR_RECORDS:-10000}"

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

"$MVN" -B -q -Dstyle.color=never -DskipTests test-compile >&2
"$MVN" -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
# shellcheck source=submit/jvm-options.sh
source "$ROOT/submit/jvm-options.sh"
OPTS=("${SPARK_JAVA17_OPTS[@]}" -Xmx2g -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=${ROOT}/conf/log4j2.properties")

run() { # mode n -> RESULT lines
  OMP_NUM_THREADS=1 "$JAVA" "${OPTS[@]}" -cp "$CP" io.sparkvae.bench.PrepareBenchmark "$@" 2>/dev/null | grep '^RESULT '
}

echo "measuring: CelebA ${CELEBA} JPEGs, CIFAR-10 6 x ${CIFAR} records..." >&2
{
  run celeba "$CELEBA" | sed 's/^RESULT /RESULT celeba /'
  run cifar "$CIFAR" | sed 's/^RESULT /RESULT cifar /'
} | awk -v celeba="$CELEBA" -v cifar="$((6 * CIFAR))" '
  { v[$2 " " $3] = $4 }
  END {
    printf "prepare throughput, Spark local[2], -Xmx2g (%d cores)\n\n", 2
    printf "%-60s %10s\n", "", "img/s"
    printf "%-60s %10.1f\n", "CelebA JPEG decode + crop + resize alone, 1 thread", v["celeba celeba-decode-1-thread"]
    printf "%-60s %10.1f\n", "CelebA prepare, " celeba " JPEGs -> 64x64 Parquet, local[2]", v["celeba celeba-prepare-local2"]
    printf "%-60s %10.1f\n", "  per core", v["celeba celeba-prepare-per-core"]
    printf "%-60s %10.1f\n", "CIFAR-10 prepare, " cifar " records from the tar.gz, local[2]", v["cifar cifar-prepare-local2"]
    printf "%-60s %10.1f\n", "  per core", v["cifar cifar-prepare-per-core"]
    printf "\npeak heap (MB, of %d): CelebA run %.0f, CIFAR run %.0f\n", v["celeba heap-max-mb"], v["celeba heap-peak-mb"], v["cifar heap-peak-mb"]
  }'
