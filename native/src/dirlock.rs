//! Directory locks for every kvlab engine (engines/common.ts DirLock): an exclusive, non-blocking
//! flock(2) on a lock file, held for as long as this module keeps the open `File`. The kernel
//! releases it when the file is closed or the process dies (SIGKILL included), so a lock can
//! never be won twice and never outlives its holder. The lock file itself is never deleted
//! (deleting a locked file would let a second opener lock a new inode while the first still
//! holds the old one).

use crate::error::{KvErr, Result};
use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::sync::Mutex;

struct Held {
    next: u32,
    files: HashMap<u32, File>,
}

static HELD: Mutex<Option<Held>> = Mutex::new(None);

/// Takes the lock on `path` (created if missing). `Ok(Some(id))`: held, release with [`unlock`];
/// `Ok(None)`: another open file description holds it (this process or another).
pub fn lock(path: &str) -> Result<Option<u32>> {
    let f = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(|e| KvErr::io(e, "open lock", path))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => return Err(KvErr::io(e, "flock", path)),
    }
    let mut g = HELD.lock().unwrap_or_else(|p| p.into_inner());
    let held = g.get_or_insert_with(|| Held { next: 1, files: HashMap::new() });
    let id = held.next;
    held.next = held.next.wrapping_add(1).max(1);
    held.files.insert(id, f);
    Ok(Some(id))
}

/// Releases lock `id` (closing its file releases the flock). Unknown ids are ignored.
pub fn unlock(id: u32) {
    let mut g = HELD.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(held) = g.as_mut() {
        held.files.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_until_released() {
        let dir = std::env::temp_dir().join(format!("kvlab-dirlock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("kvlab.lock");
        let p = p.to_str().unwrap();
        let a = lock(p).unwrap().expect("first lock");
        assert!(lock(p).unwrap().is_none(), "a second open file description must not get the lock");
        unlock(a);
        let b = lock(p).unwrap().expect("lock after release");
        unlock(b);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
