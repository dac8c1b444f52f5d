#!/usr/bin/env bash
# Submits one spark-vae command to Kubernetes with spark-submit (--master k8s://...), running the image of
# docker/Dockerfile (docker/README.md): jar at /opt/spark-vae/spark-vae-cluster.jar, configs in
# /opt/spark-vae/conf.
#
# usage: SPARK_VAE_K8S_MASTER=k8s://https://HOST:6443 SPARK_VAE_K8S_IMAGE=REGISTRY/spark-vae:0.1 \
#          submit/k8s.sh COMMAND [ARGS...]
#   COMMAND  prepare, train, encode, train-prior, sample or validate; ARGS go to it unchanged, except for the
#            --config file (below). Example:
#   submit/k8s.sh train --config /opt/spark-vae/conf/cifar10-vae.conf \
#     --set output-root=s3a://bucket/spark-vae --set train.workers=8
# Config files: a --config path under /opt/spark-vae/ names a file baked into the image and is passed as it is.
# Any other --config FILE is read here, shipped with --files and, in cluster mode, the argument becomes its
# base name (Spark downloads --files into the driver pod's working directory); cluster mode then needs
# SPARK_VAE_K8S_UPLOAD_PATH, storage both this machine and the pods reach, where spark-submit uploads it.
# The service account needs the rights to create executor pods (docker/README.md). Keep inputs and
# output-root on S3 or HDFS; set train.workers to executors x cores / task cpus.
#
# environment (default in brackets):
#   SPARK_VAE_K8S_MASTER          API server, required: k8s://https://HOST:PORT (k8s:// is added if missing)
#   SPARK_VAE_K8S_IMAGE           container image, required: spark.kubernetes.container.image
#   SPARK_VAE_K8S_NAMESPACE       namespace of the driver and executor pods [default]
#   SPARK_VAE_K8S_SERVICE_ACCOUNT driver's service account [spark]
#   SPARK_VAE_K8S_UPLOAD_PATH     spark.kubernetes.file.upload.path, e.g. s3a://bucket/spark-uploads [none]
#   SPARK_SUBMIT                  spark-submit to run [$SPARK_HOME/bin/spark-submit, else spark-submit on PATH]
#   SPARK_VAE_JAR                 application jar [local:///opt/spark-vae/spark-vae-cluster.jar, in the image]
#   SPARK_VAE_DEPLOY_MODE         cluster (driver in a pod) or client (driver here) [cluster]
#   SPARK_VAE_APP_NAME            application name, prefix of the pod names [spark-vae-COMMAND]
#   SPARK_VAE_NUM_EXECUTORS       executor pods, --num-executors [2]
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
# A pod's memory is heap + overhead; maxphysicalbytes (JavaCPP's limit for the whole process) is the same.
# SPARK_VAE_CONF and SPARK_VAE_SUBMIT_OPTS come last and win, e.g.
#   SPARK_VAE_CONF=$'spark.kubernetes.container.image.pullPolicy=Always\nspark.kubernetes.driver.label.team=ml'
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="${BASH_SOURCE[0]}"
DEFAULT_DEPLOY_MODE="cluster"
DEFAULT_JAR="local:///opt/spark-vae/spark-vae-cluster.jar"
CLUSTER_DRIVER_GETS_FILES=true
CONFIG_IN_IMAGE="/opt/spark-vae/"
# shellcheck source=submit/cluster-common.sh
source "${ROOT}/submit/cluster-common.sh"

check_environment() {
  [[ -n "${SPARK_VAE_K8S_MASTER:-}" ]] \
    || die "SPARK_VAE_K8S_MASTER is not set: the Kubernetes API server," \
           "e.g. k8s://https://k8s.example.com:6443 (kubectl cluster-info prints it)"
  [[ -n "${SPARK_VAE_K8S_IMAGE:-}" ]] \
    || die "SPARK_VAE_K8S_IMAGE is not set: the spark-vae image (docker/README.md)," \
           "e.g. registry.example.com/spark-vae:0.1"
}
cluster_init "$@"
MASTER="$SPARK_VAE_K8S_MASTER"
if [[ "$MASTER" != k8s://* ]]; then
  MASTER="k8s://${MASTER}"
fi
UPLOAD_PATH="${SPARK_VAE_K8S_UPLOAD_PATH:-}"
if [[ "$DEPLOY_MODE" == cluster && ${#FILES[@]} -gt 0 && -z "$UPLOAD_PATH" ]]; then
  die "--config ${FILES[0]} is a file of this machine: set SPARK_VAE_K8S_UPLOAD_PATH" \
      "(e.g. s3a://bucket/spark-uploads) to ship it, or use a config in the image" \
      "(--config /opt/spark-vae/conf/${FILES[0]##*/} for the shipped ones)"
fi
SUBMIT_ARGS=(--master "$MASTER" "${SUBMIT_ARGS[@]}" --num-executors "$NUM_EXECUTORS"
  --conf "spark.kubernetes.container.image=${SPARK_VAE_K8S_IMAGE}"
  --conf "spark.kubernetes.namespace=${SPARK_VAE_K8S_NAMESPACE:-default}"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${SPARK_VAE_K8S_SERVICE_ACCOUNT:-spark}"
  --conf "spark.kubernetes.driverEnv.OMP_NUM_THREADS=${DRIVER_CORES}")
if [[ -n "$UPLOAD_PATH" ]]; then
  SUBMIT_ARGS+=(--conf "spark.kubernetes.file.upload.path=${UPLOAD_PATH}")
fi
cluster_exec
