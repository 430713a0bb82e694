//! `mastercard jwe …`: encrypt, decrypt and fingerprint Mastercard JWE payloads offline.
//!
//! Each subcommand reads JSON on stdin (or nothing, for `fingerprint`) and prints only its result,
//! so it can sit in a pipe between `curl` and `jq`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionConfigBuilder, EncryptionKey};
use mastercard_keys::{Certificate, Pkcs12Identity, Pkcs12Options, PrivateKey, ValidityPolicy};

use crate::CliResult;

/// A fallible step whose error becomes the command's one-line failure message.
type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

/// `mastercard jwe` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Encrypt the JSON on stdin for Mastercard (RSA-OAEP-256 + A256GCM) and print the result.
    Encrypt {
        /// Mastercard's encryption certificate (PEM or DER).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// Send this kid instead of the certificate's SPKI SHA-256 fingerprint.
        #[arg(long, value_name = "K")]
        kid: Option<String>,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Decrypt the JWE in the JSON on stdin and print the decrypted JSON.
    Decrypt {
        /// The decryption key: PKCS#12 (.p12/.pfx), PKCS#8 PEM/DER or PKCS#1 PEM.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Password of a PKCS#12 container or encrypted key.
        #[arg(long, value_name = "P")]
        key_password: Option<String>,
        /// Alias of the key in a PKCS#12 container.
        #[arg(long, value_name = "A")]
        key_alias: Option<String>,
        /// Decrypt even when the token's kid names another key.
        #[arg(long)]
        no_kid_check: bool,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Print the certificate's lowercase hex SPKI SHA-256 fingerprint (the JWE kid).
    Fingerprint {
        /// The certificate (PEM or DER).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
    },
}

/// Path mappings shared by `encrypt` and `decrypt`.
#[derive(Args)]
pub struct PathArgs {
    /// JSON path mapping IN:OUT (repeatable); defaults to `$:$` for encrypt and
    /// `$.encryptedData:$` for decrypt.
    #[arg(long = "path", value_name = "IN:OUT")]
    mappings: Vec<String>,
}

/// Runs one `mastercard jwe` subcommand.
pub fn run(command: Command) -> CliResult {
    match command {
        Command::Encrypt { cert, kid, paths } => {
            let mut key = EncryptionKey::from_certificate(
                &Certificate::from_file(&cert)?,
                ValidityPolicy::enforce_now(),
            )?;
            if let Some(kid) = kid {
                key = key.with_kid(kid);
            }
            let mut builder = strict_builder().encryption_key(key);
            for (input, output) in paths.parse()? {
                builder = builder.encryption_path(input, output);
            }
            let output = builder.build()?.encrypt_payload(&read_stdin()?)?;
            print_line(&output)
        }
        Command::Decrypt {
            key,
            key_password,
            key_alias,
            no_kid_check,
            paths,
        } => {
            let options = Pkcs12Options {
                alias: key_alias,
                password: key_password,
            };
            let mut builder = strict_builder()
                .decryption_key(load_decryption_key(&key, &options)?)
                .skip_kid_check(no_kid_check);
            for (input, output) in paths.parse()? {
                builder = builder.decryption_path(input, output);
            }
            let output = builder.build()?.decrypt_payload(&read_stdin()?)?;
            print_line(&output)
        }
        Command::Fingerprint { cert } => {
            let key = EncryptionKey::from_certificate(
                &Certificate::from_file(&cert)?,
                ValidityPolicy::enforce_now(),
            )?;
            print_line(key.kid().as_bytes())
        }
    }
}

/// A debugging tool should say when the path it was pointed at is absent, rather than pass the
/// input through as a client hook must.
fn strict_builder() -> EncryptionConfigBuilder {
    EncryptionConfig::builder().require_paths(true)
}

/// PKCS#12 files keep their certificate, whose fingerprints are then accepted as `kid` too.
fn load_decryption_key(path: &Path, options: &Pkcs12Options) -> Outcome<DecryptionKey> {
    let is_pkcs12 = path
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("p12") || ext.eq_ignore_ascii_case("pfx"));
    let key = if is_pkcs12 {
        DecryptionKey::from_pkcs12(&Pkcs12Identity::from_file(path, options)?)?
    } else {
        DecryptionKey::from_private_key(&PrivateKey::from_file(path, options)?)?
    };
    Ok(key)
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

fn read_stdin() -> Outcome<Vec<u8>> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input)?;
    Ok(input)
}

fn print_line(bytes: &[u8]) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.write_all(b"\n")?;
    Ok(())
}
