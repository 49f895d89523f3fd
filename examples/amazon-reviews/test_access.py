"""Check that Spark can read S3 URLs with the configured endpoint and keys (the seed's test/access).

Reads the first line of each s3a:// URL given and reports OK or the error, exiting 1 if any fails.
Endpoint and keys come from the arguments or, when omitted, from the Spark configuration and the
AWS_* environment variables, as in the generated Job. Keys given as arguments are never printed.

Usage: spark-submit test_access.py [--endpoint URL] [--access-key K --secret-key S] URL...
"""

import argparse
import sys

from pyspark.sql import SparkSession


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="S3 endpoint, e.g. http://minio:9000 (default: AWS)")
    parser.add_argument("--access-key", help="access key id (default: from the environment)")
    parser.add_argument("--secret-key", help="secret access key (default: from the environment)")
    parser.add_argument("--path-style", action="store_true", help="use path-style requests")
    parser.add_argument("urls", nargs="+", metavar="URL", help="s3a://bucket/key")
    args = parser.parse_args(argv[1:])

    spark = SparkSession.builder.appName("test-access").getOrCreate()
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    if args.endpoint:
        conf.set("fs.s3a.endpoint", args.endpoint)
    if args.path_style:
        conf.set("fs.s3a.path.style.access", "true")
    if args.access_key and args.secret_key:
        conf.set(
            "fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        )
        conf.set("fs.s3a.access.key", args.access_key)
        conf.set("fs.s3a.secret.key", args.secret_key)

    failed = 0
    for url in args.urls:
        try:
            first = spark.read.text(url).first()
            print(f"OK   {url}: {first[0][:80] if first else '(empty)'}")
        except Exception as error:  # noqa: BLE001 - report any failure per URL
            failed += 1
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            print(f"FAIL {url}: {message}")
    spark.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
