//! The store's state file (`hashlog.state`; engines/hashlog/FORMAT.md "State file",
//! engines/hashlog/state.ts): the newest segment id and a length of it known durable, kept outside
//! the segment so a truncation of the segment cannot erase it. Two 36-byte slots written
//! alternately in place (generation g to slot g % 2), each only after the segment bytes it covers
//! were fdatasynced, so any slot a power loss keeps is a true lower bound; a torn slot fails its
//! CRC and the other is used. Created atomically after the first segment exists; fsynced at close.

use crate::crc32::crc32;
use crate::error::{KvErr, Result};
use crate::format::{u16_at, u32_at, u64_at, FORMAT_VERSION, MAX_SAFE};
use crate::segment::sync_dir;
use crate::stats::Counters;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

/// on-disk: never change without a version bump. The state file's name.
pub const STATE_FILE: &str = "hashlog.state";
/// on-disk: never change without a version bump. Bytes "KVHS" as a LE u32.
pub const STATE_MAGIC: u32 = 0x5348_564b;
/// on-disk: never change without a version bump. magic u32, version u16, 0 u16, generation u64,
/// activeId u64, durableLength u64, crc u32 (of bytes 0..32).
pub const STATE_SLOT_BYTES: usize = 36;
/// on-disk: the file is exactly two slots.
pub const STATE_FILE_BYTES: usize = 2 * STATE_SLOT_BYTES;

/// What the state file records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreState {
    pub generation: u64,
    /// The newest segment id when written (the active log segment).
    pub active_id: u64,
    /// A length of segment `active_id` that was durable when written.
    pub durable_length: u64,
}

fn encode_slot(s: &StoreState) -> [u8; STATE_SLOT_BYTES] {
    let mut b = [0u8; STATE_SLOT_BYTES];
    b[0..4].copy_from_slice(&STATE_MAGIC.to_le_bytes());
    b[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    b[8..16].copy_from_slice(&s.generation.to_le_bytes());
    b[16..24].copy_from_slice(&s.active_id.to_le_bytes());
    b[24..32].copy_from_slice(&s.durable_length.to_le_bytes());
    let c = crc32(&b[0..32]);
    b[32..36].copy_from_slice(&c.to_le_bytes());
    b
}

fn decode_slot(b: &[u8]) -> Option<StoreState> {
    if u32_at(b, 0) != STATE_MAGIC || u16_at(b, 4) != FORMAT_VERSION || u16_at(b, 6) != 0 || u32_at(b, 32) != crc32(&b[0..32]) {
        return None;
    }
    let s = StoreState { generation: u64_at(b, 8), active_id: u64_at(b, 16), durable_length: u64_at(b, 24) };
    if s.generation > MAX_SAFE || s.active_id == 0 || s.active_id > MAX_SAFE || s.durable_length > MAX_SAFE {
        return None;
    }
    Some(s)
}

/// Decodes a whole state file: the valid slot with the higher generation. CORRUPTION when the
/// size is wrong or no slot is valid.
pub fn decode_state(b: &[u8], file: &str) -> Result<StoreState> {
    if b.len() != STATE_FILE_BYTES {
        return Err(KvErr::corruption(format!("state file is {} bytes, not {STATE_FILE_BYTES}", b.len()), file, b.len().min(STATE_FILE_BYTES) as u64));
    }
    match (decode_slot(&b[..STATE_SLOT_BYTES]), decode_slot(&b[STATE_SLOT_BYTES..])) {
        (None, None) => Err(KvErr::corruption("state file: no valid slot", file, 0)),
        (Some(a), None) => Ok(a),
        (None, Some(c)) => Ok(c),
        (Some(a), Some(c)) => Ok(if c.generation > a.generation { c } else { a }),
    }
}

/// Reads `dir`'s state file; None when it does not exist.
pub fn read_state(dir: &Path, c: &mut Counters) -> Result<Option<StoreState>> {
    let path = dir.join(STATE_FILE);
    let name = path.to_string_lossy().into_owned();
    match fs::read(&path) {
        Ok(d) => {
            c.device_bytes_read += d.len() as u64;
            decode_state(&d, &name).map(Some)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(KvErr::io(e, "read", &name)),
    }
}

/// The open state file: records (segment id, durable length) in place.
pub struct StateFile {
    file: File,
    name: String,
    last: StoreState,
    unsynced: bool,
}

impl StateFile {
    /// Opens the state file (`found`: what recovery read) or creates it atomically recording
    /// `active_id` at `durable_length`. The caller guarantees those bytes are durable.
    pub fn open(dir: &Path, found: Option<StoreState>, active_id: u64, durable_length: u64, c: &mut Counters) -> Result<StateFile> {
        let path = dir.join(STATE_FILE);
        let name = path.to_string_lossy().into_owned();
        let found = match found {
            Some(s) => s,
            None => {
                let s0 = StoreState { generation: 0, active_id, durable_length };
                let s1 = StoreState { generation: 1, ..s0 };
                let mut data = encode_slot(&s0).to_vec();
                data.extend_from_slice(&encode_slot(&s1));
                let tmp = dir.join(format!("{STATE_FILE}.tmp"));
                let tname = tmp.to_string_lossy().into_owned();
                let f = File::create(&tmp).map_err(|e| KvErr::io(e, "open", &tname))?;
                f.write_all_at(&data, 0).map_err(|e| KvErr::io(e, "write", &tname))?;
                f.sync_all().map_err(|e| KvErr::io(e, "fsync", &tname))?;
                drop(f);
                fs::rename(&tmp, &path).map_err(|e| KvErr::io(e, "rename", &tname))?;
                c.device_bytes_written += data.len() as u64;
                c.syncs += 1;
                sync_dir(dir, c)?;
                s1
            }
        };
        let file = OpenOptions::new().read(true).write(true).open(&path).map_err(|e| KvErr::io(e, "open", &name))?;
        let mut sf = StateFile { file, name, last: found, unsynced: false };
        sf.record(active_id, durable_length, c)?;
        Ok(sf)
    }

    /// Records that segment `active_id` is durable up to `durable_length` (call only after those
    /// bytes were fdatasynced). A no-op when nothing changed.
    pub fn record(&mut self, active_id: u64, durable_length: u64, c: &mut Counters) -> Result<()> {
        if active_id == self.last.active_id && durable_length == self.last.durable_length {
            return Ok(());
        }
        let s = StoreState { generation: self.last.generation + 1, active_id, durable_length };
        let slot = encode_slot(&s);
        self.file.write_all_at(&slot, (s.generation % 2) * STATE_SLOT_BYTES as u64).map_err(|e| KvErr::io(e, "write", &self.name))?;
        c.device_bytes_written += slot.len() as u64;
        self.last = s;
        self.unsynced = true;
        Ok(())
    }

    /// fdatasyncs the file if a slot was written since the last call.
    pub fn sync(&mut self, c: &mut Counters) -> Result<()> {
        if self.unsynced {
            self.file.sync_data().map_err(|e| KvErr::io(e, "fdatasync", &self.name))?;
            c.syncs += 1;
            self.unsynced = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_pick_the_newest_valid_one() {
        let a = StoreState { generation: 4, active_id: 3, durable_length: 100 };
        let b = StoreState { generation: 5, active_id: 3, durable_length: 180 };
        let mut f = encode_slot(&a).to_vec();
        f.extend_from_slice(&encode_slot(&b));
        assert_eq!(decode_state(&f, "s").unwrap(), b);
        f[STATE_SLOT_BYTES + 20] ^= 1; // the newer slot torn: the older one is used
        assert_eq!(decode_state(&f, "s").unwrap(), a);
        f[3] ^= 1;
        assert!(decode_state(&f, "s").is_err());
        assert!(decode_state(&f[..40], "s").is_err());
    }
}
