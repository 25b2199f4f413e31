//! Segment files: append-only logs of records (format.rs), each memory-mapped for reads.
//! The newest is the active segment, appended to through a write buffer ([`Segment::append`]);
//! bytes still in the buffer are served from it, bytes on disk from the map (or by pread when
//! beyond the mapped length: a segment grown past its planned capacity by an oversized record).

use crate::error::{KvErr, Result};
use crate::format::*;
use crate::mmap::Mmap;
use crate::stats::Counters;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// One open segment file.
pub struct Segment {
    pub id: u64,
    pub kind: u16,
    pub min_id: u64,
    /// Header prev_length: the final length of log segment id - 1 when this one was created (0: none).
    pub prev_length: u64,
    pub path: PathBuf,
    /// Path as a string, for error messages.
    pub name: String,
    pub file: File,
    /// Logical length: bytes on disk plus bytes still in the write buffer.
    pub size: u64,
    /// Bytes of records the keydir points at. Dead bytes = size - header - live.
    pub live: std::cell::Cell<u64>,
    map: Mmap,
    /// Write buffer (active segment only); buf[0] is at file offset `flushed`.
    buf: Vec<u8>,
    flushed: u64,
    /// Bytes handed to the OS since the last fdatasync.
    pub dirty: bool,
    pub flushes: u64,
}

fn io(e: std::io::Error, op: &str, name: &str) -> KvErr {
    KvErr::io(e, op, name)
}

/// fsyncs a directory (makes creates, renames and unlinks durable).
pub fn sync_dir(dir: &Path, c: &mut Counters) -> Result<()> {
    let name = dir.to_string_lossy();
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io(e, "fsync dir", &name))?;
    c.syncs += 1;
    Ok(())
}

/// Page-rounded mapping length for a segment of `size` bytes expected to grow to `capacity`.
fn map_len(size: u64, capacity: u64) -> usize {
    let n = size.max(capacity).max(4096);
    ((n + 4095) & !4095) as usize
}

impl Segment {
    /// Opens an existing segment read/write and maps `capacity` bytes (at least its size).
    pub fn open(path: PathBuf, id: u64, h: &SegmentHeader, size: u64, capacity: u64, file: File) -> Result<Segment> {
        let name = path.to_string_lossy().into_owned();
        let map = Mmap::map(&file, map_len(size, capacity)).map_err(|e| io(e, "mmap", &name))?;
        Ok(Segment {
            id,
            kind: h.kind,
            min_id: h.min_id,
            prev_length: h.prev_length,
            path,
            name,
            file,
            size,
            live: std::cell::Cell::new(0),
            map,
            buf: Vec::new(),
            flushed: size,
            dirty: false,
            flushes: 0,
        })
    }

    /// Creates a new segment with its header, durable (data and directory entry).
    pub fn create(dir: &Path, name: &str, h: &SegmentHeader, capacity: u64, c: &mut Counters) -> Result<Segment> {
        let path = dir.join(name);
        let pname = path.to_string_lossy().into_owned();
        let file = OpenOptions::new().read(true).write(true).create_new(true).open(&path).map_err(|e| io(e, "open", &pname))?;
        let head = encode_segment_header(h);
        file.write_all_at(&head, 0).map_err(|e| io(e, "write", &pname))?;
        file.sync_data().map_err(|e| io(e, "fdatasync", &pname))?;
        c.device_bytes_written += head.len() as u64;
        c.syncs += 1;
        sync_dir(dir, c)?;
        Segment::open(path, h.id, h, SEGMENT_HEADER_BYTES as u64, capacity, file)
    }

    /// Gives the segment a write buffer of `bytes` (it becomes appendable).
    pub fn make_active(&mut self, bytes: usize) {
        self.buf = Vec::with_capacity(bytes.max(4096));
    }

    /// Ends appends (the segment became immutable): releases the write buffer.
    pub fn seal(&mut self) {
        debug_assert!(self.buf.is_empty(), "seal after sync");
        self.buf = Vec::new();
    }

    pub fn dead_bytes(&self) -> u64 {
        self.size - SEGMENT_HEADER_BYTES as u64 - self.live.get()
    }

    /// Appends one record; returns its offset. Does not flush unless the buffer is full.
    pub fn append(&mut self, flags: u8, key: &[u8], value: &[u8], seq: u64, c: &mut Counters) -> Result<u64> {
        let len = RECORD_HEADER_BYTES + key.len() + value.len();
        let pos = self.size;
        if len > self.buf.capacity() / 2 {
            self.flush(c)?;
            let head = record_head(flags, key, value, seq);
            self.write_at(&head, pos, c)?;
            self.write_at(value, pos + head.len() as u64, c)?;
            self.flushed = pos + len as u64;
            self.flushes += 1;
        } else {
            if self.buf.len() + len > self.buf.capacity() {
                self.flush(c)?;
            }
            append_record(&mut self.buf, flags, key, value, seq);
        }
        self.size = pos + len as u64;
        Ok(pos)
    }

    fn write_at(&mut self, b: &[u8], pos: u64, c: &mut Counters) -> Result<()> {
        self.file.write_all_at(b, pos).map_err(|e| io(e, "write", &self.name))?;
        c.device_bytes_written += b.len() as u64;
        self.dirty = true;
        Ok(())
    }

    /// Hands buffered bytes to the OS (one write call).
    pub fn flush(&mut self, c: &mut Counters) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let buf = std::mem::take(&mut self.buf);
        let r = self.write_at(&buf, self.flushed, c);
        self.buf = buf;
        r?;
        self.flushed += self.buf.len() as u64;
        self.buf.clear();
        self.flushes += 1;
        Ok(())
    }

    /// Flushes, then fdatasyncs if anything was written since the last sync.
    pub fn sync(&mut self, c: &mut Counters) -> Result<()> {
        self.flush(c)?;
        if !self.dirty {
            return Ok(());
        }
        self.file.sync_data().map_err(|e| io(e, "fdatasync", &self.name))?;
        c.syncs += 1;
        self.dirty = false;
        Ok(())
    }

    /// Bytes [pos, pos + n) of the segment: from the write buffer, the map, or (beyond the map)
    /// read into `spill`. CORRUPTION if they lie past the segment's end.
    #[inline]
    pub fn bytes<'a>(&'a self, pos: u64, n: usize, spill: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        let end = pos + n as u64;
        if end > self.size {
            return Err(KvErr::corruption("record extends past the end of its segment", &self.name, pos));
        }
        if pos >= self.flushed {
            let at = (pos - self.flushed) as usize;
            return Ok(&self.buf[at..at + n]);
        }
        if end <= self.flushed && end <= self.map.len() as u64 {
            return Ok(self.map.slice(pos as usize, n));
        }
        spill.resize(n, 0);
        self.read_exact_at(spill, pos)?;
        Ok(&spill[..])
    }

    /// pread of exactly buf.len() bytes at `pos` (bytes on disk only).
    pub fn read_exact_at(&self, buf: &mut [u8], pos: u64) -> Result<()> {
        self.file.read_exact_at(buf, pos).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                KvErr::corruption("unexpected end of file", &self.name, pos)
            } else {
                io(e, "read", &self.name)
            }
        })
    }

    /// Cuts the segment to `len` bytes (a torn tail) and makes that durable.
    pub fn truncate(&mut self, len: u64) -> Result<()> {
        self.file.set_len(len).map_err(|e| io(e, "truncate", &self.name))?;
        self.file.sync_all().map_err(|e| io(e, "fsync", &self.name))?;
        self.size = len;
        self.flushed = len;
        Ok(())
    }
}
