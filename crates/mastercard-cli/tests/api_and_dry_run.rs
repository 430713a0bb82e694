//! `mastercard api` and `--dry-run` against the embedded sandbox: raw requests go through the
//! client (signing, the dispute-event guard), look-alikes of event-creating operations are
//! refused unsent, and a dry run sends nothing, leaves the ledger alone and prints the same
//! base string and header as `mastercard_oauth1::Signer` computes for that request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use mastercard_keys::{Pkcs12Identity, Pkcs12Options};
use mastercard_oauth1::{AuthorizationHeader, Request, Signer, SigningParams};
use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use serde_json::{Value, json};
use support::{Cli, total_calls};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A claim on the seeded transaction of 2024-03-14, created through `mastercard api`.
async fn claim(cli: &Cli, sandbox: &RunningSandbox) -> String {
    // The spec's longest search range is 30 days; March 2024 holds one seeded transaction.
    let found = cli
        .ok(
            &["api", "POST", "/v6/transactions/search", "--body", "-"],
            Some(json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}).to_string()),
        )
        .await;
    assert_eq!(found["authorizationSummaryCount"], "1", "{found}");
    let clearing = found["authorizationSummary"][0]["clearingSummary"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = total_calls(sandbox);
    let created = cli
        .ok(
            &["api", "POST", "/v6/claims", "--body", "-"],
            Some(
                json!({"claimType": "Standard", "clearingTransactionId": clearing,
                "disputedAmount": "25.00", "disputedCurrency": "USD"})
                .to_string(),
            ),
        )
        .await;
    assert_eq!(total_calls(sandbox), before + 1);
    created["claimId"].as_str().unwrap().to_owned()
}

fn chargeback(memo: &str) -> String {
    json!({"amount": "25.00", "chargebackType": "CHARGEBACK", "currency": "USD",
        "documentIndicator": "false", "messageText": memo, "reasonCode": "4853"})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_sends_signed_requests_through_the_guard_and_refuses_look_alikes() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));

    let queues = cli.ok(&["api", "GET", "/v6/queues/names"], None).await;
    assert!(
        queues
            .as_array()
            .unwrap()
            .iter()
            .any(|queue| queue["queueName"] == "Worked"),
        "{queues}"
    );
    let summary = cli
        .ok(
            &["api", "get", "/v6/queues", "--query", "queue-name=Worked"],
            None,
        )
        .await;
    assert!(summary.is_array(), "{summary}");

    let claim_id = claim(&cli, &sandbox).await;
    let path = format!("/v6/claims/{claim_id}/chargebacks");
    let created = cli
        .ok(
            &["api", "POST", &path, "--body", "-"],
            Some(chargeback("first")),
        )
        .await;
    assert!(created["chargebackId"].is_string(), "{created}");

    // The same dispute event again, through `api`: the guard refuses it (4), nothing sent.
    let before = total_calls(&sandbox);
    let again = cli
        .run(
            &["api", "POST", &path, "--body", "-"],
            Some(chargeback("second")),
        )
        .await;
    assert_eq!(again.status.code(), Some(4), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("dispute-event-guard refused"),
        "{}",
        stderr(&again)
    );
    assert_eq!(total_calls(&sandbox), before);

    // Look-alikes of the event-creating path: refused (2) before sending, naming the subcommand.
    for (method, look_alike) in [
        ("POST", format!("{path}/")),
        ("POST", format!("/v6/Claims/{claim_id}/chargebacks")),
        ("POST", format!("/v6/claims/{claim_id}/%63hargebacks")),
        ("PUT", path.clone()),
    ] {
        let refused = cli
            .run(
                &["api", method, &look_alike, "--body", "-"],
                Some(chargeback("third")),
            )
            .await;
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{look_alike}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains("mastercard mastercom create-chargeback"),
            "{}",
            stderr(&refused)
        );
    }
    // Paths the URL parser would rewrite into the event-creating one: refused (2), unsent.
    for rewritten in [
        format!("/v6/claims/{claim_id}/x/../chargebacks"),
        format!("/v6/claims/{claim_id}/./chargebacks"),
        format!("/v6/claims/{claim_id}\\chargebacks"),
    ] {
        let refused = cli
            .run(
                &["api", "POST", &rewritten, "--body", "-"],
                Some(chargeback("fourth")),
            )
            .await;
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{rewritten}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains("not in canonical form"),
            "{}",
            stderr(&refused)
        );
    }
    assert_eq!(total_calls(&sandbox), before);

    // Mastercard's rejection: exit 3, the error body on stdout.
    let missing = cli
        .run(&["api", "GET", "/v6/claims/999999999999"], None)
        .await;
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
    let body: Value = serde_json::from_slice(&missing.stdout).unwrap();
    assert!(
        body.to_string().contains("Errors") || body.to_string().contains("Error"),
        "{body}"
    );

    // The client signs: a user Authorization header is refused.
    let forged = cli
        .run(
            &[
                "api",
                "GET",
                "/v6/queues/names",
                "--header",
                "Authorization: OAuth x",
            ],
            None,
        )
        .await;
    assert_eq!(forged.status.code(), Some(2), "{}", stderr(&forged));
    sandbox.shutdown().await;
}

/// The parts of a dry run's output.
struct DryRunOutput {
    method: String,
    url: String,
    authorization: String,
    base_string: String,
    text: String,
}

fn parse_dry_run(stdout: &[u8]) -> DryRunOutput {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    let mut lines = text.lines();
    let (method, url) = lines.next().unwrap().split_once(' ').unwrap();
    let mut authorization = String::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("authorization: ") {
            authorization = value.to_owned();
        }
    }
    assert_eq!(lines.next(), Some("# signature base string"), "{text}");
    let base_string = lines.next().unwrap().to_owned();
    DryRunOutput {
        method: method.to_owned(),
        url: url.to_owned(),
        authorization,
        base_string,
        text,
    }
}

/// What `mastercard_oauth1::Signer` computes for the same request, with the dry run's own
/// timestamp and nonce.
fn library_signature(
    sandbox: &RunningSandbox,
    dry: &DryRunOutput,
    body: &[u8],
) -> (String, String) {
    let header = AuthorizationHeader::parse(&dry.authorization).unwrap();
    let identity = Pkcs12Identity::from_file(
        &sandbox.credentials.signing_p12,
        &Pkcs12Options {
            alias: Some(PKCS12_ALIAS.to_owned()),
            password: Some(PKCS12_PASSWORD.to_owned()),
        },
    )
    .unwrap();
    let params = SigningParams {
        timestamp: header.timestamp.parse().unwrap(),
        nonce: header.nonce.clone(),
    };
    let signer = Signer::new(sandbox.credentials.consumer_key.clone(), identity.key).unwrap();
    let signed = signer
        .sign_with(&Request::new(&dry.method, &dry.url, body), &params)
        .unwrap();
    (signed.base_string, signed.authorization)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_librarys_signature_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));
    let claim_id = claim(&cli, &sandbox).await;
    let pan = "5154676300000001";
    let body = json!({"amount": "25.00", "chargebackType": "CHARGEBACK", "currency": "USD",
        "documentIndicator": "false", "messageText": format!("card {pan}"), "reasonCode": "4853"})
    .to_string();

    // A typed operation: the body is not printed unless asked.
    let before = total_calls(&sandbox);
    let hidden = cli
        .run(
            &[
                "mastercom",
                "create-chargeback",
                "--claim-id",
                &claim_id,
                "--body",
                "-",
                "--dry-run",
            ],
            Some(body.clone()),
        )
        .await;
    assert_eq!(hidden.status.code(), Some(0), "{}", stderr(&hidden));
    let dry = parse_dry_run(&hidden.stdout);
    assert!(!dry.text.contains(pan), "{}", dry.text);
    assert!(dry.text.contains("not shown"), "{}", dry.text);
    assert_eq!(dry.method, "POST");
    assert_eq!(
        dry.url,
        format!("{}/v6/claims/{claim_id}/chargebacks", sandbox.mastercom_url)
    );

    let shown = cli
        .run(
            &[
                "mastercom",
                "--dry-run",
                "--show-body",
                "create-chargeback",
                "--claim-id",
                &claim_id,
                "--body",
                "-",
            ],
            Some(body.clone()),
        )
        .await;
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let dry = parse_dry_run(&shown.stdout);
    // The body as the typed client serialised it: the line after "# body: N bytes".
    let sent_body = dry
        .text
        .lines()
        .skip_while(|line| !line.starts_with("# body: "))
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(sent_body.contains(pan));
    let (base_string, authorization) = library_signature(&sandbox, &dry, sent_body.as_bytes());
    assert_eq!(dry.base_string, base_string);
    // RSA-SHA256 (PKCS#1 v1.5) is deterministic: the same header, signature included.
    assert_eq!(dry.authorization, authorization);

    // `api --dry-run`, with a query: the same comparison.
    let raw = cli
        .run(
            &[
                "api",
                "GET",
                "/v6/queues",
                "--query",
                "queue-name=Worked",
                "--dry-run",
            ],
            None,
        )
        .await;
    assert_eq!(raw.status.code(), Some(0), "{}", stderr(&raw));
    let dry = parse_dry_run(&raw.stdout);
    assert!(
        dry.url.ends_with("/v6/queues?queue-name=Worked"),
        "{}",
        dry.url
    );
    let (base_string, authorization) = library_signature(&sandbox, &dry, b"");
    assert_eq!(dry.base_string, base_string);
    assert_eq!(dry.authorization, authorization);

    // Nothing reached the sandbox, and the ledger holds no reservation: the real call goes out.
    assert_eq!(total_calls(&sandbox), before);
    let created = cli
        .ok(
            &[
                "mastercom",
                "create-chargeback",
                "--claim-id",
                &claim_id,
                "--body",
                "-",
            ],
            Some(body),
        )
        .await;
    assert!(created["chargebackId"].is_string(), "{created}");
    assert_eq!(total_calls(&sandbox), before + 1);
    sandbox.shutdown().await;
}
