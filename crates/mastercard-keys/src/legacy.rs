//! OpenSSL 3's `legacy` provider, loaded once on demand for old PKCS#12 containers.
//!
//! Why the provider and not a pure-Rust PKCS#12 parser: the workspace has exactly one crypto
//! backend (OpenSSL, which `josekit` already brings in), and Debian/Ubuntu ship `legacy.so` with
//! libssl3. The provider is loaded only when a container actually needs RC2-40/3DES, keeps the
//! default provider active (`retain_fallbacks`), and lives for the rest of the process.

use std::sync::OnceLock;

use openssl::provider::Provider;

use crate::error::{KeyError, describe};

/// The loaded provider (kept alive: unloading it would break later PKCS#12 reads) or why it failed.
static LEGACY: OnceLock<Result<Provider, String>> = OnceLock::new();

/// Makes sure the `legacy` provider is loaded in the default library context.
pub(crate) fn ensure_loaded() -> Result<(), KeyError> {
    let outcome = LEGACY
        .get_or_init(|| Provider::try_load(None, "legacy", true).map_err(|stack| describe(&stack)));
    match outcome {
        Ok(_) => Ok(()),
        Err(detail) => Err(KeyError::LegacyProviderUnavailable {
            detail: detail.clone(),
        }),
    }
}
