//! kvlab's Rust hash core: a Bitcask store (same on-disk format as engines/hashlog) exposed to
//! Node through N-API declared by hand (std only). See engines/native/README.md.

pub mod crc32;
pub mod dirlock;
pub mod error;
pub mod format;
pub mod hash;
pub mod keydir;
pub mod killpoint;
pub mod merge;
pub mod mmap;
pub mod pagecache;
pub mod recovery;
pub mod segment;
pub mod state;
pub mod stats;
pub mod stats_export;
pub mod store;

#[cfg(test)]
mod store_tests;

// The N-API layer: left out of unit-test builds, which run outside Node (no N-API symbols).
#[cfg(not(test))]
mod exports;
#[cfg(not(test))]
mod ffi;
#[cfg(not(test))]
mod napi_sys;
