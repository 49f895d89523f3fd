"""Read the Amazon customer reviews TSV from S3 and show 10 rows (the seed's simple_read.py).

S3 access comes entirely from the Spark configuration the generated Job passes (fs.s3a.* settings
and the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment variables from the Secret), so no
keys are ever command-line arguments.

Usage: spark-submit simple_read.py [s3a://bucket/key.tsv.gz]
"""

import sys

from pyspark.sql import SparkSession

DEFAULT_URL = (
    "s3a://amazon-reviews-pds/tsv/amazon_reviews_us_Digital_Video_Download_v1_00.tsv.gz"
)


def main(argv):
    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    spark = SparkSession.builder.appName("simple-read").getOrCreate()
    try:
        reviews = spark.read.option("sep", "\t").option("header", "true").csv(url)
        reviews.createOrReplaceTempView("reviews")
        spark.sql("SELECT * FROM reviews LIMIT 10").show()
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv)
