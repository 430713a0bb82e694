//! `cargo xtask chaos`: dispute-event attempts from worker processes in two groups that share
//! nothing but a PostgreSQL dispute-event ledger (as two machines would), against the embedded
//! sandbox while it injects faults and workers are killed and restarted. Prints the figure and
//! fails if the sandbox created any duplicate dispute event.
//!
//! ```text
//! mastercard-chaos [--attempts N] [--claims N] [--workers N] [--seed N] [--no-guard]
//! ```
//!
//! * The coordinator (this process) starts a throwaway PostgreSQL server
//!   (`mastercard_testkit::postgres`) and the embedded sandbox (real 60 s duplicate window, real
//!   clock; the guard's windows are the real 60 s / 1 h too), creates the claims (with the guard
//!   off: setup, not counted), and deals the attempts round-robin to the workers, so the attempts
//!   of one event land on different workers at about the same time.
//! * Workers are this binary re-run as `worker`; workers `0..n/2` are group A, the rest group B,
//!   each group with its own state folder (`XDG_STATE_HOME`): only the PostgreSQL ledger is
//!   shared. A worker prints one line per attempt.
//! * Faults: after each reported attempt, with probability 1/6, the coordinator arms one fault
//!   for the next request of a random event route: a 2 s delay (the workers' calls time out after
//!   1 s), a reset after the request was read, a 503, or a truncated response.
//! * Kills: each worker is killed (SIGKILL) once, when it has reported a third of its attempts,
//!   and restarted from the attempt after its last reported one; the attempt it was making is
//!   counted as killed.
//! * `--no-guard`: the same run with the guard off in the workers — the control, which should
//!   show duplicates.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mastercard_sandbox::{Fault, FaultAction, SEED_TRANSACTIONS, Sandbox, SandboxConfig};
use mastercard_transport::tls::TrustRoots;
use mastercom::Timeouts;
use mastercom::{Error as MastercomError, ErrorKind, MastercomClient};
use serde_json::json;

type Result<T> = std::result::Result<T, String>;

/// The event kinds attempted.
const KINDS: [&str; 4] = ["chargeback", "second_presentment", "retrieval", "fraud"];
/// The sandbox routes the faults are armed on.
const ROUTES: [&str; 3] = [
    "createChargeback",
    "createRetrievalRequest",
    "createFraudMasterCard",
];

/// A small deterministic generator (splitmix64), so a seed reproduces a run's plan.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

struct Options {
    attempts: usize,
    claims: usize,
    workers: usize,
    seed: u64,
    guard: bool,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        attempts: 1200,
        claims: 200,
        workers: 4,
        seed: 7,
        guard: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<u64> {
            args.next()
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--attempts" => options.attempts = to_usize(number("--attempts")?),
            "--claims" => options.claims = to_usize(number("--claims")?),
            "--workers" => options.workers = to_usize(number("--workers")?),
            "--seed" => options.seed = number("--seed")?,
            "--no-guard" => options.guard = false,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.workers < 2 {
        return Err("--workers must be at least 2 (two groups)".to_owned());
    }
    Ok(options)
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("worker") => worker(&args[1..]),
        _ => parse_options(&args).and_then(|options| coordinate(&options)),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("mastercard-chaos: {error}");
            ExitCode::FAILURE
        }
    }
}

// ---- coordinator ------------------------------------------------------------------------------

/// What a worker needs, passed as arguments.
struct WorkerSpec {
    index: usize,
    group: char,
    plan: PathBuf,
    state: PathBuf,
}

fn coordinate(options: &Options) -> Result<bool> {
    let started = Instant::now();
    let postgres = mastercard_testkit::postgres::PostgresServer::start()
        .ok_or("PostgreSQL is not installed (Debian package `postgresql`)")?;
    let ledger_url = postgres.create_database("chaos");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| format!("runtime: {error}"))?;
    let work = tempfile::tempdir().map_err(|error| format!("temp dir: {error}"))?;
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxConfig::new(
            work.path().join("sandbox"),
        )))
        .map_err(|error| format!("sandbox: {error}"))?;
    let credentials = &sandbox.credentials;

    // Setup: the claims (guard off: these are not the attempts under test).
    let setup = client_builder(&sandbox.mastercom_url, credentials)?
        .disable_dispute_event_guard()
        .build()
        .map_err(|error| format!("setup client: {error}"))?;
    let mut claims = Vec::with_capacity(options.claims);
    for index in 0..options.claims {
        let seed = &SEED_TRANSACTIONS[index % SEED_TRANSACTIONS.len()];
        let body = serde_json::from_value(json!({
            "claimType": "Standard",
            "clearingTransactionId": seed.clearing_transaction_id,
            "disputedAmount": "10.00",
            "disputedCurrency": "USD",
        }))
        .map_err(|error| format!("claim body: {error}"))?;
        let created = runtime
            .block_on(setup.create_claim(&body))
            .map_err(|error| format!("creating claim {index}: {}", error))?;
        claims.push(
            created
                .into_inner()
                .claim_id
                .ok_or("createClaim answered without a claimId")?,
        );
    }

    // The plan: each event (claim × kind) attempted about attempts / events times; attempts are
    // shuffled in small windows so an event's attempts stay close together, then dealt
    // round-robin so they land on different workers at about the same time.
    let mut rng = Rng(options.seed);
    let events = claims.len() * KINDS.len();
    let mut plan: Vec<(usize, usize)> = (0..options.attempts)
        .map(|attempt| {
            let event = (attempt / 2 + rng.below(3)) % events;
            (event / KINDS.len(), event % KINDS.len())
        })
        .collect();
    for window in plan.chunks_mut(8) {
        for index in (1..window.len()).rev() {
            window.swap(index, rng.below(index + 1));
        }
    }
    let mut per_worker: Vec<Vec<String>> = vec![Vec::new(); options.workers];
    for (attempt, (claim, kind)) in plan.iter().enumerate() {
        per_worker[attempt % options.workers]
            .push(format!("{} {} {attempt}", claims[*claim], KINDS[*kind]));
    }
    let specs: Vec<WorkerSpec> = per_worker
        .iter()
        .enumerate()
        .map(|(index, lines)| -> Result<WorkerSpec> {
            let group = if index < options.workers / 2 {
                'A'
            } else {
                'B'
            };
            let plan = work.path().join(format!("plan-{index}.txt"));
            std::fs::write(&plan, lines.join("\n")).map_err(|error| format!("plan: {error}"))?;
            let state = work.path().join(format!("group-{group}"));
            std::fs::create_dir_all(&state).map_err(|error| format!("state: {error}"))?;
            Ok(WorkerSpec {
                index,
                group,
                plan,
                state,
            })
        })
        .collect::<Result<_>>()?;

    let common = WorkerCommon {
        mastercom_url: sandbox.mastercom_url.clone(),
        ca: credentials.ca_cert.clone(),
        signing_p12: credentials.signing_p12.clone(),
        consumer_key: credentials.consumer_key.clone(),
        ledger_url,
        guard: options.guard,
    };
    println!(
        "chaos: {} worker processes in groups A and B sharing only a PostgreSQL ledger ({}), \
         {} claims, {} attempts, seed {}",
        options.workers,
        if options.guard {
            "guard on"
        } else {
            "guard OFF: control run"
        },
        claims.len(),
        options.attempts,
        options.seed
    );
    let tally = run_workers(
        &specs,
        per_worker.iter().map(Vec::len).collect(),
        &common,
        &sandbox,
        &mut rng,
    )?;

    let duplicates = sandbox.duplicate_events();
    let claim_count = sandbox.claim_count();
    runtime.block_on(sandbox.shutdown());
    drop(postgres);

    let count = |key: &str| tally.outcomes.get(key).copied().unwrap_or(0);
    let refused =
        count("guard:Duplicate") + count("guard:OutcomeUnknown") + count("guard:InFlight");
    println!(
        "attempts:                                   {}",
        tally.attempts
    );
    println!(
        "events sent (2xx):                          {}",
        count("sent")
    );
    println!(
        "refused by the guard:                       {refused} (same event within 60 s: {}, after an unknown outcome: {}, in flight: {})",
        count("guard:Duplicate"),
        count("guard:OutcomeUnknown"),
        count("guard:InFlight")
    );
    println!(
        "outcomes unknown:                           {} (timeout: {}, connection lost/reset or truncated: {}, 5xx: {}; killed mid-call: {})",
        count("unknown:timeout")
            + count("unknown:lost")
            + count("unknown:5xx")
            + tally.killed_mid_call,
        count("unknown:timeout"),
        count("unknown:lost"),
        count("unknown:5xx"),
        tally.killed_mid_call
    );
    println!(
        "rejected by the sandbox (4xx):              {}",
        count("rejected")
    );
    println!(
        "other failures:                             {}",
        count("other")
    );
    println!(
        "faults armed:                               {}",
        tally.faults
    );
    println!(
        "workers killed and restarted:               {}",
        tally.kills
    );
    println!("claims in the sandbox:                      {claim_count}");
    println!(
        "duplicate events refused by the sandbox:    {}",
        duplicates.refused
    );
    println!(
        "duplicate events created in the sandbox:    {}",
        duplicates.created
    );
    println!(
        "wall time:                                  {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let complete = tally.attempts + tally.killed_mid_call >= options.attempts;
    if !complete {
        println!(
            "INCOMPLETE: {} of {} attempts reported",
            tally.attempts, options.attempts
        );
    }
    Ok(complete && (duplicates.created == 0 || !options.guard))
}

struct WorkerCommon {
    mastercom_url: String,
    ca: PathBuf,
    signing_p12: PathBuf,
    consumer_key: String,
    ledger_url: String,
    guard: bool,
}

#[derive(Default)]
struct Tally {
    attempts: usize,
    outcomes: HashMap<String, usize>,
    faults: usize,
    kills: usize,
    killed_mid_call: usize,
}

enum Message {
    Done {
        worker: usize,
        line: usize,
        outcome: String,
    },
    Exited {
        worker: usize,
        generation: usize,
    },
}

fn spawn_worker(
    spec: &WorkerSpec,
    common: &WorkerCommon,
    from: usize,
    generation: usize,
    sender: &mpsc::Sender<Message>,
) -> Result<Child> {
    let exe = std::env::current_exe().map_err(|error| format!("current exe: {error}"))?;
    let mut child = Command::new(exe)
        .arg("worker")
        .arg(&spec.plan)
        .arg(from.to_string())
        .env("XDG_STATE_HOME", &spec.state)
        .env("CHAOS_GROUP", spec.group.to_string())
        .env("CHAOS_MASTERCOM_URL", &common.mastercom_url)
        .env("CHAOS_CA", &common.ca)
        .env("CHAOS_SIGNING_P12", &common.signing_p12)
        .env("CHAOS_CONSUMER_KEY", &common.consumer_key)
        .env("CHAOS_GUARD", if common.guard { "1" } else { "0" })
        // The connection string (no password: trust on a private socket) goes by environment.
        .env("MASTERCOM_LEDGER_URL_CHAOS", &common.ledger_url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("spawning worker {}: {error}", spec.index))?;
    let stdout = child.stdout.take().ok_or("worker stdout")?;
    let sender = sender.clone();
    let worker = spec.index;
    std::thread::spawn(move || {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            let mut parts = line.split_whitespace();
            if parts.next() != Some("DONE") {
                continue;
            }
            let index = parts.next().and_then(|index| index.parse().ok());
            let outcome = parts.next().unwrap_or("other").to_owned();
            if let Some(line) = index {
                let _ = sender.send(Message::Done {
                    worker,
                    line,
                    outcome,
                });
            }
        }
        let _ = sender.send(Message::Exited { worker, generation });
    });
    Ok(child)
}

fn run_workers(
    specs: &[WorkerSpec],
    lengths: Vec<usize>,
    common: &WorkerCommon,
    sandbox: &mastercard_sandbox::RunningSandbox,
    rng: &mut Rng,
) -> Result<Tally> {
    let (sender, receiver) = mpsc::channel();
    let mut children: Vec<Child> = Vec::new();
    let mut generations = vec![0usize; specs.len()];
    for spec in specs {
        children.push(spawn_worker(spec, common, 0, 0, &sender)?);
    }
    let mut done = vec![0usize; specs.len()];
    let mut next_line = vec![0usize; specs.len()];
    let mut killed = vec![false; specs.len()];
    let mut restarting = vec![false; specs.len()];
    let mut running = specs.len();
    let mut tally = Tally::default();
    let faults = [
        Fault::default().latency(Duration::from_secs(2)),
        Fault::action(FaultAction::ResetAfterRead),
        Fault::action(FaultAction::Status503),
        Fault::action(FaultAction::TruncatedBody),
    ];
    while running > 0 {
        let message = receiver
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| "no worker reported for 120 s".to_owned())?;
        match message {
            Message::Done {
                worker,
                line,
                outcome,
            } => {
                tally.attempts += 1;
                *tally.outcomes.entry(outcome).or_default() += 1;
                done[worker] += 1;
                next_line[worker] = line + 1;
                if rng.below(6) == 0 {
                    let fault = faults[rng.below(faults.len())].clone().times(1);
                    sandbox.faults().set(ROUTES[rng.below(ROUTES.len())], fault);
                    tally.faults += 1;
                }
                if !killed[worker] && done[worker] >= lengths[worker] / 3 {
                    killed[worker] = true;
                    let child = &mut children[worker];
                    let _ = child.kill();
                    let _ = child.wait();
                    tally.kills += 1;
                    // Restarted once its last lines have been read (its `Exited` below).
                    restarting[worker] = true;
                }
            }
            Message::Exited { worker, generation }
                if generation == generations[worker] && restarting[worker] =>
            {
                restarting[worker] = false;
                // The attempt after the last reported one was under way (or about to start)
                // when the worker was killed: abandoned, its outcome unknown.
                if next_line[worker] < lengths[worker] {
                    tally.killed_mid_call += 1;
                    next_line[worker] += 1;
                }
                generations[worker] += 1;
                children[worker] = spawn_worker(
                    &specs[worker],
                    common,
                    next_line[worker],
                    generations[worker],
                    &sender,
                )?;
            }
            Message::Exited { worker, generation } => {
                if generation == generations[worker] {
                    let status = children[worker]
                        .wait()
                        .map_err(|error| format!("wait: {error}"))?;
                    if !status.success() {
                        return Err(format!("worker {worker} failed: {status}"));
                    }
                    running -= 1;
                }
            }
        }
    }
    Ok(tally)
}

// ---- worker -----------------------------------------------------------------------------------

fn env(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn client_builder(
    url: &str,
    credentials: &mastercard_sandbox::Credentials,
) -> Result<mastercom::MastercomClientBuilder> {
    builder_from(
        url,
        &credentials.ca_cert,
        &credentials.signing_p12,
        &credentials.consumer_key,
    )
}

fn builder_from(
    url: &str,
    ca: &Path,
    signing_p12: &Path,
    consumer_key: &str,
) -> Result<mastercom::MastercomClientBuilder> {
    let ca = std::fs::read(ca).map_err(|error| format!("CA: {error}"))?;
    Ok(MastercomClient::builder()
        .base_url(url)
        .consumer_key(consumer_key)
        .signing_key_pkcs12(
            signing_p12,
            Some(mastercard_sandbox::pki::PKCS12_ALIAS),
            mastercard_sandbox::pki::PKCS12_PASSWORD,
        )
        .trust_roots(TrustRoots::from_pem(&ca).map_err(|error| format!("CA: {error}"))?))
}

fn worker(args: &[String]) -> Result<bool> {
    let plan = args.first().ok_or("worker: no plan")?;
    let from: usize = args
        .get(1)
        .and_then(|from| from.parse().ok())
        .ok_or("worker: no start line")?;
    let plan = std::fs::read_to_string(plan).map_err(|error| format!("plan: {error}"))?;
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(1),
        total: Duration::from_secs(1),
        ..Timeouts::default()
    };
    let mut builder = builder_from(
        &env("CHAOS_MASTERCOM_URL")?,
        Path::new(&env("CHAOS_CA")?),
        Path::new(&env("CHAOS_SIGNING_P12")?),
        &env("CHAOS_CONSUMER_KEY")?,
    )?
    .timeouts(timeouts);
    builder = if env("CHAOS_GUARD")? == "1" {
        builder.dispute_event_ledger_postgres(env("MASTERCOM_LEDGER_URL_CHAOS")?)
    } else {
        builder.disable_dispute_event_guard()
    };
    let client = builder
        .build()
        .map_err(|error| format!("worker client: {error}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("runtime: {error}"))?;
    let mut stdout = std::io::stdout().lock();
    for (index, line) in plan.lines().enumerate().skip(from) {
        let mut parts = line.split_whitespace();
        let (Some(claim), Some(kind), Some(attempt)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("plan line {index}: {line:?}"));
        };
        let outcome = runtime.block_on(attempt_event(&client, claim, kind, attempt))?;
        writeln!(stdout, "DONE {index} {outcome}").map_err(|error| format!("stdout: {error}"))?;
        stdout.flush().map_err(|error| format!("stdout: {error}"))?;
    }
    Ok(true)
}

/// A generated request type from JSON.
fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|error| format!("request body: {error}"))
}

/// One attempt: the body differs per attempt in a free field (amount, memo), so only the
/// guard's notion of "the same dispute event" can stop a duplicate.
async fn attempt_event(
    client: &MastercomClient,
    claim: &str,
    kind: &str,
    attempt: &str,
) -> Result<String> {
    let amount = format!("{}.00", 10 + attempt.len() % 7);
    let result = match kind {
        "chargeback" | "second_presentment" => {
            let cycle = if kind == "chargeback" {
                "CHARGEBACK"
            } else {
                "SECOND_PRESENTMENT"
            };
            client
                .create_chargeback(
                    claim,
                    &typed(json!({
                        "amount": amount,
                        "chargebackType": cycle,
                        "currency": "USD",
                        "documentIndicator": "false",
                        "reasonCode": "4853",
                        "messageText": format!("attempt {attempt}"),
                    }))?,
                )
                .await
                .map(drop)
        }
        "retrieval" => client
            .create_retrieval_request(
                claim,
                &typed(json!({
                    "docNeeded": "2",
                    "retrievalRequestReason": "6343",
                    "instructionsForHealthcare": format!("attempt {attempt}"),
                }))?,
            )
            .await
            .map(drop),
        _ => client
            .create_fraud_master_card(
                claim,
                &typed(json!({
                    "chgbkIndicator": "0",
                    "cvcInvalidIndicator": "Y",
                    "fraudType": "00",
                    "reportDate": "2021-02-11",
                    "subType": "K",
                }))?,
            )
            .await
            .map(drop),
    };
    Ok(match result {
        Ok(()) => "sent".to_owned(),
        Err(error) => classify(&error),
    })
}

fn classify(error: &MastercomError) -> String {
    if let Some(refusal) = error.guard_refusal() {
        return format!("guard:{:?}", refusal.reason);
    }
    match error.kind() {
        ErrorKind::Timeout => "unknown:timeout".to_owned(),
        ErrorKind::ConnectionLost | ErrorKind::InvalidResponse => "unknown:lost".to_owned(),
        ErrorKind::Api
            if error
                .status()
                .is_some_and(|status| status.is_server_error()) =>
        {
            "unknown:5xx".to_owned()
        }
        ErrorKind::Api => "rejected".to_owned(),
        _ => "other".to_owned(),
    }
}
