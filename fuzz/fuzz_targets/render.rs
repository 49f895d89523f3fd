//! Plain manifests of every config the loader accepts, base and every environment: building and
//! our own checks of the objects must succeed (a failure is a config we accept but cannot render).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = k8s_s3_spark_core::config::parse(Path::new("fuzz.yaml"), data) else { return };
    let names: Vec<String> = config.environment_names().map(str::to_owned).collect();
    for env in std::iter::once(None).chain(names.iter().map(|n| Some(n.as_str()))) {
        let job = config.resolve(env).expect("declared environments resolve");
        let manifests = k8s_s3_spark_core::pipeline::manifests(&job, None).expect("accepted configs render and pass our checks");
        let text = k8s_s3_spark_core::emit::plain::stream(&manifests);
        assert!(text.starts_with("---\n"));
    }
});
