//! `mastercard jwe …`: encrypt, decrypt and fingerprint Mastercard JWE payloads offline.
//!
//! Each subcommand reads JSON on stdin (or nothing, for `fingerprint`) and prints only its result,
//! so it can sit in a pipe between `curl` and `jq`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionConfigBuilder, EncryptionKey};
use mastercard_keys::{Certificate, Identity, Pkcs12Options, ValidityPolicy};

use crate::CliResult;

/// A fallible step whose error becomes the command's one-line failure message.
type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

/// `mastercard jwe` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Encrypt the JSON on stdin for Mastercard (RSA-OAEP-256 + A256GCM) and print the result.
    Encrypt {
        /// Mastercard's encryption certificate (PEM or DER). An expired or not yet valid
        /// certificate is refused.
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// Send this kid instead of the certificate's SPKI SHA-256 fingerprint.
        #[arg(long, value_name = "K")]
        kid: Option<String>,
        /// Use the certificate whatever its validity dates (test certificates only).
        #[arg(long)]
        ignore_cert_dates: bool,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Decrypt the JWE in the JSON on stdin and print the decrypted JSON.
    Decrypt {
        /// The decryption key: PKCS#12, PKCS#8 PEM/DER or PKCS#1 PEM (told apart by content).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[command(flatten)]
        password: PasswordArgs,
        /// Alias of the key in a PKCS#12 container.
        #[arg(long, value_name = "A")]
        key_alias: Option<String>,
        /// Decrypt even when the token's kid names another key.
        #[arg(long)]
        no_kid_check: bool,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Print the certificate's lowercase hex SPKI SHA-256 fingerprint (the JWE kid), whatever its
    /// validity dates.
    Fingerprint {
        /// The certificate (PEM or DER).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
    },
}

/// Where the decryption key's password comes from: a file or the environment keep it out of
/// `ps` and shell history; the command-line option is kept for throwaway keys.
#[derive(Args)]
pub struct PasswordArgs {
    /// Password of a PKCS#12 container or encrypted key. Visible to other users in `ps`: prefer
    /// --key-password-file or the MASTERCARD_DECRYPTION_KEY_PASSWORD environment variable.
    #[arg(long, value_name = "P", conflicts_with = "key_password_file")]
    key_password: Option<String>,
    /// Read the password from FILE (its first line, without the line ending). When neither
    /// option is given, the MASTERCARD_DECRYPTION_KEY_PASSWORD environment variable is used.
    #[arg(long, value_name = "FILE")]
    key_password_file: Option<PathBuf>,
}

/// Path mappings shared by `encrypt` and `decrypt`.
#[derive(Args)]
pub struct PathArgs {
    /// JSON path mapping IN:OUT (repeatable); defaults to `$:$` for encrypt and
    /// `$.encryptedData:$` for decrypt.
    #[arg(long = "path", value_name = "IN:OUT")]
    mappings: Vec<String>,
}

/// The environment variable holding the decryption key's password.
const PASSWORD_ENV: &str = "MASTERCARD_DECRYPTION_KEY_PASSWORD";

/// Largest stdin read, in bytes: the library accepts tokens of up to 32 MiB of ciphertext, whose
/// envelope is about 43 MiB; anything beyond 64 MiB is a mistake (such as `/dev/zero`).
const MAX_STDIN_LEN: u64 = 64 * 1024 * 1024;

/// Runs one `mastercard jwe` subcommand.
pub fn run(command: Command) -> CliResult {
    match command {
        Command::Encrypt {
            cert,
            kid,
            ignore_cert_dates,
            paths,
        } => {
            let validity = if ignore_cert_dates {
                ValidityPolicy::IgnoreDates
            } else {
                ValidityPolicy::enforce_now()
            };
            let mut key =
                EncryptionKey::from_certificate(&Certificate::from_file(&cert)?, validity)?;
            if let Some(kid) = kid {
                key = key.with_kid(kid);
            }
            let mut builder = strict_builder().encryption_key(key);
            for (input, output) in paths.parse()? {
                builder = builder.encryption_path(input, output);
            }
            let output = builder
                .build()?
                .encrypt_payload(&read_stdin("JSON to encrypt")?)?;
            print_line(&output)
        }
        Command::Decrypt {
            key,
            password,
            key_alias,
            no_kid_check,
            paths,
        } => {
            let options = Pkcs12Options {
                alias: key_alias,
                password: password.resolve()?,
            };
            let mut builder = strict_builder()
                .decryption_key(load_decryption_key(&key, &options)?)
                .skip_kid_check(no_kid_check);
            for (input, output) in paths.parse()? {
                builder = builder.decryption_path(input, output);
            }
            let output = builder
                .build()?
                .decrypt_payload(&read_stdin("JSON holding the JWE to decrypt")?)?;
            print_line(&output)
        }
        Command::Fingerprint { cert } => {
            // A fingerprint is needed for expired certificates too (to match an old kid).
            let key = EncryptionKey::from_certificate(
                &Certificate::from_file(&cert)?,
                ValidityPolicy::IgnoreDates,
            )?;
            print_line(key.kid().as_bytes())
        }
    }
}

/// A debugging tool should say when the path it was pointed at is absent (or holds no token),
/// rather than pass the input through as a client hook must.
fn strict_builder() -> EncryptionConfigBuilder {
    EncryptionConfig::builder().require_paths(true)
}

/// The key with its certificate when the file carries one (PKCS#12, or a PEM bundle), whose
/// fingerprints are then accepted as `kid` too. The format is told from the content.
///
/// The certificate's dates are not enforced here: reading a captured response with last
/// year's key is what a debugging tool is for.
fn load_decryption_key(path: &Path, options: &Pkcs12Options) -> Outcome<DecryptionKey> {
    let identity = Identity::from_file(path, options)?;
    Ok(DecryptionKey::from_pkcs12(&identity)?)
}

impl PasswordArgs {
    /// The password from the option, the file or the environment, in that order.
    fn resolve(self) -> Outcome<Option<String>> {
        if let Some(password) = self.key_password {
            return Ok(Some(password));
        }
        if let Some(path) = self.key_password_file {
            let bytes = mastercard_keys::read_file(&path)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                format!(
                    "--key-password-file {}: the password is not UTF-8 text",
                    path.display()
                )
            })?;
            let first_line = text.split(['\n', '\r']).next().unwrap_or_default();
            return Ok(Some(first_line.to_owned()));
        }
        match std::env::var_os(PASSWORD_ENV) {
            None => Ok(None),
            Some(value) => value
                .into_string()
                .map(Some)
                .map_err(|_| format!("{PASSWORD_ENV} is not UTF-8 text").into()),
        }
    }
}

impl PathArgs {
    fn parse(&self) -> Outcome<Vec<(String, String)>> {
        self.mappings
            .iter()
            .map(|mapping| match mapping.split_once(':') {
                Some((input, output)) => Ok((input.to_owned(), output.to_owned())),
                None => Err(format!("--path {mapping:?} is not IN:OUT").into()),
            })
            .collect()
    }
}

/// Reads stdin, which must hold something (`what`) and at most [`MAX_STDIN_LEN`] bytes.
fn read_stdin(what: &str) -> Outcome<Vec<u8>> {
    let mut input = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN_LEN + 1)
        .read_to_end(&mut input)?;
    if u64::try_from(input.len()).unwrap_or(u64::MAX) > MAX_STDIN_LEN {
        return Err(
            format!("stdin holds more than {MAX_STDIN_LEN} bytes; pipe the {what} only").into(),
        );
    }
    if input.trim_ascii().is_empty() {
        return Err(format!("stdin is empty: pipe the {what} into this command").into());
    }
    Ok(input)
}

fn print_line(bytes: &[u8]) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.write_all(b"\n")?;
    Ok(())
}
