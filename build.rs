//! The workspace's one code-generation script. Each client crate points `package.build` here and
//! names its API in `[package.metadata.mastercard-codegen]`; this script then
//!
//! 1. reads that API's spec from the cache (`cargo xtask fetch`) or `$MASTERCARD_OPENAPI_DIR`,
//!    and refuses it unless it matches the sha256 pinned in `openapi/specs.lock`;
//! 2. applies the reviewed transformations in `openapi/<api>.transforms.toml`;
//! 3. runs progenitor and writes the formatted client to `$OUT_DIR/client.rs`, and the table of
//!    the spec's operations to `$OUT_DIR/operations.rs`; the crate `include!`s both. Generated
//!    code never leaves `OUT_DIR`.
//!
//! Failures print one `cargo::error` line saying what to run, never a panic.

use std::path::{Path, PathBuf};
use std::time::Instant;

use mastercard_codegen::generate::{ClientShape, Interface, TypedClient, generate};
use mastercard_codegen::layout::{Layout, SPEC_DIR_ENV};
use mastercard_codegen::pins::{SpecLock, read_pinned};
use mastercard_codegen::{CodegenError, parse_spec, surface, transform};

/// Generates the builder-style client instead, only to measure its cost (the crates' own code and
/// tests use the positional methods and will not compile against it).
const INTERFACE_ENV: &str = "MASTERCARD_CODEGEN_INTERFACE";

fn main() {
    if let Err(error) = run() {
        println!("cargo::error={error}");
    }
}

/// What a client crate's manifest says about its API.
struct ClientMetadata {
    api: String,
    shape: ClientShape,
}

fn run() -> Result<(), CodegenError> {
    let started = Instant::now();
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let metadata = read_metadata(&manifest_dir.join("Cargo.toml"))?;
    let layout = Layout::discover(&manifest_dir)?;
    let transforms_path = layout.transforms_path(&metadata.api);

    println!("cargo::rerun-if-env-changed={SPEC_DIR_ENV}");
    println!("cargo::rerun-if-env-changed={INTERFACE_ENV}");
    println!("cargo::rerun-if-changed={}", layout.lock_path().display());
    println!("cargo::rerun-if-changed={}", transforms_path.display());

    let lock = SpecLock::load(&layout.lock_path())?;
    let spec_path = layout.spec_dir.join(&lock.get(&metadata.api)?.file);
    println!("cargo::rerun-if-changed={}", spec_path.display());
    let (_, bytes) = read_pinned(&layout, &lock, &metadata.api)?;

    let mut spec = parse_spec(&bytes)?;
    write(
        &out_dir.join("operations.rs"),
        &surface::render_operation_table(&spec),
    )?;
    let report = transform::apply(&mut spec, &transform::load(&transforms_path)?)?;
    let generated = generate(&metadata.api, &spec, &report, &metadata.shape)?;
    write(&out_dir.join("client.rs"), &generated.source)?;
    write(&out_dir.join("typed_methods.rs"), &generated.typed_methods)?;

    if std::env::var_os("MASTERCARD_CODEGEN_TIMINGS").is_some() {
        println!(
            "cargo::warning={}: {} generated lines; generate_tokens {:?}, format {:?}, build script total {:?}",
            metadata.api,
            generated.lines(),
            generated.generate_time,
            generated.format_time,
            started.elapsed()
        );
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), CodegenError> {
    std::fs::write(path, text).map_err(|source| CodegenError::Io {
        action: "cannot write",
        path: path.to_path_buf(),
        source,
    })
}

fn env(name: &str) -> Result<String, CodegenError> {
    std::env::var(name).map_err(|_| CodegenError::Config {
        path: PathBuf::from("build.rs"),
        message: format!("{name} is not set; this script only runs under cargo"),
    })
}

fn read_metadata(manifest: &Path) -> Result<ClientMetadata, CodegenError> {
    let invalid = |message: &str| CodegenError::Config {
        path: manifest.to_path_buf(),
        message: message.to_owned(),
    };
    let text = std::fs::read_to_string(manifest).map_err(|source| CodegenError::Io {
        action: "cannot read",
        path: manifest.to_path_buf(),
        source,
    })?;
    let value: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| invalid(&error.to_string()))?;
    let section = value
        .get("package")
        .and_then(|package| package.get("metadata"))
        .and_then(|metadata| metadata.get("mastercard-codegen"))
        .ok_or_else(|| invalid("missing [package.metadata.mastercard-codegen]"))?;
    let field = |name: &str| {
        section
            .get(name)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                invalid(&format!(
                    "[package.metadata.mastercard-codegen] needs a string `{name}`"
                ))
            })
    };
    Ok(ClientMetadata {
        api: field("api")?,
        shape: ClientShape {
            inner_type: field("inner_type")?,
            interface: match std::env::var(INTERFACE_ENV).as_deref() {
                Ok("builder") => Interface::Builder,
                _ => Interface::Positional,
            },
            typed: match (field("typed_client"), field("typed_error")) {
                (Ok(client), Ok(error)) => Some(TypedClient { client, error }),
                _ => None,
            },
        },
    })
}
