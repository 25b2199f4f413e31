//! The stats vector handed to JS (engines/native/binding.ts reads it by the same order).

use crate::format::SEGMENT_HEADER_BYTES;
use crate::store::Store;

/// Field order of [`collect`]; engines/native/binding.ts `STATS_FIELDS` must list the same.
pub const STATS_FIELDS: [&str; 19] = [
    "userBytesWritten",
    "userBytesRead",
    "deviceBytesWritten",
    "deviceBytesRead",
    "syncs",
    "liveBytes",
    "liveKeys",
    "diskBytes",
    "files",
    "flushes",
    "compactions",
    "compactionBytesRead",
    "compactionBytesWritten",
    "indexMemoryBytes",
    "segments",
    "deadBytes",
    "hintsLoadedAtOpen",
    "segmentsScannedAtOpen",
    "tornBytesTruncatedAtOpen",
];

/// The current values, in [`STATS_FIELDS`] order.
pub fn collect(st: &Store) -> Vec<f64> {
    let c = &st.c;
    let disk: u64 = st.segs.iter().map(|s| s.size).sum::<u64>() + st.hint_bytes.iter().map(|h| h.1).sum::<u64>();
    let dead: u64 = st.segs.iter().map(|s| s.size - SEGMENT_HEADER_BYTES as u64 - s.live.get()).sum();
    let flushes = st.flushes_before + st.segs.last().map_or(0, |s| s.flushes);
    [
        c.user_bytes_written,
        c.user_bytes_read,
        c.device_bytes_written,
        c.device_bytes_read,
        c.syncs,
        st.live_bytes,
        st.kd.len() as u64,
        disk,
        (st.segs.len() + st.hint_bytes.len()) as u64,
        flushes,
        c.compactions,
        c.compaction_bytes_read,
        c.compaction_bytes_written,
        st.kd.memory_bytes() as u64,
        st.segs.len() as u64,
        dead,
        c.hints_loaded,
        c.segments_scanned,
        c.torn_bytes,
    ]
    .iter()
    .map(|&x| x as f64)
    .collect()
}
