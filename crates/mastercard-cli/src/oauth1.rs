//! `mastercard oauth1 …`: sign a request offline the way Mastercard's gateway expects, to compare
//! with a rejected request ("signature did not match").
//!
//! `sign` prints only the `Authorization` header value (or, with `--base-string`, only the
//! signature base string), so the output can go straight into `curl -H "Authorization: $(…)"`.

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;
use mastercard_keys::{Pkcs12Options, PrivateKey};
use mastercard_oauth1::{Request, SignatureMethod, Signer, SigningParams};

use crate::CliResult;

/// `mastercard oauth1` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Sign a request and print the Authorization header value.
    Sign(SignArgs),
}

/// Arguments of `mastercard oauth1 sign`. Every option also works as `--option=value`, which is
/// the safe form for values starting with `-`.
#[derive(clap::Args)]
pub struct SignArgs {
    /// HTTP method (e.g. GET, POST).
    #[arg(long, value_name = "M")]
    method: String,
    /// The absolute URL exactly as it will be sent (path and query are signed as written).
    #[arg(long, value_name = "U")]
    url: String,
    /// File holding the exact body bytes (`-` reads stdin); no file means an empty body.
    #[arg(long, value_name = "F")]
    body_file: Option<PathBuf>,
    /// Consumer key from your Mastercard Developers project (may start with `-`).
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    consumer_key: String,
    /// Signing key: PKCS#12 (.p12/.pfx), PKCS#8 PEM/DER or PKCS#1 PEM/DER.
    #[arg(long, value_name = "FILE")]
    signing_key: PathBuf,
    /// Alias of the key in a PKCS#12 container.
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    key_alias: Option<String>,
    /// Password of the PKCS#12 container (or of an encrypted PKCS#8 key).
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    key_password: Option<String>,
    /// Nonce to use instead of a random one (to reproduce a gateway error).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    nonce: Option<String>,
    /// Timestamp (seconds since 1970) to use instead of the current time.
    #[arg(long, value_name = "T")]
    timestamp: Option<u64>,
    /// Signature method.
    #[arg(long, value_name = "METHOD", default_value = "RSA-SHA256", value_parser = parse_signature_method)]
    signature_method: SignatureMethod,
    /// Print the signature base string instead of the header.
    #[arg(long)]
    base_string: bool,
}

fn parse_signature_method(text: &str) -> Result<SignatureMethod, String> {
    text.parse()
        .map_err(|error: mastercard_oauth1::UnknownSignatureMethod| error.to_string())
}

/// Runs one `mastercard oauth1` subcommand.
pub fn run(command: Command) -> CliResult {
    match command {
        Command::Sign(args) => sign(args),
    }
}

fn sign(args: SignArgs) -> CliResult {
    let body = read_body(args.body_file.as_ref())?;
    let options = Pkcs12Options {
        alias: args.key_alias,
        password: args.key_password,
    };
    let key = PrivateKey::from_file(&args.signing_key, &options)?;
    let signer = Signer::new(args.consumer_key, key)?.with_signature_method(args.signature_method);
    let mut params = SigningParams::now()?;
    if let Some(timestamp) = args.timestamp {
        params.timestamp = timestamp;
    }
    if let Some(nonce) = args.nonce {
        params.nonce = nonce;
    }
    let signed = signer.sign_with(&Request::new(&args.method, &args.url, &body), &params)?;
    if args.base_string {
        println!("{}", signed.base_string);
    } else {
        println!("{}", signed.authorization);
    }
    Ok(())
}

fn read_body(path: Option<&PathBuf>) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    match path {
        None => Ok(Vec::new()),
        Some(path) if path.as_os_str() == "-" => {
            let mut body = Vec::new();
            std::io::stdin().read_to_end(&mut body)?;
            Ok(body)
        }
        Some(path) => std::fs::read(path)
            .map_err(|error| format!("cannot read body file {}: {error}", path.display()).into()),
    }
}
