//! Opening a directory: find the segments, finish or discard an interrupted merge, rebuild the
//! keydir from hint files (merged segments) or by scanning records. The rules are hashlog's
//! (engines/hashlog/FORMAT.md, "Recovery"; engines/hashlog/recovery.ts):
//! - `*.merge` and `*.hint.tmp` files are leftovers of an interrupted merge or hint write: deleted.
//! - A merged segment `b` with header minId `a` replaces every segment id in [a, b): any such
//!   file still present is deleted.
//! - Segments load in id order, records in file order; the later record of a key wins; a
//!   tombstone removes the key. A batch applies only once its commit record is read.
//! - The state file (state.rs) names the newest segment and a durable length of it. Segment ids
//!   must cover 1..newest without a gap and the newest must be at least the state's; the state's
//!   segment must be at least its durable length; an older log segment must be exactly the length
//!   its successor's header records. Otherwise CORRUPTION: a file is missing or cut.
//! - Only the bytes of the newest log segment beyond its recorded durable length may be a torn
//!   tail: an invalid or incomplete record (or an unfinished batch) there with no valid record
//!   after it is truncated away. An invalid record anywhere else, or one followed by a valid
//!   record, is CORRUPTION (file + offset).

use crate::error::{Code, KvErr, Result};
use crate::format::*;
use crate::keydir::KeyDir;
use crate::segment::{sync_dir, Segment};
use crate::state::{read_state, StateFile, StoreState, STATE_FILE};
use crate::stats::Counters;
use crate::store::{apply, Settings, Store, MAX_SEGMENT_BYTES};
use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::path::Path;

/// Largest tail searched for a later valid record before declaring a torn tail.
const MAX_TAIL_SEARCH: u64 = 256 * 1024 * 1024;

pub(crate) fn unlink(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(KvErr::io(e, "unlink", &path.to_string_lossy())),
    }
}


/// Opens (creating or recovering) the store in `dir`, which exists and is locked by the caller.
pub fn open(dir: &Path, settings: Settings) -> Result<Store> {
    if settings.segment_bytes > MAX_SEGMENT_BYTES {
        return Err(KvErr::new(Code::NotSupported, "native segments are limited to 4 GiB - 1 (u32 offsets in the keydir)"));
    }
    let dname = dir.to_string_lossy().into_owned();
    let mut ids = Vec::new();
    let mut hints = HashSet::new();
    for ent in fs::read_dir(dir).map_err(|e| KvErr::io(e, "readdir", &dname))? {
        let ent = ent.map_err(|e| KvErr::io(e, "readdir", &dname))?;
        let name = ent.file_name().to_string_lossy().into_owned();
        if name == format!("{STATE_FILE}.tmp") {
            unlink(&dir.join(&name))?; // an interrupted creation
        }
        let Some((id, suffix)) = parse_file_name(&name) else { continue };
        match suffix {
            DATA_SUFFIX => ids.push(id),
            HINT_SUFFIX => {
                hints.insert(id);
            }
            _ => unlink(&dir.join(&name))?,
        }
    }
    ids.sort_unstable();
    let mut c = Counters::default();
    let state = read_state(dir, &mut c)?;
    let mut segs: Vec<Segment> = Vec::new();
    let mut max_seq = 0u64;
    for (i, &id) in ids.iter().enumerate() {
        let path = dir.join(file_name(id, DATA_SUFFIX));
        let name = path.to_string_lossy().into_owned();
        let last = i == ids.len() - 1;
        let file = OpenOptions::new().read(true).write(true).open(&path).map_err(|e| KvErr::io(e, "open", &name))?;
        let size = file.metadata().map_err(|e| KvErr::io(e, "fstat", &name))?.len();
        if size < SEGMENT_HEADER_BYTES as u64 {
            // Only a newest segment the state does not know yet can be a torn creation.
            if !last || state.is_some_and(|s| id <= s.active_id) {
                return Err(KvErr::corruption(format!("segment shorter than its header ({size} bytes)"), &name, size));
            }
            drop(file);
            unlink(&path)?;
            continue;
        }
        let mut head = [0u8; SEGMENT_HEADER_BYTES];
        std::os::unix::fs::FileExt::read_exact_at(&file, &mut head, 0).map_err(|e| KvErr::io(e, "read", &name))?;
        c.device_bytes_read += head.len() as u64;
        let h = decode_segment_header(&head, &name, id)?;
        if id > u32::MAX as u64 || size > MAX_SEGMENT_BYTES {
            return Err(KvErr { code: Code::NotSupported, msg: "segment id or size beyond the native keydir's u32 range".into(), file: Some(name), offset: None });
        }
        max_seq = max_seq.max(h.seq_floor);
        let capacity = if last && h.kind == KIND_LOG { settings.segment_bytes } else { 0 };
        segs.push(Segment::open(path, id, &h, size, capacity, file)?);
    }
    // Finish an interrupted merge: drop segments a merged segment replaces.
    let merged: Vec<(u64, u64)> = segs.iter().filter(|s| s.kind == KIND_MERGED).map(|s| (s.min_id, s.id)).collect();
    let before = segs.len();
    let mut keep = Vec::with_capacity(segs.len());
    for s in segs {
        if merged.iter().any(|&(a, b)| a <= s.id && s.id < b) {
            let (path, id) = (s.path.clone(), s.id);
            drop(s);
            unlink(&path)?;
            unlink(&dir.join(file_name(id, HINT_SUFFIX)))?;
            hints.remove(&id);
        } else {
            keep.push(s);
        }
    }
    let mut segs = keep;
    if segs.len() != before {
        sync_dir(dir, &mut c)?;
    }
    let durable = check_files(dir, &segs, state)?;
    let mut st = Store {
        dir: dir.to_path_buf(),
        settings,
        kd: KeyDir::new(),
        segs: Vec::new(),
        live_bytes: 0,
        hint_bytes: Vec::new(),
        max_seq,
        c,
        spill: Vec::new(),
        flushes_before: 0,
        state: None,
    };
    let n = segs.len();
    for i in 0..n {
        // Segments are added one by one so lookups during apply see exactly the loaded ones.
        st.segs.push(segs.remove(0));
        let id = st.segs[i].id;
        if hints.contains(&id) && load_hint(&mut st, i)? {
            st.c.hints_loaded += 1;
        } else {
            let tail_from = if i == n - 1 && st.segs[i].kind == KIND_LOG {
                let recorded = if state.is_some_and(|s| s.active_id == id) { durable } else { 0 };
                Some(recorded.max(SEGMENT_HEADER_BYTES as u64))
            } else {
                None
            };
            scan_segment(&mut st, i, tail_from)?;
            st.c.segments_scanned += 1;
        }
    }
    for s in &st.segs {
        let hint = dir.join(file_name(s.id, HINT_SUFFIX));
        if let Ok(m) = fs::metadata(&hint) {
            st.hint_bytes.push((s.id, m.len()));
        }
    }
    let last = st.segs.last();
    let created = last.is_none_or(|l| l.kind != KIND_LOG || l.size >= st.settings.segment_bytes);
    if created {
        let id = last.map_or(0, |l| l.id) + 1;
        // A full log segment may hold bytes an earlier process never synced: make them durable
        // before the new header records its length.
        let prev_length = match last {
            Some(l) if l.kind == KIND_LOG => {
                l.file.sync_data().map_err(|e| KvErr::io(e, "fdatasync", &l.name))?;
                st.c.syncs += 1;
                l.size
            }
            _ => 0,
        };
        let h = SegmentHeader { kind: KIND_LOG, id, min_id: id, seq_floor: 0, prev_length };
        let seg = Segment::create(dir, &file_name(id, DATA_SUFFIX), &h, st.settings.segment_bytes, &mut st.c)?;
        st.segs.push(seg);
    }
    let wb = st.settings.write_buffer_bytes;
    let active = st.segs.last_mut().unwrap();
    active.make_active(wb);
    // A segment created here is durable (header, directory entry). An existing one is durable up
    // to what the state recorded (or its header); bytes an earlier process handed to the OS beyond
    // that may not be, so the first sync fdatasyncs before the state records them.
    active.dirty = !created;
    let known = match state {
        Some(s) if s.active_id == active.id => s.durable_length,
        _ => SEGMENT_HEADER_BYTES as u64,
    };
    let active_id = active.id;
    st.state = Some(StateFile::open(dir, state, active_id, known, &mut st.c)?);
    Ok(st)
}

/// Checks that no segment file is missing or cut below what the state recorded: ids cover
/// 1..newest without a gap (a merged segment covers [minId, id]), the newest is at least the
/// state's active id, and that segment (if still a log segment) is at least its durable length.
/// Without a state file the store must be new (at most one segment, holding no record). Returns
/// the durable length recorded for the state's segment.
fn check_files(dir: &Path, segs: &[Segment], state: Option<StoreState>) -> Result<u64> {
    let name = |id: u64| dir.join(file_name(id, DATA_SUFFIX)).to_string_lossy().into_owned();
    let Some(state) = state else {
        if segs.len() > 1 || segs.first().is_some_and(|s| s.kind != KIND_LOG || s.size > SEGMENT_HEADER_BYTES as u64) {
            let f = dir.join(STATE_FILE).to_string_lossy().into_owned();
            return Err(KvErr::corruption("state file missing from a store that holds data", &f, 0));
        }
        return Ok(0);
    };
    let mut next = 1u64;
    let mut prev: Option<&Segment> = None;
    for s in segs {
        if s.min_id != next {
            let what = if s.min_id - next > 1 { format!("segment files {next}..{} missing", s.min_id - 1) } else { format!("segment file {next} missing") };
            return Err(KvErr::corruption(what, &name(next), 0));
        }
        // A log segment's header records its log predecessor's final length (a merged one has its hint).
        if let Some(p) = prev.filter(|p| p.kind == KIND_LOG && s.kind == KIND_LOG && p.size != s.prev_length) {
            return Err(KvErr::corruption(format!("segment is {} bytes, the next segment's header records {}", p.size, s.prev_length), &p.name, p.size.min(s.prev_length)));
        }
        next = s.id + 1;
        prev = Some(s);
    }
    if next - 1 < state.active_id {
        return Err(KvErr::corruption(format!("segment file {next} missing (the state file records segment {})", state.active_id), &name(next), 0));
    }
    // A merged segment with that id replaced the recorded one (the state lagged a merge): nothing to check.
    let Some(a) = segs.iter().find(|s| s.id == state.active_id && s.kind == KIND_LOG) else { return Ok(0) };
    if a.size < state.durable_length {
        return Err(KvErr::corruption(format!("segment is {} bytes, shorter than its recorded durable length {}", a.size, state.durable_length), &a.name, a.size));
    }
    Ok(state.durable_length)
}

/// Loads segment `i`'s hint file; false (nothing applied) when it is unusable. A valid hint that
/// records another length than the segment's is CORRUPTION (the segment was cut).
fn load_hint(st: &mut Store, i: usize) -> Result<bool> {
    let seg = &st.segs[i];
    let path = st.dir.join(file_name(seg.id, HINT_SUFFIX));
    let data = match fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(KvErr::io(e, "read", &path.to_string_lossy())),
    };
    st.c.device_bytes_read += data.len() as u64;
    if let Some(n) = hint_data_bytes(&data, seg.id).filter(|&n| n != seg.size) {
        return Err(KvErr::corruption(format!("merged segment is {} bytes, its hint records {n}", seg.size), &seg.name, n.min(seg.size)));
    }
    let Some(entries) = decode_hint(&data, seg.id, seg.size) else { return Ok(false) };
    let id = seg.id;
    for e in entries {
        st.max_seq = st.max_seq.max(e.seq);
        apply(&mut st.kd, &st.segs, &mut st.spill, &mut st.live_bytes, id, e.key, e.flags & FLAG_TOMBSTONE != 0, e.offset, e.value_len as usize)?;
    }
    Ok(true)
}

/// Scans every record of segment `i`. `tail_from` is Some only for the newest log segment: bytes
/// from there on may be a torn tail, cut when no valid record follows; below it (and in every
/// other segment) an invalid record is CORRUPTION.
fn scan_segment(st: &mut Store, i: usize, tail_from: Option<u64>) -> Result<()> {
    let size = st.segs[i].size;
    let id = st.segs[i].id;
    let name = st.segs[i].name.clone();
    // The whole segment as one slice (from its map). Safety of the lifetime extension: the map
    // stays alive (and unchanged below `size`) until the segment is dropped, after this scan.
    let all: &[u8] = {
        let mut spill = Vec::new();
        let b = st.segs[i].bytes(0, size as usize, &mut spill)?;
        let (p, n) = (b.as_ptr(), b.len());
        if !spill.is_empty() {
            return Err(KvErr::new(Code::Internal, "segment larger than its map at open"));
        }
        unsafe { std::slice::from_raw_parts(p, n) }
    };
    st.c.device_bytes_read += size;
    let mut pos = SEGMENT_HEADER_BYTES;
    let end = size as usize;
    let mut batch: Vec<(usize, RecordHeader)> = Vec::new();
    let mut batch_start: Option<usize> = None;
    let mut batch_seq = 0;
    let mut bad: Option<usize> = None;
    while pos < end {
        if pos + RECORD_HEADER_BYTES > end {
            bad = Some(pos);
            break;
        }
        let h = match parse_record_header(&all[pos..]) {
            Some(h) if pos + h.len() <= end && record_crc_ok(&all[pos..pos + h.len()]) => h,
            _ => {
                bad = Some(pos);
                break;
            }
        };
        st.max_seq = st.max_seq.max(h.seq);
        if h.flags & FLAG_BATCH != 0 {
            match batch_start {
                None => {
                    batch_start = Some(pos);
                    batch_seq = h.seq;
                }
                Some(_) if h.seq != batch_seq => {
                    return Err(KvErr::corruption("batch record with a different sequence inside a batch", &name, pos as u64));
                }
                _ => {}
            }
            batch.push((pos, h));
            if h.flags & FLAG_COMMIT != 0 {
                for (p, bh) in batch.drain(..) {
                    let key = &all[p + RECORD_HEADER_BYTES..p + RECORD_HEADER_BYTES + bh.key_len];
                    apply(&mut st.kd, &st.segs, &mut st.spill, &mut st.live_bytes, id, key, bh.flags & FLAG_TOMBSTONE != 0, p as u64, bh.value_len)?;
                }
                batch_start = None;
            }
        } else {
            if let Some(bs) = batch_start {
                return Err(KvErr::corruption("unfinished batch followed by another record", &name, bs as u64));
            }
            let key = &all[pos + RECORD_HEADER_BYTES..pos + RECORD_HEADER_BYTES + h.key_len];
            apply(&mut st.kd, &st.segs, &mut st.spill, &mut st.live_bytes, id, key, h.flags & FLAG_TOMBSTONE != 0, pos as u64, h.value_len)?;
        }
        pos += h.len();
    }
    if bad.is_none() && batch_start.is_none() {
        return Ok(());
    }
    let cut = batch_start.or(bad).unwrap();
    let what = if bad.is_some() { "invalid record" } else { "unfinished batch at end of segment" };
    let Some(tail_from) = tail_from else {
        return Err(KvErr::corruption(what, &name, bad.unwrap_or(cut) as u64));
    };
    if (cut as u64) < tail_from {
        return Err(KvErr::corruption(format!("{what} below the recorded durable length {tail_from}"), &name, cut as u64));
    }
    if let Some(b) = bad {
        if valid_record_after(&all[..end], b) {
            return Err(KvErr::corruption("invalid record followed by valid records", &name, b as u64));
        }
    }
    st.segs[i].truncate(cut as u64)?;
    st.c.torn_bytes += size - cut as u64;
    Ok(())
}

/// True when some offset in (from, end) starts a complete, CRC-valid record.
fn valid_record_after(all: &[u8], from: usize) -> bool {
    let start = from + 1;
    if all.len() < start + RECORD_HEADER_BYTES + 1 {
        return false;
    }
    if (all.len() - start) as u64 > MAX_TAIL_SEARCH {
        return true; // too long to be a torn write
    }
    let mut at = start;
    while at + RECORD_HEADER_BYTES < all.len() {
        if let Some(h) = parse_record_header(&all[at..]) {
            if at + h.len() <= all.len() && record_crc_ok(&all[at..at + h.len()]) {
                return true;
            }
        }
        at += 1;
    }
    false
}
