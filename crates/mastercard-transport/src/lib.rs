#![doc = include_str!("../README.md")]

mod call;
mod client;
mod config;
pub mod dispatch;
mod error;
mod hooks;
mod limits;
mod middleware;
mod oauth1;
mod retry;
mod reuse;
pub mod tls;

pub use call::{CallContext, Failure, Observed, Problem, Stage};
pub use client::{ClientCore, Response, finish};
pub use config::{
    BaseUrlError, HttpConfig, HttpConfigError, ProxySetting, Timeouts, check_base_url,
};
pub use dispatch::{Arguments, DispatchError, Dispatched};
pub use error::{
    BoxError, CallError, Delivery, ErrorKind, MastercardError, mask_digit_runs, parse_errors,
};
pub use hooks::{correlation_id, exec, post, pre};
pub use limits::ResponseLimits;
/// The signature-mismatch diagnosis carried by [`CallError::signature_mismatch`].
pub use mastercard_oauth1::{Diagnosis, Difference};
pub use middleware::{Middleware, MiddlewareError, OperationSpec, Outcome, Transport};
pub use oauth1::OAuth1Signing;
pub use retry::RetryPolicy;
pub use reuse::{
    ConnectionReuse, RETURN_WINDOW, ReuseLayer, ReuseService, Superseded, connection_of,
};

/// Whether the server may have received a request that failed with `error`: `false` only when
/// the connection was never established (refused, DNS, TLS handshake, connect timeout) or the
/// request could not even be built.
pub fn error_may_have_been_sent(error: &reqwest::Error) -> bool {
    !(error.is_connect() || error.is_builder())
}

/// Re-exports the macro's expansion needs, so client crates do not have to name them.
#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
}

/// Implements `progenitor_client::ClientHooks<Transport>` for a generated `Client` by delegating to
/// [`pre`], [`exec`] and [`post`].
///
/// The impl must live in the crate that `include!`s the generated code (orphan rule), hence a
/// macro rather than a blanket impl.
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::Transport> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                $crate::pre(self.inner(), request, info)
            }

            async fn exec(
                &self,
                request: $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> $crate::__private::reqwest::Result<$crate::__private::reqwest::Response> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                $crate::exec(self.client(), self.inner(), request, info).await
            }

            async fn post<E>(
                &self,
                result: &$crate::__private::reqwest::Result<$crate::__private::reqwest::Response>,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                $crate::post(result, info)
            }
        }
    };
}

/// Includes what `build.rs` generated into the calling crate's `OUT_DIR`: the progenitor client
/// (as `generated`, re-exported), the operation table (`OPERATIONS`) and the typed methods of
/// the crate's hand-written client. One place for both client crates.
#[macro_export]
macro_rules! include_generated_client {
    () => {
        // Generated code is reviewed through the spec and its surface snapshot, not line by line;
        // its lints (e.g. `len < 0` checks that typify emits for `minLength: 0`) are not ours.
        #[allow(
            missing_docs,
            clippy::all,
            clippy::pedantic,
            unused_imports,
            unused_comparisons,
            clippy::unwrap_used,
            clippy::expect_used,
            clippy::panic
        )]
        mod generated {
            include!(concat!(env!("OUT_DIR"), "/client.rs"));
        }

        pub use generated::*;

        include!(concat!(env!("OUT_DIR"), "/operations.rs"));

        include!(concat!(env!("OUT_DIR"), "/typed_methods.rs"));
    };
}
