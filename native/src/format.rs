//! The hashlog on-disk format (engines/hashlog/FORMAT.md; engines/hashlog/format.ts is its
//! TypeScript form): segment header, record, hint file, file names. Little-endian throughout;
//! u64 fields above 2^53 - 1 are rejected (the TypeScript side cannot represent them).

use crate::crc32::{crc32, crc32_update};
use crate::error::{KvErr, Result};

/// on-disk: never change without a version bump. Bytes "KVHL" as a LE u32.
pub const SEGMENT_MAGIC: u32 = 0x4c48_564b;
/// on-disk: never change without a version bump. 2: the state file (state.rs) records the active
/// segment's durable length, and a merged segment's minId is the lowest id it replaces transitively.
pub const FORMAT_VERSION: u16 = 2;
/// on-disk: never change without a version bump. Segment header length (version 1: 36).
pub const SEGMENT_HEADER_BYTES: usize = 44;
/// on-disk: segment kinds (a log segment is appended to; a merged one is a merge's output).
pub const KIND_LOG: u16 = 0;
pub const KIND_MERGED: u16 = 1;

/// on-disk: never change without a version bump. Record header:
/// crc u32 | flags u8 | 0 u8 | keyLen u16 | valueLen u32 | seq u64; the CRC covers bytes 4..end.
pub const RECORD_HEADER_BYTES: usize = 20;
/// on-disk: the record deletes its key (value length 0).
pub const FLAG_TOMBSTONE: u8 = 1;
/// on-disk: one record of a multi-record atomic batch (all share one sequence number).
pub const FLAG_BATCH: u8 = 2;
/// on-disk: the last record of a batch; the batch counts only once this record is valid.
pub const FLAG_COMMIT: u8 = 4;
/// on-disk: every defined flag bit.
pub const FLAGS_KNOWN: u8 = FLAG_TOMBSTONE | FLAG_BATCH | FLAG_COMMIT;
/// on-disk: key length is a u16.
pub const MAX_KEY_BYTES: usize = 0xffff;
/// Engine cap on value length (same as hashlog's).
pub const MAX_VALUE_BYTES: usize = 64 * 1024 * 1024;

/// on-disk: never change without a version bump. Bytes "KVHH" as a LE u32.
pub const HINT_MAGIC: u32 = 0x4848_564b;
/// on-disk: hint header: magic u32, version u16, 0 u16, segId u64, dataBytes u64, count u64.
pub const HINT_HEADER_BYTES: usize = 32;
/// on-disk: hint entry: offset u64, seq u64, valueLen u32, keyLen u16, flags u8, 0 u8, then key.
pub const HINT_ENTRY_BYTES: usize = 24;

/// on-disk: file names are the segment id as 16 lower-case hex digits plus a suffix.
pub const DATA_SUFFIX: &str = ".data";
pub const HINT_SUFFIX: &str = ".hint";
pub const MERGE_SUFFIX: &str = ".merge";
pub const HINT_TMP_SUFFIX: &str = ".hint.tmp";

pub const MAX_SAFE: u64 = (1 << 53) - 1;

#[inline]
pub fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
#[inline]
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
#[inline]
pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// A decoded segment header.
#[derive(Clone, Copy, Debug)]
pub struct SegmentHeader {
    pub kind: u16,
    pub id: u64,
    pub min_id: u64,
    pub seq_floor: u64,
    /// Log: the final, durable length of log segment id - 1 when this one was created (0: none). Merged: 0.
    pub prev_length: u64,
}

pub fn encode_segment_header(h: &SegmentHeader) -> [u8; SEGMENT_HEADER_BYTES] {
    let mut b = [0u8; SEGMENT_HEADER_BYTES];
    b[0..4].copy_from_slice(&SEGMENT_MAGIC.to_le_bytes());
    b[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    b[6..8].copy_from_slice(&h.kind.to_le_bytes());
    b[8..16].copy_from_slice(&h.id.to_le_bytes());
    b[16..24].copy_from_slice(&h.min_id.to_le_bytes());
    b[24..32].copy_from_slice(&h.seq_floor.to_le_bytes());
    b[32..40].copy_from_slice(&h.prev_length.to_le_bytes());
    let c = crc32(&b[0..40]);
    b[40..44].copy_from_slice(&c.to_le_bytes());
    b
}

/// Decodes and validates a segment header; CORRUPTION (file, offset) when invalid.
pub fn decode_segment_header(b: &[u8], file: &str, expect_id: u64) -> Result<SegmentHeader> {
    if b.len() < SEGMENT_HEADER_BYTES {
        return Err(KvErr::corruption("segment header truncated", file, 0));
    }
    if u32_at(b, 0) != SEGMENT_MAGIC {
        return Err(KvErr::corruption("bad segment magic", file, 0));
    }
    if u32_at(b, 40) != crc32(&b[0..40]) {
        return Err(KvErr::corruption("segment header checksum mismatch", file, 0));
    }
    let version = u16_at(b, 4);
    if version != FORMAT_VERSION {
        return Err(KvErr::corruption(format!("unsupported segment format version {version}"), file, 4));
    }
    let kind = u16_at(b, 6);
    if kind != KIND_LOG && kind != KIND_MERGED {
        return Err(KvErr::corruption(format!("unknown segment kind {kind}"), file, 6));
    }
    let (id, min_id, seq_floor, prev_length) = (u64_at(b, 8), u64_at(b, 16), u64_at(b, 24), u64_at(b, 32));
    for (v, at) in [(id, 8), (min_id, 16), (seq_floor, 24), (prev_length, 32)] {
        if v > MAX_SAFE {
            return Err(KvErr::corruption("u64 field above 2^53", file, at));
        }
    }
    if id != expect_id {
        return Err(KvErr::corruption(format!("segment header id {id} does not match file name"), file, 8));
    }
    if min_id > id || (kind == KIND_LOG && min_id != id) {
        return Err(KvErr::corruption("bad segment minId", file, 16));
    }
    Ok(SegmentHeader { kind, id, min_id, seq_floor, prev_length })
}

/// A record header's fields (no payload).
#[derive(Clone, Copy, Debug)]
pub struct RecordHeader {
    pub crc: u32,
    pub flags: u8,
    pub key_len: usize,
    pub value_len: usize,
    pub seq: u64,
}

impl RecordHeader {
    /// Bytes of the whole record (header, key, value).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        RECORD_HEADER_BYTES + self.key_len + self.value_len
    }
}

/// Parses the header at b[0..20]; None when structurally impossible (unknown flags, reserved
/// byte set, commit without batch, key length 0, tombstone with a value, value over the cap,
/// sequence over 2^53). Does not check the CRC.
pub fn parse_record_header(b: &[u8]) -> Option<RecordHeader> {
    let flags = b[4];
    if flags & !FLAGS_KNOWN != 0 || b[5] != 0 {
        return None;
    }
    if flags & FLAG_COMMIT != 0 && flags & FLAG_BATCH == 0 {
        return None;
    }
    let key_len = u16_at(b, 6) as usize;
    let value_len = u32_at(b, 8) as usize;
    if key_len == 0 || value_len > MAX_VALUE_BYTES {
        return None;
    }
    if flags & FLAG_TOMBSTONE != 0 && value_len != 0 {
        return None;
    }
    let seq = u64_at(b, 12);
    if seq > MAX_SAFE {
        return None;
    }
    Some(RecordHeader { crc: u32_at(b, 0), flags, key_len, value_len, seq })
}

/// True when the complete record `rec` matches its stored CRC.
#[inline]
pub fn record_crc_ok(rec: &[u8]) -> bool {
    u32_at(rec, 0) == crc32(&rec[4..])
}

/// Appends one sealed record (header, key, value) to `out`.
pub fn append_record(out: &mut Vec<u8>, flags: u8, key: &[u8], value: &[u8], seq: u64) {
    let at = out.len();
    out.extend_from_slice(&[0, 0, 0, 0, flags, 0]);
    out.extend_from_slice(&(key.len() as u16).to_le_bytes());
    out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(value);
    let c = crc32(&out[at + 4..]);
    out[at..at + 4].copy_from_slice(&c.to_le_bytes());
}

/// The header (with CRC) of a record whose key and value are written separately (large values).
pub fn record_head(flags: u8, key: &[u8], value: &[u8], seq: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(RECORD_HEADER_BYTES + key.len());
    h.extend_from_slice(&[0, 0, 0, 0, flags, 0]);
    h.extend_from_slice(&(key.len() as u16).to_le_bytes());
    h.extend_from_slice(&(value.len() as u32).to_le_bytes());
    h.extend_from_slice(&seq.to_le_bytes());
    h.extend_from_slice(key);
    let c = crc32_update(crc32(&h[4..]), value);
    h[0..4].copy_from_slice(&c.to_le_bytes());
    h
}

/// Builds a hint file entry by entry.
pub struct HintBuilder {
    b: Vec<u8>,
    count: u64,
}

impl Default for HintBuilder {
    fn default() -> Self {
        HintBuilder::new()
    }
}

impl HintBuilder {
    pub fn new() -> HintBuilder {
        HintBuilder { b: vec![0; HINT_HEADER_BYTES], count: 0 }
    }
    pub fn add(&mut self, key: &[u8], offset: u64, seq: u64, value_len: u32, flags: u8) {
        self.b.extend_from_slice(&offset.to_le_bytes());
        self.b.extend_from_slice(&seq.to_le_bytes());
        self.b.extend_from_slice(&value_len.to_le_bytes());
        self.b.extend_from_slice(&(key.len() as u16).to_le_bytes());
        self.b.extend_from_slice(&[flags, 0]);
        self.b.extend_from_slice(key);
        self.count += 1;
    }
    /// The complete hint file for segment `seg_id` whose data file is `data_bytes` long.
    pub fn finish(mut self, seg_id: u64, data_bytes: u64) -> Vec<u8> {
        self.b[0..4].copy_from_slice(&HINT_MAGIC.to_le_bytes());
        self.b[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        self.b[6..8].copy_from_slice(&[0, 0]);
        self.b[8..16].copy_from_slice(&seg_id.to_le_bytes());
        self.b[16..24].copy_from_slice(&data_bytes.to_le_bytes());
        self.b[24..32].copy_from_slice(&self.count.to_le_bytes());
        let c = crc32(&self.b);
        self.b.extend_from_slice(&c.to_le_bytes());
        self.b
    }
}

/// One hint entry: key (a view into the hint), record offset, seq, value length, flags.
pub struct HintEntry<'a> {
    pub key: &'a [u8],
    pub offset: u64,
    pub seq: u64,
    pub value_len: u32,
    pub flags: u8,
}

/// The `dataBytes` of a hint whose magic, version, CRC and segment id are valid (see
/// engines/hashlog/format.ts `hintDataBytes`): a merged segment of another length was cut.
pub fn hint_data_bytes(b: &[u8], seg_id: u64) -> Option<u64> {
    if b.len() < HINT_HEADER_BYTES + 4 || u32_at(b, 0) != HINT_MAGIC || u16_at(b, 4) != FORMAT_VERSION {
        return None;
    }
    let end = b.len() - 4;
    if u32_at(b, end) != crc32(&b[..end]) || u64_at(b, 8) != seg_id || u64_at(b, 16) > MAX_SAFE {
        return None;
    }
    Some(u64_at(b, 16))
}

/// Validates a whole hint file; returns its entries, or None when unusable (bad magic, version,
/// CRC, segment id, `data_bytes`, or structure). A bad hint is not an error: scan instead.
pub fn decode_hint(b: &[u8], seg_id: u64, data_bytes: u64) -> Option<Vec<HintEntry<'_>>> {
    if b.len() < HINT_HEADER_BYTES + 4 {
        return None;
    }
    if u32_at(b, 0) != HINT_MAGIC || u16_at(b, 4) != FORMAT_VERSION {
        return None;
    }
    let end = b.len() - 4;
    if u32_at(b, end) != crc32(&b[..end]) {
        return None;
    }
    if u64_at(b, 8) != seg_id || u64_at(b, 16) != data_bytes {
        return None;
    }
    let count = u64_at(b, 24);
    if count > (end / HINT_ENTRY_BYTES) as u64 {
        return None;
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut at = HINT_HEADER_BYTES;
    for _ in 0..count {
        if at + HINT_ENTRY_BYTES > end {
            return None;
        }
        let kl = u16_at(b, at + 20) as usize;
        let offset = u64_at(b, at);
        let seq = u64_at(b, at + 8);
        let value_len = u32_at(b, at + 16);
        if kl == 0 || offset > MAX_SAFE || seq > MAX_SAFE || at + HINT_ENTRY_BYTES + kl > end {
            return None;
        }
        if offset + (RECORD_HEADER_BYTES + kl) as u64 + value_len as u64 > data_bytes {
            return None;
        }
        out.push(HintEntry { key: &b[at + HINT_ENTRY_BYTES..at + HINT_ENTRY_BYTES + kl], offset, seq, value_len, flags: b[at + 22] });
        at += HINT_ENTRY_BYTES + kl;
    }
    if at != end {
        return None;
    }
    Some(out)
}

/// `0000000000000001.data` for id 1.
pub fn file_name(id: u64, suffix: &str) -> String {
    format!("{id:016x}{suffix}")
}

/// The id and suffix of a hashlog file name; None for any other name.
pub fn parse_file_name(name: &str) -> Option<(u64, &str)> {
    if name.len() < 17 {
        return None;
    }
    let (hex, suffix) = name.split_at(16);
    if !hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
        return None;
    }
    if ![DATA_SUFFIX, HINT_SUFFIX, MERGE_SUFFIX, HINT_TMP_SUFFIX].contains(&suffix) {
        return None;
    }
    let id = u64::from_str_radix(hex, 16).ok()?;
    if id > MAX_SAFE {
        return None;
    }
    Some((id, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip() {
        let mut b = Vec::new();
        append_record(&mut b, FLAG_BATCH | FLAG_COMMIT, b"key", b"value", 42);
        let h = parse_record_header(&b).unwrap();
        assert_eq!((h.flags, h.key_len, h.value_len, h.seq, h.len()), (6, 3, 5, 42, b.len()));
        assert!(record_crc_ok(&b));
        let head = record_head(FLAG_BATCH | FLAG_COMMIT, b"key", b"value", 42);
        assert_eq!(&head[..], &b[..head.len()]);
        b[RECORD_HEADER_BYTES] ^= 1;
        assert!(!record_crc_ok(&b));
    }

    #[test]
    fn hint_round_trip_and_rejection() {
        let mut hb = HintBuilder::new();
        hb.add(b"abc", 36, 7, 10, 0);
        let h = hb.finish(5, 36 + 20 + 3 + 10);
        let e = decode_hint(&h, 5, 69).unwrap();
        assert_eq!((e[0].key, e[0].offset, e[0].seq, e[0].value_len), (&b"abc"[..], 36, 7, 10));
        assert!(decode_hint(&h, 5, 70).is_none());
        assert!(decode_hint(&h, 4, 69).is_none());
        let mut bad = h.clone();
        bad[40] ^= 1;
        assert!(decode_hint(&bad, 5, 69).is_none());
    }

    #[test]
    fn file_names() {
        assert_eq!(file_name(26, DATA_SUFFIX), "000000000000001a.data");
        assert_eq!(parse_file_name("000000000000001a.hint.tmp"), Some((26, ".hint.tmp")));
        assert_eq!(parse_file_name("000000000000001A.data"), None);
        assert_eq!(parse_file_name("LOCK"), None);
    }
}
