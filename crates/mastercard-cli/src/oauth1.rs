//! `mastercard oauth1 …`: sign a request offline the way Mastercard's gateway expects, to compare
//! with a rejected request ("signature did not match").
//!
//! `sign` prints only the `Authorization` header value (or, with `--base-string`, only the
//! signature base string), so the output can go straight into `curl -H "Authorization: $(…)"`.
//! `compare` explains a rejected signature: it names what differs between the base string we
//! signed and the one the gateway says it would accept.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use mastercard_keys::{Pkcs12Options, PrivateKey};
use mastercard_oauth1::{Request, SignatureMethod, Signer, SigningParams};

/// The environment variable holding the signing key's password (the name the library's
/// `MastercomClient::from_env` reads too).
pub const PASSWORD_ENV: &str = "MASTERCARD_SIGNING_KEY_PASSWORD";

/// The largest body `sign` reads (Mastercom documents are up to 22,000,000 base64 characters).
const MAX_BODY: u64 = 32 * 1024 * 1024;
/// The largest password file read.
const MAX_PASSWORD_FILE: u64 = 4096;
/// The largest base-string or error-body file `compare` reads.
const MAX_COMPARE_FILE: u64 = mastercard_oauth1::MAX_ERROR_BODY as u64;

/// A failure, reported as one line on stderr.
type Failure = Box<dyn std::error::Error>;

/// `mastercard oauth1` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Sign a request and print the Authorization header value.
    Sign(SignArgs),
    /// Explain a "signature did not match": compare the base string we signed with the gateway's
    /// "acceptable signature base string" and name what differs.
    ///
    /// Exit status: 0 when both are identical (then the key or the signature method is at
    /// fault), 1 when they differ, 2 when a file cannot be read or is not a base string.
    Compare(CompareArgs),
}

/// Arguments of `mastercard oauth1 compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// File holding the base string we signed (`mastercard oauth1 sign --base-string`, or the
    /// `base_string` of the library's `SignedRequest`); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    ours: PathBuf,
    /// File holding the gateway's acceptable base string, or the whole 401 error body (the
    /// string is taken from its `Description`); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    theirs: PathBuf,
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
    /// Password of the PKCS#12 container (or of an encrypted PKCS#8 key). Visible to other users
    /// in `ps`: prefer --key-password-file or the MASTERCARD_SIGNING_KEY_PASSWORD environment
    /// variable.
    #[arg(
        long,
        value_name = "P",
        allow_hyphen_values = true,
        conflicts_with = "key_password_file"
    )]
    key_password: Option<String>,
    /// File holding the key's password (one trailing newline ignored; `/dev/stdin` or a
    /// `<(pass show …)` pipe work). Without this option and --key-password, the password is
    /// read from the MASTERCARD_SIGNING_KEY_PASSWORD environment variable, if set.
    #[arg(long, value_name = "FILE")]
    key_password_file: Option<PathBuf>,
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

/// Runs one `mastercard oauth1` subcommand and gives its exit status.
pub fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Sign(args) => sign(args).map(|()| ExitCode::SUCCESS),
        Command::Compare(args) => Ok(compare(&args)),
    }
}

fn sign(args: SignArgs) -> Result<(), Failure> {
    let body = read_body(args.body_file.as_ref())?;
    let password = match (args.key_password, args.key_password_file) {
        (_, Some(file)) => Some(read_password_file(&file)?),
        (Some(password), None) => Some(password),
        (None, None) => match std::env::var(PASSWORD_ENV) {
            Ok(password) => Some(password),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(format!("{PASSWORD_ENV} is not valid UTF-8").into());
            }
        },
    };
    let options = Pkcs12Options {
        alias: args.key_alias,
        password,
    };
    let key = PrivateKey::from_file(&args.signing_key, &options).map_err(|error| {
        // The loader does not always name the file; with several key options it matters.
        let path = args.signing_key.display().to_string();
        if error.to_string().contains(&path) {
            error.to_string()
        } else {
            format!("signing key {path}: {error}")
        }
    })?;
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

fn read_body(path: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    match path {
        None => Ok(Vec::new()),
        Some(path) => read_capped(path, MAX_BODY, "body file"),
    }
}

/// Reads at most `cap` bytes of `path` (`-`: stdin), refusing anything longer.
fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let outcome = if path.as_os_str() == "-" {
        std::io::stdin().take(cap + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(cap + 1).read_to_end(&mut bytes))
    };
    outcome.map_err(|error| format!("cannot read {what} {}: {error}", path.display()))?;
    if bytes.len() as u64 > cap {
        return Err(format!("{what} {} is larger than {cap} bytes", path.display()).into());
    }
    Ok(bytes)
}

/// The password in `path`, without one trailing newline. Never echoed in errors.
fn read_password_file(path: &Path) -> Result<String, Failure> {
    let bytes = read_capped(path, MAX_PASSWORD_FILE, "password file")?;
    let mut password = String::from_utf8(bytes)
        .map_err(|_| format!("password file {} is not valid UTF-8", path.display()))?;
    if password.ends_with('\n') {
        password.pop();
        if password.ends_with('\r') {
            password.pop();
        }
    }
    Ok(password)
}

/// `compare`: prints the diagnosis on stdout; 0 identical, 1 different, 2 bad input.
fn compare(args: &CompareArgs) -> ExitCode {
    match compare_inputs(args) {
        Ok(diagnosis) => {
            println!("{diagnosis}");
            if diagnosis.is_match() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("mastercard: {error}");
            ExitCode::from(2)
        }
    }
}

fn compare_inputs(args: &CompareArgs) -> Result<mastercard_oauth1::Diagnosis, Failure> {
    let ours = read_text(&args.ours, "--ours")?;
    let theirs_bytes = read_capped(&args.theirs, MAX_COMPARE_FILE, "--theirs file")?;
    // A whole gateway error body is accepted as well as the bare string.
    let theirs = match mastercard_oauth1::acceptable_base_string(&theirs_bytes) {
        Some(found) => found,
        None => String::from_utf8(theirs_bytes)
            .map_err(|_| format!("--theirs file {} is not valid UTF-8", args.theirs.display()))?,
    };
    let diagnosis = mastercard_oauth1::diagnose(ours.trim(), theirs.trim());
    let malformed: Vec<String> = diagnosis
        .differences
        .iter()
        .filter(|difference| matches!(difference, mastercard_oauth1::Difference::Malformed { .. }))
        .map(ToString::to_string)
        .collect();
    if !malformed.is_empty() {
        return Err(malformed.join("; ").into());
    }
    Ok(diagnosis)
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    let bytes = read_capped(path, MAX_COMPARE_FILE, &format!("{what} file"))?;
    String::from_utf8(bytes)
        .map_err(|_| format!("{what} file {} is not valid UTF-8", path.display()).into())
}
