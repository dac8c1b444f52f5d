#!/usr/bin/env bash
# The performance table of the README, from one run on this machine (15 to 20 minutes on 2 cores):
#  - training img/s of the CIFAR-shaped (32x32, 32-64-128, latent 64) and CelebA-shaped (64x64, 32-64-128-256,
#    latent 128) VAE at batch 64, ours (DL4J + native oneDNN convolutions) and PyTorch's on the identical model,
#    each at 1 and 2 threads (2 threads with OpenMP's PASSIVE and ACTIVE wait policy), measured alternately
#    twice, and the ratio of the best of each;
#  - achieved GFLOP/s beside the sgemm peak of ND4J and of PyTorch's OpenBLAS;
#  - time per layer (forward, backward) of the CIFAR-shaped VAE;
#  - Spark local[2]: 2 workers x 1 thread vs 1 worker x 2 threads, and the share of epoch time outside fit()
#    (parameter averaging and everything else) at averaging frequency 1, 5 and 20, with train.averaging =
#    barrier (the default, the median of 5 epochs), and at 5 with dl4j-spark;
#  - the input pipeline against training speed: Parquet -> minibatch arrays (what train's load of its split
#    does once) and cached pixels -> minibatch arrays (what every epoch does);
#  - sampling job img/s (decode + PNG + Parquet) beside decoder-forward-only img/s on the same two cores and
#    a Spark job that only counts the same rows, in turn in one JVM, at three sizes; the steady rate and the
#    fixed cost per job fitted to them;
#  - peak memory (heap, off-heap, resident) of one JVM training the CIFAR model at batch 64;
#  - the VQ path at conf/local-vqvae.conf's sizes: VQ-VAE training img/s, PixelCNN prior training grids/s and
#    prior sampling img/s (draw the 64 cells of each grid one by one, look up, decode).
#  - last, each target of issue 7 beside what this run measured, met or not.
# bench/run.sh --table FILE prints the table again, measuring nothing, from the RESULT lines BENCH_RESULTS kept.
# The PyTorch side needs Debian's python3-torch and libopenblas0-pthread (bench/install-pytorch.sh); without them
# the table says so and prints our side only.
# Both sides run with OMP_WAIT_POLICY=PASSIVE (spinning OpenMP threads starved the second core on 2 threads
# while OpenBLAS had threads of its own); 2-thread training is also measured with ACTIVE on both sides, and the
# best of the two counts.
# Environment: JAVA, MVN, PYTHON (default /usr/bin/python3), BENCH_ITERATIONS (CIFAR training minibatches,
#              default 150; CelebA uses a quarter), BENCH_SPARK_IMAGES (images per Spark epoch, default 7680),
#              BENCH_SAMPLES (default 2000; sampling is also measured at 10000 and 50000), BENCH_TRAIN_BLAS_THREADS
#              (OpenBLAS threads of both sides while training, default 1: with more, its spinning pthreads
#              slow our 2-thread step by about a quarter), BENCH_RESULTS (a file that keeps the raw RESULT lines).
# One measurement alone, e.g. where an averaging round's time goes: java -Dbench.stats=true -cp ... \
#   io.sparkvae.bench.VaeBenchmark spark 2 5 5120 [dl4j-spark] prints the epoch's parts (barrier) or dl4j-spark's
#   per-round stats, and each task's timeline.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
PYTHON="${PYTHON:-/usr/bin/python3}"
ITER="${BENCH_ITERATIONS:-150}"
SPARK_IMAGES="${BENCH_SPARK_IMAGES:-7680}"
SAMPLES="${BENCH_SAMPLES:-2000}"
BIG_SAMPLES=10000 # a second sampling size, where the job's fixed costs (Spark job, decoder per task) weigh less
LARGE_SAMPLES=50000 # and a third, where they hardly weigh: the rate a large sampling job approaches

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
TABLE_ONLY=no
if [[ "${1:-}" == "--table" ]]; then # print the table again from a run's kept RESULT lines, measuring nothing
  [[ -f "${2:-}" ]] || { echo "usage: bench/run.sh --table RESULTS_FILE (a file that BENCH_RESULTS kept)" >&2; exit 2; }
  TABLE_ONLY=yes
  OUT="$2"
  # the sizes of that run, from its own keys
  SPARK_IMAGES="$(sed -nE 's/^RESULT t1 spark-w2-f5-n([0-9]+) .*/\1/p' "$OUT" | sort -n | head -1)"
  SAMPLES="$(sed -nE 's/^RESULT t1 sample-ratio-([0-9]+) .*/\1/p' "$OUT" | sort -n | head -1)"
  SPARK_IMAGES="${SPARK_IMAGES:-7680}"
  SAMPLES="${SAMPLES:-2000}"
fi

measure() { # builds, then runs every measurement, appending its RESULT/LAYER lines to $OUT
  "$MVN" -B -q -Dstyle.color=never -DskipTests test-compile >&2
  "$MVN" -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
  CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
  # shellcheck source=submit/jvm-options.sh
  source "$ROOT/submit/jvm-options.sh"
  OPTS=("${SPARK_JAVA17_OPTS[@]}"
    -Xmx3g -Dorg.bytedeco.javacpp.maxbytes=6g -Dorg.bytedeco.javacpp.maxphysicalbytes=12g
    -Djava.awt.headless=true "-Dlog4j2.configurationFile=${ROOT}/conf/log4j2.properties")
  # OpenBLAS threads while training, on both sides (BENCH_TRAIN_BLAS_THREADS, default 1). ND4J gives OpenBLAS
  # OMP_NUM_THREADS threads; with 2, its pthreads spin after each of the dense layers' small gemms on the core
  # the next convolution's OpenMP thread needs, and our 2-thread CIFAR step ran about 25% slower (a median of
  # 834 against 1,092 img/s, alternating runs). The sgemm lines keep OpenBLAS at the thread count.
  TRAIN_BLAS="${BENCH_TRAIN_BLAS_THREADS:-1}"

  torch_train() { # threads policy: appends PyTorch's training and sgemm RESULT lines to $OUT
    [[ "$TORCH" == yes ]] || return 0
    echo "  PyTorch: training and sgemm ($1 threads, OMP_WAIT_POLICY=$2)" >&2
    "$PYTHON" bench/pytorch_vae.py --shape both --threads "$1" --iterations "$((ITER / 2))" \
      --omp-wait-policy "$2" --train-blas-threads "$TRAIN_BLAS" 2>/dev/null \
      | grep '^RESULT torch' >>"$OUT"
  }

  java_mode() { # threads mode args...: appends RESULT/LAYER lines to $OUT
    local threads="$1"
    shift
    local main=io.sparkvae.bench.VaeBenchmark
    case "$1" in vqtrain|priortrain|priorsample) main=io.sparkvae.bench.VqBenchmark ;; esac
    # OpenBLAS (the dense layers' gemm) at 1 thread except for the sgemm line: see TRAIN_BLAS above
    local blas="$TRAIN_BLAS"
    [[ "$1" == sgemm ]] && blas="$threads"
    echo "  ours: $* (${threads} thread(s), OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE})" >&2
    OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" OMP_NUM_THREADS="$threads" ND4J_SKIP_BLAS_THREADS=1 \
      OPENBLAS_NUM_THREADS="$blas" "$JAVA" "${OPTS[@]}" -cp "$CP" "$main" "$@" 2>/dev/null \
      | grep -E '^(RESULT|LAYER) ' | sed "s/^RESULT /RESULT t${threads} /" >>"$OUT"
  }

  echo "measuring (15 to 20 minutes)..." >&2
  java_mode 1 sgemm 1024
  java_mode 2 sgemm 1024
  # ours and PyTorch's training alternately, twice, the best of each: this machine's speed drifts by 10-30%
  # within minutes, and measured far apart the ratio drifts with it
  for rep in 1 2; do
    for t in 1 2; do
      java_mode "$t" train cifar "$ITER"
      java_mode "$t" train celeba "$((ITER / 4))"
    done
    OMP_WAIT_POLICY=ACTIVE java_mode 2 train cifar "$ITER"
    OMP_WAIT_POLICY=ACTIVE java_mode 2 train celeba "$((ITER / 4))"
    torch_train 1,2 PASSIVE
    torch_train 2 ACTIVE
  done
  java_mode 1 layers cifar 30
  java_mode 1 spark 2 5 "$SPARK_IMAGES"
  java_mode 1 spark 2 5 "$((SPARK_IMAGES * 4))"
  java_mode 2 spark 1 5 "$SPARK_IMAGES"
  java_mode 1 spark 2 1 "$SPARK_IMAGES"
  java_mode 1 spark 2 20 "$SPARK_IMAGES"
  java_mode 1 spark 2 5 "$SPARK_IMAGES" dl4j-spark
  java_mode 1 pipeline 12000
  # the decoder alone, the rows only counted and the sampling job, at the three sizes in turn, in one JVM
  java_mode 1 sample "$SAMPLES" "$BIG_SAMPLES" "$LARGE_SAMPLES"
  java_mode 1 memory 60
  for t in 1 2; do
    java_mode "$t" vqtrain "$((ITER / 4))"
    java_mode "$t" priortrain "$((ITER / 8))"
  done
  java_mode 2 priorsample 256
}

if [[ "$TABLE_ONLY" == no ]]; then
  OUT="${BENCH_RESULTS:-$(mktemp)}"
  : >"$OUT"
  [[ -n "${BENCH_RESULTS:-}" ]] || trap 'rm -f "$OUT"' EXIT
  TORCH=no
  if "$PYTHON" -c 'import torch' 2>/dev/null; then
    TORCH=yes
  fi
  measure
else
  TORCH=no
  if grep -q '^RESULT torch ' "$OUT"; then
    TORCH=yes
  fi
fi

awk -v torch="$TORCH" -v cores="$(nproc)" -v si="$SPARK_IMAGES" -v samples="$SAMPLES" -v big="$BIG_SAMPLES" -v large="$LARGE_SAMPLES" '
  function keep(k, x) { if (!(k in v) || x + 0 > v[k] + 0) v[k] = x } # measured twice: the best
  $1 == "RESULT" && $2 ~ /^t[12]$/ { keep($2 " " $3, $4) }
  $1 == "RESULT" && $2 == "torch" && $4 ~ /^threads=/ { keep("torch " $3 " " $4, $5) }
  $1 == "RESULT" && $2 == "torch" && $3 == "flops-per-image" { v["torch mflop " $4] = $5 }
  $1 == "LAYER" { layers[++nl] = sprintf("  %-12s %-24s %8.2f %8.2f", $2, $3, $4, $5); fwd += $4; bwd += $5 }
  function max(a, b) { return a > b ? a : b }
  function target(label, shown, met, goal) { printf "%-58s %10s   %-20s %s\n", label, shown, goal, met ? "met" : "not met" }
  function sp(label, key) {
    printf "%-52s %10.1f %9.1f%% %9.1f%%", label, v[key], 100 * v[key "-outside-fit-share"], 100 * v[key "-waiting-share"]
    if ((key "-averaging-share") in v) printf " %9.1f%%\n", 100 * v[key "-averaging-share"]; else printf " %10s\n", "-"
  }
  function best(prefix,  a, b) { a = v["t1 " prefix]; b = v["t2 " prefix]; return max(a, b) }
  function tbest(shape,  a, b) { a = v["torch " shape " threads=1"]; b = v["torch " shape " threads=2"]; return max(a, b) }
  END {
    printf "spark-vae benchmark (%d cores)\n\n", cores
    printf "%-52s %10s %10s %10s\n", "training img/s, batch 64", "1 thread", "2 threads", "best"
    split("cifar celeba", shapes, " ")
    for (i = 1; i <= 2; i++) {
      s = shapes[i]
      printf "%-52s %10.1f %10.1f %10.1f\n", "ours (DL4J, native oneDNN convs), " s, v["t1 train-" s], v["t2 train-" s], best("train-" s)
      if (torch == "yes")
        printf "%-52s %10.1f %10.1f %10.1f\n", "PyTorch reference, " s, v["torch " s " threads=1"], v["torch " s " threads=2"], tbest(s)
    }
    if (torch == "yes") {
      printf "ratio ours / PyTorch, best vs best: CIFAR-shaped %.2f, CelebA-shaped %.2f\n", best("train-cifar") / tbest("cifar"), best("train-celeba") / tbest("celeba")
    } else {
      printf "PyTorch not installed: run bench/install-pytorch.sh for the reference side and the ratio\n"
    }
    printf "\n%-52s %10s %10s\n", "arithmetic", "1 thread", "2 threads"
    printf "%-52s %10.1f %10.1f\n", "ND4J sgemm 1024x1024, GFLOP/s", v["t1 sgemm-gflops"], v["t2 sgemm-gflops"]
    if (torch == "yes")
      printf "%-52s %10.1f %10.1f\n", "PyTorch (OpenBLAS) sgemm, GFLOP/s", v["torch sgemm threads=1"], v["torch sgemm threads=2"]
    for (i = 1; i <= 2; i++) {
      s = shapes[i]; m = v["t1 mflop-per-image-forward-" s]
      printf "%-52s %10.1f %10.1f\n", "ours training GFLOP/s, " s " (3 x " sprintf("%.1f", m) " MFLOP/img)", v["t1 train-" s] * 3 * m / 1000, v["t2 train-" s] * 3 * m / 1000
      if (torch == "yes")
        printf "%-52s %10.1f %10.1f\n", "PyTorch training GFLOP/s, " s, v["torch " s " threads=1"] * 3 * m / 1000, v["torch " s " threads=2"] * 3 * m / 1000
    }
    printf "\ntime per layer, CIFAR-shaped, batch 64, 1 thread (ms)      forward backward\n"
    for (i = 1; i <= nl; i++) print layers[i]
    printf "  %-37s %8.2f %8.2f\n", "sum of layers", fwd, bwd
    printf "  %-37s %17.2f\n", "whole training step (from img/s)", 64000 / v["t1 train-cifar"]
    printf "\n%-52s %10s %10s %10s %10s\n", "Spark local[2], CIFAR-shaped, epochs of " si " images", "img/s", "outside fit", "of it, waiting", "averaging"
    sp("2 workers x 1 thread, averaging every 5", "t1 spark-w2-f5-n" si)
    sp("the same, an epoch of " 4 * si " images", "t1 spark-w2-f5-n" 4 * si)
    sp("1 worker x 2 threads, averaging every 5", "t2 spark-w1-f5-n" si)
    sp("2 workers x 1 thread, averaging every minibatch", "t1 spark-w2-f1-n" si)
    sp("2 workers x 1 thread, averaging every 20", "t1 spark-w2-f20-n" si)
    sp("2 x 1, every 5, train.averaging = dl4j-spark", "t1 spark-w2-f5-n" si "-dl4j")
    printf "(waiting: in each round, how long the workers wait for the slowest one; averaging (barrier only): the\n"
    printf " exchange of the states, waiting at its barrier included; outside fit also holds the Spark job of each epoch,\n"
    printf " the start of each worker and the arrays of the minibatches; barrier rows: the median of 5 epochs)\n"
    printf "ratio Spark 2 workers (freq 5) / best single JVM CIFAR training: %.2f\n", v["t1 spark-w2-f5-n" si] / best("train-cifar")
    if (torch == "yes")
      printf "ratio Spark 2 workers (freq 5, the longer epoch) / PyTorch best single process: %.2f\n", v["t1 spark-w2-f5-n" 4 * si] / tbest("cifar")
    printf "\n%-52s %10s\n", "input pipeline, local[2]", "img/s"
    if ("t1 pipeline-parquet-cold" in v)
      printf "%-52s %10.1f\n", "Parquet -> minibatch arrays, first pass (cold JVM)", v["t1 pipeline-parquet-cold"]
    printf "%-52s %10.1f\n", "Parquet -> minibatch arrays (train loads its split)", v["t1 pipeline-parquet"]
    printf "%-52s %10.1f\n", "cached pixels -> minibatch arrays (every epoch)", v["t1 pipeline-cached"]
    printf "ratio pipeline / Spark training: Parquet %.1f, cached %.1f\n", v["t1 pipeline-parquet"] / v["t1 spark-w2-f5-n" si], v["t1 pipeline-cached"] / v["t1 spark-w2-f5-n" si]
    printf "(train reads its split from Parquet once, before the first epoch, and every epoch from the cache; the\n"
    printf " Parquet row is the best of 3 passes after the first, each reading the files again)\n"
    printf "\n%-52s %10s %10s %10s\n", "sampling img/s, local[2] (median of 5 rounds)", samples " imgs", big " imgs", large " imgs"
    printf "%-52s %10.1f %10.1f %10.1f\n", "decoder forward only (batch 100, 2 threads x 1)", v["t1 decode-" samples], v["t1 decode-" big], v["t1 decode-" large]
    printf "%-52s %10.1f %10.1f %10.1f\n", "Spark job, rows made and counted (decode + PNG)", v["t1 sample-count-" samples], v["t1 sample-count-" big], v["t1 sample-count-" large]
    printf "%-52s %10.1f %10.1f %10.1f\n", "sampling job: decode + PNG + Parquet", v["t1 sample-" samples], v["t1 sample-" big], v["t1 sample-" large]
    printf "%-52s %10.2f %10.2f %10.2f\n", "ratio rows counted / decoder only", v["t1 sample-count-ratio-" samples], v["t1 sample-count-ratio-" big], v["t1 sample-count-ratio-" large]
    printf "%-52s %10.2f %10.2f %10.2f\n", "ratio sampling job / decoder only", v["t1 sample-ratio-" samples], v["t1 sample-ratio-" big], v["t1 sample-ratio-" large]
    printf "steady rate, sampling job / decoder only: %.2f (rows counted: %.2f); fixed cost per job %.2f s (rows counted: %.2f s)\n", v["t1 sample-steady-ratio"], v["t1 sample-count-steady-ratio"], v["t1 sample-fixed-s"], v["t1 sample-count-fixed-s"]
    printf "(ratios within each round, from times seconds apart; steady rate and fixed cost: a line t = F + N / R through\n"
    printf " the three times of each round; a job of N images runs at 1 / (1 / steady + F x decoder rate / N) of the decoder)\n"
    printf "\n%-52s %10s %10s\n", "VQ path (conf/local-vqvae.conf sizes), batch 64", "1 thread", "2 threads"
    printf "%-52s %10.1f %10.1f\n", "VQ-VAE training img/s (32x32, hidden 64, K 512)", v["t1 vq-train"], v["t2 vq-train"]
    printf "%-52s %10.1f %10.1f\n", "PixelCNN prior training grids/s (8x8, F 64, 5 blocks)", v["t1 prior-train"], v["t2 prior-train"]
    printf "%-52s %10s %10.1f\n", "prior sampling img/s (64 cells one by one + decode)", "", v["t2 prior-sample"]
    printf "\n%-52s %10s\n", "memory, one JVM training CIFAR-shaped at batch 64", "MB"
    printf "%-52s %10.0f\n", "heap, peak used", v["t1 memory-heap-peak-mb"]
    printf "%-52s %10.0f\n", "off-heap ND4J arrays (JavaCPP), peak", v["t1 memory-offheap-peak-mb"]
    printf "%-52s %10.0f\n", "resident set of the process, peak (VmHWM)", v["t1 memory-rss-peak-mb"]
    printf "\n%-58s %10s   %-20s %s\n", "the targets (issue 7), from the rows above", "measured", "target", ""
    if (torch == "yes")
      target("training, CIFAR-shaped, ours / PyTorch", sprintf("%.2f", best("train-cifar") / tbest("cifar")), best("train-cifar") / tbest("cifar") >= 1.0, ">= 1.0 (stretch 1.5)")
    else
      printf "%-58s %10s   %-20s %s\n", "training, CIFAR-shaped, ours / PyTorch", "-", ">= 1.0", "not measured: no PyTorch"
    pr = v["t1 pipeline-parquet"] / v["t1 spark-w2-f5-n" si]
    target("input pipeline, Parquet -> minibatches / Spark training", sprintf("%.1f", pr), pr >= 5, ">= 5")
    pr = v["t1 pipeline-cached"] / v["t1 spark-w2-f5-n" si]
    target("  the same from the cache, what every epoch reads", sprintf("%.1f", pr), pr >= 5, ">= 5")
    av = v["t1 spark-w2-f5-n" si "-averaging-share"]
    target("parameter averaging at frequency 5, share of the epoch", sprintf("%.1f%%", 100 * av), av <= 0.10, "<= 10%")
    st = v["t1 sample-steady-ratio"]
    target("sampling job / decoder only, the steady rate", sprintf("%.2f", st), st >= 0.8, ">= 0.8")
    for (i = 3; i >= 1; i--) {
      n = i == 3 ? large : i == 2 ? big : samples; r = v["t1 sample-ratio-" n]
      target("  the same, a job of " n " images", sprintf("%.2f", r), r >= 0.8, ">= 0.8")
    }
    rss = v["t1 memory-rss-peak-mb"]
    target("one JVM training CIFAR-shaped at batch 64, resident set", sprintf("%.0f MB", rss), rss <= 2048, "<= 2 GB")
    printf "(a sampling job of N images runs at about 1 / (1 / steady + F x decoder rate / N) of the decoder, F its\n"
    printf " fixed cost: Spark'"'"'s job and tasks, which a job that only counts its rows pays too; see the README)\n"
  }' "$OUT"
