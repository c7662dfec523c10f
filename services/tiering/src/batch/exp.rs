//! TEMPORARY experiment switches and phase timers (to be removed).
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub(crate) struct Exp {
    pub no_inv: bool,
    pub no_snap: bool,
}

impl Exp {
    pub fn get() -> Exp {
        Exp {
            no_inv: std::env::var_os("EXP_NO_INV").is_some(),
            no_snap: std::env::var_os("EXP_NO_SNAP").is_some(),
        }
    }
}

const NAMES: [&str; 9] = [
    "range", "decide", "records", "history", "inv", "snap", "wait", "commit", "settle",
];
static TOTALS: [AtomicU64; 9] = [const { AtomicU64::new(0) }; 9];

pub(crate) struct Timer(Instant);

impl Timer {
    pub fn start() -> Timer {
        Timer(Instant::now())
    }
    pub fn lap(&mut self, i: usize) {
        let now = Instant::now();
        TOTALS[i].fetch_add((now - self.0).as_micros() as u64, Ordering::Relaxed);
        self.0 = now;
    }
    pub fn reset() {
        for t in &TOTALS {
            t.store(0, Ordering::Relaxed);
        }
    }
    pub fn report() {
        let parts: Vec<String> = NAMES
            .iter()
            .zip(&TOTALS)
            .map(|(n, t)| format!("{n}={:.2}", t.load(Ordering::Relaxed) as f64 / 1e6))
            .collect();
        eprintln!("PHASES {}", parts.join(" "));
    }
}
