//! Mastercom's error body: `{"Errors":[{"Source","ReasonCode","Description","Recoverable","Details"}]}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Mastercom error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `Source` (`Gateway` for authentication failures, `Mastercom` otherwise).
    pub source: &'static str,
    /// `ReasonCode`.
    pub reason: String,
    /// `Description`.
    pub description: String,
    /// `Details` as `Name`/`Value` pairs (e.g. field → problem).
    pub details: Vec<(String, String)>,
    /// Whether retrying may help.
    pub recoverable: bool,
}

impl ApiError {
    fn new(status: StatusCode, reason: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            source: "Mastercom",
            reason: reason.to_owned(),
            description: description.into(),
            details: Vec::new(),
            recoverable: false,
        }
    }

    /// 400 for a request that breaks a dispute rule.
    pub fn invalid(reason: &str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason, description)
    }

    /// 404 for an unknown claim, chargeback, case, …
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("{what} {id} was not found"),
        )
    }

    /// 401 from the gateway's OAuth1 check.
    pub fn unauthorized(reason: &str, description: String) -> Self {
        Self {
            source: "Gateway",
            ..Self::new(StatusCode::UNAUTHORIZED, reason, description)
        }
    }

    /// 500/503 injected by a fault.
    pub fn server(status: StatusCode) -> Self {
        Self {
            recoverable: status == StatusCode::SERVICE_UNAVAILABLE,
            ..Self::new(status, "SYSTEM_ERROR", "sandbox fault injection")
        }
    }

    /// Adds a `Name`/`Value` detail.
    #[must_use]
    pub fn detail(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.details.push((name.into(), value.into()));
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let details: Vec<Value> = self
            .details
            .iter()
            .map(|(name, value)| json!({"Name": name, "Value": value}))
            .collect();
        json!({"Errors": [{
            "Source": self.source,
            "ReasonCode": self.reason,
            "Description": self.description,
            "Recoverable": self.recoverable,
            "Details": details,
        }]})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// Deserialises `body` into the generated request type `T` (which enforces required fields,
/// enums and lengths), and returns it as JSON for the model; failures are field-level 400s.
pub fn validate<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Value, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => serde_json::from_slice(body)
            .map_err(|e| ApiError::invalid("INVALID_REQUEST", e.to_string())),
        Err(error) => {
            let message = error.inner().to_string();
            let path = error.path().to_string();
            // serde reports a missing field at its parent; name the field itself.
            let field = match message.split('`').nth(1) {
                Some(name) if message.starts_with("missing field") => {
                    if path == "." {
                        name.to_owned()
                    } else {
                        format!("{path}.{name}")
                    }
                }
                _ => path,
            };
            let reason = if message.starts_with("missing field") {
                "MISSING_REQUIRED_FIELD"
            } else {
                "INVALID_FIELD_VALUE"
            };
            Err(ApiError::invalid(reason, format!("{field}: {message}")).detail(field, message))
        }
    }
}
