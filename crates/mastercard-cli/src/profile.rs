//! Where the calling subcommands get their configuration: command-line flags, then the
//! `MASTERCARD_*` variables, then a named profile of the config file — the first that has a
//! value wins, key by key.
//!
//! The config file is TOML (`$MASTERCARD_CONFIG`, else `$XDG_CONFIG_HOME/mastercard/config.toml`,
//! else `~/.config/mastercard/config.toml`), one table per profile, with the keys of the
//! `MASTERCARD_*` variables of `MastercomClient::from_env`:
//!
//! ```toml
//! [profiles.sandbox]
//! environment = "sandbox"                 # MASTERCARD_ENVIRONMENT: sandbox, production or a URL
//! consumer_key = "abc…!def…"              # MASTERCARD_CONSUMER_KEY
//! signing_key_path = "keys/sandbox.p12"   # MASTERCARD_SIGNING_KEY_PATH (relative: to this file)
//! signing_key_alias = "keyalias"          # MASTERCARD_SIGNING_KEY_ALIAS
//! signing_key_password_file = "keys/pw"   # the password: a file's first line…
//! # signing_key_password_env = "MY_VAR"   # …or the name of a variable holding it
//! ca_cert = "ca.pem"                      # MASTERCARD_CA_CERT
//! ledger_path = "ledger.sqlite3"          # MASTERCOM_LEDGER_PATH
//! # ledger_url = "postgres://host/db"     # MASTERCOM_LEDGER_URL (without a password)
//! # signature_method = "RSA-PSS"          # MASTERCARD_SIGNATURE_METHOD (default RSA-SHA256)
//! ```
//!
//! Passwords never appear as literals: the file refuses `signing_key_password` and a ledger URL
//! carrying one (a config file gets copied, shared and committed; a password file can stay
//! `0600` on its own), and the command line takes only `--signing-key-password-file`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use clap::Args;

/// The configuration flags of the calling subcommands (each overrides its variable).
#[derive(Args, Debug, Clone, Default)]
pub struct ConfigArgs {
    /// The profile of the config file to read (see `mastercard api --help`'s file locations).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// sandbox, production, or a base URL (overrides MASTERCARD_ENVIRONMENT).
    #[arg(long, global = true, value_name = "ENV")]
    pub environment: Option<String>,
    /// The consumer key (overrides MASTERCARD_CONSUMER_KEY).
    #[arg(long, global = true, value_name = "KEY", allow_hyphen_values = true)]
    pub consumer_key: Option<String>,
    /// The signing key file, PKCS#12 or PEM (overrides MASTERCARD_SIGNING_KEY_PATH).
    #[arg(long, global = true, value_name = "FILE")]
    pub signing_key_path: Option<PathBuf>,
    /// The PKCS#12 alias (overrides MASTERCARD_SIGNING_KEY_ALIAS).
    #[arg(long, global = true, value_name = "ALIAS")]
    pub signing_key_alias: Option<String>,
    /// A file whose first line is the PKCS#12 password (overrides
    /// MASTERCARD_SIGNING_KEY_PASSWORD).
    #[arg(long, global = true, value_name = "FILE")]
    pub signing_key_password_file: Option<PathBuf>,
}

/// The profile keys that stand for a variable, with it.
const KEYS: [(&str, &str); 8] = [
    ("environment", "MASTERCARD_ENVIRONMENT"),
    ("consumer_key", "MASTERCARD_CONSUMER_KEY"),
    ("signing_key_path", "MASTERCARD_SIGNING_KEY_PATH"),
    ("signing_key_alias", "MASTERCARD_SIGNING_KEY_ALIAS"),
    ("ca_cert", "MASTERCARD_CA_CERT"),
    ("ledger_path", "MASTERCOM_LEDGER_PATH"),
    ("ledger_url", "MASTERCOM_LEDGER_URL"),
    ("signature_method", "MASTERCARD_SIGNATURE_METHOD"),
];
/// Keys holding a path, resolved against the config file's folder when relative.
const PATH_KEYS: [&str; 4] = [
    "signing_key_path",
    "ca_cert",
    "ledger_path",
    "signing_key_password_file",
];
const PASSWORD: &str = "MASTERCARD_SIGNING_KEY_PASSWORD";

/// Why the configuration could not be read. Never carries a value (it may be a secret).
#[derive(Debug)]
pub enum ProfileError {
    /// No config file location: `--profile` without `$MASTERCARD_CONFIG`, `$XDG_CONFIG_HOME`
    /// or `$HOME`.
    NoLocation,
    /// The config file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML.
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: Box<toml::de::Error>,
    },
    /// The profile is not in the file.
    NoProfile {
        /// The file.
        path: PathBuf,
        /// The profile asked for.
        profile: String,
        /// The profiles the file has.
        available: Vec<String>,
    },
    /// A key of the profile is unknown, of the wrong type, or forbidden.
    Key {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// The key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A password file (flag or profile key) could not be read.
    PasswordFile {
        /// Where it was named: `--signing-key-password-file` or `FILE [profiles.P] key`.
        named_by: String,
        /// The password file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoLocation => f.write_str(
                "--profile: no config file location (set MASTERCARD_CONFIG, XDG_CONFIG_HOME or HOME)",
            ),
            Self::Read { path, source } => {
                write!(f, "cannot read the config file {}: {source}", path.display())
            }
            Self::Parse { path, source } => write!(
                f,
                "the config file {} is not valid TOML: {}",
                path.display(),
                source.message()
            ),
            Self::NoProfile {
                path,
                profile,
                available,
            } => write!(
                f,
                "{}: no [profiles.{profile}] (profiles: {})",
                path.display(),
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
            Self::Key {
                path,
                profile,
                key,
                reason,
            } => write!(f, "{} [profiles.{profile}] {key}: {reason}", path.display()),
            Self::PasswordFile {
                named_by,
                file,
                source,
            } => write!(
                f,
                "{named_by}: cannot read the password file {}: {source}",
                file.display()
            ),
        }
    }
}

impl std::error::Error for ProfileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } | Self::PasswordFile { source, .. } => Some(source),
            Self::Parse { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// The config file: `$MASTERCARD_CONFIG`, else `$XDG_CONFIG_HOME/mastercard/config.toml`, else
/// `$HOME/.config/mastercard/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(path) = var("MASTERCARD_CONFIG") {
        return Some(PathBuf::from(path));
    }
    let base = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("mastercard").join("config.toml"))
}

/// Where a value came from, to say so in errors.
#[derive(Debug, Clone)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// The variable itself.
    Environment,
    /// The profile's key.
    Profile {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// The key.
        key: &'static str,
    },
}

/// The configuration, variable by variable, with where each value came from.
#[derive(Default)]
pub struct Settings {
    values: BTreeMap<&'static str, (String, Source)>,
}

impl fmt::Debug for Settings {
    // Names and sources only: the values include the signing key's password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values.iter().map(|(name, (_, source))| (name, source)))
            .finish()
    }
}

impl Settings {
    /// The value of variable `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).map(|(value, _)| value.clone())
    }

    /// Where the value of `name` came from.
    pub fn source(&self, name: &str) -> Option<&Source> {
        self.values.get(name).map(|(_, source)| source)
    }

    fn set_if_absent(&mut self, name: &'static str, value: String, source: Source) {
        self.values.entry(name).or_insert((value, source));
    }
}

/// The first line of a password file (without its line ending).
fn read_password(file: &Path, named_by: String) -> Result<String, ProfileError> {
    let text = std::fs::read_to_string(file).map_err(|source| ProfileError::PasswordFile {
        named_by,
        file: file.to_owned(),
        source,
    })?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

/// Flags, then the environment, then the profile (when `--profile` is given).
pub fn settings(args: &ConfigArgs) -> Result<Settings, ProfileError> {
    let mut settings = Settings::default();
    let path = |value: &Path| value.to_string_lossy().into_owned();
    let flags = [
        ("MASTERCARD_ENVIRONMENT", args.environment.clone()),
        ("MASTERCARD_CONSUMER_KEY", args.consumer_key.clone()),
        (
            "MASTERCARD_SIGNING_KEY_PATH",
            args.signing_key_path.as_deref().map(path),
        ),
        (
            "MASTERCARD_SIGNING_KEY_ALIAS",
            args.signing_key_alias.clone(),
        ),
    ];
    for (name, value) in flags {
        if let Some(value) = value {
            settings.set_if_absent(name, value, Source::Flag);
        }
    }
    if let Some(file) = &args.signing_key_password_file {
        let password = read_password(file, "--signing-key-password-file".to_owned())?;
        settings.set_if_absent(PASSWORD, password, Source::Flag);
    }
    for name in KEYS.iter().map(|(_, name)| *name).chain([PASSWORD]) {
        if let Some(value) = std::env::var(name).ok().filter(|value| !value.is_empty()) {
            settings.set_if_absent(name, value, Source::Environment);
        }
    }
    if let Some(profile) = &args.profile {
        let file = config_path().ok_or(ProfileError::NoLocation)?;
        apply_profile(&mut settings, &file, profile)?;
    }
    Ok(settings)
}

fn apply_profile(settings: &mut Settings, file: &Path, profile: &str) -> Result<(), ProfileError> {
    let text = std::fs::read_to_string(file).map_err(|source| ProfileError::Read {
        path: file.to_owned(),
        source,
    })?;
    let table: toml::Table = text.parse().map_err(|source| ProfileError::Parse {
        path: file.to_owned(),
        source: Box::new(source),
    })?;
    let profiles = table.get("profiles").and_then(toml::Value::as_table);
    let Some(entries) = profiles
        .and_then(|profiles| profiles.get(profile))
        .and_then(toml::Value::as_table)
    else {
        return Err(ProfileError::NoProfile {
            path: file.to_owned(),
            profile: profile.to_owned(),
            available: profiles
                .map(|profiles| profiles.keys().cloned().collect())
                .unwrap_or_default(),
        });
    };
    let key_error = |key: &str, reason: &str| ProfileError::Key {
        path: file.to_owned(),
        profile: profile.to_owned(),
        key: key.to_owned(),
        reason: reason.to_owned(),
    };
    let folder = file.parent().unwrap_or(Path::new("."));
    for (key, value) in entries {
        let Some(value) = value.as_str() else {
            return Err(key_error(key, "must be a string"));
        };
        let value = if PATH_KEYS.contains(&key.as_str()) && Path::new(value).is_relative() {
            folder.join(value).to_string_lossy().into_owned()
        } else {
            value.to_owned()
        };
        let named_by = || format!("{} [profiles.{profile}] {key}", file.display());
        let source = |key: &'static str| Source::Profile {
            path: file.to_owned(),
            profile: profile.to_owned(),
            key,
        };
        match key.as_str() {
            "signing_key_password" => {
                return Err(key_error(
                    key,
                    "a password literal is refused in the config file; use \
                     signing_key_password_file or signing_key_password_env",
                ));
            }
            "signing_key_password_file" => {
                if settings.get(PASSWORD).is_none() {
                    let password = read_password(Path::new(&value), named_by())?;
                    settings.set_if_absent(PASSWORD, password, source("signing_key_password_file"));
                }
            }
            "signing_key_password_env" => {
                if settings.get(PASSWORD).is_none() {
                    let password = std::env::var(&value)
                        .map_err(|_| key_error(key, &format!("the variable {value} is not set")))?;
                    settings.set_if_absent(PASSWORD, password, source("signing_key_password_env"));
                }
            }
            "ledger_url" if url_has_password(&value) => {
                return Err(key_error(
                    key,
                    "the URL carries a password; keep it out of the config file (set \
                     MASTERCOM_LEDGER_URL in the environment instead)",
                ));
            }
            _ => {
                let Some(&(key, name)) = KEYS.iter().find(|(known, _)| *known == key) else {
                    return Err(key_error(
                        key,
                        &format!(
                            "unknown key (known: {}, signing_key_password_file, signing_key_password_env)",
                            KEYS.iter()
                                .map(|(key, _)| *key)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                };
                settings.set_if_absent(name, value, source(key));
            }
        }
    }
    Ok(())
}

/// `scheme://user:password@host…`
fn url_has_password(url: &str) -> bool {
    url.split_once("://")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(rest))
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn ledger_urls_with_a_password_are_recognised() {
        assert!(url_has_password("postgres://user:secret@db:5432/x"));
        assert!(!url_has_password("postgres://user@db:5432/x"));
        assert!(!url_has_password("postgres://db/x?user=a:b@c"));
    }
}
