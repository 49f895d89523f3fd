//! Spark knowledge: which versions fit together, and the spark-submit command line.

pub mod settings;
pub mod submit;
pub mod versions;
