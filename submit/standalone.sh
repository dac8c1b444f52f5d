#!/usr/bin/env bash
# Submits one spark-vae command to a Spark standalone cluster with spark-submit (--master spark://...).
#
# usage: SPARK_MASTER=spark://HOST:7077 submit/standalone.sh COMMAND [ARGS...]
#   COMMAND  prepare, train, encode, train-prior, sample or validate; ARGS go to it unchanged, except that in
#            client mode (the default: the driver runs here) the file of --config FILE is also shipped with
#            --files. Example:
#   SPARK_MASTER=spark://master.example.com:7077 submit/standalone.sh train --config conf/cifar10-vae.conf \
#     --set output-root=hdfs://namenode:8020/spark-vae --set train.workers=8
# In cluster mode the driver runs on a worker, which reads the jar and the --config file at the paths given:
# put both on every worker at the same absolute path, or the jar on hdfs:// (nothing is shipped).
# Keep inputs and output-root on storage every worker sees (HDFS, S3, NFS); set train.workers to
# executors x cores / task cpus. Workers must have room for heap + overhead: SPARK_WORKER_MEMORY counts
# only the heap, and standalone does not enforce memoryOverhead.
#
# environment (default in brackets):
#   SPARK_MASTER                  master URL, required: spark://HOST:PORT (or spark://H1:PORT,H2:PORT)
#   SPARK_SUBMIT                  spark-submit to run [$SPARK_HOME/bin/spark-submit, else spark-submit on PATH]
#   SPARK_VAE_JAR                 application jar [target/spark-vae-cluster.jar here: mvn -B -DskipTests package]
#   SPARK_VAE_DEPLOY_MODE         client (driver here) or cluster (driver on a worker) [client]
#   SPARK_VAE_APP_NAME            application name [spark-vae-COMMAND]
#   SPARK_VAE_NUM_EXECUTORS       executors; --total-executor-cores = executors x executor cores [2]
#   SPARK_VAE_EXECUTOR_CORES      cores per executor [4]
#   SPARK_VAE_TASK_CPUS           cores each task owns, spark.task.cpus [1]
#   SPARK_VAE_OMP_NUM_THREADS     ND4J native threads of a task, OMP_NUM_THREADS of executors [task cpus]
#   SPARK_VAE_EXECUTOR_MEMORY     executor heap [4g]
#   SPARK_VAE_EXECUTOR_OFFHEAP    ND4J off-heap limit, -Dorg.bytedeco.javacpp.maxbytes [6g]
#   SPARK_VAE_EXECUTOR_OVERHEAD   spark.executor.memoryOverhead: the off-heap + JVM native memory
#                                 [executor off-heap + 2g]
#   SPARK_VAE_DRIVER_MEMORY       driver heap [4g]
#   SPARK_VAE_DRIVER_OFFHEAP      driver ND4J off-heap limit [4g]
#   SPARK_VAE_DRIVER_OVERHEAD     spark.driver.memoryOverhead [driver off-heap + 2g]
#   SPARK_VAE_DRIVER_CORES        driver cores (cluster mode) and the driver's OMP_NUM_THREADS [2]
#   OMP_NUM_THREADS               client mode: the local driver's native threads [SPARK_VAE_DRIVER_CORES]
#   SPARK_VAE_EXECUTOR_JAVA_OPTS  more executor JVM options, after the ND4J ones [none]
#   SPARK_VAE_DRIVER_JAVA_OPTS    more driver JVM options, after the ND4J ones [none]
#   SPARK_VAE_FILES               more files for --files, comma-separated [none]
#   SPARK_VAE_CONF                more Spark properties, one key=value a line, each passed as --conf [none]
#   SPARK_VAE_SUBMIT_OPTS         more spark-submit arguments, one a line (a line may hold spaces) [none]
# Sizes are whole numbers of m or g (4g, 1536m), counts whole numbers > 0: anything else exits with 2.
# maxphysicalbytes (JavaCPP's limit for the whole process) is heap + overhead.
# SPARK_VAE_CONF and SPARK_VAE_SUBMIT_OPTS come last and win, e.g.
#   SPARK_VAE_CONF=$'spark.eventLog.enabled=true\nspark.eventLog.dir=hdfs:///spark-logs' submit/standalone.sh ...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="${BASH_SOURCE[0]}"
DEFAULT_DEPLOY_MODE="client"
DEFAULT_JAR="${ROOT}/target/spark-vae-cluster.jar"
CLUSTER_DRIVER_GETS_FILES=false
CONFIG_IN_IMAGE=""
# shellcheck source=submit/cluster-common.sh
source "${ROOT}/submit/cluster-common.sh"

check_environment() {
  [[ -n "${SPARK_MASTER:-}" ]] \
    || die "SPARK_MASTER is not set: the standalone master's URL, e.g. SPARK_MASTER=spark://master.example.com:7077"
  [[ "$SPARK_MASTER" =~ ^spark://[^[:space:]]+$ ]] \
    || die "SPARK_MASTER must look like spark://HOST:PORT (got '${SPARK_MASTER}')"
}
cluster_init "$@"
SUBMIT_ARGS=(--master "$SPARK_MASTER" "${SUBMIT_ARGS[@]}"
  --total-executor-cores "$(( NUM_EXECUTORS * EXECUTOR_CORES ))")
if [[ "$DEPLOY_MODE" == cluster ]]; then
  echo "note: standalone cluster mode: the worker running the driver reads ${JAR}" \
    "and any --config file at these paths" >&2
fi
cluster_exec
