//! Replays the fuzz seeds and every committed fuzz regression through the same assertions as the
//! fuzz targets (fuzz/fuzz_targets), so findings stay fixed without running the fuzzer.

use std::fs;
use std::path::Path;

use k8s_s3_spark::{config, emit, pipeline};

fn check(data: &[u8]) {
    let config = match config::parse(Path::new("fuzz.yaml"), data) {
        Ok(config) => config,
        Err(error) => {
            assert!(error.to_string().contains("fuzz.yaml"));
            return;
        }
    };
    let names: Vec<String> = config.environment_names().map(str::to_owned).collect();
    for env in std::iter::once(None).chain(names.iter().map(|n| Some(n.as_str()))) {
        let job = config.resolve(env).unwrap();
        let manifests = pipeline::manifests(job, None).unwrap();
        assert!(emit::plain::stream(&manifests).starts_with("---\n"));
    }
    pipeline::chart(&config, "fuzz.yaml", "0.1.0").unwrap();
    pipeline::kustomize_tree(&config, Path::new("fuzz.yaml")).unwrap();
}

#[test]
fn seeds_and_regressions_hold_the_fuzz_targets_properties() {
    let mut count = 0;
    for dir in ["fuzz/seeds", "fuzz/regressions"] {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() && path.file_name().is_some_and(|n| n != ".gitkeep") {
                check(&fs::read(&path).unwrap());
                count += 1;
            }
        }
    }
    assert!(count >= 70, "only {count} inputs");
}
