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
    let file = syn::parse2(tokens).map_err(|error| generation_error(error.to_string()))?;
    let source = prettyplease::unparse(&file);
    Ok(Generated {
        source,
        generate_time,
        format_time: started.elapsed(),
    })
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
