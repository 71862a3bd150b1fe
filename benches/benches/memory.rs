//! Peak heap while decoding the 650-presence response: the generated models against
//! `serde_json::Value`, counted by a global allocator that tracks live bytes.
//!
//! `cargo bench -p benches --bench memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes allocated above what was live before `f` ran, and what stays live after.
fn measure<T>(f: impl FnOnce() -> T) -> (usize, usize, T) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let value = f();
    (
        PEAK.load(Ordering::Relaxed) - before,
        LIVE.load(Ordering::Relaxed) - before,
        value,
    )
}

fn main() {
    let input = benches::presences_response(650);
    let (models_peak, models_kept, models) = measure(|| {
        serde_json::from_str::<graph_presence_models::PresenceCollectionResponse>(&input)
            .expect("decodes")
    });
    let (value_peak, value_kept, value) =
        measure(|| serde_json::from_str::<serde_json::Value>(&input).expect("decodes"));
    let (minimal_peak, minimal_kept, minimal) =
        measure(|| serde_json::from_str::<benches::minimal::Response>(&input).expect("decodes"));
    println!(
        "peak heap while decoding {} bytes (650 presences); bytes kept by the result",
        input.len()
    );
    println!("  generated models       peak {models_peak:>9}  kept {models_kept:>9}");
    println!(
        "  serde_json::Value      peak {value_peak:>9}  kept {value_kept:>9}  ({:.2}x the models' peak)",
        value_peak as f64 / models_peak as f64
    );
    println!(
        "  minimal closed struct  peak {minimal_peak:>9}  kept {minimal_kept:>9}  ({:.2}x the models' peak)",
        minimal_peak as f64 / models_peak as f64
    );
    let ratio = models_peak as f64 / minimal_peak as f64;
    benches::verdict(
        "peak heap: models at most 1.5x the minimal struct",
        ratio <= 1.5,
        &format!("{ratio:.2}x"),
    );
    drop((models, value, minimal));
}
