//! A tiny loopback forward proxy for proxy tests: `CONNECT host:port` opens a tunnel (TLS, client
//! certificate included, then runs end to end through it); an absolute-form plain-HTTP request
//! (`GET http://host:port/… HTTP/1.1`) is forwarded as is. It records every host asked for, so a
//! test can prove its traffic went through the proxy rather than straight to the server.
//!
//! Host names are resolved by the proxy, through [`Proxy::resolve`] first: a test can name its
//! server by a host that only the proxy knows, which a client bypassing the proxy cannot reach.
//!
//! Blocking threads, one per connection: test support only.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// How a client used the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Use {
    /// `CONNECT host:port`: a tunnel.
    Tunnel(String),
    /// A plain-HTTP request forwarded to `host:port`.
    Forward(String),
}

#[derive(Default)]
struct State {
    uses: Mutex<Vec<Use>>,
    hosts: Mutex<HashMap<String, SocketAddr>>,
    stopped: AtomicBool,
}

/// A running proxy on `127.0.0.1`; stops accepting when dropped.
pub struct Proxy {
    addr: SocketAddr,
    state: Arc<State>,
}

impl Proxy {
    /// Starts a proxy on an ephemeral loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let state = Arc::new(State::default());
        let accepting = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&accepting);
                thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Self { addr, state }
    }

    /// Makes the proxy send connections for `host` (no port) to `target`'s IP and the asked port.
    pub fn resolve(&self, host: &str, target: SocketAddr) -> &Self {
        self.state
            .hosts
            .lock()
            .unwrap()
            .insert(host.to_ascii_lowercase(), target);
        self
    }

    /// The proxy URL (`http://127.0.0.1:port`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything clients asked for, in order.
    pub fn uses(&self) -> Vec<Use> {
        self.state.uses.lock().unwrap().clone()
    }

    /// The `host:port` of every tunnel opened.
    pub fn tunnels(&self) -> Vec<String> {
        self.uses()
            .into_iter()
            .filter_map(|u| match u {
                Use::Tunnel(host) => Some(host),
                Use::Forward(_) => None,
            })
            .collect()
    }

    /// The `host:port` of every forwarded plain-HTTP request's connection.
    pub fn forwards(&self) -> Vec<String> {
        self.uses()
            .into_iter()
            .filter_map(|u| match u {
                Use::Forward(host) => Some(host),
                Use::Tunnel(_) => None,
            })
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads the request head (up to the blank line), returning it and any bytes read past it.
fn read_head(stream: &mut TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buffer.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buffer).into_owned(), rest));
        }
        if buffer.len() > 64 * 1024 {
            return Err(io::Error::other("request head too long"));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn connect(state: &State, authority: &str) -> io::Result<TcpStream> {
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| io::Error::other("no port"))?;
    let port: u16 = port.parse().map_err(io::Error::other)?;
    let known = state
        .hosts
        .lock()
        .unwrap()
        .get(&host.to_ascii_lowercase())
        .copied();
    match known {
        Some(target) => TcpStream::connect(SocketAddr::new(target.ip(), port)),
        None => TcpStream::connect((host.trim_matches(['[', ']']), port)),
    }
}

fn serve(mut client: TcpStream, state: &State) -> io::Result<()> {
    let (head, rest) = read_head(&mut client)?;
    let request_line = head.lines().next().unwrap_or_default().to_owned();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let mut upstream;
    if method.eq_ignore_ascii_case("CONNECT") {
        state
            .uses
            .lock()
            .unwrap()
            .push(Use::Tunnel(target.to_owned()));
        upstream = match connect(state, target) {
            Ok(upstream) => upstream,
            Err(_) => {
                client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")?;
                return Ok(());
            }
        };
        client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?;
        upstream.write_all(&rest)?;
    } else {
        // Absolute form: forwarded unchanged (servers accept absolute-form targets).
        let authority = target
            .strip_prefix("http://")
            .and_then(|t| t.split('/').next())
            .ok_or_else(|| io::Error::other("not an absolute-form http request"))?
            .to_owned();
        state
            .uses
            .lock()
            .unwrap()
            .push(Use::Forward(authority.clone()));
        upstream = connect(state, &authority)?;
        upstream.write_all(head.as_bytes())?;
        upstream.write_all(&rest)?;
    }
    let mut from_upstream = upstream.try_clone()?;
    let mut to_upstream = upstream;
    let mut from_client = client.try_clone()?;
    let mut to_client = client;
    let back = thread::spawn(move || {
        let _ = io::copy(&mut from_upstream, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut from_client, &mut to_upstream);
    let _ = to_upstream.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}
