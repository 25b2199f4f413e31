//! Read-only shared memory maps of segment files (mmap(2) declared by hand from libc, which
//! std already links). A map may be longer than its file (the active segment is mapped to its
//! full capacity up front); callers only read bytes below the file's written size, so no page
//! past end-of-file is ever touched (that would raise SIGBUS).

use std::ffi::c_void;
use std::fs::File;
use std::os::unix::io::AsRawFd;

extern "C" {
    fn mmap(addr: *mut c_void, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> *mut c_void;
    fn munmap(addr: *mut c_void, len: usize) -> i32;
}

const PROT_READ: i32 = 1;
const MAP_SHARED: i32 = 1;
const MAP_FAILED: *mut c_void = !0usize as *mut c_void;

/// A read-only view of the first `len` bytes of a file.
pub struct Mmap {
    ptr: *mut u8,
    len: usize,
}

impl Mmap {
    /// Maps `len` bytes (> 0) of `file`; may exceed the file's current size (see module doc).
    pub fn map(file: &File, len: usize) -> std::io::Result<Mmap> {
        let p = unsafe { mmap(std::ptr::null_mut(), len.max(1), PROT_READ, MAP_SHARED, file.as_raw_fd(), 0) };
        if p == MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Mmap { ptr: p as *mut u8, len: len.max(1) })
    }

    /// Mapped length (not the file size).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes [at, at + n). The caller guarantees at + n <= the file's written size and <= len().
    #[inline]
    pub fn slice(&self, at: usize, n: usize) -> &[u8] {
        assert!(at + n <= self.len, "read past the mapping");
        unsafe { std::slice::from_raw_parts(self.ptr.add(at), n) }
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        unsafe { munmap(self.ptr as *mut c_void, self.len) };
    }
}
