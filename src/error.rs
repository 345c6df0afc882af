//! The library's error type: every failure names the file (where there is one) and the problem.

use std::path::PathBuf;

/// Errors from reading, validating and rendering AMR data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    /// (The cause is part of the message and deliberately not a `source`, so that error
    /// chains print it once.)
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file was read but its content is wrong; `what` says what and where.
    #[error("{path}: {what}")]
    Format { path: PathBuf, what: String },
    /// The AMR layout or field values break the model's rules.
    #[error("invalid AMR data: {0}")]
    Invalid(String),
    /// A field name that the dataset does not have.
    #[error("unknown field '{name}'; available fields: {available}")]
    UnknownField { name: String, available: String },
    /// Bad settings (camera, transfer function, sizes).
    #[error("{0}")]
    Settings(String),
    /// No usable GPU adapter, or a GPU operation failed.
    #[error("GPU: {0}")]
    Gpu(String),
    /// One process of a render over several (MPI ranks) failed or stopped answering; `cause`
    /// is its own error.
    #[error("rank {rank} of {ranks}: {cause}")]
    Rank {
        rank: usize,
        ranks: usize,
        cause: String,
    },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }
    pub fn format(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            what: what.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A TOML parse error of `text` as one line: "line N: message" (without the file name).
pub fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg.to_string(),
    }
}
