//! Where middleware plugs into the generated client.
//!
//! Every generated operation calls `ClientHooks::{pre, exec, post}` with the client's inner
//! value, an ordered [`Transport`](mastercard_transport::Transport) of middleware. Add middleware
//! to the transport you pass to `Client::new_with_client`; nothing is regenerated. (The generated
//! `Client::new` is removed at generation time: it would build its own HTTP client outside the
//! workspace's TLS setup.)

/// The generated `Client`'s inner value (named in this crate's `Cargo.toml` metadata).
pub type Inner = mastercard_transport::Transport;

mastercard_transport::impl_client_hooks!(crate::Client);
