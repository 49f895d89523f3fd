"""Counts the lines of argv[1] on the executors; the first attempt of every task waits argv[2]
seconds first, so a test can kill an executor mid-task and see the job finish on the executor
the driver asks for in its place (a retried task does not wait)."""

import sys
import time

from pyspark import TaskContext
from pyspark.sql import SparkSession

url, delay = sys.argv[1], float(sys.argv[2])


def count(lines):
    if TaskContext.get().attemptNumber() == 0:
        time.sleep(delay)
    yield sum(1 for _ in lines)


spark = SparkSession.builder.getOrCreate()
print("LINES", sum(spark.sparkContext.textFile(url).mapPartitions(count).collect()), flush=True)
spark.stop()
