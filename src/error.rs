//! The one error type that carries an exit code. Everything else travels as `anyhow::Error` with
//! context; `main` looks for an [`Error`] in the chain to choose the exit code.

use std::fmt;

/// A failure with a documented exit code (see README, "Exit codes").
#[derive(Debug)]
pub enum Error {
    /// Bad input data (exit 1): the message names the file, line and field.
    Data(String),
    /// Bad command line (exit 2).
    Usage(String),
    /// Bad configuration (exit 3): the message names the file and the key.
    Config(String),
    /// Reference data or a service that is needed is not there (exit 4).
    Unavailable(String),
    /// Writing or loading the tables failed (exit 5).
    Load(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Data(_) => 1,
            Error::Usage(_) => 2,
            Error::Config(_) => 3,
            Error::Unavailable(_) => 4,
            Error::Load(_) => 5,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Data(m) | Error::Usage(m) | Error::Config(m) | Error::Unavailable(m) | Error::Load(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for Error {}

/// The exit code for any error chain: the first [`Error`] found decides, anything else is a data error.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    err.chain().find_map(|e| e.downcast_ref::<Error>()).map(Error::exit_code).unwrap_or(1)
}

/// Shorthand: `bail_data!("...")` returns an [`Error::Data`].
#[macro_export]
macro_rules! bail_data {
    ($($arg:tt)*) => { return Err(anyhow::Error::new($crate::error::Error::Data(format!($($arg)*)))) };
}

/// Shorthand: `bail_config!("...")` returns an [`Error::Config`].
#[macro_export]
macro_rules! bail_config {
    ($($arg:tt)*) => { return Err(anyhow::Error::new($crate::error::Error::Config(format!($($arg)*)))) };
}
