//! `cargo xtask interop`: differential tests against Mastercard's reference Python and Node
//! libraries.
//!
//! The Python libraries are installed from PyPI, at pinned versions, into a virtual environment
//! under `target/`; the crates' `differential_python` tests then drive them through
//! `$MASTERCARD_REFERENCE_PYTHON`. The Node libraries come from npm (see [`crate::node`]).

use std::path::Path;

use crate::process::{cargo, run};
use crate::{Result, node};

/// The reference libraries, pinned.
const REFERENCE_PACKAGES: [&str; 2] = [
    "mastercard-oauth1-signer==1.9.2",
    "mastercard-client-encryption==1.23.3",
];

/// Creates (once) the venv with the reference libraries and returns its interpreter.
pub fn reference_python(root: &Path) -> Result<String> {
    let venv = root.join("target").join("interop-venv");
    let python = venv.join("bin").join("python");
    let python_text = python.to_string_lossy().into_owned();
    if !python.is_file() {
        let venv_text = venv.to_string_lossy().into_owned();
        run(root, "python3", &["-m", "venv", &venv_text], &[])?;
    }
    let mut install = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    install.extend(REFERENCE_PACKAGES);
    run(root, &python_text, &install, &[])?;
    Ok(python_text)
}

/// Runs every differential test (Python and Node references) and the sandbox's reference-client
/// test, with the reference libraries required.
pub fn interop(root: &Path) -> Result<()> {
    let python = reference_python(root)?;
    let node_modules = node::reference_node_modules(root)?;
    run(
        root,
        &cargo(),
        &[
            "test",
            "--locked",
            "-p",
            "mastercard-oauth1",
            "-p",
            "mastercard-jwe",
            "-p",
            "mastercard-sandbox",
            "--test",
            "differential_python",
            "--test",
            "differential_node",
            "--test",
            "reference_clients",
            "--",
            "--nocapture",
        ],
        &[
            ("MASTERCARD_REFERENCE_PYTHON", &python),
            ("MASTERCARD_REFERENCE_NODE_MODULES", &node_modules),
            ("MASTERCARD_INTEROP_REQUIRED", "1"),
        ],
    )
}
