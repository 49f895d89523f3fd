"""The application the conformance stage runs in place of a generated Job's own (which lives in
an image we do not have): it starts a SparkSession, so the driver asks the API server for its
executors, writes what the driver got (its effective Spark settings, its arguments, the env vars
named in PROBE_ENV) as JSON to PROBE_OUT, and then exits 0, or with PROBE_EXIT, or raises when
PROBE_RAISE is set, the way an application that fails would."""

import json
import os
import sys

from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
report = {
    "conf": dict(spark.sparkContext.getConf().getAll()),
    "argv": sys.argv[1:],
    "env": {name: os.environ.get(name) for name in os.environ.get("PROBE_ENV", "").split(",") if name},
}
with open(os.environ["PROBE_OUT"], "w") as out:
    json.dump(report, out)
if os.environ.get("PROBE_RAISE"):
    raise RuntimeError(os.environ["PROBE_RAISE"])
spark.stop()
sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
