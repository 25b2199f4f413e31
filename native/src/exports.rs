//! The functions Node sees (`exports` of the addon) and the store handle they share.
//!
//! Every function takes the handle (a JS External wrapping a [`Handle`]) first and goes through
//! [`ffi::entry`] (no panic crosses into Node). Buffers from JS are borrowed only for the
//! duration of the call, never kept; results are copied into the caller's registered scratch
//! buffer (kept alive by a napi reference) or into a new JS Buffer. After a panic inside a store
//! call the handle is poisoned: every later call fails until the store is reopened.
//!
//! Packed formats (little-endian), built by engines/native/packing.ts:
//! - ops (write, putMany): per op `type u8 (0 put, 1 del) | 0 u8 | keyLen u16 | valueLen u32 | key | value`
//! - keys (getMany): per key `keyLen u16 | key`
//! - getMany results in the scratch buffer: `count u32 | consumed u32` then per key
//!   `len i32 (-1 = absent) | value bytes`.

use crate::error::{Code, KvErr, Result};
use crate::ffi::{self, entry, Args};
use crate::napi_sys::*;
use crate::store::{Op, Settings, Store};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

const MAGIC: u64 = 0x6b76_6c61_625f_6e61; // "kvlab_na"

/// What the JS External points at.
struct Handle {
    magic: u64,
    store: Option<Store>,
    poisoned: bool,
    scratch: Option<(*mut c_void, *mut u8, usize)>,
}

unsafe extern "C" fn finalize(env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    // Never unwind out of a finalizer either.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let mut h = Box::from_raw(data as *mut Handle);
        h.magic = 0;
        if let Some((r, _, _)) = h.scratch.take() {
            napi_delete_reference(env, r);
        }
        drop(h); // drops the store: unmaps and closes files (no sync: close() is the durable path)
    }));
}

fn handle<'a>(a: &Args) -> Result<&'a mut Handle> {
    let p = a.external(0)? as *mut Handle;
    let h = unsafe { &mut *p };
    if h.magic != MAGIC {
        return Err(KvErr::invalid("argument 0 is not a kvlab native store handle"));
    }
    Ok(h)
}

/// Runs `f` on the open store; CLOSED after close, INTERNAL when poisoned; a panic poisons.
fn with_store<T>(a: &Args, f: impl FnOnce(&mut Store, &mut Option<(*mut c_void, *mut u8, usize)>) -> Result<T>) -> Result<T> {
    let h = handle(a)?;
    if h.poisoned {
        return Err(KvErr::new(Code::Internal, "store is poisoned by an earlier panic; reopen it"));
    }
    let Handle { store, scratch, .. } = h;
    let Some(st) = store.as_mut() else {
        return Err(KvErr::new(Code::Closed, "engine is closed"));
    };
    match catch_unwind(AssertUnwindSafe(|| f(st, scratch))) {
        Ok(r) => r,
        Err(p) => {
            h.poisoned = true;
            std::panic::resume_unwind(p) // reported by ffi::entry as KV_INTERNAL
        }
    }
}

fn scratch_of(s: &Option<(*mut c_void, *mut u8, usize)>) -> Result<&'static mut [u8]> {
    match s {
        Some((_, p, n)) => Ok(unsafe { std::slice::from_raw_parts_mut(*p, *n) }),
        None => Err(KvErr::invalid("no scratch buffer registered (call setScratch first)")),
    }
}

fn flag(a: &Args, i: usize) -> Result<bool> {
    Ok(a.uint(i, 1)? == 1)
}

/// open(dir, segmentBytes, writeBufferBytes, mergeRatio, mergeMinBytes, autoMerge, verifyReads, buffered) -> handle
unsafe extern "C" fn js_open(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let dir = a.string(0)?;
        let ratio = a.number(3)?;
        if !(0.0..=1.0).contains(&ratio) {
            return Err(KvErr::invalid("mergeRatio must be in [0, 1]"));
        }
        let settings = Settings {
            segment_bytes: a.uint(1, u64::MAX >> 11)?,
            write_buffer_bytes: a.uint(2, 1 << 30)? as usize,
            merge_ratio: ratio,
            merge_min_bytes: a.uint(4, u64::MAX >> 11)?,
            auto_merge: flag(a, 5)?,
            verify_reads: flag(a, 6)?,
            buffered: flag(a, 7)?,
        };
        let store = crate::recovery::open(Path::new(&dir), settings)?;
        let h = Box::new(Handle { magic: MAGIC, store: Some(store), poisoned: false, scratch: None });
        let p = Box::into_raw(h);
        ffi::external(env, p as *mut c_void, finalize).inspect_err(|_| drop(Box::from_raw(p)))
    })
}

/// setScratch(h, buf): registers the buffer results are copied into (kept alive until close).
unsafe extern "C" fn js_set_scratch(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let h = handle(a)?;
        let (p, n) = a.raw_bytes(1)?;
        if n < 64 {
            return Err(KvErr::invalid("scratch buffer must hold at least 64 bytes"));
        }
        let mut r = std::ptr::null_mut();
        if napi_create_reference(env, a.value(1)?, 1, &mut r) != NAPI_OK {
            return Err(KvErr::invalid("cannot reference the scratch buffer"));
        }
        if let Some((old, _, _)) = h.scratch.replace((r, p, n)) {
            napi_delete_reference(env, old);
        }
        Ok(ffi::undefined(env))
    })
}

/// get(h, key) -> -1 (absent) | n (value in scratch[0, n)) | Buffer (value larger than scratch)
unsafe extern "C" fn js_get(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let key = a.bytes(1)?;
        with_store(a, |st, s| {
            let scratch = scratch_of(s)?;
            match st.get(key)? {
                None => Ok(ffi::number(env, -1.0)),
                Some(v) if v.len() <= scratch.len() => {
                    scratch[..v.len()].copy_from_slice(v);
                    Ok(ffi::number(env, v.len() as f64))
                }
                Some(v) => ffi::buffer_copy(env, v),
            }
        })
    })
}

/// put(h, key, value, seq)
unsafe extern "C" fn js_put(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let (key, value, seq) = (a.bytes(1)?, a.bytes(2)?, a.uint(3, crate::format::MAX_SAFE)?);
        with_store(a, |st, _| st.put(key, value, seq))?;
        Ok(ffi::undefined(env))
    })
}

/// del(h, key, seq)
unsafe extern "C" fn js_del(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let (key, seq) = (a.bytes(1)?, a.uint(2, crate::format::MAX_SAFE)?);
        with_store(a, |st, _| st.delete(key, seq))?;
        Ok(ffi::undefined(env))
    })
}

/// Splits a packed ops buffer; INVALID_ARGUMENT when malformed.
fn unpack_ops(b: &[u8]) -> Result<Vec<Op<'_>>> {
    let mut ops = Vec::new();
    let mut at = 0;
    while at < b.len() {
        if at + 8 > b.len() {
            return Err(KvErr::invalid(format!("packed ops truncated at byte {at}")));
        }
        let ty = b[at];
        let kl = u16::from_le_bytes([b[at + 2], b[at + 3]]) as usize;
        let vl = u32::from_le_bytes(b[at + 4..at + 8].try_into().unwrap()) as usize;
        if ty > 1 || b[at + 1] != 0 || (ty == 1 && vl != 0) {
            return Err(KvErr::invalid(format!("bad packed op header at byte {at}")));
        }
        let k0 = at + 8;
        if k0 + kl + vl > b.len() {
            return Err(KvErr::invalid(format!("packed op at byte {at} runs past the buffer")));
        }
        ops.push(Op { del: ty == 1, key: &b[k0..k0 + kl], value: &b[k0 + kl..k0 + kl + vl] });
        at = k0 + kl + vl;
    }
    Ok(ops)
}

/// write(h, packedOps, seq): atomic batch with one sequence number.
unsafe extern "C" fn js_write(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let (ops, seq) = (unpack_ops(a.bytes(1)?)?, a.uint(2, crate::format::MAX_SAFE)?);
        with_store(a, |st, _| st.write(&ops, seq))?;
        Ok(ffi::undefined(env))
    })
}

/// putMany(h, packedOps, firstSeq) -> count: independent writes, sequences firstSeq.. (not atomic).
unsafe extern "C" fn js_put_many(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let (ops, seq) = (unpack_ops(a.bytes(1)?)?, a.uint(2, crate::format::MAX_SAFE)?);
        with_store(a, |st, _| st.put_many(&ops, seq))?;
        Ok(ffi::number(env, ops.len() as f64))
    })
}

/// getMany(h, packedKeys, fromByte) -> count of keys answered (results in scratch, see module doc).
unsafe extern "C" fn js_get_many(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let keys = a.bytes(1)?;
        let from = a.uint(2, keys.len() as u64)? as usize;
        with_store(a, |st, s| {
            let out = scratch_of(s)?;
            let (mut at, mut w, mut count) = (from, 8usize, 0u32);
            while at < keys.len() {
                if at + 2 > keys.len() {
                    return Err(KvErr::invalid(format!("packed keys truncated at byte {at}")));
                }
                let kl = u16::from_le_bytes([keys[at], keys[at + 1]]) as usize;
                if at + 2 + kl > keys.len() {
                    return Err(KvErr::invalid(format!("packed key at byte {at} runs past the buffer")));
                }
                let key = &keys[at + 2..at + 2 + kl];
                match st.get(key)? {
                    None => {
                        if w + 4 > out.len() {
                            break;
                        }
                        out[w..w + 4].copy_from_slice(&(-1i32).to_le_bytes());
                        w += 4;
                    }
                    Some(v) => {
                        if w + 4 + v.len() > out.len() {
                            break;
                        }
                        out[w..w + 4].copy_from_slice(&(v.len() as i32).to_le_bytes());
                        out[w + 4..w + 4 + v.len()].copy_from_slice(v);
                        w += 4 + v.len();
                    }
                }
                at += 2 + kl;
                count += 1;
            }
            out[0..4].copy_from_slice(&count.to_le_bytes());
            out[4..8].copy_from_slice(&((at - from) as u32).to_le_bytes());
            Ok(ffi::number(env, count as f64))
        })
    })
}

/// sync(h): flush + fdatasync of the active segment.
unsafe extern "C" fn js_sync(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        with_store(a, |st, _| st.sync())?;
        Ok(ffi::undefined(env))
    })
}

/// merge(h): roll the active segment if non-empty, then merge every immutable segment.
unsafe extern "C" fn js_merge(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        with_store(a, |st, _| st.merge())?;
        Ok(ffi::undefined(env))
    })
}

/// maxSeq(h) -> highest sequence number found at open or written since.
unsafe extern "C" fn js_max_seq(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| with_store(a, |st, _| Ok(ffi::number(env, st.max_seq as f64))))
}

/// stats(h, out): writes [`crate::stats_export::STATS_FIELDS`] as f64 into `out` (a Uint8Array view).
unsafe extern "C" fn js_stats(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let out = unsafe { a.bytes_mut(1)? };
        with_store(a, |st, _| {
            let v = crate::stats_export::collect(st);
            if out.len() < v.len() * 8 {
                return Err(KvErr::invalid(format!("stats buffer must hold {} bytes", v.len() * 8)));
            }
            for (i, x) in v.iter().enumerate() {
                out[i * 8..i * 8 + 8].copy_from_slice(&x.to_le_bytes());
            }
            Ok(ffi::number(env, v.len() as f64))
        })
    })
}

/// close(h): flush + fdatasync, release files. A second close is a no-op.
unsafe extern "C" fn js_close(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let h = handle(a)?;
        if let Some((r, _, _)) = h.scratch.take() {
            napi_delete_reference(env, r);
        }
        if let Some(mut st) = h.store.take() {
            if !h.poisoned {
                st.close()?;
            }
        }
        Ok(ffi::undefined(env))
    })
}

/// __panicForTest(h?): panics inside the core (with a store handle: inside a store call), to
/// prove that a panic becomes a typed JS error and never crosses the FFI boundary.
unsafe extern "C" fn js_panic_for_test(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        if a.external(0).is_ok() {
            with_store(a, |_, _| -> Result<()> { panic!("deliberate panic inside a store call") })?;
        }
        panic!("deliberate panic for the panic-safety test")
    })
}

/// lockFile(path) -> id > 0 when the exclusive flock is taken, 0 when another holder has it.
unsafe extern "C" fn js_lock_file(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        let path = a.string(0)?;
        Ok(ffi::number(env, crate::dirlock::lock(&path)?.unwrap_or(0) as f64))
    })
}

/// unlockFile(id): releases a lock taken by lockFile (unknown ids are ignored).
unsafe extern "C" fn js_unlock_file(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        crate::dirlock::unlock(a.uint(0, u32::MAX as u64)? as u32);
        Ok(ffi::undefined(env))
    })
}

/// dropFileCache(path): fdatasync, then drop the file's pages from the page cache (pagecache.rs).
unsafe extern "C" fn js_drop_file_cache(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, info, |a| {
        crate::pagecache::drop_file_cache(&a.string(0)?)?;
        Ok(ffi::undefined(env))
    })
}

/// The module initialiser Node calls when it loads the `.node` file.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    ffi::install_panic_hook();
    let fns: [(&str, napi_callback); 17] = [
        ("open", js_open),
        ("setScratch", js_set_scratch),
        ("get", js_get),
        ("put", js_put),
        ("del", js_del),
        ("write", js_write),
        ("putMany", js_put_many),
        ("getMany", js_get_many),
        ("sync", js_sync),
        ("merge", js_merge),
        ("maxSeq", js_max_seq),
        ("stats", js_stats),
        ("close", js_close),
        ("__panicForTest", js_panic_for_test),
        ("lockFile", js_lock_file),
        ("unlockFile", js_unlock_file),
        ("dropFileCache", js_drop_file_cache),
    ];
    for (name, f) in fns {
        ffi::export(env, exports, name, f);
    }
    exports
}
