//! Reading key files and telling their formats apart from content (and extension as a hint).

use std::fmt;
use std::path::Path;

use crate::error::KeyError;
use crate::pkcs12::Pkcs12Identity;
use crate::private_key::PrivateKey;

/// How to open a key file or buffer: the PKCS#12 alias and the password (PKCS#12 or encrypted PEM/PKCS#8).
///
/// `Debug` hides the password.
#[derive(Clone, Default)]
pub struct Pkcs12Options {
    /// The PKCS#12 `friendlyName` to select; `None` takes the container's key.
    pub alias: Option<String>,
    /// The container/key password; `None` means no password (an empty PKCS#12 password).
    pub password: Option<String>,
}

impl fmt::Debug for Pkcs12Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12Options")
            .field("alias", &self.alias)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl PrivateKey {
    /// Opens a DER PKCS#12 container and returns its key (see [`Pkcs12Identity::from_der`]).
    pub fn from_pkcs12_der(
        der: &[u8],
        alias: Option<&str>,
        password: &str,
    ) -> Result<Self, KeyError> {
        Pkcs12Identity::from_der(der, alias, password).map(|identity| identity.key)
    }

    /// Parses a key in any supported format, detected from the content: PEM (PKCS#8, PKCS#1,
    /// encrypted PKCS#8), PKCS#12, or DER PKCS#8/PKCS#1.
    pub fn from_bytes(bytes: &[u8], options: &Pkcs12Options) -> Result<Self, KeyError> {
        let password = options.password.as_deref();
        if looks_like_pem(bytes) {
            return Self::from_pem_with_password(bytes, password);
        }
        if looks_like_pkcs12(bytes) {
            return Self::from_pkcs12_der(bytes, options.alias.as_deref(), password.unwrap_or(""));
        }
        match (Self::from_der(bytes), password) {
            (Err(KeyError::Malformed { .. }), Some(password)) => {
                Self::from_encrypted_pkcs8_der(bytes, password)
            }
            (outcome, _) => outcome,
        }
    }

    /// Reads a key file in any supported format (see [`PrivateKey::from_bytes`]). A `.p12`/`.pfx`
    /// extension forces PKCS#12, so a damaged container is reported as such.
    pub fn from_file(path: impl AsRef<Path>, options: &Pkcs12Options) -> Result<Self, KeyError> {
        let path = path.as_ref();
        let bytes = read(path)?;
        if has_pkcs12_extension(path) {
            return Self::from_pkcs12_der(
                &bytes,
                options.alias.as_deref(),
                options.password.as_deref().unwrap_or(""),
            );
        }
        Self::from_bytes(&bytes, options)
    }
}

impl Pkcs12Identity {
    /// Reads a PKCS#12 file.
    pub fn from_file(path: impl AsRef<Path>, options: &Pkcs12Options) -> Result<Self, KeyError> {
        let bytes = read(path.as_ref())?;
        Self::from_der(
            &bytes,
            options.alias.as_deref(),
            options.password.as_deref().unwrap_or(""),
        )
    }
}

/// Reads a whole file, naming the path on failure.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|source| KeyError::Unreadable {
        path: path.to_path_buf(),
        source,
    })
}

/// PEM armour anywhere in the input (leading comments and bag attributes are common in exports).
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    crate::private_key::contains(bytes, b"-----BEGIN ")
}

/// A DER `PFX` starts `SEQUENCE { INTEGER 3, …`; PKCS#8 and PKCS#1 start with `INTEGER 0`.
fn looks_like_pkcs12(bytes: &[u8]) -> bool {
    let Some((&0x30, rest)) = bytes.split_first() else {
        return false;
    };
    let Some((&first_length_byte, rest)) = rest.split_first() else {
        return false;
    };
    // Short form: the length is the byte itself; long form: low bits give the count of length bytes.
    let skip = if first_length_byte & 0x80 == 0 {
        0
    } else {
        usize::from(first_length_byte & 0x7f)
    };
    rest.get(skip..skip + 3) == Some(&[0x02, 0x01, 0x03][..])
}

fn has_pkcs12_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            extension.eq_ignore_ascii_case("p12") || extension.eq_ignore_ascii_case("pfx")
        })
}
