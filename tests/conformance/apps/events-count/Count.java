// The MinIO example's application, com.example.events.Count in events-count.jar: counts the
// lines under `--input URL` and prints them. The conformance stage compiles it against the Spark
// distribution's jars (javac) and puts the jar where the example's mainApplicationFile says.
package com.example.events;

import org.apache.spark.sql.SparkSession;

public final class Count {
    private Count() {}

    public static void main(String[] args) {
        String input = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--input")) {
                input = args[i + 1];
            }
        }
        if (input == null) {
            System.err.println("usage: com.example.events.Count --input URL");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().getOrCreate();
        long lines = spark.read().textFile(input).count();
        System.out.println("events: " + lines);
        spark.stop();
    }
}
