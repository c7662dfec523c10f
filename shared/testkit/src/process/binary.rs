//! Finding a workspace binary for the running test's profile, and building it when it is missing
//! or older than the sources, so an e2e run never exercises a stale executable.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

/// The path of binary `bin` of workspace package `package`, built for the profile the running
/// test was built with. Built first (with `cargo build -p package --bin bin`) when it is missing
/// or older than the workspace's sources, so a test never runs a stale binary.
/// `VIPCARE_BIN_<BIN>` (e.g. `VIPCARE_BIN_VIPCARE`) names an executable to use as it is instead.
pub fn workspace_binary(package: &str, bin: &str) -> PathBuf {
    let override_var = format!("VIPCARE_BIN_{}", bin.to_uppercase().replace('-', "_"));
    if let Some(path) = std::env::var_os(override_var) {
        return PathBuf::from(path);
    }
    static BUILDS: Mutex<()> = Mutex::new(());
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(PoisonError::into_inner);
    let profile_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()));
    let expected = profile_dir
        .as_ref()
        .map(|dir| dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX)));
    if let Some(path) = &expected
        && is_fresh(path)
    {
        return path.clone();
    }
    let profile = profile_dir
        .as_ref()
        .and_then(|dir| dir.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "debug".to_owned());
    cargo_build(package, bin, &profile)
}

/// The workspace root: two levels above this crate.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("shared/testkit sits two levels below the workspace root")
}

/// The binary exists and no input it was built from changed after it was linked. The inputs are
/// the ones cargo lists in the binary's dep-info file (`vipcare.d` beside `vipcare`), so editing
/// a crate the binary does not use (a test kit, another binary) does not count; without that
/// file, every source under proto/, shared/ and services/ counts.
fn is_fresh(binary: &Path) -> bool {
    let Ok(built) = binary.metadata().and_then(|m| m.modified()) else {
        return false;
    };
    let root = workspace_root();
    let inputs = dep_info_inputs(binary).unwrap_or_else(|| {
        ["proto", "shared", "services"]
            .iter()
            .map(|dir| root.join(dir))
            .collect()
    });
    inputs
        .iter()
        .chain([&root.join("Cargo.lock")])
        .all(|input| newest_source(input) <= built)
}

/// The paths of a make-style dep-info file: `target: input input\ with\ space …`.
fn dep_info_inputs(binary: &Path) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(binary.with_extension("d")).ok()?;
    let (_, inputs) = text.lines().next()?.split_once(": ")?;
    let mut paths = Vec::new();
    let mut current = String::new();
    let mut chars = inputs.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ' ' => paths
                .extend((!current.is_empty()).then(|| PathBuf::from(std::mem::take(&mut current)))),
            c => current.push(c),
        }
    }
    paths.extend((!current.is_empty()).then(|| PathBuf::from(current)));
    Some(paths)
}

fn newest_source(path: &Path) -> SystemTime {
    let Ok(meta) = path.metadata() else {
        return SystemTime::UNIX_EPOCH;
    };
    if meta.is_file() {
        let is_source = path
            .extension()
            .is_some_and(|ext| ext == "rs" || ext == "proto" || ext == "toml" || ext == "lock");
        return if is_source {
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)
        } else {
            SystemTime::UNIX_EPOCH
        };
    }
    let skip = |name: &str| name.starts_with('.') || name == "target" || name == "data";
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !skip(&e.file_name().to_string_lossy()))
        .map(|e| newest_source(&e.path()))
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Builds the binary and returns the executable cargo reports, so a custom target directory or
/// target triple ends up in the right place.
fn cargo_build(package: &str, bin: &str, profile: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(["-p", package, "--bin", bin])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    match profile {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run cargo to build {bin}: {err}"));
    assert!(
        output.status.success(),
        "cargo build -p {package} --bin {bin} failed ({})",
        output.status
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == bin)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built no executable named {bin}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_inputs_of_a_dep_info_file() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("vipcare");
        std::fs::write(
            dir.path().join("vipcare.d"),
            "/t/debug/vipcare: /w/src/main.rs /w/my\\ dir/lib.rs /w/proto\n",
        )
        .unwrap();
        assert_eq!(
            dep_info_inputs(&binary).unwrap(),
            vec![
                PathBuf::from("/w/src/main.rs"),
                PathBuf::from("/w/my dir/lib.rs"),
                PathBuf::from("/w/proto"),
            ]
        );
    }

    #[test]
    fn a_binary_older_than_one_of_its_inputs_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("main.rs");
        std::fs::write(&source, "fn main() {}").unwrap();
        let binary = dir.path().join("app");
        std::fs::write(&binary, "").unwrap();
        std::fs::write(
            dir.path().join("app.d"),
            format!("{}: {}\n", binary.display(), source.display()),
        )
        .unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        assert!(is_fresh(&binary), "built after its source");
        std::fs::File::options()
            .write(true)
            .open(&source)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(!is_fresh(&binary), "the source changed after the build");
    }
}
