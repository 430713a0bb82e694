//! The sandbox's throwaway PKI: created on first start in the state directory, reused afterwards.
//!
//! Everything is generated with OpenSSL (the workspace's one crypto backend). The keys are
//! worthless outside the sandbox: never copy them anywhere that matters.

use std::fs;
use std::path::{Path, PathBuf};

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
};
use openssl::x509::{X509, X509NameBuilder};

use crate::SandboxError;

/// Password of every PKCS#12 file the sandbox writes (they protect throwaway keys only).
pub const PKCS12_PASSWORD: &str = "sandbox";
/// Alias (`friendlyName`) of the key in every PKCS#12 file the sandbox writes.
pub const PKCS12_ALIAS: &str = "sandbox";
/// Length of a generated consumer key: 48 characters, `!`, 48 hex digits (the shape of the
/// keys Mastercard's developer portal issues).
pub const CONSUMER_KEY_LEN: usize = 97;

/// A fresh consumer key in Mastercard's shape: 48 random characters of the base64url alphabet,
/// `!`, and a 48-hex-digit id (also random). The `!` matters: it is the character Mastercard's
/// signers put raw into the parameter string, so a client that encodes it wrongly fails here as
/// it would at Mastercard.
pub fn generate_consumer_key() -> Result<String, SandboxError> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut random = [0u8; 48 + 24];
    openssl::rand::rand_bytes(&mut random)?;
    let (left, right) = random.split_at(48);
    let mut key = String::with_capacity(CONSUMER_KEY_LEN);
    // 64 symbols: the low 6 bits of a uniform byte are uniform.
    key.extend(
        left.iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 0x3f)])),
    );
    key.push('!');
    for byte in right {
        key.push_str(&format!("{byte:02x}"));
    }
    Ok(key)
}

/// Where each credential lives in the state directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The state directory itself.
    pub dir: PathBuf,
    /// The sandbox CA certificate (PEM): trust it for both listeners' server certificates.
    pub ca_cert: PathBuf,
    /// The CA's private key (PEM); only the sandbox uses it.
    pub ca_key: PathBuf,
    /// The server certificate (PEM; SANs 127.0.0.1, ::1 and localhost).
    pub server_cert: PathBuf,
    /// The server's private key (PEM).
    pub server_key: PathBuf,
    /// The mTLS client certificate (PEM) for Identity Insights.
    pub client_cert: PathBuf,
    /// The mTLS client key (PKCS#8 PEM).
    pub client_key: PathBuf,
    /// The mTLS client certificate + key as PKCS#12 ([`PKCS12_ALIAS`], [`PKCS12_PASSWORD`]).
    pub client_p12: PathBuf,
    /// A text file holding the OAuth1 consumer key.
    pub consumer_key_file: PathBuf,
    /// The OAuth1 consumer key (the content of `consumer_key_file`).
    pub consumer_key: String,
    /// The OAuth1 signing key as PKCS#12 ([`PKCS12_ALIAS`], [`PKCS12_PASSWORD`]).
    pub signing_p12: PathBuf,
    /// The OAuth1 signing key (PKCS#8 PEM), for tools that do not read PKCS#12.
    pub signing_key: PathBuf,
    /// The OAuth1 signing certificate (PEM): what the sandbox verifies signatures with.
    pub signing_cert: PathBuf,
    /// The server's JWE encryption certificate (PEM): clients encrypt requests to it.
    pub jwe_server_cert: PathBuf,
    /// The server's JWE decryption key (PEM); only the sandbox uses it.
    pub jwe_server_key: PathBuf,
    /// The client's JWE certificate (PEM): the sandbox encrypts responses to it.
    pub jwe_client_cert: PathBuf,
    /// The client's JWE decryption key (PKCS#8 PEM).
    pub jwe_client_key: PathBuf,
    /// The client's JWE decryption key as PKCS#12 ([`PKCS12_ALIAS`], [`PKCS12_PASSWORD`]).
    pub jwe_client_p12: PathBuf,
    /// The SQLite file used when persistence is on.
    pub database: PathBuf,
}

impl Credentials {
    /// The layout of `dir` (files are not touched).
    pub fn layout(dir: &Path, consumer_key: String) -> Self {
        let at = |name: &str| dir.join(name);
        Self {
            dir: dir.to_path_buf(),
            ca_cert: at("ca.pem"),
            ca_key: at("ca-key.pem"),
            server_cert: at("server.pem"),
            server_key: at("server-key.pem"),
            client_cert: at("client.pem"),
            client_key: at("client-key.pem"),
            client_p12: at("client.p12"),
            consumer_key_file: at("oauth1-consumer-key.txt"),
            consumer_key,
            signing_p12: at("oauth1-signing.p12"),
            signing_key: at("oauth1-signing-key.pem"),
            signing_cert: at("oauth1-signing.pem"),
            jwe_server_cert: at("jwe-server.pem"),
            jwe_server_key: at("jwe-server-key.pem"),
            jwe_client_cert: at("jwe-client.pem"),
            jwe_client_key: at("jwe-client-key.pem"),
            jwe_client_p12: at("jwe-client.p12"),
            database: at("sandbox.sqlite"),
        }
    }

    /// Creates the PKI in `dir` unless it is already complete there, and returns its layout.
    pub fn ensure(dir: &Path) -> Result<Self, SandboxError> {
        fs::create_dir_all(dir).map_err(|e| SandboxError::io(dir, e))?;
        let probe = Self::layout(dir, String::new());
        if probe.consumer_key_file.exists() && probe.all_files().iter().all(|p| p.exists()) {
            let key = read_consumer_key(&probe.consumer_key_file)?;
            return Ok(Self::layout(dir, key));
        }
        let creds = Self::layout(dir, generate_consumer_key()?);
        generate(&creds)?;
        Ok(creds)
    }

    fn all_files(&self) -> Vec<&Path> {
        vec![
            &self.ca_cert,
            &self.ca_key,
            &self.server_cert,
            &self.server_key,
            &self.client_cert,
            &self.client_key,
            &self.client_p12,
            &self.signing_p12,
            &self.signing_key,
            &self.signing_cert,
            &self.jwe_server_cert,
            &self.jwe_server_key,
            &self.jwe_client_cert,
            &self.jwe_client_key,
            &self.jwe_client_p12,
        ]
    }

    /// The OAuth1 signing key, loaded from its PKCS#12 file (for an in-process client or demo).
    pub fn oauth1_signing_key(&self) -> Result<mastercard_keys::PrivateKey, SandboxError> {
        Ok(mastercard_keys::PrivateKey::from_file(
            &self.signing_p12,
            &mastercard_keys::Pkcs12Options {
                alias: Some(PKCS12_ALIAS.to_owned()),
                password: Some(PKCS12_PASSWORD.to_owned()),
            },
        )?)
    }

    /// The CA certificate (DER) to trust for both listeners.
    pub fn ca_der(&self) -> Result<Vec<u8>, SandboxError> {
        Ok(mastercard_keys::Certificate::from_file(&self.ca_cert)?.to_der()?)
    }

    /// A human-readable list of the files, printed on start.
    pub fn describe(&self) -> String {
        format!(
            "sandbox credentials in {dir}\n  CA certificate (trust it):        {ca}\n  mTLS client cert / key / PKCS#12: {cc} / {ck} / {cp}\n  OAuth1 consumer key:              {key} (in {kf})\n  OAuth1 signing key PKCS#12:       {sp} (alias {alias}, password {pw})\n  JWE: encrypt requests to:         {js}\n  JWE: decrypt responses with:      {jk} / {jp}",
            dir = self.dir.display(),
            ca = self.ca_cert.display(),
            cc = self.client_cert.display(),
            ck = self.client_key.display(),
            cp = self.client_p12.display(),
            key = self.consumer_key,
            kf = self.consumer_key_file.display(),
            sp = self.signing_p12.display(),
            alias = PKCS12_ALIAS,
            pw = PKCS12_PASSWORD,
            js = self.jwe_server_cert.display(),
            jk = self.jwe_client_key.display(),
            jp = self.jwe_client_p12.display(),
        )
    }
}

/// Reads a consumer key file: one line of printable ASCII without spaces, at most 1 KiB (a
/// Mastercard key is 97 characters).
fn read_consumer_key(path: &Path) -> Result<String, SandboxError> {
    use std::io::Read;
    const MAX: u64 = 1024;
    let file = fs::File::open(path).map_err(|e| SandboxError::io(path, e))?;
    let mut text = String::new();
    file.take(MAX + 1)
        .read_to_string(&mut text)
        .map_err(|e| SandboxError::io(path, e))?;
    let key = text.trim();
    let valid = !key.is_empty()
        && u64::try_from(text.len()).is_ok_and(|n| n <= MAX)
        && key.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(SandboxError::InFile {
            path: path.to_path_buf(),
            source: Box::new(SandboxError::Corrupt(
                "not a consumer key (expected one line of printable ASCII without spaces, at most 1 KiB); delete the state directory to generate new credentials".into(),
            )),
        });
    }
    Ok(key.to_owned())
}

/// A freshly generated key and the certificate the CA issued for it.
pub struct Issued {
    /// The key.
    pub key: PKey<Private>,
    /// The certificate.
    pub cert: X509,
}

/// What a certificate is for; decides its extensions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// A CA that signs the others.
    Ca,
    /// A TLS server (SANs for loopback).
    Server,
    /// A TLS client (mTLS).
    Client,
    /// A key pair that only needs a certificate to carry its public key (OAuth1, JWE).
    Plain,
}

/// Generates a self-signed CA named `name`.
pub fn new_ca(name: &str) -> Result<Issued, SandboxError> {
    let key = rsa_key()?;
    let cert = build(name, &key, None, Usage::Ca)?;
    Ok(Issued { key, cert })
}

/// Issues a certificate for a fresh key, signed by `ca`.
pub fn issue(ca: &Issued, name: &str, usage: Usage) -> Result<Issued, SandboxError> {
    let key = rsa_key()?;
    let cert = build(name, &key, Some(ca), usage)?;
    Ok(Issued { key, cert })
}

fn rsa_key() -> Result<PKey<Private>, SandboxError> {
    Ok(PKey::from_rsa(Rsa::generate(2048)?)?)
}

fn build(
    name: &str,
    key: &PKey<Private>,
    issuer: Option<&Issued>,
    usage: Usage,
) -> Result<X509, SandboxError> {
    let mut subject = X509NameBuilder::new()?;
    subject.append_entry_by_text("O", "mastercard-sandbox")?;
    subject.append_entry_by_text("CN", name)?;
    let subject = subject.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(128, MsbOption::MAYBE_ZERO, false)?;
    b.set_serial_number(Asn1Integer::from_bn(&serial)?.as_ref())?;
    b.set_subject_name(&subject)?;
    b.set_issuer_name(issuer.map_or(&subject, |ca| ca.cert.subject_name()))?;
    b.set_pubkey(key)?;
    b.set_not_after(Asn1Time::days_from_now(3650)?.as_ref())?;
    // Back-dated a day so that clocks slightly behind still accept it.
    let not_before = Asn1Time::from_unix(unix_now().saturating_sub(86_400))?;
    b.set_not_before(&not_before)?;
    match usage {
        Usage::Ca => {
            b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
            b.append_extension(
                KeyUsage::new()
                    .critical()
                    .key_cert_sign()
                    .crl_sign()
                    .build()?,
            )?;
        }
        Usage::Server | Usage::Client => {
            b.append_extension(BasicConstraints::new().critical().build()?)?;
            b.append_extension(
                KeyUsage::new()
                    .critical()
                    .digital_signature()
                    .key_encipherment()
                    .build()?,
            )?;
            let eku = if usage == Usage::Server {
                ExtendedKeyUsage::new().server_auth().build()?
            } else {
                ExtendedKeyUsage::new().client_auth().build()?
            };
            b.append_extension(eku)?;
            if usage == Usage::Server {
                let ctx = b.x509v3_context(issuer.map(|ca| ca.cert.as_ref()), None);
                let san = SubjectAlternativeName::new()
                    .ip("127.0.0.1")
                    .ip("::1")
                    .dns("localhost")
                    .build(&ctx)?;
                b.append_extension(san)?;
            }
        }
        Usage::Plain => {
            b.append_extension(BasicConstraints::new().critical().build()?)?;
        }
    }
    let signing_key = issuer.map_or(key, |ca| &ca.key);
    b.sign(signing_key, MessageDigest::sha256())?;
    Ok(b.build())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// PKCS#12 of `issued` (and the CA in its chain), with [`PKCS12_ALIAS`] / [`PKCS12_PASSWORD`].
pub fn pkcs12(issued: &Issued, ca: Option<&X509>) -> Result<Vec<u8>, SandboxError> {
    let mut b = Pkcs12::builder();
    b.name(PKCS12_ALIAS).pkey(&issued.key).cert(&issued.cert);
    if let Some(ca) = ca {
        let mut stack = openssl::stack::Stack::new()?;
        stack.push(ca.clone())?;
        b.ca(stack);
    }
    Ok(b.build2(PKCS12_PASSWORD)?.to_der()?)
}

fn generate(c: &Credentials) -> Result<(), SandboxError> {
    let ca = new_ca("mastercard-sandbox CA")?;
    let server = issue(&ca, "localhost", Usage::Server)?;
    let client = issue(&ca, "mastercard-sandbox mTLS client", Usage::Client)?;
    let signing = issue(&ca, "mastercard-sandbox OAuth1 signing", Usage::Plain)?;
    let jwe_server = issue(&ca, "mastercard-sandbox JWE server", Usage::Plain)?;
    let jwe_client = issue(&ca, "mastercard-sandbox JWE client", Usage::Plain)?;
    let pem_key = |k: &PKey<Private>| k.private_key_to_pem_pkcs8();
    let files: Vec<(&Path, Vec<u8>)> = vec![
        (&c.ca_cert, ca.cert.to_pem()?),
        (&c.ca_key, pem_key(&ca.key)?),
        (&c.server_cert, server.cert.to_pem()?),
        (&c.server_key, pem_key(&server.key)?),
        (&c.client_cert, client.cert.to_pem()?),
        (&c.client_key, pem_key(&client.key)?),
        (&c.client_p12, pkcs12(&client, Some(&ca.cert))?),
        (&c.signing_p12, pkcs12(&signing, None)?),
        (&c.signing_key, pem_key(&signing.key)?),
        (&c.signing_cert, signing.cert.to_pem()?),
        (&c.jwe_server_cert, jwe_server.cert.to_pem()?),
        (&c.jwe_server_key, pem_key(&jwe_server.key)?),
        (&c.jwe_client_cert, jwe_client.cert.to_pem()?),
        (&c.jwe_client_key, pem_key(&jwe_client.key)?),
        (&c.jwe_client_p12, pkcs12(&jwe_client, None)?),
        (&c.consumer_key_file, c.consumer_key.as_bytes().to_vec()),
    ];
    // The consumer key file is written last: its presence marks a complete PKI.
    for (path, bytes) in files {
        fs::write(path, bytes).map_err(|e| SandboxError::io(path, e))?;
    }
    Ok(())
}
