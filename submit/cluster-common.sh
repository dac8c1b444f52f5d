# shellcheck shell=bash
# Sourced by submit/standalone.sh, submit/yarn.sh and submit/k8s.sh: reads and validates the settings they share
# (their headers list them), builds the spark-submit arguments common to every cluster manager and runs it.
# The caller sets
#   SCRIPT                     its own path (for --help)
#   DEFAULT_DEPLOY_MODE        client or cluster
#   DEFAULT_JAR                the application jar when SPARK_VAE_JAR is unset
#   CLUSTER_DRIVER_GETS_FILES  true when, in cluster mode, --files land in the driver's working directory
#                              (YARN, Kubernetes); false for standalone
#   CONFIG_IN_IMAGE            a path prefix whose config files are already where the driver runs (the
#                              container image), never shipped nor rewritten; empty for none
# then sources this file, calls cluster_init "$@", appends its master's arguments to SUBMIT_ARGS and calls
# cluster_exec. Written for bash 3.2 too (macOS laptops submit jobs): no mapfile, guarded empty arrays.

die() {
  echo "error: $*" >&2
  exit 2
}

# Prints the caller's header comment (from line 2 to the first line that is not a comment).
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SCRIPT"
}

# True for a URI (hdfs://..., local://..., file:/...) rather than a plain path.
is_uri() {
  [[ "$1" =~ ^[A-Za-z][A-Za-z0-9+.-]*: ]]
}

# Checks that $2, the value of variable $1, is a whole number > 0.
require_count() {
  [[ "$2" =~ ^[1-9][0-9]{0,4}$ ]] || die "$1 must be a whole number > 0 (got '$2')"
}

# Sets REPLY to the size $2 (the value of variable $1: a whole number with m or g, like 4g or 512m) in MiB.
to_mib() {
  [[ "$2" =~ ^([1-9][0-9]{0,6})([mMgG])$ ]] || die "$1 must be a size like 4g or 512m (got '$2')"
  case "${BASH_REMATCH[2]}" in
    g|G) REPLY=$(( BASH_REMATCH[1] * 1024 )) ;;
    *) REPLY="${BASH_REMATCH[1]}" ;;
  esac
}

# Sets REPLY to $1 MiB as Spark and JavaCPP read it: 6g when a whole number of gigabytes, else 1536m.
size_arg() {
  if (( $1 % 1024 == 0 )); then REPLY="$(( $1 / 1024 ))g"; else REPLY="${1}m"; fi
}

# Sets REPLY to $1 without leading and trailing white space.
trim() {
  REPLY="${1#"${1%%[![:space:]]*}"}"
  REPLY="${REPLY%"${REPLY##*[![:space:]]}"}"
}

# Reads the environment and the command line into COMMAND, DEPLOY_MODE, SUBMIT, JAR, NUM_EXECUTORS,
# EXECUTOR_CORES, DRIVER_CORES, OMP_THREADS, PARALLEL_TASKS_NOTE, SUBMIT_ARGS (all but the master's own
# arguments), APP_ARGS (the job's arguments, config paths rewritten where they must be) and FILES (the config
# files to ship).
cluster_init() {
  if [[ $# -eq 0 ]]; then
    usage >&2
    exit 2
  fi
  case "$1" in
    --help|-h|help) usage; exit 0 ;;
  esac
  # a script that needs settings of its own (its master's URL) checks them here, after --help
  if declare -F check_environment >/dev/null; then
    check_environment
  fi
  case "$1" in
    -*) die "the first argument is the command (prepare, train, encode, train-prior, sample, validate)," \
          "got '$1'; see ${SCRIPT} --help" ;;
  esac
  COMMAND="$1"

  DEPLOY_MODE="${SPARK_VAE_DEPLOY_MODE:-$DEFAULT_DEPLOY_MODE}"
  [[ "$DEPLOY_MODE" == client || "$DEPLOY_MODE" == cluster ]] \
    || die "SPARK_VAE_DEPLOY_MODE must be client or cluster (got '${DEPLOY_MODE}')"
  if [[ -n "${SPARK_SUBMIT:-}" ]]; then
    SUBMIT="$SPARK_SUBMIT"
  elif [[ -n "${SPARK_HOME:-}" ]]; then
    SUBMIT="${SPARK_HOME}/bin/spark-submit"
  else
    SUBMIT="spark-submit"
  fi
  command -v "$SUBMIT" >/dev/null || die "spark-submit not found ('${SUBMIT}'): set SPARK_HOME or SPARK_SUBMIT"
  JAR="${SPARK_VAE_JAR:-$DEFAULT_JAR}"
  if ! is_uri "$JAR" && [[ ! -f "$JAR" ]]; then
    die "application jar not found: ${JAR} (build it with 'mvn -B -DskipTests package', or set SPARK_VAE_JAR)"
  fi

  local task_cpus="${SPARK_VAE_TASK_CPUS:-1}"
  NUM_EXECUTORS="${SPARK_VAE_NUM_EXECUTORS:-2}"
  EXECUTOR_CORES="${SPARK_VAE_EXECUTOR_CORES:-4}"
  DRIVER_CORES="${SPARK_VAE_DRIVER_CORES:-2}"
  require_count SPARK_VAE_NUM_EXECUTORS "$NUM_EXECUTORS"
  require_count SPARK_VAE_EXECUTOR_CORES "$EXECUTOR_CORES"
  require_count SPARK_VAE_TASK_CPUS "$task_cpus"
  require_count SPARK_VAE_DRIVER_CORES "$DRIVER_CORES"
  (( EXECUTOR_CORES % task_cpus == 0 )) \
    || die "SPARK_VAE_TASK_CPUS (${task_cpus}) must divide SPARK_VAE_EXECUTOR_CORES (${EXECUTOR_CORES})," \
           "or cores stay idle"
  # every running task has its own OpenMP team: threads beyond the task's cores oversubscribe the executor
  OMP_THREADS="${SPARK_VAE_OMP_NUM_THREADS:-$task_cpus}"
  require_count SPARK_VAE_OMP_NUM_THREADS "$OMP_THREADS"

  SUBMIT_ARGS=(--deploy-mode "$DEPLOY_MODE" --class io.sparkvae.cli.Main
    --name "${SPARK_VAE_APP_NAME:-spark-vae-${COMMAND}}"
    --executor-cores "$EXECUTOR_CORES"
    --conf "spark.task.cpus=${task_cpus}"
    --conf "spark.executorEnv.OMP_NUM_THREADS=${OMP_THREADS}"
    # OpenBLAS (the dense layers' small gemms) single-threaded: with a task's OMP_NUM_THREADS, its pthreads spin
    # between gemms on the cores the convolutions' OpenMP threads need (a 2-thread step ran ~25% slower)
    --conf "spark.executorEnv.ND4J_SKIP_BLAS_THREADS=1"
    --conf "spark.executorEnv.OPENBLAS_NUM_THREADS=1"
    # train.averaging = barrier runs each epoch as a barrier stage, which Spark refuses under dynamic allocation
    # (some clusters turn it on in spark-defaults.conf); SPARK_VAE_CONF can turn it back on for other steps
    --conf "spark.dynamicAllocation.enabled=false")
  memory_args executor EXECUTOR "${SPARK_VAE_EXECUTOR_MEMORY:-4g}" "${SPARK_VAE_EXECUTOR_OFFHEAP:-6g}"
  memory_args driver DRIVER "${SPARK_VAE_DRIVER_MEMORY:-4g}" "${SPARK_VAE_DRIVER_OFFHEAP:-4g}"
  if [[ "$DEPLOY_MODE" == cluster ]]; then
    SUBMIT_ARGS+=(--driver-cores "$DRIVER_CORES")
  else
    # the driver is a child process of spark-submit, here
    export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$DRIVER_CORES}"
  fi
  config_args "${@:2}"
  PARALLEL_TASKS_NOTE="$(( NUM_EXECUTORS * EXECUTOR_CORES / task_cpus )) tasks run at once"
  PARALLEL_TASKS_NOTE+=" (${NUM_EXECUTORS} executors x ${EXECUTOR_CORES} cores / spark.task.cpus ${task_cpus})"
}

# Adds --executor-memory / --driver-memory, the memoryOverhead and the ND4J limits of one kind of JVM:
# $1 executor|driver, $2 its part of the variable names (SPARK_VAE_$2_OVERHEAD, ...), $3 heap, $4 off-heap.
memory_args() {
  local kind="$1" name="$2" heap offheap overhead opts
  local overhead_var="SPARK_VAE_${name}_OVERHEAD" extra_var="SPARK_VAE_${name}_JAVA_OPTS"
  to_mib "SPARK_VAE_${name}_MEMORY" "$3"; heap="$REPLY"
  to_mib "SPARK_VAE_${name}_OFFHEAP" "$4"; offheap="$REPLY"
  to_mib "$overhead_var" "${!overhead_var:-$(( offheap + 2048 ))m}"; overhead="$REPLY"
  (( overhead >= offheap + 384 )) \
    || die "${overhead_var} (${overhead}m) must exceed SPARK_VAE_${name}_OFFHEAP (${offheap}m) by at least" \
           "384m: it holds ND4J's off-heap arrays and the JVM's own native memory"
  size_arg "$heap"; SUBMIT_ARGS+=("--${kind}-memory" "$REPLY")
  size_arg "$overhead"; SUBMIT_ARGS+=(--conf "spark.${kind}.memoryOverhead=${REPLY}")
  size_arg "$offheap"; opts="-Dorg.bytedeco.javacpp.maxbytes=${REPLY}"
  # JavaCPP refuses allocations that would take the whole process past its container's size (heap + overhead)
  size_arg $(( heap + overhead )); opts+=" -Dorg.bytedeco.javacpp.maxphysicalbytes=${REPLY}"
  if [[ -n "${!extra_var:-}" ]]; then
    opts+=" ${!extra_var}"
  fi
  SUBMIT_ARGS+=(--conf "spark.${kind}.extraJavaOptions=${opts}")
}

# Fills APP_ARGS and FILES from the job's arguments; only --config FILE and --config=FILE may change.
config_args() {
  APP_ARGS=("$COMMAND")
  FILES=()
  local arg
  while [[ $# -gt 0 ]]; do
    arg="$1"
    shift
    case "$arg" in
      --config)
        if [[ $# -gt 0 ]]; then
          ship_config "$1"
          shift
          APP_ARGS+=(--config "$REPLY")
        else
          APP_ARGS+=("$arg") # the job reports the missing value
        fi ;;
      --config=*) ship_config "${arg#--config=}"; APP_ARGS+=("--config=${REPLY}") ;;
      *) APP_ARGS+=("$arg") ;;
    esac
  done
}

# Sets REPLY to the path the driver should read config file $1 from, adding $1 to FILES when it ships:
# shipped with --files and, in cluster mode, rewritten to its base name (YARN and Kubernetes put --files in
# the driver's working directory). Files under CONFIG_IN_IMAGE, and everything in standalone cluster mode
# (the driver reads the path on its worker), are left as they are.
ship_config() {
  REPLY="$1"
  if [[ -n "$CONFIG_IN_IMAGE" && "$1" == "$CONFIG_IN_IMAGE"* ]]; then
    return
  fi
  if [[ "$DEPLOY_MODE" == cluster && "$CLUSTER_DRIVER_GETS_FILES" != true ]]; then
    return
  fi
  [[ -f "$1" ]] || die "config file not found: $1"
  [[ "$1" != *,* ]] || die "the config path must not hold a comma (--files takes a comma-separated list): $1"
  FILES+=("$1")
  if [[ "$DEPLOY_MODE" == cluster ]]; then
    REPLY="${1##*/}"
  fi
}

# Appends --files and the extra settings of SPARK_VAE_FILES, SPARK_VAE_CONF and SPARK_VAE_SUBMIT_OPTS (after
# ours, so that they win), prints the command and replaces this shell with spark-submit.
cluster_exec() {
  local files="" file line
  for file in ${FILES[@]+"${FILES[@]}"}; do
    files+="${files:+,}${file}"
  done
  if [[ -n "${SPARK_VAE_FILES:-}" ]]; then
    files+="${files:+,}${SPARK_VAE_FILES}"
  fi
  if [[ -n "$files" ]]; then
    SUBMIT_ARGS+=(--files "$files")
  fi
  while IFS= read -r line; do
    trim "$line"
    if [[ -z "$REPLY" ]]; then
      continue
    fi
    [[ "$REPLY" =~ ^[^=[:space:]]+= ]] || die "SPARK_VAE_CONF: each line must be key=value (got '${REPLY}')"
    SUBMIT_ARGS+=(--conf "$REPLY")
  done <<< "${SPARK_VAE_CONF:-}"
  while IFS= read -r line; do
    trim "$line"
    [[ -z "$REPLY" ]] || SUBMIT_ARGS+=("$REPLY")
  done <<< "${SPARK_VAE_SUBMIT_OPTS:-}"

  if [[ "$COMMAND" == train || "$COMMAND" == train-prior ]]; then
    echo "note: ${PARALLEL_TASKS_NOTE}: train.workers should match" >&2
  fi
  local cmd=("$SUBMIT" "${SUBMIT_ARGS[@]}" "$JAR" "${APP_ARGS[@]}")
  printf 'running:' >&2
  printf ' %q' "${cmd[@]}" >&2
  printf '\n' >&2
  exec "${cmd[@]}"
}
