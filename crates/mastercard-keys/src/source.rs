//! Where a private key comes from, in one vocabulary for every client: [`KeySource`], plus the
//! content-sniffing loaders behind it ([`PrivateKey::from_bytes`], [`PrivateKey::from_file`],
//! [`Identity::from_bytes`], [`Identity::from_file`]).
//!
//! The format is always told from the content (PEM armour, the PKCS#12 version field, else DER),
//! never from a file name, so a `.pem` that holds a PKCS#12 container still loads and a damaged
//! container is reported as what it is.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::certificate::Certificate;
use crate::error::KeyError;
use crate::identity::Identity;
use crate::private_key::PrivateKey;
use crate::read::read_file;
use crate::sniff::{self, Encoding};
use crate::validity::ValidityPolicy;

/// How to open a key file or buffer: the PKCS#12 alias and the password (PKCS#12 or encrypted PEM/PKCS#8).
///
/// `Debug` hides the password.
#[derive(Clone, Default)]
pub struct Pkcs12Options {
    /// The PKCS#12 `friendlyName` to select; `None` takes the container's key.
    pub alias: Option<String>,
    /// The container/key password; `None` (or empty) means none was given.
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
    /// Opens a DER PKCS#12 container and returns its key (see [`Identity::from_der`]).
    pub fn from_pkcs12_der(
        der: &[u8],
        alias: Option<&str>,
        password: &str,
    ) -> Result<Self, KeyError> {
        Identity::from_der(der, alias, password).map(|identity| identity.key)
    }

    /// Parses a key in any supported format, detected from the content: PEM (PKCS#8, PKCS#1,
    /// encrypted PKCS#8), PKCS#12, or DER PKCS#8/PKCS#1 (encrypted PKCS#8 too, given a password).
    ///
    /// An input that is something else says so ([`KeyError::WrongContent`]: empty, a certificate,
    /// a public key, …).
    pub fn from_bytes(bytes: &[u8], options: &Pkcs12Options) -> Result<Self, KeyError> {
        let password = options.password.as_deref().filter(|p| !p.is_empty());
        match sniff::encoding(bytes) {
            Encoding::Empty => Err(KeyError::WrongContent {
                expected: "a private key",
                found: "empty",
            }),
            Encoding::Pem => Self::from_pem_with_password(bytes, password),
            Encoding::Pkcs12 => {
                Self::from_pkcs12_der(bytes, options.alias.as_deref(), password.unwrap_or(""))
            }
            Encoding::OtherBinary => match (Self::from_der(bytes), password) {
                (Err(KeyError::Malformed { .. }), Some(password)) => {
                    Self::from_encrypted_pkcs8_der(bytes, password)
                }
                (outcome, _) => outcome,
            },
        }
    }

    /// Reads a key file in any supported format (see [`PrivateKey::from_bytes`]), through
    /// [`crate::read_file`] (regular files of at most [`crate::MAX_FILE_LEN`] bytes).
    pub fn from_file(path: impl AsRef<Path>, options: &Pkcs12Options) -> Result<Self, KeyError> {
        Self::from_bytes(&read_file(path)?, options)
    }
}

impl Identity {
    /// Parses a key with its certificates, detected from the content: a PKCS#12 container (key,
    /// certificate, chain), a PEM bundle (the key and any `CERTIFICATE` blocks: the key's own
    /// certificate becomes [`Identity::cert`], the others the chain) or a bare DER key.
    pub fn from_bytes(bytes: &[u8], options: &Pkcs12Options) -> Result<Self, KeyError> {
        let password = options.password.as_deref().filter(|p| !p.is_empty());
        match sniff::encoding(bytes) {
            Encoding::Pkcs12 => {
                Self::from_der(bytes, options.alias.as_deref(), password.unwrap_or(""))
            }
            Encoding::Pem => {
                let key = PrivateKey::from_pem_with_password(bytes, password)?;
                let certificates = if sniff::has_pem_label(bytes, "CERTIFICATE") {
                    Certificate::chain_from_pem(bytes)?
                } else {
                    Vec::new()
                };
                Self::from_key_and_certificates(key, certificates)
            }
            Encoding::Empty | Encoding::OtherBinary => {
                PrivateKey::from_bytes(bytes, options).map(Self::from_key)
            }
        }
    }

    /// Reads a PKCS#12 container or PEM bundle file (see [`Identity::from_bytes`]).
    pub fn from_file(path: impl AsRef<Path>, options: &Pkcs12Options) -> Result<Self, KeyError> {
        Self::from_bytes(&read_file(path)?, options)
    }
}

/// Where a private key — a signing key, a decryption key or an mTLS identity — comes from.
///
/// One vocabulary for every client builder: a PKCS#12 file with alias and password, PEM (or
/// DER) bytes or a file, or a key already loaded. [`load`](Self::load) reads and parses it, telling
/// the formats apart by content, and applies one [`ValidityPolicy`] to the certificate that came
/// with the key. `Debug` never shows the password or the bytes.
///
/// ```no_run
/// use mastercard_keys::{KeySource, ValidityPolicy};
/// # fn main() -> Result<(), mastercard_keys::KeyError> {
/// let signing = KeySource::pkcs12("signing.p12", Some("keyalias"), "keystorepassword");
/// let identity = signing.load(ValidityPolicy::enforce_now())?;
/// let key = identity.key; // plus identity.cert and identity.chain, for mTLS
/// # let _ = key;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KeySource {
    origin: Origin,
    options: Pkcs12Options,
}

#[derive(Clone)]
enum Origin {
    File(PathBuf),
    Bytes(Vec<u8>),
    Loaded(Box<Identity>),
}

impl KeySource {
    /// A PKCS#12 container file (`.p12`/`.pfx`, as Mastercard Developers issues them) with the
    /// key's alias (`None`: the container's only key) and the container password.
    pub fn pkcs12(
        path: impl Into<PathBuf>,
        alias: Option<&str>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            origin: Origin::File(path.into()),
            options: Pkcs12Options {
                alias: alias.map(str::to_owned),
                password: Some(password.into()),
            },
        }
    }

    /// A key file in any supported format (PEM bundle, PKCS#12, DER), told apart by content.
    /// Add a password with [`with_password`](Self::with_password) when it is encrypted.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            origin: Origin::File(path.into()),
            options: Pkcs12Options::default(),
        }
    }

    /// PEM bytes: a private key (PKCS#8, PKCS#1 or encrypted PKCS#8), optionally followed by its
    /// certificate and chain. DER or PKCS#12 bytes are recognised too.
    pub fn pem(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            origin: Origin::Bytes(bytes.into()),
            options: Pkcs12Options::default(),
        }
    }

    /// A certificate chain (leaf first or in any order) and its private key as two PEM inputs,
    /// the way mTLS identities are often stored; loaded as one PEM bundle.
    pub fn pem_identity(certificate_chain_pem: &[u8], key_pem: &[u8]) -> Self {
        // A newline between the two keeps the armour lines apart when the first lacks one.
        Self::pem([certificate_chain_pem, b"\n", key_pem].concat())
    }

    /// A key already loaded (e.g. generated, or from a secret store).
    pub fn loaded(key: PrivateKey) -> Self {
        Self::identity(Identity::from_key(key))
    }

    /// A key with its certificate and chain, already loaded.
    pub fn identity(identity: Identity) -> Self {
        Self {
            origin: Origin::Loaded(Box::new(identity)),
            options: Pkcs12Options::default(),
        }
    }

    /// Sets the password of a PKCS#12 container or an encrypted key.
    #[must_use]
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.options.password = Some(password.into());
        self
    }

    /// Selects the key of a PKCS#12 container by alias (`friendlyName`).
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.options.alias = Some(alias.into());
        self
    }

    /// The file this source reads, if any (for messages).
    pub fn path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::File(path) => Some(path),
            Origin::Bytes(_) | Origin::Loaded(_) => None,
        }
    }

    /// Reads and parses the key with its certificates, then checks the key's certificate (when the
    /// source has one) against `validity`.
    pub fn load(&self, validity: ValidityPolicy) -> Result<Identity, KeyError> {
        let identity = match &self.origin {
            Origin::File(path) => Identity::from_file(path, &self.options)?,
            Origin::Bytes(bytes) => Identity::from_bytes(bytes, &self.options)?,
            Origin::Loaded(identity) => (**identity).clone(),
        };
        identity.check_validity(validity)?;
        Ok(identity)
    }

    /// [`load`](Self::load), keeping only the key (signing and decryption).
    pub fn load_key(&self, validity: ValidityPolicy) -> Result<PrivateKey, KeyError> {
        self.load(validity).map(|identity| identity.key)
    }
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("KeySource");
        match &self.origin {
            Origin::File(path) => out.field("file", path),
            Origin::Bytes(bytes) => out.field("bytes", &format_args!("<{} bytes>", bytes.len())),
            Origin::Loaded(identity) => out.field("loaded", &identity.key),
        };
        out.field("alias", &self.options.alias)
            .field(
                "password",
                &self.options.password.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}
