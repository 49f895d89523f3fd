"""Count the Amazon customer reviews per star rating and write the counts to S3 as Parquet.

The write goes through the S3A committer the generated Job configures (spark.sql.sources.
commitProtocolClass and fs.s3a.committer.name); this file knows nothing of it. After the write
the job reads the output back and prints it, so the driver's log shows what was committed.

Usage: spark-submit summarize.py s3a://bucket/reviews.tsv.gz s3a://bucket/output-prefix
"""

import sys

from pyspark.sql import SparkSession


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: summarize.py INPUT_URL OUTPUT_URL")
    source, target = argv[1], argv[2]
    spark = SparkSession.builder.appName("reviews-summary").getOrCreate()
    try:
        reviews = spark.read.option("sep", "\t").option("header", "true").csv(source)
        counts = reviews.groupBy("star_rating").count().orderBy("star_rating")
        counts.write.mode("overwrite").parquet(target)
        written = spark.read.parquet(target).orderBy("star_rating")
        print(f"wrote {written.count()} rows to {target}")
        written.show()
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv)
