//! Typed errors of the core. Each maps to one of kvlab's stable KvError codes; the N-API layer
//! throws them as JS errors whose `code` is `KV_<CODE>` and the TypeScript side converts them
//! (engines/native/binding.ts). File and byte offset travel as `file` / `offset` properties.

use std::fmt;
use std::io;

/// The KvError codes the core can produce (subset of engines/errors.ts `ErrorCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Corruption,
    InvalidArgument,
    TooLarge,
    NotSupported,
    Closed,
    Io,
    NotFound,
    /// A bug in the core (a caught panic). The store is poisoned: later calls fail until reopened.
    Internal,
}

impl Code {
    /// The JS `code` property: `KV_` + the KvError code.
    pub fn js(self) -> &'static str {
        match self {
            Code::Corruption => "KV_CORRUPTION",
            Code::InvalidArgument => "KV_INVALID_ARGUMENT",
            Code::TooLarge => "KV_TOO_LARGE",
            Code::NotSupported => "KV_NOT_SUPPORTED",
            Code::Closed => "KV_CLOSED",
            Code::Io => "KV_IO",
            Code::NotFound => "KV_NOT_FOUND",
            Code::Internal => "KV_INTERNAL",
        }
    }
}

/// An error with its code, message and, when about a file, the file and byte offset.
#[derive(Debug)]
pub struct KvErr {
    pub code: Code,
    pub msg: String,
    pub file: Option<String>,
    pub offset: Option<u64>,
}

pub type Result<T> = std::result::Result<T, KvErr>;

impl KvErr {
    pub fn new(code: Code, msg: impl Into<String>) -> KvErr {
        KvErr { code, msg: msg.into(), file: None, offset: None }
    }
    pub fn invalid(msg: impl Into<String>) -> KvErr {
        KvErr::new(Code::InvalidArgument, msg)
    }
    pub fn corruption(msg: impl Into<String>, file: &str, offset: u64) -> KvErr {
        KvErr { code: Code::Corruption, msg: msg.into(), file: Some(file.to_string()), offset: Some(offset) }
    }
    /// Wraps an OS error from `op` on `file` as IO (NotFound for a missing file).
    pub fn io(e: io::Error, op: &str, file: &str) -> KvErr {
        let code = if e.kind() == io::ErrorKind::NotFound { Code::NotFound } else { Code::Io };
        KvErr { code, msg: format!("{op} {file}: {e}"), file: Some(file.to_string()), offset: None }
    }
}

impl fmt::Display for KvErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.js(), self.msg)
    }
}
