//! Runs progenitor on a transformed spec with the workspace's settings.

use std::time::{Duration, Instant};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

use crate::CodegenError;
use crate::transform::Report;

/// What the generated client looks like. The same for every API, so both clients feel alike.
#[derive(Debug, Clone)]
pub struct ClientShape {
    /// Rust path of the `Client`'s inner type, where the hand-written middleware lives.
    pub inner_type: String,
    /// Method style of the generated client.
    pub interface: Interface,
    /// The hand-written client that gets one typed method per operation, and its error type
    /// (`None`: no typed methods).
    pub typed: Option<TypedClient>,
}

/// The hand-written client the typed methods are generated for.
#[derive(Debug, Clone)]
pub struct TypedClient {
    /// Rust path of the client type, e.g. `crate::MastercomClient`.
    pub client: String,
    /// Rust path of the crate's error type, e.g. `crate::Error`.
    pub error: String,
}

/// progenitor's two method styles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Interface {
    /// `client.get_claim_detail(&claim_id)`: the workspace's choice.
    #[default]
    Positional,
    /// `client.get_claim_detail().claim_id(..).send()`: only generated to measure it
    /// (`MASTERCARD_CODEGEN_INTERFACE=builder`, see the README's build-cost table).
    Builder,
}

/// The generated source and what it cost.
#[derive(Debug)]
pub struct Generated {
    /// Formatted Rust source, to be written into `OUT_DIR` and `include!`d.
    pub source: String,
    /// The typed methods of the hand-written client (empty without [`ClientShape::typed`]).
    pub typed_methods: String,
    /// Time spent in progenitor's `generate_tokens`.
    pub generate_time: Duration,
    /// Time spent parsing and pretty-printing the tokens.
    pub format_time: Duration,
}

impl Generated {
    /// Number of lines of generated source.
    pub fn lines(&self) -> usize {
        self.source.lines().count()
    }
}

/// Generates a client for `api` from a spec the transformations in `report` were applied to.
///
/// The workspace generates positional methods, not builders: on the Mastercom spec the builder
/// style generates far more code that compiles more slowly (measured in the README), and the
/// hand-written client layer is where ergonomics live.
pub fn generate(
    api: &str,
    spec: &Value,
    report: &Report,
    shape: &ClientShape,
) -> Result<Generated, CodegenError> {
    let generation_error = |message: String| CodegenError::Generation {
        api: api.to_owned(),
        message,
    };
    let openapi: openapiv3::OpenAPI = serde_json::from_value(spec.clone())
        .map_err(|error| generation_error(error.to_string()))?;
    let inner_type = shape
        .inner_type
        .parse()
        .map_err(|error| generation_error(format!("inner type {:?}: {error}", shape.inner_type)))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(match shape.interface {
            Interface::Positional => InterfaceStyle::Positional,
            Interface::Builder => InterfaceStyle::Builder,
        })
        .with_tag(TagStyle::Merged)
        .with_inner_type(inner_type)
        // Expected: forgetting the hand-written `impl ClientHooks` is a compile error, not a
        // silently unsigned client.
        .with_hooks(HooksMode::Expected);
    for (schema, rust_type) in &report.replacements {
        settings.with_replacement(
            schema,
            rust_type,
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }

    let started = Instant::now();
    let tokens = without_panic_noise(|| Generator::new(&settings).generate_tokens(&openapi))
        .map_err(generation_error)?
        .map_err(|error| generation_error(error.to_string()))?;
    let generate_time = started.elapsed();

    let started = Instant::now();
    let mut file = syn::parse2(tokens).map_err(|error| generation_error(error.to_string()))?;
    drop_default_constructor(&mut file);
    crate::typed::escape_doc_brackets(&mut file);
    let typed_methods = match &shape.typed {
        Some(typed) => crate::typed::typed_methods(api, &file, &typed.client, &typed.error)?,
        None => String::new(),
    };
    let source = prettyplease::unparse(&file);
    Ok(Generated {
        source,
        typed_methods,
        generate_time,
        format_time: started.elapsed(),
    })
}

/// Removes the generated `Client::new(baseurl, inner)`. It builds its own `reqwest::Client` with
/// `.build().unwrap()` and reqwest's default TLS settings: in this workspace reqwest has no
/// built-in crypto provider, so that call would panic, and it would bypass the workspace's TLS
/// configuration and the `http://`-only-to-loopback check anyway. What remains is
/// `Client::new_with_client`, and the hand-written builders on top of it.
fn drop_default_constructor(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let is_client =
            matches!(&*block.self_ty, syn::Type::Path(path) if path.path.is_ident("Client"));
        if is_client && block.trait_.is_none() {
            block.items.retain(
                |member| !matches!(member, syn::ImplItem::Fn(function) if function.sig.ident == "new"),
            );
        }
    }
}

/// typify reports some spec problems by panicking; turn that into an error with its message, and
/// keep the default hook from printing a backtrace hint into a build log.
fn without_panic_noise<T>(work: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(work);
    std::panic::set_hook(previous);
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| {
                payload
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
            })
            .unwrap_or_else(|| "the generator panicked".to_owned())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn methods(file: &syn::File, of: &str) -> Vec<String> {
        file.items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(block) => Some(block),
                _ => None,
            })
            .filter(
                |block| matches!(&*block.self_ty, syn::Type::Path(path) if path.path.is_ident(of)),
            )
            .flat_map(|block| &block.items)
            .filter_map(|member| match member {
                syn::ImplItem::Fn(function) => Some(function.sig.ident.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn only_the_clients_own_constructor_is_dropped() {
        let mut file: syn::File = syn::parse_str(
            "impl Client { pub fn new() {} pub fn new_with_client() {} pub fn baseurl() {} }
             impl ClientInfo for Client { fn new() {} }
             impl Other { pub fn new() {} }",
        )
        .unwrap();
        drop_default_constructor(&mut file);
        assert_eq!(
            methods(&file, "Client"),
            ["new_with_client", "baseurl", "new"]
        );
        assert_eq!(methods(&file, "Other"), ["new"]);
    }
}
