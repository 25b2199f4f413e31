//! Safe-ish helpers over the raw N-API calls: reading arguments, making values, throwing typed
//! errors, and [`entry`], which every exported function goes through so that no panic ever
//! crosses the FFI boundary (it becomes a `KV_INTERNAL` JS error instead).

use crate::error::{Code, KvErr, Result};
use crate::napi_sys::*;
use std::cell::RefCell;
use std::ffi::{c_char, c_void, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

/// The arguments of one JS call (at most [`MAX_ARGS`]; missing ones read as undefined).
pub struct Args {
    pub env: napi_env,
    argv: [napi_value; MAX_ARGS],
    argc: usize,
}

pub const MAX_ARGS: usize = 8;

fn check(status: napi_status, what: &str) -> Result<()> {
    if status == NAPI_OK {
        Ok(())
    } else {
        Err(KvErr::invalid(format!("{what} (napi status {status})")))
    }
}

impl Args {
    /// # Safety
    /// `env` and `info` must be the ones Node passed to the callback.
    pub unsafe fn read(env: napi_env, info: napi_callback_info) -> Result<Args> {
        let mut a = Args { env, argv: [ptr::null_mut(); MAX_ARGS], argc: MAX_ARGS };
        check(napi_get_cb_info(env, info, &mut a.argc, a.argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut()), "napi_get_cb_info")?;
        Ok(a)
    }

    fn arg(&self, i: usize) -> Result<napi_value> {
        if i < self.argc.min(MAX_ARGS) {
            Ok(self.argv[i])
        } else {
            Err(KvErr::invalid(format!("missing argument {i}")))
        }
    }

    /// Argument `i` as a Uint8Array's bytes, borrowed for the duration of the call only.
    pub fn bytes(&self, i: usize) -> Result<&[u8]> {
        let (p, len) = self.raw_bytes(i)?;
        Ok(if len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(p, len) } })
    }

    /// Argument `i` as a Uint8Array's bytes, writable, for the duration of the call only.
    ///
    /// # Safety
    /// The caller must not hold any other view of the same argument's memory meanwhile.
    #[allow(clippy::mut_from_ref)] // the memory is JS-owned, not borrowed from self
    pub unsafe fn bytes_mut(&self, i: usize) -> Result<&mut [u8]> {
        let (p, len) = self.raw_bytes(i)?;
        Ok(if len == 0 { &mut [] } else { unsafe { std::slice::from_raw_parts_mut(p, len) } })
    }

    /// Pointer and length of argument `i`, a Uint8Array (N-API itself rejects non-typed-arrays).
    pub fn raw_bytes(&self, i: usize) -> Result<(*mut u8, usize)> {
        let v = self.arg(i)?;
        unsafe {
            let (mut ty, mut len, mut data) = (0i32, 0usize, ptr::null_mut::<c_void>());
            let st = napi_get_typedarray_info(self.env, v, &mut ty, &mut len, &mut data, ptr::null_mut(), ptr::null_mut());
            if st != NAPI_OK || ty != 1 {
                return Err(KvErr::invalid(format!("argument {i} must be a Uint8Array")));
            }
            Ok((data as *mut u8, len))
        }
    }

    /// Argument `i` as a finite number.
    pub fn number(&self, i: usize) -> Result<f64> {
        let v = self.arg(i)?;
        let mut x = 0f64;
        if unsafe { napi_get_value_double(self.env, v, &mut x) } != NAPI_OK {
            return Err(KvErr::invalid(format!("argument {i} must be a number")));
        }
        if !x.is_finite() {
            return Err(KvErr::invalid(format!("argument {i} must be finite")));
        }
        Ok(x)
    }

    /// Argument `i` as a non-negative integer that fits `max`.
    pub fn uint(&self, i: usize, max: u64) -> Result<u64> {
        let x = self.number(i)?;
        if x < 0.0 || x.fract() != 0.0 || x > max as f64 {
            return Err(KvErr::invalid(format!("argument {i} must be an integer in [0, {max}]")));
        }
        Ok(x as u64)
    }

    /// Argument `i` as a string (UTF-8).
    pub fn string(&self, i: usize) -> Result<String> {
        let v = self.arg(i)?;
        let mut t = 0;
        unsafe {
            check(napi_typeof(self.env, v, &mut t), "napi_typeof")?;
            if t != NAPI_STRING {
                return Err(KvErr::invalid(format!("argument {i} must be a string")));
            }
            let mut len = 0usize;
            check(napi_get_value_string_utf8(self.env, v, ptr::null_mut(), 0, &mut len), "napi_get_value_string_utf8")?;
            let mut buf = vec![0u8; len + 1];
            check(
                napi_get_value_string_utf8(self.env, v, buf.as_mut_ptr() as *mut c_char, len + 1, &mut len),
                "napi_get_value_string_utf8",
            )?;
            buf.truncate(len);
            String::from_utf8(buf).map_err(|_| KvErr::invalid(format!("argument {i} is not valid UTF-8")))
        }
    }

    /// Argument `i` as the data pointer of an External made by [`external`].
    pub fn external(&self, i: usize) -> Result<*mut c_void> {
        let v = self.arg(i)?;
        let mut p = ptr::null_mut();
        if unsafe { napi_get_value_external(self.env, v, &mut p) } != NAPI_OK || p.is_null() {
            return Err(KvErr::invalid(format!("argument {i} must be a store handle")));
        }
        Ok(p)
    }

    /// The raw value of argument `i` (e.g. to take a reference to it).
    pub fn value(&self, i: usize) -> Result<napi_value> {
        self.arg(i)
    }
}

pub fn undefined(env: napi_env) -> napi_value {
    let mut v = ptr::null_mut();
    unsafe { napi_get_undefined(env, &mut v) };
    v
}

pub fn number(env: napi_env, x: f64) -> napi_value {
    let mut v = ptr::null_mut();
    unsafe { napi_create_double(env, x, &mut v) };
    v
}

fn string(env: napi_env, s: &str) -> napi_value {
    let mut v = ptr::null_mut();
    unsafe { napi_create_string_utf8(env, s.as_ptr() as *const c_char, s.len(), &mut v) };
    v
}

/// A new JS Buffer holding a copy of `data` (owned by JS afterwards).
pub fn buffer_copy(env: napi_env, data: &[u8]) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    let mut out = ptr::null_mut();
    check(unsafe { napi_create_buffer_copy(env, data.len(), data.as_ptr() as *const c_void, &mut out, &mut v) }, "napi_create_buffer_copy")?;
    Ok(v)
}

/// Wraps `data` in a JS External; `finalize` runs when it is garbage-collected.
pub fn external(env: napi_env, data: *mut c_void, finalize: napi_finalize) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(unsafe { napi_create_external(env, data, Some(finalize), ptr::null_mut(), &mut v) }, "napi_create_external")?;
    Ok(v)
}

/// Throws `e` as a JS Error with `code` = `KV_<CODE>` and, when known, `file` and `offset`.
pub fn throw(env: napi_env, e: &KvErr) {
    unsafe {
        let mut pending = false;
        napi_is_exception_pending(env, &mut pending);
        if pending {
            return;
        }
        let mut err = ptr::null_mut();
        napi_create_error(env, string(env, e.code.js()), string(env, &e.msg), &mut err);
        if let Some(f) = &e.file {
            napi_set_named_property(env, err, c"file".as_ptr(), string(env, f));
        }
        if let Some(o) = e.offset {
            napi_set_named_property(env, err, c"offset".as_ptr(), number(env, o as f64));
        }
        napi_throw(env, err);
    }
}

thread_local! {
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that records the message for the JS error instead of printing it.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("{info}").replace('\n', " ");
        PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(msg));
    }));
}

/// Runs an exported function's body: a Rust error is thrown as a typed JS error, a panic is
/// caught here (never unwinds into Node) and thrown as `KV_INTERNAL`.
pub fn entry(env: napi_env, info: napi_callback_info, body: impl FnOnce(&Args) -> Result<napi_value>) -> napi_value {
    let r = catch_unwind(AssertUnwindSafe(|| unsafe { Args::read(env, info) }.and_then(|a| body(&a))));
    match r {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            throw(env, &e);
            undefined(env)
        }
        Err(payload) => {
            let msg = PANIC_MESSAGE
                .with(|m| m.borrow_mut().take())
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let e = KvErr::new(Code::Internal, format!("native core panicked: {msg}"));
            throw(env, &e);
            undefined(env)
        }
    }
}

/// Registers `f` as `exports[name]`.
pub fn export(env: napi_env, exports: napi_value, name: &str, f: napi_callback) {
    let cname = CString::new(name).unwrap();
    let mut func = ptr::null_mut();
    unsafe {
        napi_create_function(env, cname.as_ptr(), name.len(), f, ptr::null_mut(), &mut func);
        napi_set_named_property(env, exports, cname.as_ptr(), func);
    }
}
