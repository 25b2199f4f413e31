//! kvlab's Rust hash core: a Bitcask store (same on-disk format as engines/hashlog) exposed to
//! Node through N-API declared by hand (std only). See engines/native/README.md.

pub mod error;
pub mod hash;
pub mod keydir;

pub mod crc32;
pub mod format;
pub mod mmap;
pub mod segment;
pub mod stats;
pub mod killpoint;
pub mod merge;
pub mod recovery;
pub mod store;
#[cfg(test)]
mod store_tests;
pub mod stats_export;
mod napi_sys;
#[cfg(not(test))]
mod ffi;
#[cfg(not(test))]
mod exports;
