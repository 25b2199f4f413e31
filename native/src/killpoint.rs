//! Kill points for crash tests, as engines/killpoint.ts: when `KVLAB_KILL_POINT` names a point
//! (`name` or `name@N` for the N-th hit), the process dies there by SIGKILL. The TypeScript side
//! declares the same names (engines/native/killpoints.ts) so tools can list them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn getpid() -> i32;
}

const SIGKILL: i32 = 9;

pub const APPEND_BEFORE_KEYDIR: &str = "native.append.before-keydir";
pub const BATCH_MID: &str = "native.batch.mid";
pub const MERGE_BEFORE_SWAP: &str = "native.merge.before-swap";
pub const MERGE_AFTER_RENAME: &str = "native.merge.after-rename";
pub const MERGE_AFTER_HINT: &str = "native.merge.after-hint";

static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
static HITS: AtomicU64 = AtomicU64::new(0);

fn target() -> &'static Option<(String, u64)> {
    TARGET.get_or_init(|| {
        let spec = std::env::var("KVLAB_KILL_POINT").ok()?;
        let mut parts = spec.splitn(2, '@');
        let name = parts.next()?.to_string();
        let nth = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        Some((name, nth))
    })
}

/// True when some kill point is armed (so a batch is flushed half-way, as hashlog does).
pub fn armed() -> bool {
    target().is_some()
}

/// Dies by SIGKILL here if `KVLAB_KILL_POINT` selects `name`.
#[inline]
pub fn kill_point(name: &str) {
    if let Some((t, nth)) = target() {
        if t == name && HITS.fetch_add(1, Ordering::SeqCst) + 1 >= *nth {
            unsafe { kill(getpid(), SIGKILL) };
        }
    }
}
