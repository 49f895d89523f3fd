//! Criterion benches of the hot functions, on the shipped example and, when
//! `K8S_S3_SPARK_BENCH_CONFIGS` names a folder of generated configs (`bench/run` sets it), on a
//! monorepo: parsing only, loading, and the whole `validate` check, one thread each, so the
//! ratios compare like with like. Run: `cargo bench --bench pipeline`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

/// The binary's allocator, so the library is measured as it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use k8s_s3_spark_core::config;
use k8s_s3_spark_core::emit::{helm, plain};
use k8s_s3_spark_core::k8s;
use k8s_s3_spark_core::pipeline::{Validator, check_config, kustomize_tree, manifests};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/amazon-reviews/spark-job.yaml"
);

fn single(c: &mut Criterion) {
    let file = Path::new(EXAMPLE);
    let config = config::load(file).unwrap();
    let job = config.resolve(Some("prod")).unwrap();
    let objects = manifests(job, None).unwrap();
    let mut g = c.benchmark_group("single");
    g.bench_function("load", |b| {
        b.iter(|| config::load(black_box(file)).unwrap())
    });
    g.bench_function("resolve_env", |b| {
        b.iter(|| config.resolve(black_box(Some("prod"))).unwrap())
    });
    g.bench_function("build_and_check", |b| {
        b.iter(|| manifests(black_box(job), None).unwrap())
    });
    g.bench_function("schema_check", |b| {
        k8s::check::check_schemas(&objects).unwrap();
        b.iter(|| k8s::check::check_schemas(black_box(&objects)).unwrap())
    });
    g.bench_function("emit_plain", |b| {
        b.iter(|| plain::stream(black_box(&objects)))
    });
    // The chart of the base job with a values file per environment, as `chart` writes it.
    let base = config.resolve(None).unwrap();
    let environments: Vec<_> = config
        .environment_names()
        .map(|name| (name, config.resolve(Some(name)).unwrap()))
        .collect();
    g.bench_function("emit_chart", |b| {
        b.iter(|| helm::chart(black_box(base), &environments, "spark-job.yaml", "0.1.0").unwrap())
    });
    g.bench_function("emit_kustomize", |b| {
        b.iter(|| kustomize_tree(black_box(&config), file).unwrap())
    });
    g.bench_function("validate_one", |b| {
        b.iter(|| check_config(black_box(file)).unwrap())
    });
    g.finish();
}

fn configs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn monorepo(c: &mut Criterion) {
    let Some(dir) = std::env::var_os("K8S_S3_SPARK_BENCH_CONFIGS") else {
        eprintln!(
            "monorepo benches skipped: set K8S_S3_SPARK_BENCH_CONFIGS to a folder of configs (bench/run does)"
        );
        return;
    };
    let files = configs(Path::new(&dir));
    let mut g = c.benchmark_group("monorepo");
    g.sample_size(10);
    // The unavoidable work: read each file and parse its YAML into a tree.
    g.bench_function("parse_only", |b| {
        b.iter(|| {
            for f in &files {
                let text = std::fs::read_to_string(f).unwrap();
                let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
                black_box(v);
            }
        })
    });
    g.bench_function("load", |b| {
        b.iter(|| {
            for f in &files {
                let _ = black_box(config::load(f));
            }
        })
    });
    // What `validate -j 1` does: per file, load, every environment built, rules and schemas,
    // with one validator sharing the schema checks of objects shaped alike.
    g.bench_function("validate", |b| {
        b.iter(|| {
            let mut validator = Validator::default();
            for f in &files {
                let _ = black_box(validator.check_config(f));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, single, monorepo);
criterion_main!(benches);
