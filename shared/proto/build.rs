//! Generates the vipcare contracts from `proto/` with a vendored protoc, so a fresh machine needs
//! nothing installed. Generated code goes to OUT_DIR and is never committed.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "vipcare/common/v1/common.proto",
    "vipcare/profile/v1/profile.proto",
    "vipcare/tiering/v1/tiering.proto",
    "vipcare/reminder/v1/reminder.proto",
    "vipcare/complaint/v1/complaint.proto",
    "vipcare/survey/v1/survey.proto",
    "vipcare/gateway/v1/gateway.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC from the environment.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("PROTOC", protoc)
    };
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let files: Vec<PathBuf> = PROTOS.iter().map(|p| root.join(p)).collect();
    let includes = [root.clone(), protoc_bin_vendored::include_path()?];
    tonic_prost_build::configure()
        // Maps encode in key order, so the same request always encodes to the same bytes: the
        // idempotency fingerprint of a request is the hash of its encoding.
        .btree_map(".")
        .file_descriptor_set_path(out.join("vipcare_descriptor.bin"))
        .compile_protos(&files, &includes)?;
    println!("cargo:rerun-if-changed={}", root.display());
    Ok(())
}
