//! Readers of the pipeline's inputs: the ML results file and the raw day.

pub mod raw;
pub mod results;
