//! The whole of vipcare in one process: `vipcare up` starts every service built so far and the
//! gateway in front of them, sharing one cache, on the ports of ARCHITECTURE.md (or port 0 in
//! tests and the benchmark). A newcomer runs it on embedded SQLite and the in-process cache with
//! nothing installed; `--demo` adds API keys for every channel and a realistic demo data set
//! loaded through the profile service's own gRPC API. The benchmark (`vipcare-bench`) and the
//! tests start the same [`Suite`] in-process.

pub mod demo;
pub mod error;
mod members;
mod ready;
pub mod settings;
mod suite;
pub mod up;

pub use error::SuiteError;
pub use members::Member;
pub use settings::Settings;
pub use suite::Suite;
