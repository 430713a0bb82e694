//! The bad-input catalogue of the key loaders: every hostile or mistaken input a user can hand
//! them, each with the typed error it must produce and what the message must say. One table, run
//! by one test; a second test keeps the table from shrinking unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use mastercard_keys::{
    Certificate, Identity, KeyError, KeySource, MAX_FILE_LEN, Pkcs12Options, PrivateKey, PublicKey,
    ValidityPolicy,
};
use mastercard_testkit::pki::{self, Validity};
use openssl::symm::Cipher;
use openssl::x509::X509Req;

/// Inputs generated once for the whole table.
struct Fixture {
    dir: PathBuf,
    key_pem: Vec<u8>,
    cert_pem: Vec<u8>,
    cert_der: Vec<u8>,
    public_pem: Vec<u8>,
    public_der: Vec<u8>,
    public_pkcs1_pem: Vec<u8>,
    csr_pem: Vec<u8>,
    p12: Vec<u8>,
    p12_expired: Vec<u8>,
    encrypted_pem: Vec<u8>,
    ec_pem: Vec<u8>,
    ec_cert_pem: Vec<u8>,
    small_pem: Vec<u8>,
    expired_cert: Vec<u8>,
    future_cert: Vec<u8>,
    stranger_cert_pem: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("mastercard-keys-catalogue-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = support::rsa(2048);
        let cert = support::self_signed(&key, "catalogue");
        let mut csr = X509Req::builder().unwrap();
        csr.set_pubkey(&key).unwrap();
        csr.sign(&key, openssl::hash::MessageDigest::sha256())
            .unwrap();
        let expired = pki::certificate(&key, "expired", None, false, &[], Validity::EXPIRED);
        let future = pki::certificate(
            &key,
            "future",
            None,
            false,
            &[],
            Validity {
                from_days: 10,
                until_days: 20,
            },
        );
        let ec = support::ec();
        let ec_cert = support::self_signed(&ec, "ec");
        Fixture {
            key_pem: key.private_key_to_pem_pkcs8().unwrap(),
            cert_pem: cert.to_pem().unwrap(),
            cert_der: cert.to_der().unwrap(),
            public_pem: key.public_key_to_pem().unwrap(),
            public_der: key.public_key_to_der().unwrap(),
            public_pkcs1_pem: key.rsa().unwrap().public_key_to_pem_pkcs1().unwrap(),
            csr_pem: csr.build().to_pem().unwrap(),
            p12: pki::pkcs12(&key, &cert, &[], "alias", "pw"),
            p12_expired: pki::pkcs12(&key, &expired, &[], "alias", "pw"),
            encrypted_pem: key
                .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"secret")
                .unwrap(),
            ec_pem: ec.private_key_to_pem_pkcs8().unwrap(),
            ec_cert_pem: ec_cert.to_pem().unwrap(),
            small_pem: support::rsa(1024).private_key_to_pem_pkcs8().unwrap(),
            expired_cert: expired.to_pem().unwrap(),
            future_cert: future.to_pem().unwrap(),
            stranger_cert_pem: support::self_signed(&support::rsa(2048), "stranger")
                .to_pem()
                .unwrap(),
            dir,
        }
    })
}

impl Fixture {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A named pipe nobody writes to: opening it for reading would block forever.
    fn fifo(&self) -> PathBuf {
        let path = self.dir.join("pipe");
        if !path.exists() {
            let status = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success());
        }
        path
    }

    /// A sparse file far above the cap: refused from its size, without reading it.
    fn huge(&self) -> PathBuf {
        self.sparse("huge.pem", 3 * 1024 * 1024 * 1024)
    }

    /// A file of `len` zero bytes that takes no disk space (the machine is shared).
    fn sparse(&self, name: &str, len: u64) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        path
    }
}

fn no_options() -> Pkcs12Options {
    Pkcs12Options::default()
}

fn password(password: &str) -> Pkcs12Options {
    Pkcs12Options {
        alias: None,
        password: Some(password.to_owned()),
    }
}

fn key_file(path: &Path) -> Result<(), KeyError> {
    PrivateKey::from_file(path, &no_options()).map(drop)
}

fn key_bytes(bytes: &[u8]) -> Result<(), KeyError> {
    PrivateKey::from_bytes(bytes, &no_options()).map(drop)
}

fn cert_bytes(bytes: &[u8]) -> Result<(), KeyError> {
    Certificate::from_bytes(bytes).map(drop)
}

fn enforce_now() -> ValidityPolicy {
    ValidityPolicy::EnforceAt(SystemTime::now())
}

/// One row: a name, the input (run against the fixture), the error it must give and words its
/// message must contain.
struct Case {
    name: &'static str,
    run: fn(&Fixture) -> Result<(), KeyError>,
    expect: fn(&KeyError) -> bool,
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    // Files that are not key files at all (#10.10).
    Case {
        name: "/dev/zero as a certificate",
        run: |_| Certificate::from_file("/dev/zero").map(drop),
        expect: |e| matches!(e, KeyError::NotARegularFile { kind, .. } if *kind == "a character device"),
        says: &["/dev/zero", "character device", "regular file"],
    },
    Case {
        name: "/dev/zero as a private key",
        run: |_| key_file(Path::new("/dev/zero")),
        expect: |e| matches!(e, KeyError::NotARegularFile { .. }),
        says: &["/dev/zero", "not a regular file"],
    },
    Case {
        name: "a FIFO as a private key (must not block)",
        run: |f| key_file(&f.fifo()),
        expect: |e| matches!(e, KeyError::NotARegularFile { kind, .. } if kind.contains("FIFO")),
        says: &["FIFO", "pipe"],
    },
    Case {
        name: "a FIFO as a certificate",
        run: |f| Certificate::from_file(f.fifo()).map(drop),
        expect: |e| matches!(e, KeyError::NotARegularFile { .. }),
        says: &["FIFO"],
    },
    Case {
        name: "a directory as a private key",
        run: |f| key_file(&f.dir),
        expect: |e| matches!(e, KeyError::NotARegularFile { kind, .. } if *kind == "a directory"),
        says: &["directory"],
    },
    Case {
        name: "a 3 GiB sparse file as a private key",
        run: |f| key_file(&f.huge()),
        expect: |e| matches!(e, KeyError::FileTooLarge { limit, .. } if *limit == MAX_FILE_LEN),
        says: &["larger than 1048576 bytes", "huge.pem"],
    },
    Case {
        name: "one byte over the cap, as a certificate",
        run: |f| Certificate::from_file(f.sparse("over.pem", MAX_FILE_LEN + 1)).map(drop),
        expect: |e| matches!(e, KeyError::FileTooLarge { .. }),
        says: &["larger than"],
    },
    Case {
        name: "a missing file",
        run: |f| key_file(&f.dir.join("absent.p12")),
        expect: |e| matches!(e, KeyError::Unreadable { .. }),
        says: &["absent.p12", "check the path"],
    },
    // Something else than a private key (#10.11).
    Case {
        name: "an empty file as a private key",
        run: |f| key_file(&f.file("empty.pem", b"")),
        expect: |e| matches!(e, KeyError::WrongContent { found: "empty", .. }),
        says: &["this is empty, not a private key"],
    },
    Case {
        name: "whitespace only as a private key",
        run: |_| key_bytes(b" \n\t\r\n"),
        expect: |e| matches!(e, KeyError::WrongContent { found: "empty", .. }),
        says: &["empty"],
    },
    Case {
        name: "a PEM certificate as a private key",
        run: |f| key_bytes(&f.cert_pem),
        expect: |e| matches!(e, KeyError::WrongContent { found, .. } if found.contains("certificate")),
        says: &[
            "this is an X.509 certificate, not a private key",
            "private key file",
        ],
    },
    Case {
        name: "a DER certificate as a private key",
        run: |f| key_bytes(&f.cert_der),
        expect: |e| matches!(e, KeyError::WrongContent { found, .. } if found.contains("certificate")),
        says: &["X.509 certificate"],
    },
    Case {
        name: "a PEM public key as a private key",
        run: |f| key_bytes(&f.public_pem),
        expect: |e| {
            matches!(
                e,
                KeyError::WrongContent {
                    found: "a public key",
                    ..
                }
            )
        },
        says: &["this is a public key, not a private key"],
    },
    Case {
        name: "a DER public key as a private key",
        run: |f| key_bytes(&f.public_der),
        expect: |e| {
            matches!(
                e,
                KeyError::WrongContent {
                    found: "a public key",
                    ..
                }
            )
        },
        says: &["public key"],
    },
    Case {
        name: "a PKCS#1 PEM public key as a private key",
        run: |f| PrivateKey::from_pem(&f.public_pkcs1_pem).map(drop),
        expect: |e| {
            matches!(
                e,
                KeyError::WrongContent {
                    found: "a public key",
                    ..
                }
            )
        },
        says: &["public key"],
    },
    Case {
        name: "a certificate signing request as a private key",
        run: |f| key_bytes(&f.csr_pem),
        expect: |e| matches!(e, KeyError::WrongContent { found, .. } if found.contains("signing request")),
        says: &["certificate signing request"],
    },
    Case {
        name: "an OpenSSH private key",
        run: |_| {
            key_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----\n")
        },
        expect: |e| matches!(e, KeyError::WrongContent { found, .. } if found.contains("OpenSSH")),
        says: &["OpenSSH", "ssh-keygen"],
    },
    Case {
        name: "an EC private key",
        run: |f| key_bytes(&f.ec_pem),
        expect: |e| matches!(e, KeyError::NotRsa { algorithm } if algorithm == "EC"),
        says: &["the key is EC, not RSA"],
    },
    Case {
        name: "a 1024-bit RSA key",
        run: |f| key_bytes(&f.small_pem),
        expect: |e| matches!(e, KeyError::KeyTooSmall { bits: 1024, .. }),
        says: &["1024 bits", "2048"],
    },
    Case {
        name: "garbage bytes as a private key",
        run: |_| key_bytes(b"\x00\x01\x02not a key"),
        expect: |e| matches!(e, KeyError::Malformed { .. }),
        says: &["not a valid", "accepted formats"],
    },
    Case {
        name: "a truncated PEM private key",
        run: |f| key_bytes(&f.key_pem[..f.key_pem.len() / 2]),
        expect: |e| matches!(e, KeyError::Malformed { .. }),
        says: &["PEM private key"],
    },
    // Passwords (#10.11: missing is not wrong).
    Case {
        name: "a PKCS#12 container without a password",
        run: |f| PrivateKey::from_bytes(&f.p12, &no_options()).map(drop),
        expect: |e| matches!(e, KeyError::PasswordRequired),
        says: &["protected by a password", "none was given"],
    },
    Case {
        name: "a PKCS#12 container with an empty password",
        run: |f| PrivateKey::from_pkcs12_der(&f.p12, None, "").map(drop),
        expect: |e| matches!(e, KeyError::PasswordRequired),
        says: &["none was given"],
    },
    Case {
        name: "a PKCS#12 container with a wrong password",
        run: |f| PrivateKey::from_bytes(&f.p12, &password("nope")).map(drop),
        expect: |e| matches!(e, KeyError::WrongPassword),
        says: &["wrong PKCS#12 password"],
    },
    Case {
        name: "a PKCS#12 container with an unknown alias",
        run: |f| PrivateKey::from_pkcs12_der(&f.p12, Some("other"), "pw").map(drop),
        expect: |e| matches!(e, KeyError::AliasNotFound { available, .. } if available == &["alias"]),
        says: &["\"other\" not found", "\"alias\""],
    },
    Case {
        name: "a truncated PKCS#12 container",
        run: |f| PrivateKey::from_bytes(&f.p12[..f.p12.len() / 2], &password("pw")).map(drop),
        expect: |e| matches!(e, KeyError::Malformed { expected, .. } if expected.contains("PKCS#12")),
        says: &["PKCS#12 container"],
    },
    Case {
        name: "an encrypted PKCS#8 key without a password",
        run: |f| key_bytes(&f.encrypted_pem),
        expect: |e| matches!(e, KeyError::PasswordRequired),
        says: &["password"],
    },
    Case {
        name: "an encrypted PKCS#8 key with a wrong password",
        run: |f| PrivateKey::from_bytes(&f.encrypted_pem, &password("nope")).map(drop),
        expect: |e| matches!(e, KeyError::Malformed { .. }),
        says: &["password is wrong"],
    },
    // Something else than a certificate.
    Case {
        name: "an empty certificate",
        run: |_| cert_bytes(b""),
        expect: |e| matches!(e, KeyError::WrongContent { expected, found: "empty" } if expected.contains("certificate")),
        says: &["this is empty, not a certificate"],
    },
    Case {
        name: "a private key as a certificate",
        run: |f| cert_bytes(&f.key_pem),
        expect: |e| {
            matches!(
                e,
                KeyError::WrongContent {
                    found: "a private key",
                    ..
                }
            )
        },
        says: &[
            "this is a private key, not a certificate",
            "never send a private key",
        ],
    },
    Case {
        name: "a PKCS#12 container as a certificate",
        run: |f| cert_bytes(&f.p12),
        expect: |e| {
            matches!(
                e,
                KeyError::WrongContent {
                    found: "a PKCS#12 container",
                    ..
                }
            )
        },
        says: &["PKCS#12 container"],
    },
    Case {
        name: "a public key as a certificate",
        run: |f| cert_bytes(&f.public_pem),
        expect: |e| {
            matches!(
                e,
                KeyError::WrongContent {
                    found: "a public key",
                    ..
                }
            )
        },
        says: &["public key, not a certificate"],
    },
    Case {
        name: "an EC certificate's public key",
        run: |f| {
            Certificate::from_pem(&f.ec_cert_pem)?
                .public_key()
                .map(drop)
        },
        expect: |e| matches!(e, KeyError::NotRsa { algorithm } if algorithm == "EC"),
        says: &["EC", "RSA"],
    },
    Case {
        name: "an empty public key",
        run: |_| PublicKey::from_pem(b"").map(drop),
        expect: |e| matches!(e, KeyError::WrongContent { found: "empty", .. }),
        says: &["empty"],
    },
    // Validity (#10.9): one policy for every certificate.
    Case {
        name: "an expired certificate",
        run: |f| enforce_now().check(&Certificate::from_pem(&f.expired_cert)?),
        expect: |e| matches!(e, KeyError::CertificateExpired { .. }),
        says: &["expired", "notAfter", "CN=expired", "IgnoreDates"],
    },
    Case {
        name: "a certificate not valid yet",
        run: |f| enforce_now().check(&Certificate::from_pem(&f.future_cert)?),
        expect: |e| matches!(e, KeyError::CertificateNotYetValid { .. }),
        says: &["not valid before", "notBefore", "clock"],
    },
    Case {
        name: "a current certificate checked at a fixed instant ten years on",
        run: |f| {
            ValidityPolicy::EnforceAt(SystemTime::now() + Duration::from_secs(10 * 365 * 86_400))
                .check(&Certificate::from_pem(&f.cert_pem)?)
        },
        expect: |e| matches!(e, KeyError::CertificateExpired { .. }),
        says: &["CN=catalogue"],
    },
    Case {
        name: "a PKCS#12 signing key whose certificate expired",
        run: |f| {
            let path = f.file("expired.p12", &f.p12_expired);
            KeySource::pkcs12(path, Some("alias"), "pw")
                .load(enforce_now())
                .map(drop)
        },
        expect: |e| matches!(e, KeyError::CertificateExpired { .. }),
        says: &["expired"],
    },
    Case {
        name: "a PEM bundle whose certificate belongs to another key",
        run: |f| {
            let bundle = [&f.key_pem[..], &f.stranger_cert_pem].concat();
            KeySource::pem(bundle).load(enforce_now()).map(drop)
        },
        expect: |e| matches!(e, KeyError::CertificateKeyMismatch { .. }),
        says: &["CN=stranger", "does not belong"],
    },
    Case {
        name: "an Identity from a directory",
        run: |f| Identity::from_file(&f.dir, &no_options()).map(drop),
        expect: |e| matches!(e, KeyError::NotARegularFile { .. }),
        says: &["directory"],
    },
];

#[test]
fn every_catalogued_bad_input_gives_its_typed_error_and_message() {
    let fixture = fixture();
    let mut failures = Vec::new();
    for case in CASES {
        match (case.run)(fixture) {
            Ok(()) => failures.push(format!("{}: accepted", case.name)),
            Err(error) => {
                let message = error.to_string();
                if !(case.expect)(&error) {
                    failures.push(format!("{}: unexpected {error:?}", case.name));
                }
                for words in case.says {
                    if !message.contains(words) {
                        failures.push(format!("{}: {message:?} lacks {words:?}", case.name));
                    }
                }
                // No message leaks a password given in a case.
                for secret in ["secret", "nope"] {
                    if message.contains(secret) {
                        failures.push(format!("{}: message shows a password", case.name));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_catalogue_keeps_its_size() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut names: Vec<_> = CASES.iter().map(|case| case.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names are unique");
}

/// The opt-out and the positive paths of the same inputs, so the table above cannot pass by
/// refusing everything.
#[test]
fn the_same_inputs_load_when_they_are_right() {
    let f = fixture();
    let expired = Certificate::from_pem(&f.expired_cert).unwrap();
    ValidityPolicy::IgnoreDates.check(&expired).unwrap();
    enforce_now()
        .check(&Certificate::from_pem(&f.cert_pem).unwrap())
        .unwrap();
    let from_p12 = KeySource::pkcs12(f.file("good.p12", &f.p12), Some("alias"), "pw")
        .load(enforce_now())
        .unwrap();
    assert!(from_p12.cert.is_some());
    let bundle = [&f.cert_pem[..], &f.key_pem, &f.stranger_cert_pem].concat();
    let identity = KeySource::pem(bundle).load(enforce_now()).unwrap();
    assert_eq!(identity.cert.unwrap().subject(), "CN=catalogue");
    assert_eq!(identity.chain.len(), 1);
    let trimmed_chain = f.cert_pem.trim_ascii_end();
    let separate = KeySource::pem_identity(trimmed_chain, &f.key_pem)
        .load(enforce_now())
        .unwrap();
    assert_eq!(separate.cert.unwrap().subject(), "CN=catalogue");
    // Content decides, not the extension: a PEM key named .p12 loads.
    let misnamed = f.file("really-pem.p12", &f.key_pem);
    assert_eq!(
        KeySource::file(misnamed)
            .load_key(enforce_now())
            .unwrap()
            .bits(),
        2048
    );
    let encrypted = KeySource::pem(f.encrypted_pem.clone()).with_password("secret");
    assert!(encrypted.load(enforce_now()).is_ok());
    let debug = format!("{encrypted:?}");
    assert!(
        !debug.contains("secret") && debug.contains("<redacted>"),
        "{debug}"
    );
    // At the cap the file is read (and its zeros found to be no key): the cap is inclusive.
    let exactly_at_cap = f.sparse("cap.pem", MAX_FILE_LEN);
    assert!(matches!(
        key_file(&exactly_at_cap),
        Err(KeyError::Malformed { .. })
    ));
}
