//! The sandbox cannot be stalled: idle and half-open connections are closed after their
//! timeouts, the connection cap closes the surplus at once, and at the file-descriptor limit
//! the accept loop pauses instead of spinning a CPU.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod raw;
mod support;

use std::io::BufRead;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mastercard_sandbox::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Waits (bounded) until the gauge satisfies `ready`.
async fn wait_for_connections(
    mut gauge: tokio::sync::watch::Receiver<usize>,
    what: &str,
    ready: impl FnMut(&usize) -> bool,
) {
    tokio::time::timeout(Duration::from_secs(30), gauge.wait_for(ready))
        .await
        .unwrap_or_else(|_| panic!("open connections never reached {what}"))
        .unwrap();
}

/// The first flight of a real TLS client (its ClientHello), to start a handshake that is
/// never finished.
fn client_hello(ca_pem: &std::path::Path) -> Vec<u8> {
    let roots =
        mastercard_transport::tls::TrustRoots::from_pem(&std::fs::read(ca_pem).unwrap()).unwrap();
    let config = mastercard_transport::tls::client_config(&roots, None).unwrap();
    let mut client = rustls::ClientConnection::new(
        std::sync::Arc::new(config),
        rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
    )
    .unwrap();
    let mut hello = Vec::new();
    client.write_tls(&mut hello).unwrap();
    assert!(!hello.is_empty());
    hello
}

/// Reads until the server closes `socket` (EOF or reset) and returns when that happened.
async fn closed_by_server(mut socket: TcpStream) -> Instant {
    let mut sink = [0u8; 4096];
    loop {
        match tokio::time::timeout(raw::READ_DEADLINE, socket.read(&mut sink)).await {
            Err(_) => panic!(
                "an idle connection was still open after {:?}",
                raw::READ_DEADLINE
            ),
            Ok(Ok(0)) | Ok(Err(_)) => return Instant::now(),
            Ok(Ok(_)) => {} // the ServerHello of a half-open handshake
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_idle_connections_neither_stall_a_signed_request_nor_stay_open() {
    const PLAIN: usize = 200;
    const HALF_TLS: usize = 200;
    let handshake = Duration::from_secs(5);
    let env = support::start_with(|mut c| {
        c.limits = Limits {
            tls_handshake_timeout: handshake,
            header_read_timeout: Duration::from_secs(3),
            max_connections: 1000,
            ..Limits::default()
        };
        c
    })
    .await;
    let addr = env.sandbox.mastercom_addr;
    let hello = client_hello(&env.sandbox.credentials.ca_cert);
    let mut idle = Vec::new();
    for _ in 0..PLAIN {
        idle.push((Instant::now(), TcpStream::connect(addr).await.unwrap()));
    }
    for _ in 0..HALF_TLS {
        let opened = Instant::now();
        let mut socket = TcpStream::connect(addr).await.unwrap();
        socket.write_all(&hello).await.unwrap();
        idle.push((opened, socket));
    }
    // Every idle connection is open on the server before the signed request goes out.
    wait_for_connections(env.sandbox.mastercom_connections(), "all idle ones", |n| {
        *n >= PLAIN + HALF_TLS
    })
    .await;

    let started = Instant::now();
    let reply = env.call("GET", "/v6/healthcheck", None).await;
    let took = started.elapsed();
    assert_eq!(reply.status, 200, "{}", reply.body);
    println!(
        "signed request answered in {took:?} while {} idle connections were open",
        PLAIN + HALF_TLS
    );
    assert!(
        took < Duration::from_secs(5),
        "a signed request took {took:?} beside idle connections"
    );

    // Each idle connection is closed by the server, not before the handshake timeout.
    let waits: Vec<_> = idle
        .into_iter()
        .map(|(opened, socket)| {
            tokio::spawn(async move { closed_by_server(socket).await.duration_since(opened) })
        })
        .collect();
    let mut lived = Vec::new();
    for wait in waits {
        lived.push(wait.await.unwrap());
    }
    let shortest = lived.iter().min().unwrap();
    let longest = lived.iter().max().unwrap();
    println!(
        "{} idle connections closed by the server after {shortest:?} to {longest:?} (handshake timeout {handshake:?})",
        lived.len()
    );
    assert!(*shortest >= handshake, "closed early: {shortest:?}");
    // And the signed request's kept-alive connection goes too (header-read timeout).
    wait_for_connections(env.sandbox.mastercom_connections(), "0", |n| *n == 0).await;
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_request_head_or_body_that_stops_arriving_is_cut_off() {
    let header_read = Duration::from_secs(1);
    let idle = Duration::from_secs(3);
    let env = support::start_with(|mut c| {
        c.limits = Limits {
            tls_handshake_timeout: Duration::from_secs(30),
            header_read_timeout: header_read,
            idle_timeout: idle,
            ..Limits::default()
        };
        c
    })
    .await;
    let ca = env.sandbox.credentials.ca_cert.clone();
    let addr = env.sandbox.mastercom_addr;

    // Handshake done, no request: the header-read timeout closes it.
    let mut silent = raw::connect(addr, &ca, None).await;
    let ready = Instant::now();
    raw::read_to_close(&mut silent).await;
    let waited = ready.elapsed();
    println!("silent connection closed after {waited:?}");
    assert!(
        waited >= header_read && waited < idle,
        "closed after {waited:?}"
    );

    // Headers sent, the body stops after 10 of 100 bytes: the idle timeout closes it, with no
    // answer (nothing was processed).
    let mut stalled = raw::connect(addr, &ca, None).await;
    stalled
        .write_all(
            format!(
                "POST /mastercom/v6/transactions/search HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"a\": \"12\""
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    stalled.flush().await.unwrap();
    let last_byte = Instant::now();
    let answer = raw::read_to_close(&mut stalled).await;
    let waited = last_byte.elapsed();
    println!("stalled body closed after {waited:?}");
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(
        waited >= idle && waited < Duration::from_secs(30),
        "{waited:?}"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_at_once_and_the_cap_frees_up() {
    const CAP: usize = 4;
    let env = support::start_with(|mut c| {
        c.limits = Limits {
            max_connections: CAP,
            // Long enough that only the cap can explain a prompt close below.
            tls_handshake_timeout: Duration::from_secs(60),
            ..Limits::default()
        };
        c
    })
    .await;
    let addr: SocketAddr = env.sandbox.mastercom_addr;
    let mut held = Vec::new();
    for _ in 0..CAP {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    wait_for_connections(env.sandbox.mastercom_connections(), "the cap", |n| {
        *n == CAP
    })
    .await;
    let started = Instant::now();
    closed_by_server(TcpStream::connect(addr).await.unwrap()).await;
    let refused_after = started.elapsed();
    println!("connection over the cap closed after {refused_after:?}");
    assert!(refused_after < Duration::from_secs(10));

    drop(held);
    wait_for_connections(env.sandbox.mastercom_connections(), "0", |n| *n == 0).await;
    assert_eq!(env.call("GET", "/v6/healthcheck", None).await.status, 200);
    env.sandbox.shutdown().await;
}

/// CPU time (user + system) of process `pid`, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may contain spaces) start at field 3.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let per_second: u64 = String::from_utf8(
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    Duration::from_millis(ticks * 1000 / per_second)
}

#[test]
fn at_the_file_descriptor_limit_the_accept_loop_pauses_instead_of_spinning() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        eprintln!("skipped: needs /proc to measure the CPU time of the sandbox process");
        return;
    }
    const NOFILE: u32 = 64;
    let state = tempfile::tempdir().unwrap();
    // RLIMIT_NOFILE is per process: the limited sandbox is a child (`exec` keeps the pid).
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -n {NOFILE} && exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_mastercard-sandbox"),
            "--state-dir",
            state.path().to_str().unwrap(),
            "--mastercom-port",
            "0",
            "--iit-port",
            "0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mastercom: SocketAddr = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "exited early");
        if let Some(rest) = line.trim().strip_prefix("Mastercom:") {
            let authority = rest.trim().trim_start_matches("https://");
            break authority.split('/').next().unwrap().parse().unwrap();
        }
    };
    // stderr lines arrive on a channel so the test can wait for one with a deadline.
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for_line = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("the sandbox never logged {needle:?}"));
            if line.contains(needle) {
                return line;
            }
        }
    };

    // More connections than descriptors: the kernel completes them into the backlog, the
    // sandbox accepts until EMFILE and then cannot accept the rest.
    let held: Vec<std::net::TcpStream> = (0..2 * NOFILE)
        .map(|_| std::net::TcpStream::connect(mastercom).unwrap())
        .collect();
    let logged = wait_for_line("accept failed");
    println!("sandbox: {logged}");

    // A measurement window, not synchronisation: CPU used while the limit holds.
    let window = Duration::from_secs(2);
    let before = cpu_time(pid);
    std::thread::sleep(window);
    let used = cpu_time(pid).saturating_sub(before);
    println!(
        "at the descriptor limit ({NOFILE}): {used:?} CPU in {window:?} ({:.1}%)",
        used.as_secs_f64() * 100.0 / window.as_secs_f64()
    );
    assert!(
        used < window / 10,
        "the accept loop used {used:?} of CPU in {window:?}"
    );

    // Closing the held connections frees descriptors; the sandbox accepts and answers again.
    drop(held);
    let logged = wait_for_line("accepting again");
    println!("sandbox: {logged}");
    let creds = mastercard_sandbox::Credentials::ensure(state.path()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        let http = support::http_client(&creds, None);
        let url = format!("https://{mastercom}/mastercom/v6/healthcheck");
        let auth = support::signer(&creds)
            .sign(&mastercard_oauth1::Request::new("GET", &url, b""))
            .unwrap()
            .authorization;
        http.get(&url)
            .header("Authorization", auth)
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
