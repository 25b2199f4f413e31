//! Store-level tests (no N-API): round trips, overwrite, delete, batches, merge, reopen, torn tails.

use crate::error::Code;
use crate::recovery::open;
use crate::store::{Op, Settings, Store};
use crate::format::SEGMENT_HEADER_BYTES;
use std::path::PathBuf;

fn settings(segment_bytes: u64) -> Settings {
    Settings {
        segment_bytes,
        write_buffer_bytes: 4096,
        merge_ratio: 0.5,
        merge_min_bytes: 0,
        auto_merge: true,
        verify_reads: true,
        buffered: true,
    }
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("kvlab-native-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn get(st: &mut Store, k: &str) -> Option<Vec<u8>> {
    st.get(k.as_bytes()).unwrap().map(|v| v.to_vec())
}

#[test]
fn puts_gets_deletes_survive_merge_and_reopen() {
    let d = TempDir::new("basic");
    let mut seq = 0;
    let mut model = std::collections::HashMap::new();
    {
        let mut st = open(&d.0, settings(8192)).unwrap();
        for i in 0..3000u32 {
            seq += 1;
            let k = format!("key{}", i % 400);
            if i % 7 == 3 {
                st.delete(k.as_bytes(), seq).unwrap();
                model.remove(&k);
            } else {
                let v = vec![(i % 251) as u8; (i % 300) as usize];
                st.put(k.as_bytes(), &v, seq).unwrap();
                model.insert(k, v);
            }
            if i % 1000 == 999 {
                st.merge().unwrap();
            }
        }
        for (k, v) in &model {
            assert_eq!(get(&mut st, k).as_ref(), Some(v));
        }
        assert!(st.c.compactions >= 3);
        st.close().unwrap();
    }
    let mut st = open(&d.0, settings(8192)).unwrap();
    assert_eq!(st.kd.len(), model.len());
    assert!(st.max_seq >= seq - 1);
    for i in 0..400 {
        let k = format!("key{i}");
        assert_eq!(get(&mut st, &k), model.get(&k).cloned());
    }
}

#[test]
fn batches_are_atomic_and_unfinished_ones_are_cut_at_open() {
    let d = TempDir::new("batch");
    let mut st = open(&d.0, settings(1 << 20)).unwrap();
    st.put(b"a", b"1", 1).unwrap();
    let ops = [Op { del: false, key: b"b", value: b"2" }, Op { del: true, key: b"a", value: b"" }];
    st.write(&ops, 2).unwrap();
    assert_eq!(get(&mut st, "a"), None);
    assert_eq!(get(&mut st, "b"), Some(b"2".to_vec()));
    st.close().unwrap();
    drop(st);
    // Append half a batch by hand (no commit record): reopen drops it and truncates the tail.
    let seg = std::fs::read_dir(&d.0).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "data")).unwrap();
    let before = std::fs::metadata(&seg).unwrap().len();
    let mut rec = Vec::new();
    crate::format::append_record(&mut rec, crate::format::FLAG_BATCH, b"c", b"3", 3);
    let mut f = std::fs::OpenOptions::new().append(true).open(&seg).unwrap();
    std::io::Write::write_all(&mut f, &rec).unwrap();
    drop(f);
    let mut st = open(&d.0, settings(1 << 20)).unwrap();
    assert_eq!(get(&mut st, "c"), None);
    assert_eq!(get(&mut st, "b"), Some(b"2".to_vec()));
    assert_eq!(st.c.torn_bytes, rec.len() as u64);
    assert_eq!(std::fs::metadata(&seg).unwrap().len(), before);
}

#[test]
fn corruption_before_valid_records_is_typed_with_file_and_offset() {
    let d = TempDir::new("corrupt");
    let mut st = open(&d.0, settings(1 << 20)).unwrap();
    st.put(b"a", b"value-a", 1).unwrap();
    st.put(b"b", b"value-b", 2).unwrap();
    st.close().unwrap();
    drop(st);
    let seg = std::fs::read_dir(&d.0).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "data")).unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[SEGMENT_HEADER_BYTES + 21] ^= 0xff; // the first record's value
    std::fs::write(&seg, &bytes).unwrap();
    let e = open(&d.0, settings(1 << 20)).err().unwrap();
    assert_eq!(e.code, Code::Corruption);
    assert_eq!(e.offset, Some(SEGMENT_HEADER_BYTES as u64));
    assert!(e.file.unwrap().ends_with(".data"));
}
