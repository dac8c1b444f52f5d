#!/usr/bin/env bash
# Submits one spark-vae command to Hadoop YARN with spark-submit (--master yarn).
#
# usage: submit/yarn.sh COMMAND [ARGS...]
#   COMMAND  prepare, train, encode, train-prior, sample or validate; ARGS go to it unchanged, except that the
#            file of --config FILE is shipped with --files and, in cluster mode, the argument becomes its base
#            name (YARN puts --files in the driver's working directory). Example:
#   submit/yarn.sh train --config conf/cifar10-vae.conf --set output-root=hdfs:///user/me/spark-vae \
#     --set train.workers=8
# spark-submit needs HADOOP_CONF_DIR or YARN_CONF_DIR (or $SPARK_HOME/conf/spark-env.sh setting them).
# Keep inputs and output-root on HDFS or S3; set train.workers to executors x cores / task cpus.
#
# environment (default in brackets):
#   SPARK_SUBMIT                  spark-submit to run [$SPARK_HOME/bin/spark-submit, else spark-submit on PATH]
#   SPARK_VAE_JAR                 application jar [target/spark-vae-cluster.jar here: mvn -B -DskipTests package]
#   SPARK_VAE_DEPLOY_MODE         cluster (driver in the application master) or client [cluster]
#   SPARK_VAE_YARN_QUEUE          YARN queue [the cluster's default queue]
#   SPARK_VAE_APP_NAME            application name [spark-vae-COMMAND]
#   SPARK_VAE_NUM_EXECUTORS       executors, --num-executors [2]
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
# maxphysicalbytes (JavaCPP's limit for the whole process) is heap + overhead, the container's size.
# SPARK_VAE_CONF and SPARK_VAE_SUBMIT_OPTS come last and win, e.g.
#   SPARK_VAE_CONF=$'spark.yarn.maxAppAttempts=1\nspark.eventLog.enabled=true' submit/yarn.sh sample ...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="${BASH_SOURCE[0]}"
DEFAULT_DEPLOY_MODE="cluster"
DEFAULT_JAR="${ROOT}/target/spark-vae-cluster.jar"
CLUSTER_DRIVER_GETS_FILES=true
CONFIG_IN_IMAGE=""
# shellcheck source=submit/cluster-common.sh
source "${ROOT}/submit/cluster-common.sh"

cluster_init "$@"
SUBMIT_ARGS=(--master yarn "${SUBMIT_ARGS[@]}" --num-executors "$NUM_EXECUTORS")
if [[ -n "${SPARK_VAE_YARN_QUEUE:-}" ]]; then
  SUBMIT_ARGS+=(--queue "$SPARK_VAE_YARN_QUEUE")
fi
if [[ "$DEPLOY_MODE" == cluster ]]; then
  # the driver runs in the application master's container
  SUBMIT_ARGS+=(--conf "spark.yarn.appMasterEnv.OMP_NUM_THREADS=${DRIVER_CORES}")
fi
cluster_exec
