"""Airflow 2.x DAGs that run spark-vae on a Spark cluster, one SparkSubmitOperator task per step.

    spark_vae        validate -> [prepare] -> train -> evaluate -> sample                          (VAE)
    spark_vae_vqvae  validate -> [prepare] -> train -> evaluate -> encode -> train-prior -> sample
                                                                              (VQ-VAE + PixelCNN prior)

Install
  1. pip install "apache-airflow>=2.6,<3" "apache-airflow-providers-apache-spark>=4.6"   (4.6: deploy_mode)
  2. The Airflow workers run spark-submit (Spark 3.5 on the PATH, with the cluster's HADOOP_CONF_DIR or kube
     config) and read the application jar and the config files: the Docker image has them in /opt/spark-vae/
     (spark-vae-cluster.jar, conf/); a build has target/spark-vae-cluster.jar and conf/.
  3. Copy this file into the DAGs folder.
  4. Create the Spark connection (Admin > Connections, type Spark; id spark_default unless you set conn_id): host
     = the master (yarn, k8s://https://HOST:443, spark://HOST:7077), extra e.g. {"queue": "ml"}.

Configure with one Airflow Variable, `spark_vae`, a JSON object whose keys override SETTINGS below (all optional;
an unknown key is an import error that names it), e.g.
    airflow variables set --json spark_vae '{"jar": "/opt/spark-vae/spark-vae-cluster.jar",
        "vae_config": "/opt/spark-vae/conf/celeba-vae.conf", "output_root": "hdfs:///data/spark-vae",
        "executor_instances": 8, "executor_memory_gb": 12, "spark_conf": {"spark.yarn.queue": "ml"}}'
(or the environment variable AIRFLOW_VAR_SPARK_VAE). It is read when the file is parsed.
Per run ("Trigger DAG w/ config"): {"prepare": true} runs `prepare` before `train` (default: the prepared dataset
of the config already exists).

Run id: every step gets --set run-id=vae-<logical date> (vqvae-... for the VQ DAG), e.g. vae-20261123T000000, so
its outputs go to <output-root>/runs/vae-20261123T000000/. A retry, or a cleared task, reruns the same run id.
Every step gets --overwrite-unless-done:
  - a step of the run that already succeeded with the same configuration, its outputs still as it left them, is a
    no-op (e.g. a Spark application that finished after Airflow lost track of it); to redo one, change the
    configuration or trigger a new run;
  - train and train-prior resume from the run's newest checkpoint;
  - every other step replaces what an earlier attempt left (outputs are committed by rename, so there is never half
    of one); prepare replaces the prepared dataset, whichever run prepared it.
The prepared dataset is shared by runs (and by the two DAGs when their configs share output-root): a prepare whose
dataset another run has replaced since is no longer done, and runs again on a retry. max_active_runs = 1: runs of
one DAG never share the prepared dataset while one rewrites it.

`validate` runs first, in client mode on the Airflow worker (it starts no SparkContext; in YARN cluster mode an
application that never starts one fails): `spark-vae validate train,evaluate,sample ...`
(prepare,train,evaluate,sample when the run prepares) checks every step's configuration and the inputs that must exist before the run starts.

The config file is shipped with --files and named by its base name in cluster mode (YARN, and Kubernetes since
Spark 3.4, put it in the driver's working directory); in client mode the driver reads it at its path. On a
standalone cluster use deploy_mode "client". On Kubernetes, spark-submit uploads the config through
spark.kubernetes.file.upload.path (set it in spark_conf, with spark.kubernetes.container.image); a jar that is
only in the image is "local:///opt/spark-vae/spark-vae-cluster.jar", and validate_jar then names a copy on the
Airflow worker.

The templates in this file use only expressions that read the same in Jinja and Python (the project's test
renders them without Airflow: src/test/java/io/sparkvae/cli/AirflowDagTest.java).
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from airflow import DAG
from airflow.models import Variable
from airflow.models.param import Param
from airflow.operators.python import BranchPythonOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MAIN_CLASS = "io.sparkvae.cli.Main"

# Every setting, with its default; the Airflow Variable `spark_vae` (JSON) overrides any of them.
SETTINGS = {
    "conn_id": "spark_default",  # the Spark connection: master, queue, spark-submit binary
    "jar": "/opt/spark-vae/spark-vae-cluster.jar",  # the shaded application jar, as spark-submit sees it
    "validate_jar": None,  # the jar on the Airflow worker for validate (client mode); None: jar
    "vae_config": "/opt/spark-vae/conf/cifar10-vae.conf",  # config of spark_vae, on the Airflow worker
    "vqvae_config": "/opt/spark-vae/conf/cifar10-vqvae.conf",  # config of spark_vae_vqvae (model.type = vqvae)
    "output_root": None,  # e.g. hdfs:///data/spark-vae, passed as --set output-root=...; None: the config's
    "extra_args": [],  # more arguments for every step, e.g. ["--set", "train.epochs=50"]
    "deploy_mode": "cluster",  # of the Spark steps (validate always runs in client mode)
    "executor_instances": 4,
    "executor_cores": 4,  # one training worker per core: train.workers = instances x cores
    "executor_memory_gb": 8,  # JVM heap of an executor
    "executor_offheap_gb": 8,  # ND4J's off-heap arrays (org.bytedeco.javacpp.maxbytes) of an executor
    "driver_memory_gb": 4,
    "driver_offheap_gb": 4,
    "spark_conf": {},  # more Spark properties, applied last, e.g. {"spark.kubernetes.container.image": "..."}
    "schedule": None,  # None: runs are triggered; or a cron expression / preset such as "@weekly"
    "prepare": False,  # default of the per-run param `prepare`
    "retries": 2,
    "retry_delay_minutes": 15,
}

# Native memory besides the heap and ND4J's arrays (JVM metaspace, threads, libraries), per process.
NATIVE_HEADROOM_GB = 2


def load_settings() -> dict:
    """SETTINGS overridden by the Airflow Variable `spark_vae`; an unknown key fails the import, naming it."""
    given = Variable.get("spark_vae", default_var={}, deserialize_json=True)
    unknown = sorted(set(given) - set(SETTINGS))
    if unknown:
        raise ValueError(f"Airflow Variable spark_vae: unknown keys {unknown}; known keys: {sorted(SETTINGS)}")
    return {**SETTINGS, **given}


def memory_options(heap_gb: int, offheap_gb: int) -> str:
    """JVM options that bound ND4J's off-heap arrays and the whole process (heap + off-heap + headroom)."""
    return (f"-Dorg.bytedeco.javacpp.maxbytes={offheap_gb}g"
            f" -Dorg.bytedeco.javacpp.maxphysicalbytes={heap_gb + offheap_gb + NATIVE_HEADROOM_GB}g"
            " -Djava.awt.headless=true")


def spark_conf(s: dict) -> dict:
    """Spark properties of the steps that run on the cluster."""
    return {
        "spark.executor.instances": str(s["executor_instances"]),
        "spark.executor.cores": str(s["executor_cores"]),
        "spark.executor.memory": f"{s['executor_memory_gb']}g",
        # the container holds the heap, ND4J's off-heap arrays and the native headroom
        "spark.executor.memoryOverhead": f"{s['executor_offheap_gb'] + NATIVE_HEADROOM_GB}g",
        "spark.executor.extraJavaOptions": memory_options(s["executor_memory_gb"], s["executor_offheap_gb"]),
        "spark.executorEnv.OMP_NUM_THREADS": "1",  # one native thread per training task
        "spark.driver.memory": f"{s['driver_memory_gb']}g",
        "spark.driver.memoryOverhead": f"{s['driver_offheap_gb'] + NATIVE_HEADROOM_GB}g",
        "spark.driver.extraJavaOptions": memory_options(s["driver_memory_gb"], s["driver_offheap_gb"]),
        "spark.yarn.maxAppAttempts": "1",  # Airflow retries; YARN should not rerun the driver behind its back
        # train.averaging = barrier: Spark refuses barrier stages under dynamic allocation (some clusters' default)
        "spark.dynamicAllocation.enabled": "false",
        **s["spark_conf"],
    }


def common_args(s: dict, run_id: str) -> list:
    """The arguments every step gets after --config: the run id, the output root, the workers, extra_args."""
    args = ["--set", f"run-id={run_id}"]
    if s["output_root"]:
        args += ["--set", f"output-root={s['output_root']}"]
    args += ["--set", f"train.workers={s['executor_instances'] * s['executor_cores']}"]
    return args + list(s["extra_args"])


def prepare_or_train(params, **_):
    """The branch after validate: prepare when the run asks for it, else straight to train."""
    return "prepare" if params["prepare"] else "train"


def build_dag(dag_id: str, kind: str, config: str, steps: list, description: str, s: dict) -> DAG:
    """validate -> [prepare] -> steps[0] -> steps[1] -> ..., all with the same config and run id."""
    run_id = kind + "-{{ ts_nodash }}"  # the logical date: a retry reruns the same run
    cluster = s["deploy_mode"] == "cluster"
    args = common_args(s, run_id)

    def spark_step(step: str, **kwargs) -> SparkSubmitOperator:
        return SparkSubmitOperator(
            task_id=step,
            conn_id=s["conn_id"],
            application=s["jar"],
            java_class=MAIN_CLASS,
            name=f"spark-vae-{step}-{run_id}",
            deploy_mode=s["deploy_mode"],
            conf=spark_conf(s),
            files=config if cluster else None,
            application_args=[step, "--config", os.path.basename(config) if cluster else config, *args,
                              "--overwrite-unless-done"],
            **kwargs,
        )

    with DAG(
        dag_id=dag_id,
        description=description,
        doc_md=__doc__,
        schedule=s["schedule"],
        start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=1,
        default_args={
            "owner": "spark-vae",
            "retries": s["retries"],
            "retry_delay": timedelta(minutes=s["retry_delay_minutes"]),
        },
        params={"prepare": Param(s["prepare"], type="boolean",
                                 description="run prepare first (else the prepared dataset must exist)")},
        tags=["spark-vae", kind],
    ) as dag:
        validate = SparkSubmitOperator(
            task_id="validate",
            conn_id=s["conn_id"],
            application=s["validate_jar"] or s["jar"],
            java_class=MAIN_CLASS,
            name=f"spark-vae-validate-{run_id}",
            deploy_mode="client",
            conf={"spark.driver.memory": "1g", **s["spark_conf"]},
            # as the steps run: finished steps are no-ops, the others may find an earlier attempt's outputs
            application_args=["validate", "{{ 'prepare,' if params.prepare else '' }}" + ",".join(steps),
                              "--config", config, *args, "--overwrite-unless-done"],
        )
        branch = BranchPythonOperator(task_id="prepare_or_train", python_callable=prepare_or_train)
        prepare = spark_step("prepare")
        # train follows prepare, or the branch when prepare is skipped
        tasks = [spark_step(steps[0], trigger_rule="none_failed_min_one_success")]
        tasks += [spark_step(step) for step in steps[1:]]
        validate >> branch >> [prepare, tasks[0]]
        prepare >> tasks[0]
        for earlier, later in zip(tasks, tasks[1:]):
            earlier >> later
    return dag


_settings = load_settings()

vae_dag = build_dag(
    "spark_vae", "vae", _settings["vae_config"], ["train", "evaluate", "sample"],
    "spark-vae: validate, prepare (optional), train the VAE, evaluate it on the test split, sample", _settings)

vqvae_dag = build_dag(
    "spark_vae_vqvae", "vqvae", _settings["vqvae_config"], ["train", "evaluate", "encode", "train-prior",
     "sample"],
    "spark-vae: validate, prepare (optional), train the VQ-VAE, evaluate it on the test split, encode, train the "
    "prior, sample", _settings)
