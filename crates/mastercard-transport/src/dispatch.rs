//! Calling an operation by name with text parameters and a JSON body: what the generated
//! dispatcher (`dispatch_json`, emitted by the code generator next to the typed methods) reads
//! its arguments from, and the errors it can return before or after the typed call.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// The arguments of one dispatched call: path and query parameters by their Rust name
/// (`claim_id`, `queue_name`) as text, and the request body as JSON.
#[derive(Debug, Clone, Default)]
pub struct Arguments {
    parameters: BTreeMap<String, String>,
    body: Option<Value>,
}

impl Arguments {
    /// No parameters, no body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets parameter `name` (the Rust name; `-` is read as `_`).
    #[must_use]
    pub fn parameter(mut self, name: &str, value: impl Into<String>) -> Self {
        self.parameters.insert(name.replace('-', "_"), value.into());
        self
    }

    /// Sets the request body.
    #[must_use]
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The names of the parameters given, for checking them against an operation's.
    pub fn parameter_names(&self) -> impl Iterator<Item = &str> {
        self.parameters.keys().map(String::as_str)
    }

    /// A required text parameter.
    pub fn text(&self, name: &'static str) -> Result<&str, DispatchError> {
        self.parameters
            .get(name)
            .map(String::as_str)
            .ok_or(DispatchError::MissingParameter { name })
    }

    /// An optional text parameter.
    pub fn optional_text(&self, name: &'static str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// A required typed parameter (an enum, a constrained string, a number), read from its
    /// text as a JSON string, else as a JSON value.
    pub fn typed<T: DeserializeOwned>(&self, name: &'static str) -> Result<T, DispatchError> {
        let text = self.text(name)?;
        parse(name, text)
    }

    /// An optional typed parameter.
    pub fn optional_typed<T: DeserializeOwned>(
        &self,
        name: &'static str,
    ) -> Result<Option<T>, DispatchError> {
        self.optional_text(name)
            .map(|text| parse(name, text))
            .transpose()
    }

    /// The request body as the operation's body type.
    pub fn typed_body<T: DeserializeOwned>(&self) -> Result<T, DispatchError> {
        let body = self.body.clone().ok_or(DispatchError::MissingBody)?;
        serde_json::from_value(body).map_err(|error| DispatchError::InvalidBody {
            reason: error.to_string(),
        })
    }
}

fn parse<T: DeserializeOwned>(name: &'static str, text: &str) -> Result<T, DispatchError> {
    serde_json::from_value(Value::String(text.to_owned()))
        .or_else(|first| serde_json::from_str(text).map_err(|_| first))
        .map_err(|error| DispatchError::InvalidParameter {
            name,
            reason: error.to_string(),
        })
}

/// Why a dispatched call was not made, or its answer could not be shown. The call's own
/// failure is not here: it is the client's error, returned as is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchError {
    /// No operation of that name (see the crate's `OPERATIONS`).
    UnknownOperation {
        /// The name asked for.
        operation: String,
    },
    /// A required path or query parameter is missing.
    MissingParameter {
        /// Its Rust name.
        name: &'static str,
    },
    /// A parameter's text is not a valid value of its type.
    InvalidParameter {
        /// Its Rust name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The operation needs a request body and none was given.
    MissingBody,
    /// The body does not have the shape of the operation's request type.
    InvalidBody {
        /// What is wrong with it (serde's message: field and position).
        reason: String,
    },
    /// The typed answer could not be turned into JSON.
    Response {
        /// serde's message.
        reason: String,
    },
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownOperation { operation } => {
                write!(f, "no operation {operation:?}; list them with --help")
            }
            Self::MissingParameter { name } => write!(
                f,
                "missing parameter --{}; give it as --{} VALUE",
                name.replace('_', "-"),
                name.replace('_', "-")
            ),
            Self::InvalidParameter { name, reason } => write!(
                f,
                "parameter --{} is not valid: {reason}",
                name.replace('_', "-")
            ),
            Self::MissingBody => {
                f.write_str("this operation needs a request body: --body FILE (or - for stdin)")
            }
            Self::InvalidBody { reason } => {
                write!(
                    f,
                    "the body is not this operation's request shape: {reason}"
                )
            }
            Self::Response { reason } => {
                write!(f, "the answer could not be shown as JSON: {reason}")
            }
        }
    }
}

impl std::error::Error for DispatchError {}

/// A dispatched call's failure: not made ([`DispatchError`]) or failed (the client's error).
#[derive(Debug)]
pub enum Dispatched<E> {
    /// The arguments did not fit the operation; nothing was sent.
    Arguments(DispatchError),
    /// The call itself failed.
    Call(E),
}

impl<E> From<DispatchError> for Dispatched<E> {
    fn from(error: DispatchError) -> Self {
        Self::Arguments(error)
    }
}

impl<E: fmt::Display> fmt::Display for Dispatched<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Arguments(error) => fmt::Display::fmt(error, f),
            Self::Call(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Dispatched<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Arguments(error) => Some(error),
            Self::Call(error) => Some(error),
        }
    }
}

/// Serialises a typed answer for printing.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, DispatchError> {
    serde_json::to_value(value).map_err(|error| DispatchError::Response {
        reason: error.to_string(),
    })
}

/// One operation as the generated dispatcher sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The typed method's name (`create_chargeback`).
    pub operation: &'static str,
    /// Its path and query parameters, by Rust name, in signature order.
    pub parameters: &'static [&'static str],
    /// For each parameter, whether it is required.
    pub required: &'static [bool],
    /// Whether it takes a request body.
    pub body: bool,
}
