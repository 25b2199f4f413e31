//! The compact in-memory index (Bitcask's keydir): key -> where its latest record lives.
//!
//! Layout, chosen for memory per key (no per-key heap allocation, and no key bytes in memory):
//! - `entries`: a dense array of 16-byte [`Entry`]: the key's 32-bit hash, segment id, record
//!   offset, record length. Removal moves the last entry into the hole, so it stays dense.
//! - `slots`: an open-addressing table (linear probing, load <= 3/4, power-of-two size) of u32
//!   entry numbers + 1 (0 = empty); an entry's home slot is `hash & mask`. Removal uses
//!   backward-shift deletion (no tombstones).
//!
//! Keys themselves live in one arena that is already there: the log. Every record starts with
//! its key, and the segments are memory-mapped (segment.rs), so a hash match is confirmed by
//! comparing the key in the record the entry points at ([`KeyDir::find`] takes that comparison
//! as a closure). A get reads that record anyway, so the check costs nothing extra there.
//! Limits: < 2^32 - 1 keys, segment ids, offsets and record lengths < 2^32 (checked by callers).

/// Where a key's latest record lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: u32,
    pub offset: u32,
    pub len: u32,
}

#[derive(Clone, Copy)]
#[repr(C)]
struct Entry {
    hash: u32,
    file: u32,
    offset: u32,
    len: u32,
}

/// The keydir. See the module doc for the layout.
pub struct KeyDir {
    slots: Vec<u32>,
    mask: usize,
    entries: Vec<Entry>,
}

impl Default for KeyDir {
    fn default() -> Self {
        KeyDir::new()
    }
}

/// The 32-bit index hash of a key (in memory only; may change freely).
#[inline]
pub fn key_hash(key: &[u8]) -> u32 {
    crate::hash::hash64(key) as u32
}

impl KeyDir {
    pub fn new() -> KeyDir {
        KeyDir { slots: vec![0; 1024], mask: 1023, entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of memory the index holds (capacities, not lengths): what `indexMemoryBytes` reports.
    pub fn memory_bytes(&self) -> usize {
        self.slots.capacity() * 4 + self.entries.capacity() * std::mem::size_of::<Entry>()
    }

    /// Location of entry `e` (0 <= e < len()).
    #[inline]
    pub fn loc(&self, e: usize) -> Loc {
        let x = &self.entries[e];
        Loc { file: x.file, offset: x.offset, len: x.len }
    }

    /// Hash of entry `e`.
    pub fn hash(&self, e: usize) -> u32 {
        self.entries[e].hash
    }

    /// Repoints entry `e`.
    #[inline]
    pub fn set_loc(&mut self, e: usize, l: Loc) {
        let x = &mut self.entries[e];
        (x.file, x.offset, x.len) = (l.file, l.offset, l.len);
    }

    /// The entry whose hash is `h` and for which `is_key(loc)` confirms the key, or None.
    /// Entry numbers are valid until the next insert or remove.
    #[inline]
    pub fn find(&self, h: u32, mut is_key: impl FnMut(Loc) -> bool) -> Option<usize> {
        let mut s = h as usize & self.mask;
        loop {
            let v = self.slots[s];
            if v == 0 {
                return None;
            }
            let e = (v - 1) as usize;
            let x = &self.entries[e];
            if x.hash == h && is_key(Loc { file: x.file, offset: x.offset, len: x.len }) {
                return Some(e);
            }
            s = (s + 1) & self.mask;
        }
    }

    /// Adds an entry for a key known to be absent. Returns its entry number.
    pub fn insert(&mut self, h: u32, l: Loc) -> usize {
        if (self.entries.len() + 1) * 4 > self.slots.len() * 3 {
            self.rebuild_slots(self.slots.len() * 2);
        }
        if self.entries.len() == self.entries.capacity() {
            // Grow by a quarter, not 2x: keeps slack memory per key low.
            self.entries.reserve_exact((self.entries.len() / 4).max(1024));
        }
        assert!(self.entries.len() < u32::MAX as usize - 1, "keydir is full");
        self.entries.push(Entry { hash: h, file: l.file, offset: l.offset, len: l.len });
        let e = self.entries.len() - 1;
        let mut s = h as usize & self.mask;
        while self.slots[s] != 0 {
            s = (s + 1) & self.mask;
        }
        self.slots[s] = (e + 1) as u32;
        e
    }

    fn slot_of(&self, e: usize) -> usize {
        let mut s = self.entries[e].hash as usize & self.mask;
        while self.slots[s] != (e + 1) as u32 {
            s = (s + 1) & self.mask;
        }
        s
    }

    /// Removes entry `e`. The last entry moves into its number.
    pub fn remove(&mut self, e: usize) {
        let mut hole = self.slot_of(e);
        let mut s = (hole + 1) & self.mask;
        // Backward-shift deletion: pull later members of the probe run into the hole.
        loop {
            let v = self.slots[s];
            if v == 0 {
                break;
            }
            let home = self.entries[(v - 1) as usize].hash as usize & self.mask;
            if (s.wrapping_sub(home) & self.mask) >= (s.wrapping_sub(hole) & self.mask) {
                self.slots[hole] = v;
                hole = s;
            }
            s = (s + 1) & self.mask;
        }
        self.slots[hole] = 0;
        let last = self.entries.len() - 1;
        if e != last {
            let ls = self.slot_of(last);
            self.slots[ls] = (e + 1) as u32;
            self.entries[e] = self.entries[last];
        }
        self.entries.pop();
    }

    fn rebuild_slots(&mut self, cap: usize) {
        self.slots = vec![0; cap];
        self.mask = cap - 1;
        for (i, x) in self.entries.iter().enumerate() {
            let mut s = x.hash as usize & self.mask;
            while self.slots[s] != 0 {
                s = (s + 1) & self.mask;
            }
            self.slots[s] = (i + 1) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A tiny "log": loc.offset indexes a key table, as records do on disk.
    struct Log {
        keys: Vec<Vec<u8>>,
    }

    impl Log {
        fn add(&mut self, k: &[u8]) -> Loc {
            self.keys.push(k.to_vec());
            Loc { file: 1, offset: (self.keys.len() - 1) as u32, len: 9 }
        }
    }

    #[test]
    fn matches_a_hashmap_under_random_ops_even_with_colliding_hashes() {
        for hash_bits in [32u32, 4] {
            let mut kd = KeyDir::new();
            let mut log = Log { keys: vec![] };
            let mut model: HashMap<Vec<u8>, Loc> = HashMap::new();
            let mut x: u64 = 12345;
            let h = |k: &[u8]| if hash_bits == 32 { key_hash(k) } else { key_hash(k) & 0xf };
            for i in 0..100_000u32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let k = format!("k{}", x % 3000).into_bytes();
                let found = kd.find(h(&k), |l| log.keys[l.offset as usize] == k);
                if x.is_multiple_of(3) {
                    assert_eq!(found.map(|e| kd.loc(e)), model.remove(&k));
                    if let Some(e) = found {
                        kd.remove(e);
                    }
                } else {
                    let l = log.add(&k);
                    assert_eq!(found.map(|e| kd.loc(e)), model.insert(k.clone(), l));
                    match found {
                        Some(e) => kd.set_loc(e, l),
                        None => {
                            kd.insert(h(&k), l);
                        }
                    }
                }
                if i % 5000 == 0 {
                    assert_eq!(kd.len(), model.len());
                    for (k, v) in &model {
                        let e = kd.find(h(k), |l| log.keys[l.offset as usize] == *k).unwrap();
                        assert_eq!(kd.loc(e), *v);
                    }
                }
            }
        }
    }

    #[test]
    fn memory_is_about_24_bytes_per_key() {
        let mut kd = KeyDir::new();
        for i in 0..1_000_000u32 {
            kd.insert(key_hash(&i.to_le_bytes()), Loc { file: 1, offset: i, len: 1 });
        }
        let per_key = kd.memory_bytes() as f64 / 1e6;
        assert!(per_key < 30.0, "{per_key}");
    }
}
