//! The Helm chart of every config the loader accepts: generating it must succeed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = k8s_s3_spark_core::config::parse(Path::new("fuzz.yaml"), data) else { return };
    let tree = k8s_s3_spark_core::pipeline::chart(&config, "fuzz.yaml", "0.1.0").expect("accepted configs make a chart");
    assert!(tree.iter().any(|(p, _)| p.ends_with("job.yaml")));
});
