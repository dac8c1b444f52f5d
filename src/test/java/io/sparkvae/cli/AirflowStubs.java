package io.sparkvae.cli;

import java.util.Map;

/**
 * Stand-ins for the parts of Airflow 2.x that submit/airflow/spark_vae_dag.py imports, and the script that loads
 * the DAG file under them and prints what it built as JSON. The operators accept only the arguments the real ones
 * take (apache-airflow-providers-apache-spark 4.6+), record them and their dependencies; the inspector renders
 * the templated fields for each scenario (a logical date and params) by evaluating each {{ expression }} as
 * Python, which reads the same as Jinja for the expressions the DAG uses.
 */
final class AirflowStubs {
  private AirflowStubs() {}

  private static final String AIRFLOW = """
      \"""Stub of Airflow 2.x: DAG, Variable, Param and the operators spark_vae_dag.py uses; records what it builds.\"""
      import json
      import os

      DAGS = []
      _context = []


      class DAG:
          ARGS = {"description", "doc_md", "schedule", "start_date", "end_date", "catchup", "max_active_runs",
                  "default_args", "params", "tags", "dagrun_timeout"}

          def __init__(self, dag_id, **kwargs):
              unknown = set(kwargs) - self.ARGS
              if unknown:
                  raise TypeError(f"DAG() got unexpected arguments {sorted(unknown)}")
              self.dag_id, self.kwargs, self.tasks = dag_id, kwargs, {}
              DAGS.append(self)

          def __enter__(self):
              _context.append(self)
              return self

          def __exit__(self, *exc):
              _context.pop()
              return False


      class Variable:
          @staticmethod
          def get(key, default_var=None, deserialize_json=False):
              values = json.loads(os.environ.get("STUB_AIRFLOW_VARIABLES", "{}"))
              if key not in values:
                  return default_var
              value = values[key]
              return value if deserialize_json else json.dumps(value)


      class Param:
          def __init__(self, default=None, description=None, **schema):
              self.default, self.description, self.schema = default, description, schema


      class BaseOperator:
          ARGS = {"retries", "retry_delay", "owner", "doc_md", "pool", "execution_timeout", "params"}

          def __init__(self, *, task_id, dag=None, trigger_rule="all_success", **kwargs):
              unknown = set(kwargs) - self.ARGS
              if unknown:
                  raise TypeError(f"{type(self).__name__}() got unexpected arguments {sorted(unknown)}")
              self.task_id, self.trigger_rule, self.upstream = task_id, trigger_rule, set()
              self.dag = dag or (_context[-1] if _context else None)
              if self.dag is None:
                  raise RuntimeError(f"task {task_id} is outside a DAG")
              if task_id in self.dag.tasks:
                  raise ValueError(f"task {task_id} defined twice")
              self.dag.tasks[task_id] = self

          def __rshift__(self, other):
              for task in other if isinstance(other, (list, tuple)) else [other]:
                  task.upstream.add(self.task_id)
              return other

          def __rrshift__(self, others):
              for task in others:
                  self.upstream.add(task.task_id)
              return self

          def __lshift__(self, other):
              (other if isinstance(other, (list, tuple)) else [other]) >> self
              return other


      class BranchPythonOperator(BaseOperator):
          def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
              super().__init__(**kwargs)
              self.python_callable = python_callable


      class SparkSubmitOperator(BaseOperator):
          FIELDS = {"application", "conf", "conn_id", "files", "py_files", "archives", "driver_class_path", "jars",
                    "java_class", "packages", "exclude_packages", "repositories", "total_executor_cores",
                    "executor_cores", "executor_memory", "driver_memory", "keytab", "principal", "proxy_user", "name",
                    "num_executors", "status_poll_interval", "application_args", "env_vars", "verbose",
                    "spark_binary", "properties_file", "yarn_queue", "deploy_mode", "use_krb5ccache"}
          TEMPLATED = ["application", "conf", "files", "name", "application_args"]

          def __init__(self, **kwargs):
              self.spark = {k: kwargs.pop(k) for k in list(kwargs) if k in self.FIELDS}
              super().__init__(**kwargs)
      """;

  private static final String INSPECT = """
      \"""Loads a DAG file under the stub Airflow and prints its DAGs as JSON, templated fields rendered per scenario.\"""
      import json
      import re
      import runpy
      import sys
      from datetime import datetime

      import airflow

      TEMPLATE = re.compile("[{][{](.*?)[}][}]")


      class Params(dict):
          __getattr__ = dict.__getitem__


      def render(value, context):
          if isinstance(value, str):
              if "{%" in value or "{#" in value:
                  raise ValueError(f"template statements are beyond this test: {value!r}")
              return TEMPLATE.sub(lambda m: str(eval(m.group(1), {"__builtins__": {}}, context)), value)
          if isinstance(value, list):
              return [render(v, context) for v in value]
          if isinstance(value, dict):
              return {k: render(v, context) for k, v in value.items()}
          return value


      def context(dag, scenario):
          date = datetime.fromisoformat(scenario["logical_date"])
          params = Params({k: p.default for k, p in dag.kwargs.get("params", {}).items()})
          params.update(scenario["params"])
          return {"logical_date": date, "ds": date.strftime("%Y-%m-%d"), "ds_nodash": date.strftime("%Y%m%d"),
                  "ts": date.isoformat(), "ts_nodash": date.strftime("%Y%m%dT%H%M%S"), "params": params}


      def describe(dag, scenarios):
          default_args = dag.kwargs.get("default_args", {})
          tasks = {}
          for task in dag.tasks.values():
              t = {"task_id": task.task_id, "operator": type(task).__name__, "upstream": sorted(task.upstream),
                   "trigger_rule": task.trigger_rule}
              if isinstance(task, airflow.SparkSubmitOperator):
                  t.update(task.spark)
                  t["rendered"] = [{f: render(task.spark.get(f), context(dag, s)) for f in task.TEMPLATED}
                                   for s in scenarios]
              if isinstance(task, airflow.BranchPythonOperator):
                  t["branch"] = {json.dumps(v): task.python_callable(params=Params(prepare=v)) for v in (True, False)}
              tasks[task.task_id] = t
          return {"dag_id": dag.dag_id, "max_active_runs": dag.kwargs.get("max_active_runs"),
                  "catchup": dag.kwargs.get("catchup", True), "schedule": dag.kwargs.get("schedule"),
                  "retries": default_args.get("retries", 0),
                  "retry_delay_seconds": default_args["retry_delay"].total_seconds()
                  if "retry_delay" in default_args else 0,
                  "params": {k: p.default for k, p in dag.kwargs.get("params", {}).items()}, "tasks": tasks}


      runpy.run_path(sys.argv[1], run_name="spark_vae_dag")
      print(json.dumps({"dags": [describe(d, json.loads(sys.argv[2])) for d in airflow.DAGS]}, default=str))
      """;

  /** Path under the PYTHONPATH directory, and content. */
  static final Map<String, String> FILES = Map.ofEntries(
      Map.entry("inspect_dag.py", INSPECT),
      Map.entry("airflow/__init__.py", AIRFLOW),
      Map.entry("airflow/models/__init__.py", "from airflow import DAG, BaseOperator, Variable\n"),
      Map.entry("airflow/models/param.py", "from airflow import Param\n"),
      Map.entry("airflow/operators/__init__.py", ""),
      Map.entry("airflow/operators/python.py", "from airflow import BranchPythonOperator\n"),
      Map.entry("airflow/providers/__init__.py", ""),
      Map.entry("airflow/providers/apache/__init__.py", ""),
      Map.entry("airflow/providers/apache/spark/__init__.py", ""),
      Map.entry("airflow/providers/apache/spark/operators/__init__.py", ""),
      Map.entry("airflow/providers/apache/spark/operators/spark_submit.py",
          "from airflow import SparkSubmitOperator\n"));
}
