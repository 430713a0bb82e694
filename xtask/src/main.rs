//! `cargo xtask`: the only part of the workspace that touches the network.

fn main() {}
