//! Merge (compaction), as hashlog's (engines/hashlog/merge.ts): rewrites the live records of
//! every immutable segment into one merged segment plus its hint file. The output is written as
//! `<b>.merge` (b = newest input), synced, then renamed over `<b>.data`; its header says it
//! replaces ids [a, b] (a = the oldest input's minId), so a crash before the inputs are unlinked is finished
//! by recovery, and a crash before the rename leaves the inputs untouched.
//!
//! Sequence (kill points in brackets): write + fdatasync `<b>.merge` [native.merge.before-swap]
//! -> sync the active segment -> unlink `<b>.hint`, fsync dir -> rename `<b>.merge` over `<b>.data`, fsync
//! dir [native.merge.after-rename] -> repoint keydir -> unlink inputs a..b-1 and their hints,
//! fsync dir -> write `<b>.hint` atomically [native.merge.after-hint].

use crate::error::{KvErr, Result};
use crate::format::*;
use crate::keydir::Loc;
use crate::killpoint::{self, kill_point};
use crate::recovery::unlink as remove_file;
use crate::segment::{sync_dir, Segment};
use crate::store::{seg_pos, Store};
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

const OUT_BUFFER: usize = 1024 * 1024;

fn write_file_atomic(dir: &Path, name: &str, data: &[u8], st: &mut Store) -> Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let tname = tmp.to_string_lossy().into_owned();
    let f = File::create(&tmp).map_err(|e| KvErr::io(e, "open", &tname))?;
    f.write_all_at(data, 0).map_err(|e| KvErr::io(e, "write", &tname))?;
    f.sync_all().map_err(|e| KvErr::io(e, "fsync", &tname))?;
    drop(f);
    fs::rename(&tmp, dir.join(name)).map_err(|e| KvErr::io(e, "rename", &tname))?;
    st.c.device_bytes_written += data.len() as u64;
    st.c.syncs += 1;
    sync_dir(dir, &mut st.c)
}

impl Store {
    /// Merges every segment but the active one (nothing to do with fewer than one).
    pub(crate) fn run_merge(&mut self) -> Result<()> {
        let n_in = self.segs.len() - 1;
        if n_in == 0 {
            return Ok(());
        }
        let a = self.segs[0].min_id; // the lowest id replaced, transitively (FORMAT.md: always 1)
        let b = self.segs[n_in - 1].id;
        let dir = self.dir.clone();
        // Live entries in the inputs, in (segment, offset) order so inputs are read sequentially.
        let mut picked: Vec<u32> = (0..self.kd.len() as u32).filter(|&e| (self.kd.loc(e as usize).file as u64) <= b).collect();
        picked.sort_unstable_by_key(|&e| {
            let l = self.kd.loc(e as usize);
            ((l.file as u64) << 32) | l.offset as u64
        });
        let merge_path = dir.join(file_name(b, MERGE_SUFFIX));
        remove_file(&merge_path)?;
        let mname = merge_path.to_string_lossy().into_owned();
        let out = OpenOptions::new().read(true).write(true).create_new(true).open(&merge_path).map_err(|e| KvErr::io(e, "open", &mname))?;
        let head = encode_segment_header(&SegmentHeader { kind: KIND_MERGED, id: b, min_id: a, seq_floor: self.max_seq, prev_length: 0 });
        let mut buf: Vec<u8> = Vec::with_capacity(OUT_BUFFER);
        buf.extend_from_slice(&head);
        let mut written = 0u64; // bytes of `out` on disk
        let mut hint = HintBuilder::new();
        let mut new_off: Vec<u32> = Vec::with_capacity(picked.len());
        let mut bytes_read = 0u64;
        let mut body = || -> Result<()> {
            for &e in &picked {
                let l = self.kd.loc(e as usize);
                let si = seg_pos(&self.segs, l.file).expect("input segment");
                let seg = &self.segs[si];
                let rec = seg.bytes(l.offset as u64, l.len as usize, &mut self.spill)?;
                bytes_read += rec.len() as u64;
                let ok = parse_record_header(rec).filter(|h| h.len() == rec.len() && record_crc_ok(rec));
                let Some(h) = ok else {
                    return Err(KvErr::corruption("live record failed its checksum during merge", &seg.name, l.offset as u64));
                };
                if buf.len() + rec.len() > OUT_BUFFER && !buf.is_empty() {
                    out.write_all_at(&buf, written).map_err(|e| KvErr::io(e, "write", &mname))?;
                    written += buf.len() as u64;
                    buf.clear();
                }
                let at = buf.len();
                let off = written + at as u64;
                buf.extend_from_slice(rec);
                if h.flags != 0 {
                    // Batch markers mean nothing outside their batch: clear them and reseal.
                    buf[at + 4] = h.flags & FLAG_TOMBSTONE;
                    let c = crate::crc32::crc32(&buf[at + 4..]);
                    buf[at..at + 4].copy_from_slice(&c.to_le_bytes());
                }
                hint.add(&rec[RECORD_HEADER_BYTES..RECORD_HEADER_BYTES + h.key_len], off, h.seq, h.value_len as u32, 0);
                new_off.push(off as u32);
            }
            out.write_all_at(&buf, written).map_err(|e| KvErr::io(e, "write", &mname))?;
            written += buf.len() as u64;
            out.sync_data().map_err(|e| KvErr::io(e, "fdatasync", &mname))?;
            Ok(())
        };
        if let Err(e) = body() {
            drop(out);
            let _ = remove_file(&merge_path);
            return Err(e);
        }
        self.c.device_bytes_read += bytes_read;
        self.c.device_bytes_written += written;
        self.c.syncs += 1;
        kill_point(killpoint::MERGE_BEFORE_SWAP);
        self.sync()?;
        let hint_name = file_name(b, HINT_SUFFIX);
        remove_file(&dir.join(&hint_name))?;
        sync_dir(&dir, &mut self.c)?; // the old hint is durably gone before the data changes
        let data_path = dir.join(file_name(b, DATA_SUFFIX));
        fs::rename(&merge_path, &data_path).map_err(|e| KvErr::io(e, "rename", &mname))?;
        sync_dir(&dir, &mut self.c)?;
        kill_point(killpoint::MERGE_AFTER_RENAME);
        let h = SegmentHeader { kind: KIND_MERGED, id: b, min_id: a, seq_floor: self.max_seq, prev_length: 0 };
        let merged = Segment::open(data_path, b, &h, written, 0, out)?;
        let mut live = 0u64;
        for (i, &e) in picked.iter().enumerate() {
            let l = self.kd.loc(e as usize);
            live += l.len as u64;
            self.kd.set_loc(e as usize, Loc { file: b as u32, offset: new_off[i], len: l.len });
        }
        merged.live.set(live);
        let inputs: Vec<Segment> = self.segs.drain(..n_in).collect();
        self.segs.insert(0, merged);
        for s in inputs {
            let (path, id) = (s.path.clone(), s.id);
            drop(s);
            if id != b {
                remove_file(&path)?;
                remove_file(&dir.join(file_name(id, HINT_SUFFIX)))?;
            }
        }
        sync_dir(&dir, &mut self.c)?;
        let hint_data = hint.finish(b, written);
        write_file_atomic(&dir, &hint_name, &hint_data, self)?;
        kill_point(killpoint::MERGE_AFTER_HINT);
        self.hint_bytes = vec![(b, hint_data.len() as u64)];
        self.c.compactions += 1;
        self.c.compaction_bytes_read += bytes_read;
        self.c.compaction_bytes_written += written + hint_data.len() as u64;
        Ok(())
    }
}
