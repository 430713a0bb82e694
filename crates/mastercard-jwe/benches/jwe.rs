//! Cost of Mastercard JWE against the bare cryptography it is made of, in one run.
//!
//! `cargo bench -p mastercard-jwe --bench jwe -- --warm-up-time 1 --measurement-time 5`
//!
//! The bare operations are what any implementation must do: RSA-OAEP-256 wrap/unwrap of a 32-byte
//! key through OpenSSL's EVP API, and AES-256-GCM over the 2 KB payload with a fresh key and IV.
//! The closing lines print (encrypt or decrypt time) / (bare RSA-OAEP + bare AES-GCM time).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::Criterion;
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};

/// A JSON object of about 2 KB, shaped like an API request.
fn payload() -> Vec<u8> {
    let mut fields = serde_json::Map::new();
    for index in 0..48 {
        fields.insert(
            format!("field{index:02}"),
            serde_json::json!(format!("value-{index:02}-abcdefghijklmnopqrstu")),
        );
    }
    serde_json::to_vec(&fields).unwrap()
}

fn oaep_wrap(public: &PKey<Public>, cek: &[u8]) -> Vec<u8> {
    let mut encrypter = Encrypter::new(public).unwrap();
    encrypter.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
    encrypter.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
    encrypter.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
    let mut out = vec![0; encrypter.encrypt_len(cek).unwrap()];
    let len = encrypter.encrypt(cek, &mut out).unwrap();
    out.truncate(len);
    out
}

fn oaep_unwrap(private: &PKey<Private>, wrapped: &[u8]) -> Vec<u8> {
    let mut decrypter = Decrypter::new(private).unwrap();
    decrypter.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
    decrypter.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
    decrypter.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
    let mut out = vec![0; decrypter.decrypt_len(wrapped).unwrap()];
    let len = decrypter.decrypt(wrapped, &mut out).unwrap();
    out.truncate(len);
    out
}

fn gcm_seal(key: &[u8], iv: &[u8], plaintext: &[u8]) -> (Vec<u8>, [u8; 16]) {
    let mut tag = [0; 16];
    let ct = encrypt_aead(
        Cipher::aes_256_gcm(),
        key,
        Some(iv),
        b"aad",
        plaintext,
        &mut tag,
    )
    .unwrap();
    (ct, tag)
}

fn main() {
    let private = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let public = PKey::public_key_from_der(&private.public_key_to_der().unwrap()).unwrap();
    let config = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_public_key(&public).unwrap())
        .decryption_key(DecryptionKey::from_pkey(&private).unwrap())
        .build()
        .unwrap();
    let body = payload();
    assert!(
        (2000..2200).contains(&body.len()),
        "payload is {} bytes",
        body.len()
    );
    let encrypted = config.encrypt_payload(&body).unwrap();
    assert_eq!(config.decrypt_payload(&encrypted).unwrap(), body);
    let cek = [7u8; 32];
    let wrapped = oaep_wrap(&public, &cek);
    let iv = [9u8; 12];
    let (ct, tag) = gcm_seal(&cek, &iv, &body);

    let mut criterion = Criterion::default().configure_from_args();
    {
        let mut group = criterion.benchmark_group("jwe");
        group.bench_function("encrypt_payload_2k", |b| {
            b.iter(|| config.encrypt_payload(black_box(&body)).unwrap())
        });
        group.bench_function("decrypt_payload_2k", |b| {
            b.iter(|| config.decrypt_payload(black_box(&encrypted)).unwrap())
        });
        group.finish();
    }
    {
        let mut group = criterion.benchmark_group("bare");
        group.bench_function("rsa_oaep256_wrap", |b| {
            b.iter(|| oaep_wrap(&public, black_box(&cek)))
        });
        group.bench_function("rsa_oaep256_unwrap", |b| {
            b.iter(|| oaep_unwrap(&private, black_box(&wrapped)))
        });
        group.bench_function("aes256gcm_seal_2k", |b| {
            b.iter(|| {
                let mut key = [0u8; 32];
                let mut nonce = [0u8; 12];
                openssl::rand::rand_bytes(&mut key).unwrap();
                openssl::rand::rand_bytes(&mut nonce).unwrap();
                gcm_seal(&key, &nonce, black_box(&body))
            })
        });
        group.bench_function("aes256gcm_open_2k", |b| {
            b.iter(|| {
                decrypt_aead(
                    Cipher::aes_256_gcm(),
                    &cek,
                    Some(&iv),
                    b"aad",
                    black_box(&ct),
                    &tag,
                )
                .unwrap()
            })
        });
        group.finish();
    }
    criterion.final_summary();
    report_ratios();

    // The machine is shared, so load can shift between criterion's sequential groups; alternating
    // short batches of the JWE operation and its bare equivalent gives a ratio both sides of which
    // saw the same load.
    let seal = || {
        let mut key = [0u8; 32];
        let mut nonce = [0u8; 12];
        openssl::rand::rand_bytes(&mut key).unwrap();
        openssl::rand::rand_bytes(&mut nonce).unwrap();
        (oaep_wrap(&public, &key), gcm_seal(&key, &nonce, &body))
    };
    let open = || {
        let key = oaep_unwrap(&private, &wrapped);
        decrypt_aead(Cipher::aes_256_gcm(), &key, Some(&iv), b"aad", &ct, &tag).unwrap()
    };
    breakdown(&config, &body);
    let (enc, bare_enc) = interleaved(40, 200, || config.encrypt_payload(&body).unwrap(), seal);
    let (dec, bare_dec) = interleaved(40, 20, || config.decrypt_payload(&encrypted).unwrap(), open);
    println!(
        "interleaved medians: encrypt {:.1} µs / bare {:.1} µs => ratio {:.3}; decrypt {:.1} µs / bare {:.1} µs => ratio {:.3}",
        enc / 1e3,
        bare_enc / 1e3,
        enc / bare_enc,
        dec / 1e3,
        bare_dec / 1e3,
        dec / bare_dec
    );
}

/// Where encryption time goes beyond the bare operations (printed for the README).
fn breakdown(config: &EncryptionConfig, body: &[u8]) {
    let (parse, compact) = interleaved(
        20,
        200,
        || serde_json::from_slice::<serde::de::IgnoredAny>(body).unwrap(),
        || config.encrypt_compact(body).unwrap(),
    );
    println!(
        "breakdown: JSON validation of the body {:.1} µs, encrypt_compact {:.1} µs",
        parse / 1e3,
        compact / 1e3
    );
}

/// Median per-operation nanoseconds of `a` and `b`, timed in alternating batches.
fn interleaved<A, B, RA, RB>(rounds: usize, batch: u32, mut a: A, mut b: B) -> (f64, f64)
where
    A: FnMut() -> RA,
    B: FnMut() -> RB,
{
    let time = |f: &mut dyn FnMut()| {
        let start = std::time::Instant::now();
        for _ in 0..batch {
            f();
        }
        start.elapsed().as_secs_f64() * 1e9 / f64::from(batch)
    };
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        times_a.push(time(&mut || drop(black_box(a()))));
        times_b.push(time(&mut || drop(black_box(b()))));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(times_a), median(times_b))
}

/// Reads criterion's mean estimates back from its output directory and prints the ratios.
fn report_ratios() {
    let Some(root) = criterion_dir() else {
        println!("overhead ratio: criterion output directory not found");
        return;
    };
    let mean = |id: &str| -> Option<f64> {
        let text = std::fs::read_to_string(root.join(id).join("new/estimates.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        // Criterion's headline figure: the slope for linear sampling, else the mean.
        json["slope"]["point_estimate"]
            .as_f64()
            .or_else(|| json["mean"]["point_estimate"].as_f64())
    };
    let ids = [
        "jwe/encrypt_payload_2k",
        "jwe/decrypt_payload_2k",
        "bare/rsa_oaep256_wrap",
        "bare/rsa_oaep256_unwrap",
        "bare/aes256gcm_seal_2k",
        "bare/aes256gcm_open_2k",
    ];
    let Some([enc, dec, wrap, unwrap, seal, open]) = ids
        .iter()
        .map(|id| mean(id))
        .collect::<Option<Vec<f64>>>()
        .and_then(|v| <[f64; 6]>::try_from(v).ok())
    else {
        println!("overhead ratio: run all six benchmarks to compute it");
        return;
    };
    println!(
        "encrypt: {:.1} µs vs bare {:.1} µs (RSA-OAEP {:.1} + AES-GCM {:.1}) => ratio {:.3}",
        enc / 1e3,
        (wrap + seal) / 1e3,
        wrap / 1e3,
        seal / 1e3,
        enc / (wrap + seal)
    );
    println!(
        "decrypt: {:.1} µs vs bare {:.1} µs (RSA-OAEP {:.1} + AES-GCM {:.1}) => ratio {:.3}",
        dec / 1e3,
        (unwrap + open) / 1e3,
        unwrap / 1e3,
        open / 1e3,
        dec / (unwrap + open)
    );
    println!(
        "encrypt+decrypt: {:.1} µs vs bare {:.1} µs => ratio {:.3}",
        (enc + dec) / 1e3,
        (wrap + seal + unwrap + open) / 1e3,
        (enc + dec) / (wrap + seal + unwrap + open)
    );
}

/// `$CARGO_TARGET_DIR/criterion`, else `<target>/criterion` from this executable's location
/// (`<target>/release/deps/jwe-…`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .ok()?
            .parent()?
            .parent()?
            .parent()?
            .to_path_buf(),
    };
    Some(target.join("criterion")).filter(|dir| dir.is_dir())
}
