"""Count the Amazon customer reviews per star rating and write the counts to S3, as Parquet unless
a third argument names another format Spark can write (e.g. `avro`, from the spark-avro package,
which the nightly-summary example has Spark fetch with `deps.packages`).

The write goes through the S3A committer the generated Job configures (spark.sql.sources.
commitProtocolClass and fs.s3a.committer.name); this file knows nothing of it. After the write
the job reads the output back and prints it, so the driver's log shows what was committed.

Usage: spark-submit summarize.py s3a://bucket/reviews.tsv.gz s3a://bucket/output-prefix [FORMAT]
"""

import sys

from pyspark.sql import SparkSession


def main(argv):
    if len(argv) not in (3, 4):
        raise SystemExit("usage: summarize.py INPUT_URL OUTPUT_URL [FORMAT]")
    source, target = argv[1], argv[2]
    output_format = argv[3] if len(argv) == 4 else "parquet"
    spark = SparkSession.builder.appName("reviews-summary").getOrCreate()
    try:
        reviews = spark.read.option("sep", "\t").option("header", "true").csv(source)
        counts = reviews.groupBy("star_rating").count().orderBy("star_rating")
        counts.write.mode("overwrite").format(output_format).save(target)
        written = spark.read.format(output_format).load(target).orderBy("star_rating")
        print(f"wrote {written.count()} rows to {target} as {output_format}")
        written.show()
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv)
