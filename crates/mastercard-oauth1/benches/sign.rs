//! Signing a 2 KB request vs. the bare RSA-2048 PKCS#1 v1.5 SHA-256 signature it contains.
//!
//! `cargo bench -p mastercard-oauth1 --bench sign -- --warm-up-time 1 --measurement-time 5`
//! The ratio `oauth1_sign_2kb_request / bare_rsa_sha256` is the signing overhead (target ≤ 1.05);
//! `oauth1_overhead_only` times everything but the RSA operation.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use mastercard_keys::PrivateKey;
use mastercard_oauth1::{Request, SignatureMethod, Signer, SigningParams, signature_base_string};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;

fn body_2kb() -> Vec<u8> {
    let mut body = String::from(r#"{"items":["#);
    while body.len() < 2030 {
        body.push_str(r#"{"amount":"100.00","currency":"USD"},"#);
    }
    body.push_str(r#"{"end":true}]}"#);
    body.into_bytes()
}

fn bench(c: &mut Criterion) {
    let pkey = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let signer = Signer::new(
        "L5BsiPgaF-O3qA36znUATgQXwJB6MRoMSdhjd7wt50c97279!50596e52466e3966546d434b7354584c4975693238513d3d",
        PrivateKey::from_pkey(pkey.clone()).unwrap(),
    )
    .unwrap();
    let body = body_2kb();
    let url = "https://sandbox.api.mastercard.com/mastercom/v6/claims/200002020654/chargebacks?format=json&page=1";
    let request = Request::new("POST", url, &body);
    let params = SigningParams {
        timestamp: 1_700_000_000,
        nonce: "kbQ3tMrmHSfdSpEC".into(),
    };
    let base_string = signer.sign_with(&request, &params).unwrap().base_string;

    interleaved_ratio(&pkey, &signer, &request, &params, &base_string);

    c.bench_function("bare_rsa_sha256", |b| {
        b.iter(|| {
            let mut rsa = openssl::sign::Signer::new(MessageDigest::sha256(), &pkey).unwrap();
            black_box(
                rsa.sign_oneshot_to_vec(black_box(base_string.as_bytes()))
                    .unwrap(),
            )
        });
    });
    c.bench_function("oauth1_sign_2kb_request", |b| {
        b.iter(|| black_box(signer.sign_with(black_box(&request), &params).unwrap()));
    });
    // Everything but the RSA operation: body hash, URL/query normalisation, base string. This is
    // the overhead itself, measurable without the RSA noise.
    c.bench_function("oauth1_overhead_only", |b| {
        b.iter(|| {
            black_box(
                signature_base_string(
                    black_box(&request),
                    signer.consumer_key(),
                    SignatureMethod::RsaSha256,
                    &params,
                )
                .unwrap(),
            )
        });
    });
    c.bench_function("oauth1_sign_2kb_request_fresh_nonce", |b| {
        b.iter(|| black_box(signer.sign(black_box(&request)).unwrap()));
    });
}

/// The two operations alternate, so both see the same machine load (the criterion groups run one
/// after the other, and on a shared VM the load changes between them); the ratio of the medians is
/// printed.
fn interleaved_ratio(
    pkey: &PKey<openssl::pkey::Private>,
    signer: &Signer,
    request: &Request<'_>,
    params: &SigningParams,
    base_string: &str,
) {
    const ROUNDS: usize = 400;
    let (mut bare, mut full) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    let time_bare = || {
        let start = Instant::now();
        let mut rsa = openssl::sign::Signer::new(MessageDigest::sha256(), pkey).unwrap();
        black_box(
            rsa.sign_oneshot_to_vec(black_box(base_string.as_bytes()))
                .unwrap(),
        );
        start.elapsed()
    };
    let time_full = || {
        let start = Instant::now();
        black_box(signer.sign_with(black_box(request), params).unwrap());
        start.elapsed()
    };
    for round in 0..ROUNDS {
        // Alternate which goes first, so neither profits from running second.
        if round % 2 == 0 {
            bare.push(time_bare());
            full.push(time_full());
        } else {
            full.push(time_full());
            bare.push(time_bare());
        }
    }
    bare.sort_unstable();
    full.sort_unstable();
    let (bare, full) = (bare[ROUNDS / 2], full[ROUNDS / 2]);
    println!(
        "interleaved medians over {ROUNDS} rounds: bare RSA {bare:?}, oauth1 sign {full:?}, ratio {:.3}",
        full.as_secs_f64() / bare.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
