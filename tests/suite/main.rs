//! The integration tests, one crate: each module drives the real binary (`CARGO_BIN_EXE_proxy-oa`) in fresh
//! temporary workspaces through the shared [`harness`], against fixtures in `tests/fixtures` and golden files in
//! `tests/golden`. Servers are real and on 127.0.0.1 (HTTP, WebHDFS, Spark's Thrift Server).
//!
//! The Spark and notebook tests need Python environments, the report tests Chromium and chromedriver, that
//! `.ci/run` prepares; where they are missing these tests are reported as ignored (see `build.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "the test crate: a failed unwrap is a failed test")]

mod harness;

mod allow;
mod analyst;
mod bcreporter;
mod bundle;
mod cluster;
mod exit_codes;
mod findings;
mod fuzz;
mod hdfs;
mod integration;
mod notebooks;
mod rank;
mod raw_parquet;
mod report;
mod reputation;
mod sigma;
mod spark;
mod squid;
mod zeek;
