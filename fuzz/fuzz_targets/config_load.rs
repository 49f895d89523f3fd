//! The loader and validator on arbitrary bytes: never panic; every error names the file and says
//! how to fix it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Err(error) = k8s_s3_spark_core::config::parse(Path::new("fuzz.yaml"), data) {
        let message = error.to_string();
        assert!(message.contains("fuzz.yaml"), "{message}");
    }
});
