//! `fetch`, `regen`, `check` and `transforms`: the spec pipeline's commands.

use std::path::Path;

use mastercard_codegen::layout::Layout;
use mastercard_codegen::pins::{PinnedSpec, SpecLock, read_pinned, sha256_hex, verify};
use mastercard_codegen::{parse_spec, surface, transform};
use serde_json::Value;
use similar::TextDiff;

use crate::Result;
use crate::download::Source;

fn layout(root: &Path) -> Result<(Layout, SpecLock)> {
    let layout = Layout::discover(root)?;
    let lock = SpecLock::load(&layout.lock_path())?;
    Ok((layout, lock))
}

/// Writes a file through a temporary sibling, so a crash never leaves half a spec in the cache.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    let temporary = path.with_extension("partial");
    std::fs::write(&temporary, bytes)
        .map_err(|error| format!("cannot write {}: {error}", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(())
}

/// `cargo xtask fetch`.
pub fn fetch(root: &Path) -> Result<()> {
    let (layout, lock) = layout(root)?;
    let source = Source::from_env()?;
    for (api, pin) in &lock.apis {
        fetch_one(&layout, &source, api, pin)?;
    }
    Ok(())
}

/// Fetches only the specs whose cached copy is missing or does not match its pin, so a demo on
/// a machine that fetched once needs no network.
pub fn ensure_cached(root: &Path) -> Result<()> {
    let (layout, lock) = layout(root)?;
    let stale: Vec<_> = lock
        .apis
        .iter()
        .filter(|(_, pin)| {
            std::fs::read(layout.spec_dir.join(&pin.file))
                .map_or(true, |bytes| sha256_hex(&bytes) != pin.sha256)
        })
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let source = Source::from_env()?;
    for (api, pin) in stale {
        fetch_one(&layout, &source, api, pin)?;
    }
    Ok(())
}

fn fetch_one(layout: &Layout, source: &Source, api: &str, pin: &PinnedSpec) -> Result<()> {
    let location = source.location(pin);
    let bytes = source.get(pin)?;
    // Verify before writing: a spec that does not match its pin never reaches the cache.
    verify(api, pin, Path::new(&location), &bytes)?;
    write_atomically(&layout.spec_dir.join(&pin.file), &bytes)?;
    println!(
        "{api}: {} ({} bytes, sha256 {}) from {location}",
        pin.file,
        bytes.len(),
        pin.sha256
    );
    Ok(())
}

/// The spec's `info.version`.
fn info_version(spec: &Value) -> String {
    spec.pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// `cargo xtask regen`. Every API is downloaded and checked first; files are written only when
/// all of them passed, so a failure leaves the cache, the snapshots and the lock consistent.
pub fn regen(root: &Path) -> Result<()> {
    let (layout, mut lock) = layout(root)?;
    let source = Source::from_env()?;
    let mut adopted = Vec::new();
    for (api, pin) in &lock.apis {
        let bytes = source.get(pin)?;
        let mut spec = parse_spec(&bytes)?;
        let snapshot = surface::render(&spec);
        let updated = PinnedSpec {
            sha256: sha256_hex(&bytes),
            info_version: info_version(&spec),
            ..pin.clone()
        };
        // A transformation that no longer finds its target must be reviewed before the pin moves.
        transform::apply(&mut spec, &transform::load(&layout.transforms_path(api))?)?;
        if updated == *pin {
            println!("{api}: unchanged (sha256 {})", pin.sha256);
        } else {
            println!(
                "{api}: sha256 {} -> {}, info.version {} -> {}",
                pin.sha256, updated.sha256, pin.info_version, updated.info_version
            );
        }
        adopted.push((api.clone(), updated, bytes, snapshot));
    }
    for (api, updated, bytes, snapshot) in adopted {
        write_atomically(&layout.spec_dir.join(&updated.file), &bytes)?;
        write_atomically(&layout.surface_path(&api), snapshot.as_bytes())?;
        lock.apis.insert(api, updated);
    }
    write_atomically(&layout.lock_path(), lock.render()?.as_bytes())?;
    println!("review `git diff openapi/` and commit the lock and surface snapshots together");
    Ok(())
}

/// One reason the drift check fails.
struct Drift {
    api: String,
    problem: String,
}

/// `cargo xtask check`.
pub fn check(root: &Path) -> Result<()> {
    let (layout, lock) = layout(root)?;
    let drifts = find_drift(&layout, &lock);
    if drifts.is_empty() {
        println!(
            "specs match their pins and the surface snapshots are current ({} APIs)",
            lock.apis.len()
        );
        return Ok(());
    }
    for drift in &drifts {
        eprintln!("{}: {}", drift.api, drift.problem);
    }
    Err(format!(
        "drift check failed for {}; if the upstream change is intended, run `cargo xtask regen` and review the diff",
        drifts.iter().map(|drift| drift.api.as_str()).collect::<Vec<_>>().join(", ")
    )
    .into())
}

fn find_drift(layout: &Layout, lock: &SpecLock) -> Vec<Drift> {
    let mut drifts = Vec::new();
    for (api, pin) in &lock.apis {
        let mut report = |problem: String| {
            drifts.push(Drift {
                api: api.clone(),
                problem,
            })
        };
        let bytes = match read_pinned(layout, lock, api) {
            Ok((_, bytes)) => bytes,
            Err(error) => {
                report(error.to_string());
                continue;
            }
        };
        let mut spec = match parse_spec(&bytes) {
            Ok(spec) => spec,
            Err(error) => {
                report(error.to_string());
                continue;
            }
        };
        if info_version(&spec) != pin.info_version {
            report(format!(
                "info.version is {:?} but openapi/specs.lock says {:?}",
                info_version(&spec),
                pin.info_version
            ));
        }
        let rendered = surface::render(&spec);
        let surface_path = layout.surface_path(api);
        match std::fs::read_to_string(&surface_path) {
            Ok(committed) if committed == rendered => {}
            Ok(committed) => report(format!(
                "the API surface differs from {} (- committed, + regenerated):\n{}",
                surface_path.display(),
                TextDiff::from_lines(&committed, &rendered)
                    .unified_diff()
                    .context_radius(2)
                    .header("committed", "regenerated")
            )),
            Err(error) => report(format!("cannot read {}: {error}", surface_path.display())),
        }
        let transforms = transform::load(&layout.transforms_path(api));
        if let Err(error) =
            transforms.and_then(|transforms| transform::apply(&mut spec, &transforms))
        {
            report(format!("a transformation no longer applies: {error}"));
        }
    }
    drifts
}

/// `cargo xtask transforms`.
pub fn print_transforms(root: &Path) -> Result<()> {
    let (layout, lock) = layout(root)?;
    for api in lock.apis.keys() {
        let (_, bytes) = read_pinned(&layout, &lock, api)?;
        let mut spec = parse_spec(&bytes)?;
        let transforms = transform::load(&layout.transforms_path(api))?;
        let report = transform::apply(&mut spec, &transforms)?;
        println!("{api}:");
        for (kind, count) in report.counts() {
            println!("  {count:>3}  {kind}");
        }
        for change in &report.changes {
            println!("       {} {}: {}", change.kind, change.pointer, change.what);
        }
    }
    Ok(())
}
