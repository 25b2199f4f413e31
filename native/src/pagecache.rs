//! Page-cache eviction for memory-bounded runs (harness/memory-limit.ts): a file's clean pages are
//! dropped from the page cache, whichever memory cgroup they are charged to, so a run under a
//! memory limit does not read data that an earlier, unlimited process left cached.

use crate::error::{KvErr, Result};
use std::fs::File;
use std::os::unix::io::AsRawFd;

const POSIX_FADV_DONTNEED: i32 = 4;

extern "C" {
    fn posix_fadvise(fd: i32, offset: i64, len: i64, advice: i32) -> i32;
}

/// Writes back `path`'s dirty pages (fdatasync, so they become clean and droppable), then asks
/// the kernel to drop all of its cached pages (posix_fadvise DONTNEED over the whole file).
/// The file's contents are unchanged. Errors name the step and the path.
pub fn drop_file_cache(path: &str) -> Result<()> {
    let f = File::open(path).map_err(|e| KvErr::io(e, "open", path))?;
    f.sync_data().map_err(|e| KvErr::io(e, "fdatasync", path))?;
    // SAFETY: a valid open descriptor; offset 0 and length 0 mean the whole file.
    let rc = unsafe { posix_fadvise(f.as_raw_fd(), 0, 0, POSIX_FADV_DONTNEED) };
    if rc != 0 {
        return Err(KvErr::io(std::io::Error::from_raw_os_error(rc), "posix_fadvise", path));
    }
    Ok(())
}
