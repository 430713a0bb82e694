//! A bounded loopback load test: 2000 signed requests, 8 at a time, every one OAuth1-verified by
//! the sandbox. Requests are signed before the clock starts, so the number is the sandbox's
//! (TLS + HTTP + verification + model), not the client's signing. Prints requests/s.
//!
//! `MASTERCARD_SANDBOX_SOAK=<seconds>` adds a longer soak of the same mix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use mastercard_oauth1::Request;
use serde_json::json;

const REQUESTS: usize = 2000;
const CONCURRENCY: usize = 8;

async fn run(env: &Arc<support::Env>, requests: usize) -> (usize, Duration) {
    let search =
        serde_json::to_vec(&json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}))
            .unwrap();
    let search_url = env.url("/v6/transactions/search");
    let health_url = env.url("/v6/healthcheck");
    // Half searches (POST with a body hash), half health checks (GET).
    let signed: Vec<(bool, String)> = (0..requests)
        .map(|i| {
            let post = i % 2 == 0;
            let (method, url, body) = if post {
                ("POST", &search_url, &search[..])
            } else {
                ("GET", &health_url, &[][..])
            };
            (
                post,
                env.signer
                    .sign(&Request::new(method, url, body))
                    .unwrap()
                    .authorization,
            )
        })
        .collect();
    let queue = Arc::new(parking_lot::Mutex::new(signed));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (env, queue, search, search_url, health_url) = (
            env.clone(),
            queue.clone(),
            search.clone(),
            search_url.clone(),
            health_url.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut ok = 0;
            loop {
                let Some((post, auth)) = queue.lock().pop() else {
                    break;
                };
                let request = if post {
                    env.http
                        .post(&search_url)
                        .body(search.clone())
                        .header("Content-Type", "application/json")
                } else {
                    env.http.get(&health_url)
                };
                let reply = request.header("Authorization", auth).send().await.unwrap();
                assert_eq!(reply.status(), 200);
                reply.bytes().await.unwrap();
                ok += 1;
            }
            ok
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    (total, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_load_with_signature_verification() {
    let env = Arc::new(support::start().await);
    let (done, elapsed) = tokio::time::timeout(Duration::from_secs(60), run(&env, REQUESTS))
        .await
        .expect("2000 requests within 60 s");
    assert_eq!(done, REQUESTS);
    let rate = done as f64 / elapsed.as_secs_f64();
    println!(
        "sandbox load: {done} signed requests, concurrency {CONCURRENCY}, {elapsed:.2?} → {rate:.0} requests/s (OAuth1 verified)"
    );

    if let Some(seconds) = std::env::var("MASTERCARD_SANDBOX_SOAK")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        let until = Instant::now() + Duration::from_secs(seconds);
        let mut rounds = 0;
        while Instant::now() < until {
            let (done, elapsed) = run(&env, REQUESTS).await;
            rounds += 1;
            println!(
                "soak round {rounds}: {:.0} requests/s",
                done as f64 / elapsed.as_secs_f64()
            );
        }
    }
}
