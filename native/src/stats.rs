//! Counters the core keeps for the RUM view (engines/engine.ts `EngineStats`). The native side
//! counts its own file I/O (it does not go through the TypeScript Fs seam).

/// Cumulative counters since open.
#[derive(Default, Clone, Debug)]
pub struct Counters {
    pub user_bytes_written: u64,
    pub user_bytes_read: u64,
    pub device_bytes_written: u64,
    /// Bytes read from segment files, by pread or from their memory maps.
    pub device_bytes_read: u64,
    pub syncs: u64,
    pub compactions: u64,
    pub compaction_bytes_read: u64,
    pub compaction_bytes_written: u64,
    pub hints_loaded: u64,
    pub segments_scanned: u64,
    pub torn_bytes: u64,
}
