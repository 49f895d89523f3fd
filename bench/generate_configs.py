#!/usr/bin/env python3
"""Writes N varied spark-job.yaml files into a GitOps-like tree, deterministically.

    bench/generate_configs.py N OUT [--invalid-every K]

OUT/team-XX/job-NNNNN/spark-job.yaml: Python, Scala, Java and R jobs on Spark 3.3 to 4.0, with
and without explicit Hadoop versions; secret, web identity and anonymous credentials; AWS and
S3-compatible endpoints; sparkConf, hadoopConf, env, node selectors, tolerations; and two to four
environments each that override namespace, image, sizing, S3 and conf. Every K-th file (default
100) carries one mistake (a bad memory size, an unknown field, a misspelt enum), so `validate`
must report them and go on. Also writes OUT/README with the counts. Same N, same bytes.
"""

import argparse
import random
from pathlib import Path

SPARK = [("3.3.4", None), ("3.4.4", None), ("3.5.3", None), ("3.5.6", "3.3.4"), ("4.0.1", None),
         ("3.5.3", "3.3.6")]
TYPES = ["Python", "Scala", "Java", "R"]
ENVS = ["dev", "staging", "prod", "perf"]
MISTAKES = [
    ("    memory: {m}\n", "    memory: {m}i\n"),          # a Kubernetes quantity, not a Spark size
    ("  serviceAccount:\n", "  serviceAcount:\n"),       # unknown field
    ("  imagePullPolicy: IfNotPresent\n", "  imagePullPolicy: Sometimes\n"),  # not an enum value
]


def job(i, rng, invalid):
    spark, hadoop = SPARK[i % len(SPARK)]
    kind = TYPES[i % len(TYPES)]
    name = f"job-{i:05d}"
    team = f"team-{i % 37:02d}"
    mem = rng.choice(["1g", "2g", "4g", "6g", "8g"])
    lines = [
        "apiVersion: k8s-s3-spark/v1alpha1",
        "kind: SparkJob",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {team}",
        "  labels:",
        f"    team: {team}",
        f"    cost-center: cc-{i % 11}",
        "spec:",
        f"  type: {kind}",
        f"  sparkVersion: {spark}",
    ]
    if hadoop:
        lines.append(f"  hadoopVersion: {hadoop}")
        if hadoop == "3.3.6":
            lines.append("  customDistribution: true")
    lines += [
        f"  image: registry.example.com/{team}/{name}:{spark}-{i % 9 + 1}",
        "  imagePullPolicy: IfNotPresent",
    ]
    if kind == "Python":
        lines.append(f"  mainApplicationFile: local:///app/{name.replace('-', '_')}.py")
    elif kind == "R":
        lines.append(f"  mainApplicationFile: local:///app/{name.replace('-', '_')}.R")
    else:
        lines.append(f"  mainApplicationFile: local:///opt/spark/jars/{name}.jar")
        lines.append(f"  mainClass: com.example.{team.replace('-', '')}.Job{i}")
    bucket = f"{team}-data-{i % 5}"
    lines += ["  arguments:", "    - --input", f"    - s3a://{bucket}/raw/{i}/", "    - --date", '    - "2026-11-23"']
    lines += ["  sparkConf:", f'    spark.sql.shuffle.partitions: "{rng.choice([32, 64, 200, 400])}"',
              '    spark.sql.adaptive.enabled: "true"']
    if i % 3 == 0:
        lines += ["  hadoopConf:", f'    fs.s3a.connection.maximum: "{rng.choice([32, 64, 128])}"']
    lines += ["  driver:", "    cores: 1", f"    memory: {rng.choice(['1g', '2g'])}"]
    lines += ["  executor:", f"    instances: {rng.randint(1, 20)}", f"    cores: {rng.choice([1, 2, 4])}",
              f"    memory: {mem}"]
    if i % 4 == 0:
        lines += ["    nodeSelector:", "      kubernetes.io/arch: amd64", "    tolerations:",
                  "      - key: dedicated", "        operator: Equal", "        value: spark",
                  "        effect: NoSchedule"]
    if i % 5 == 0:
        lines += ["    env:", "      - name: LOG_LEVEL", "        value: INFO"]
    lines += ["  serviceAccount:", f"    name: spark-{name}"]
    lines.append("  s3:")
    credentials = i % 7
    if credentials == 0:
        lines += ["    endpoint: http://minio.storage.svc.cluster.local:9000", "    pathStyleAccess: true",
                  "    credentials:", "      secret:", "        name: minio-credentials"]
    elif credentials == 1 and spark >= "3.2":
        lines += ["    region: eu-west-1", "    credentials:", "      webIdentity:",
                  f"        roleArn: arn:aws:iam::123456789012:role/{name}"]
    elif credentials == 2:
        lines += ["    region: us-east-1", "    credentials:", "      anonymous: {}"]
    else:
        lines += ["    region: us-east-1", "    credentials:", "      secret:", "        name: aws-secrets"]
    lines += ["    paths:", f"      - s3a://{bucket}/raw/{i}/"]
    lines += ["  submitter:", f"    ttlSecondsAfterFinished: {rng.choice([3600, 86400])}", "    backoffLimit: 1"]
    lines.append("  environments:")
    for env in ENVS[: 2 + i % 3]:
        lines.append(f"    {env}:")
        lines.append(f"      namespace: {team}-{env}")
        if env == "prod":
            lines += [f"      image: registry.example.com/{team}/{name}:{spark}-{i % 9 + 2}",
                      "      executor:", f"        instances: {rng.randint(10, 40)}", "        memory: 8g",
                      "      sparkConf:", '        spark.sql.shuffle.partitions: "800"']
        elif env == "dev":
            lines += ["      executor:", "        instances: 1"]
        elif env == "perf":
            lines += ["      driver:", "        memory: 4g"]
    text = "\n".join(lines) + "\n"
    if invalid:
        before, after = MISTAKES[(i // invalid) % len(MISTAKES)]
        before, after = before.format(m=mem), after.format(m=mem)
        assert before in text, (before, name)
        text = text.replace(before, after, 1)
    return team, name, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--invalid-every", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(20261123)
    invalid = 0
    for i in range(args.n):
        bad = args.invalid_every > 0 and i % args.invalid_every == args.invalid_every - 1
        team, name, text = job(i, rng, args.invalid_every if bad else 0)
        folder = args.out / team / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "spark-job.yaml").write_text(text)
        invalid += bad
    (args.out / "README").write_text(f"{args.n} configs, {invalid} invalid, generated by bench/generate_configs.py\n")


if __name__ == "__main__":
    main()
