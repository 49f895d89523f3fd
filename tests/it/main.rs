//! The integration tests, in one binary (one link, one run): the real binary through
//! [`harness`], the library's forms against golden snapshots, hostile input, the preflight
//! commands, the Job's wrapper script, the fuzz regressions and the module layering.

mod cli;
mod fuzz_regressions;
mod golden;
mod harness;
mod hostile;
mod layering;
mod preflight;
mod run_driver;
