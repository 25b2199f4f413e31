//! The store: the hashlog design (Bitcask) over segments (segment.rs) and the compact keydir
//! (keydir.rs). Every mutation appends a record to the active segment and then points the keydir
//! at it; a get is one keydir probe plus one read of the record from the segment's memory map.
//!
//! Durability: the TypeScript wrapper owns the policy (engines/common.ts DurabilityPolicy) and
//! assigns sequence numbers; it passes each write's sequence here and calls [`Store::sync`].
//! With `buffered` (durability none) appends stay in the write buffer until it fills or a sync;
//! otherwise every call ends with the buffer handed to the OS (as hashlog).

use crate::error::{Code, KvErr, Result};
use crate::format::*;
use crate::keydir::{key_hash, KeyDir, Loc};
use crate::killpoint::{self, kill_point};
use crate::segment::Segment;
use crate::state::StateFile;
use crate::stats::Counters;
use std::path::PathBuf;

/// Engine settings (the `native:` options; same meaning as hashlog's).
#[derive(Clone, Debug)]
pub struct Settings {
    pub segment_bytes: u64,
    pub write_buffer_bytes: usize,
    pub merge_ratio: f64,
    pub merge_min_bytes: u64,
    pub auto_merge: bool,
    pub verify_reads: bool,
    /// Durability none: keep appends in the write buffer until it fills or sync().
    pub buffered: bool,
}

/// Largest segment offset the keydir can hold (it stores u32 offsets).
pub const MAX_SEGMENT_BYTES: u64 = u32::MAX as u64;

/// One operation of a batch (borrowed from the caller's packed buffer).
pub struct Op<'a> {
    pub del: bool,
    pub key: &'a [u8],
    pub value: &'a [u8],
}

/// An open store. Single-threaded: every call comes from the JS thread that opened it.
pub struct Store {
    pub(crate) dir: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) kd: KeyDir,
    /// Ascending by id; the last one is the active (appendable) segment.
    pub(crate) segs: Vec<Segment>,
    pub(crate) live_bytes: u64,
    pub(crate) hint_bytes: Vec<(u64, u64)>,
    pub(crate) max_seq: u64,
    pub(crate) c: Counters,
    pub(crate) spill: Vec<u8>,
    pub(crate) flushes_before: u64,
    /// Records the active segment's durable length after each sync (None only while opening and after close).
    pub(crate) state: Option<StateFile>,
}

/// Position in `segs` of segment `id`.
#[inline]
pub(crate) fn seg_pos(segs: &[Segment], id: u32) -> Option<usize> {
    let last = segs.len().checked_sub(1)?;
    if segs[last].id == id as u64 {
        return Some(last);
    }
    segs.binary_search_by_key(&(id as u64), |s| s.id).ok()
}

/// True when the record at `l` has key `key` (the keydir keeps no keys: the log is the arena).
/// A record that does not match is checked whole (lengths and CRC): a damaged one is CORRUPTION,
/// never a silent "no" that would make its key look absent; only a valid record of another key
/// (a hash collision) reads as "no". An error is stored in `err` and reads as "no".
#[inline]
pub(crate) fn key_matches(segs: &[Segment], spill: &mut Vec<u8>, l: Loc, key: &[u8], err: &mut Option<KvErr>) -> bool {
    let n = RECORD_HEADER_BYTES + key.len();
    let Some(si) = seg_pos(segs, l.file) else {
        *err = Some(KvErr::new(Code::Internal, format!("keydir points at missing segment {}", l.file)));
        return false;
    };
    let seg = &segs[si];
    if (l.len as usize) >= n {
        match seg.bytes(l.offset as u64, n, spill) {
            Ok(b) if u16_at(b, 6) as usize == key.len() && &b[RECORD_HEADER_BYTES..] == key => return true,
            Ok(_) => {}
            Err(e) => {
                *err = Some(e);
                return false;
            }
        }
    }
    match seg.bytes(l.offset as u64, l.len as usize, spill) {
        Ok(rec) if parse_record_header(rec).is_some_and(|h| h.len() == rec.len()) && record_crc_ok(rec) => false,
        Ok(_) => {
            *err = Some(KvErr::corruption("record the index points at failed its checks (damaged key)", &seg.name, l.offset as u64));
            false
        }
        Err(e) => {
            *err = Some(e);
            false
        }
    }
}

/// Looks `key` up: its entry number, or None.
#[inline]
pub(crate) fn find(kd: &KeyDir, segs: &[Segment], spill: &mut Vec<u8>, key: &[u8], h: u32) -> Result<Option<usize>> {
    let mut err = None;
    let e = kd.find(h, |l| key_matches(segs, spill, l, key, &mut err));
    match err {
        Some(e) => Err(e),
        None => Ok(e),
    }
}

/// Applies one put or tombstone (record at `off` of segment `seg_id`) to the keydir, with space
/// accounting, exactly as hashlog's applyRecord.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply(
    kd: &mut KeyDir,
    segs: &[Segment],
    spill: &mut Vec<u8>,
    live_bytes: &mut u64,
    seg_id: u64,
    key: &[u8],
    tombstone: bool,
    off: u64,
    value_len: usize,
) -> Result<()> {
    let h = key_hash(key);
    let len = (RECORD_HEADER_BYTES + key.len() + value_len) as u64;
    if off + len > MAX_SEGMENT_BYTES || seg_id > u32::MAX as u64 {
        return Err(KvErr::new(Code::NotSupported, format!("segment {seg_id}: offsets beyond 4 GiB or ids beyond 2^32 are not supported by the native keydir")));
    }
    let new = Loc { file: seg_id as u32, offset: off as u32, len: len as u32 };
    match find(kd, segs, spill, key, h)? {
        Some(e) => {
            let old = kd.loc(e);
            if let Some(si) = seg_pos(segs, old.file) {
                segs[si].live.set(segs[si].live.get() - old.len as u64);
            }
            *live_bytes -= old.len as u64 - RECORD_HEADER_BYTES as u64;
            if tombstone {
                kd.remove(e);
            } else {
                kd.set_loc(e, new);
            }
        }
        None => {
            if !tombstone {
                kd.insert(h, new);
            }
        }
    }
    if !tombstone {
        if let Some(si) = seg_pos(segs, seg_id as u32) {
            segs[si].live.set(segs[si].live.get() + len);
        }
        *live_bytes += (key.len() + value_len) as u64;
    }
    Ok(())
}

impl Store {
    fn check_open_key(key: &[u8]) -> Result<()> {
        if key.is_empty() {
            return Err(KvErr::invalid("key must not be empty"));
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(KvErr::new(Code::TooLarge, format!("key of {} bytes exceeds the limit of {MAX_KEY_BYTES}", key.len())));
        }
        Ok(())
    }

    fn check_value(value: &[u8]) -> Result<()> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(KvErr::new(Code::TooLarge, format!("value of {} bytes exceeds the limit of {MAX_VALUE_BYTES}", value.len())));
        }
        Ok(())
    }

    fn check_seq(seq: u64) -> Result<()> {
        if seq == 0 || seq > MAX_SAFE {
            return Err(KvErr::invalid(format!("bad sequence number {seq}")));
        }
        Ok(())
    }

    /// The value of `key` (a view into the write buffer or a segment map, valid until the next
    /// call), or None. CORRUPTION (file, offset) if the record fails its checks.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<&[u8]>> {
        Store::check_open_key(key)?;
        let Some(e) = find(&self.kd, &self.segs, &mut self.spill, key, key_hash(key))? else {
            return Ok(None);
        };
        let l = self.kd.loc(e);
        let si = seg_pos(&self.segs, l.file).ok_or_else(|| KvErr::new(Code::Internal, "keydir points at a missing segment"))?;
        let seg = &self.segs[si];
        let rec = seg.bytes(l.offset as u64, l.len as usize, &mut self.spill)?;
        let kl = key.len();
        if self.settings.verify_reads
            && (u16_at(rec, 6) as usize != kl || u32_at(rec, 8) as usize != rec.len() - RECORD_HEADER_BYTES - kl || !record_crc_ok(rec))
        {
            return Err(KvErr::corruption("record failed its checksum on read", &seg.name, l.offset as u64));
        }
        self.c.user_bytes_read += (rec.len() - RECORD_HEADER_BYTES) as u64;
        self.c.device_bytes_read += rec.len() as u64;
        Ok(Some(&rec[RECORD_HEADER_BYTES + kl..]))
    }

    fn active(&mut self) -> &mut Segment {
        self.segs.last_mut().expect("an active segment")
    }

    /// Inserts or overwrites `key` with sequence number `seq`.
    pub fn put(&mut self, key: &[u8], value: &[u8], seq: u64) -> Result<()> {
        Store::check_open_key(key)?;
        Store::check_value(value)?;
        Store::check_seq(seq)?;
        self.append_one(key, value, 0, seq, true)
    }

    /// Deletes `key` (a tombstone is written even if the key is absent, as hashlog does).
    pub fn delete(&mut self, key: &[u8], seq: u64) -> Result<()> {
        Store::check_open_key(key)?;
        Store::check_seq(seq)?;
        self.append_one(key, &[], FLAG_TOMBSTONE, seq, true)
    }

    fn append_one(&mut self, key: &[u8], value: &[u8], flags: u8, seq: u64, end_of_call: bool) -> Result<()> {
        let len = (RECORD_HEADER_BYTES + key.len() + value.len()) as u64;
        self.maybe_roll(len)?;
        let buffered = self.settings.buffered;
        let Store { segs, c, .. } = self;
        let a = segs.last_mut().unwrap();
        let off = a.append(flags, key, value, seq, c)?;
        if !buffered && end_of_call {
            a.flush(c)?;
        }
        kill_point(killpoint::APPEND_BEFORE_KEYDIR);
        let id = a.id;
        apply(&mut self.kd, &self.segs, &mut self.spill, &mut self.live_bytes, id, key, flags != 0, off, value.len())?;
        self.c.user_bytes_written += (key.len() + value.len()) as u64;
        self.max_seq = self.max_seq.max(seq);
        Ok(())
    }

    /// Many independent puts (not atomic), sequences `first_seq`, `first_seq + 1`, ...
    pub fn put_many(&mut self, ops: &[Op<'_>], first_seq: u64) -> Result<()> {
        for op in ops {
            Store::check_open_key(op.key)?;
            Store::check_value(op.value)?;
        }
        Store::check_seq(first_seq + ops.len() as u64)?;
        for (i, op) in ops.iter().enumerate() {
            let flags = if op.del { FLAG_TOMBSTONE } else { 0 };
            self.append_one(op.key, op.value, flags, first_seq + i as u64, false)?;
        }
        if !self.settings.buffered {
            let Store { segs, c, .. } = self;
            segs.last_mut().unwrap().flush(c)?;
        }
        Ok(())
    }

    /// Applies `ops` atomically (also across a crash) as one sequence number `seq`.
    pub fn write(&mut self, ops: &[Op<'_>], seq: u64) -> Result<()> {
        for op in ops {
            Store::check_open_key(op.key)?;
            if !op.del {
                Store::check_value(op.value)?;
            }
            if op.del && !op.value.is_empty() {
                return Err(KvErr::invalid("a delete carries no value"));
            }
        }
        Store::check_seq(seq)?;
        let n = ops.len();
        if n == 1 {
            let op = &ops[0];
            return self.append_one(op.key, op.value, if op.del { FLAG_TOMBSTONE } else { 0 }, seq, true);
        }
        if n == 0 {
            self.max_seq = self.max_seq.max(seq);
            return Ok(());
        }
        let total: u64 = ops.iter().map(|o| (RECORD_HEADER_BYTES + o.key.len() + o.value.len()) as u64).sum();
        self.maybe_roll(total)?; // a batch never spans two segments
        let mut offs = Vec::with_capacity(n);
        {
            let Store { segs, c, .. } = self;
            let a = segs.last_mut().unwrap();
            for (i, op) in ops.iter().enumerate() {
                let flags = FLAG_BATCH | if op.del { FLAG_TOMBSTONE } else { 0 } | if i == n - 1 { FLAG_COMMIT } else { 0 };
                offs.push(a.append(flags, op.key, op.value, seq, c)?);
                if killpoint::armed() && i + 1 == n / 2 {
                    a.flush(c)?;
                    kill_point(killpoint::BATCH_MID);
                }
            }
            if !self.settings.buffered {
                a.flush(c)?;
            }
        }
        kill_point(killpoint::APPEND_BEFORE_KEYDIR);
        let id = self.segs.last().unwrap().id;
        for (op, off) in ops.iter().zip(offs) {
            apply(&mut self.kd, &self.segs, &mut self.spill, &mut self.live_bytes, id, op.key, op.del, off, op.value.len())?;
            self.c.user_bytes_written += (op.key.len() + op.value.len()) as u64;
        }
        self.max_seq = self.max_seq.max(seq);
        Ok(())
    }

    /// Makes every append so far durable (flush + fdatasync of the active segment), then the
    /// state file records that length as durable.
    pub fn sync(&mut self) -> Result<()> {
        let Store { segs, c, state, .. } = self;
        let a = segs.last_mut().unwrap();
        a.sync(c)?;
        match state {
            Some(s) => s.record(a.id, a.size, c),
            None => Ok(()),
        }
    }

    fn maybe_roll(&mut self, len: u64) -> Result<()> {
        let size = self.active().size;
        if size > SEGMENT_HEADER_BYTES as u64 && size + len > self.settings.segment_bytes {
            self.roll()?;
            self.maybe_merge()?;
        }
        Ok(())
    }

    /// Makes the active segment immutable (flushed and synced) and starts a new one.
    pub(crate) fn roll(&mut self) -> Result<()> {
        self.sync()?;
        let old = self.segs.last_mut().unwrap();
        let (old_id, old_flushes, old_size) = (old.id, old.flushes, old.size);
        old.seal();
        self.flushes_before += old_flushes;
        let id = old_id + 1;
        let h = SegmentHeader { kind: KIND_LOG, id, min_id: id, seq_floor: 0, prev_length: old_size };
        let mut seg = Segment::create(&self.dir, &file_name(id, DATA_SUFFIX), &h, self.settings.segment_bytes, &mut self.c)?;
        seg.make_active(self.settings.write_buffer_bytes);
        self.segs.push(seg);
        if let Some(s) = &mut self.state {
            s.record(id, SEGMENT_HEADER_BYTES as u64, &mut self.c)?; // header and directory entry are durable
        }
        Ok(())
    }

    fn maybe_merge(&mut self) -> Result<()> {
        if !self.settings.auto_merge || self.segs.len() < 2 {
            return Ok(());
        }
        let (mut bytes, mut dead) = (0u64, 0u64);
        for s in &self.segs[..self.segs.len() - 1] {
            bytes += s.size - SEGMENT_HEADER_BYTES as u64;
            dead += s.dead_bytes();
        }
        if bytes > 0 && bytes >= self.settings.merge_min_bytes && dead as f64 >= self.settings.merge_ratio * bytes as f64 {
            self.run_merge()?;
        }
        Ok(())
    }

    /// Rolls the active segment if it holds records, then merges every immutable segment.
    pub fn merge(&mut self) -> Result<()> {
        if self.active().size > SEGMENT_HEADER_BYTES as u64 {
            self.roll()?;
        }
        self.run_merge()
    }

    /// Flushes and syncs, then releases every file (the store is unusable afterwards).
    pub fn close(&mut self) -> Result<()> {
        let r = self.sync();
        let r2 = match self.state.take() {
            Some(mut s) => s.sync(&mut self.c),
            None => Ok(()),
        };
        let r = r.and(r2);
        self.segs.clear();
        self.kd = KeyDir::new();
        r
    }
}
