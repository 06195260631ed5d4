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

/// The exit code for any error chain (README, "Exit codes"):
/// - stdout closed by its reader (a broken pipe): 0, the output simply stopped;
/// - the first [`Error`] found in the chain decides;
/// - by the kind of the first I/O failure in the chain (from the system, or as DuckDB names it at the head of its
///   message): a file or folder that is not there, not a folder, not ours to read or write, or on a read-only
///   file system, or a server that cannot be reached, is unavailable (4), the workspace included; a full disk, a quota, a file too large or any other
///   failure to write is a failed write (5); data that does not decode is bad data (1);
/// - the store locked by another process: 4 (DuckDB's message names that process);
/// - anything else: 1 (bad data).
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err
        .chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
    {
        return 0;
    }
    if let Some(e) = err.chain().find_map(|e| e.downcast_ref::<Error>()) {
        return e.exit_code();
    }
    for e in err.chain() {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io_exit_code(io.kind());
        }
        if let Some(db) = e.downcast_ref::<duckdb::Error>() {
            let msg = db.to_string();
            if is_lock_conflict(&msg) {
                return 4;
            }
            if msg.contains("Permission Error")
                || ["No such file or directory", "Permission denied", "Read-only file system", "Not a directory"]
                    .iter()
                    .any(|m| msg.contains(m))
            {
                return 4;
            }
            if msg.contains("IO Error") || msg.contains("No space left on device") {
                return 5;
            }
        }
    }
    1
}

/// The exit code of an I/O failure by its kind (see [`exit_code`]).
pub fn io_exit_code(kind: std::io::ErrorKind) -> i32 {
    use std::io::ErrorKind as K;
    match kind {
        K::BrokenPipe => 0,
        K::NotFound | K::PermissionDenied | K::NotADirectory | K::IsADirectory | K::ReadOnlyFilesystem => 4,
        K::ConnectionRefused
        | K::ConnectionReset
        | K::ConnectionAborted
        | K::NotConnected
        | K::AddrNotAvailable
        | K::TimedOut
        | K::HostUnreachable
        | K::NetworkUnreachable => 4,
        K::InvalidData | K::InvalidInput | K::UnexpectedEof => 1,
        _ => 5,
    }
}

/// Whether a DuckDB message says that another process holds the database file.
pub fn is_lock_conflict(msg: &str) -> bool {
    msg.contains("Could not set lock on file") || msg.contains("Conflicting lock is held")
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind as K;

    #[test]
    fn io_failures_are_classified_by_kind() {
        for (kind, code) in [
            (K::BrokenPipe, 0),
            (K::NotFound, 4),
            (K::PermissionDenied, 4),
            (K::NotADirectory, 4),
            (K::ReadOnlyFilesystem, 4),
            (K::ConnectionRefused, 4),
            (K::TimedOut, 4),
            (K::StorageFull, 5),
            (K::QuotaExceeded, 5),
            (K::FileTooLarge, 5),
            (K::WriteZero, 5),
            (K::InvalidData, 1),
            (K::UnexpectedEof, 1),
        ] {
            assert_eq!(io_exit_code(kind), code, "{kind:?}");
            let err = anyhow::Error::new(std::io::Error::from(kind)).context("writing x");
            assert_eq!(exit_code(&err), code, "{kind:?} under context");
        }
        // A classified error decides before any I/O failure further down the chain.
        let err = anyhow::Error::new(Error::Data("x".into())).context(std::io::Error::from(K::NotFound).to_string());
        assert_eq!(exit_code(&err), 1);
    }
}
