//! Identity Insights for Transactions at `POST /identity/transactions`: reached only through the
//! mTLS listener (the handshake already required a client certificate chained to a trusted CA),
//! JWE-encrypted both ways, with deterministic insights derived from the request.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use serde_json::{Value, json};

use crate::faults::{self, FaultAction, Faults};
use crate::server::Connection;
use crate::{Credentials, SandboxConfig, SandboxError};

/// The fault route name of the single IIT operation.
pub const ROUTE: &str = "retrieveTransactionInsights";

/// Shared by every IIT request.
#[derive(Clone)]
pub struct IitState {
    jwe: std::sync::Arc<EncryptionConfig>,
    faults: Faults,
}

impl IitState {
    /// Decrypts with the server's JWE key, encrypts responses to the client's JWE certificate.
    pub fn new(
        config: &SandboxConfig,
        creds: &Credentials,
        faults: Faults,
    ) -> Result<Self, SandboxError> {
        let client_cert_path = config
            .trust
            .jwe_client_cert
            .clone()
            .unwrap_or_else(|| creds.jwe_client_cert.clone());
        let client_cert = mastercard_keys::Certificate::from_file(&client_cert_path)
            .map_err(|e| SandboxError::in_file(&client_cert_path, e))?;
        let server_key_pem = std::fs::read(&creds.jwe_server_key)
            .map_err(|e| SandboxError::io(&creds.jwe_server_key, e))?;
        let server_key = mastercard_keys::PrivateKey::from_pem(&server_key_pem)
            .map_err(|e| SandboxError::in_file(&creds.jwe_server_key, e))?;
        let jwe = EncryptionConfig::builder()
            .encryption_key(
                EncryptionKey::from_certificate(
                    &client_cert,
                    mastercard_keys::ValidityPolicy::enforce_now(),
                )
                .map_err(|e| SandboxError::in_file(&client_cert_path, e))?,
            )
            .decryption_key(
                DecryptionKey::from_private_key(&server_key)
                    .map_err(|e| SandboxError::in_file(&creds.jwe_server_key, e))?,
            )
            .build()?;
        Ok(Self {
            jwe: std::sync::Arc::new(jwe),
            faults,
        })
    }
}

/// The IIT listener's router (plus the fault admin routes).
pub fn router(state: IitState) -> axum::Router {
    let admin = faults::admin_router(state.faults.clone());
    axum::Router::new()
        .route("/identity/transactions", post(handle))
        .with_state(state)
        .merge(admin)
}

/// An IIT error: `{"Errors":{"Error":[{Source, ReasonCode, Description, Recoverable, Details}]}}`.
/// `Details` is always a non-empty string, as the published schema declares it (not nullable,
/// `minLength: 1`), although the spec's own 401 example sends `null`.
pub(crate) fn error(
    status: StatusCode,
    reason: &str,
    description: &str,
    details: Option<String>,
) -> Response {
    let details = details
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| description.to_owned());
    let body = json!({"Errors": {"Error": [{
        "Source": "IIT",
        "ReasonCode": reason,
        "Description": description,
        "Recoverable": status == StatusCode::SERVICE_UNAVAILABLE,
        "Details": details,
    }]}});
    (status, Json(body)).into_response()
}

async fn handle(State(state): State<IitState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let connection = parts.extensions.get::<Connection>().cloned();
    let fault = state.faults.take(ROUTE);
    faults::delay(fault.as_ref()).await;
    let action = fault.and_then(|f| f.action);
    match action {
        Some(FaultAction::ResetBeforeRead) => return faults::reset(connection.as_ref()).await,
        Some(FaultAction::Status500) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "Internal Server Error",
                None,
            );
        }
        Some(FaultAction::Status503) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "Transient System Failure",
                None,
            );
        }
        _ => {}
    }
    // The listener caps the body (`Limits::iit_max_body`, 413 beyond it).
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "Invalid Format",
            Some("body".into()),
        );
    };
    let response = respond(&state, &bytes);
    if action == Some(FaultAction::ResetAfterRead) {
        return faults::reset(connection.as_ref()).await;
    }
    match action {
        Some(FaultAction::TruncatedBody) => {
            let bytes = axum::body::to_bytes(response.into_body(), 1024 * 1024)
                .await
                .unwrap_or_default();
            faults::truncated(bytes)
        }
        Some(FaultAction::WrongContentType) => faults::wrong_content_type(response),
        Some(FaultAction::InvalidJwe) => {
            let mut broken =
                Json(json!({"encryptedData": "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.not.a.valid.jwe"}))
                    .into_response();
            if let Some(id) = response.headers().get("X-MC-Correlation-ID") {
                broken
                    .headers_mut()
                    .insert("X-MC-Correlation-ID", id.clone());
            }
            broken
        }
        _ => response,
    }
}

fn respond(state: &IitState, bytes: &Bytes) -> Response {
    // Stricter than Mastercard's libraries, which pass plaintext through: IIT requests must be
    // encrypted.
    let envelope: Option<Value> = serde_json::from_slice(bytes).ok();
    let encrypted = envelope
        .as_ref()
        .and_then(|v| v.get(state.jwe.encrypted_value_field_name()))
        .is_some_and(Value::is_string);
    if !encrypted {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "Invalid Format",
            Some(format!(
                "the body must be a JWE envelope {{\"{}\":\"<compact JWE>\"}}",
                state.jwe.encrypted_value_field_name()
            )),
        );
    }
    let plaintext = match state.jwe.decrypt_payload(bytes) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "REQUEST_DECRYPT_FAILED",
                "Request decryption failed",
                Some(e.to_string()),
            );
        }
    };
    let input: Value = match validate(&plaintext) {
        Ok(v) => v,
        Err((description, details)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                description,
                Some(details),
            );
        }
    };
    let insights = insights(&input);
    let correlation = insights
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let plain = match serde_json::to_vec(&insights) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "Internal Server Error",
                Some(e.to_string()),
            );
        }
    };
    let body = match state.jwe.encrypt_payload(&plain) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "Response encryption failed",
                Some(e.to_string()),
            );
        }
    };
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&correlation) {
        response.headers_mut().insert("X-MC-Correlation-ID", value);
    }
    response
}

/// Typed deserialisation (required fields, lengths, patterns) plus the formats the generated
/// types leave as plain strings.
pub fn validate(plaintext: &[u8]) -> Result<Value, (&'static str, String)> {
    let mut de = serde_json::Deserializer::from_slice(plaintext);
    if let Err(e) = serde_path_to_error::deserialize::<
        _,
        identity_insights::types::TransactionInsightsData,
    >(&mut de)
    {
        let message = e.inner().to_string();
        if message.starts_with("missing field") {
            let field = message.split('`').nth(1).unwrap_or("?");
            let path = e.path().to_string();
            let full = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            return Err(("Required Data Element Missing", full));
        }
        return Err(("Invalid Format", e.path().to_string()));
    }
    let v: Value =
        serde_json::from_slice(plaintext).map_err(|_| ("Invalid Format", "body".to_owned()))?;
    let field = |name: &str| v.get(name).and_then(Value::as_str).unwrap_or("");
    let mut bad = Vec::new();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(field("purchaseDate")) {
        bad.push("purchaseDate");
    }
    if !digits(field("mcc")) {
        bad.push("mcc");
    }
    if !(field("purchaseCurrencyExponent").len() == 1 && digits(field("purchaseCurrencyExponent")))
    {
        bad.push("purchaseCurrencyExponent");
    }
    // ISO 4217 and ISO 3166 numeric codes, as the spec describes them (`840`, not `USD`/`USA`).
    for code in ["purchaseCurrency", "merchantCountryCode"] {
        if !(field(code).len() == 3 && digits(field(code))) {
            bad.push(code);
        }
    }
    if v.get("ipAddress").is_some() && field("ipAddress").parse::<std::net::IpAddr>().is_err() {
        bad.push("ipAddress");
    }
    for email in ["primaryEmail", "secondaryEmail"] {
        if v.get(email).is_some() && !field(email).contains('@') {
            bad.push(email);
        }
    }
    if bad.is_empty() {
        Ok(v)
    } else {
        Err(("Invalid Format", bad.join(", ")))
    }
}

/// Insights for one call. Every score and factor comes from SHA-256 of the canonical request
/// (serde_json sorts object keys), so the same input always gets the same insights; the `id` is
/// a fresh random UUID per call, as the spec describes it ("the generated unique transaction
/// identifier").
fn insights(input: &Value) -> Value {
    let digest = openssl::sha::sha256(input.to_string().as_bytes());
    let byte = |i: usize| u64::from(digest[i % digest.len()]);
    let word = |i: usize| (byte(i) << 8) | byte(i + 1);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let id = crate::mastercom::model::uuid();
    let reason_codes = ["AA", "JA", "RA", "RB", "JC", "AB"];
    let reason = reason_codes[usize::try_from(byte(9)).unwrap_or(0) % reason_codes.len()];
    let get = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut individual = json!({
        "scores": {
            "identityRisk": {"score": word(2) % 501, "reasonCode": reason},
            "ipRisk": {"score": f64::from(u32::try_from(word(4) % 1000).unwrap_or(0)) / 1000.0},
        },
        "paymentAmount": {"merchantCategoryRatio": f64::from(u32::try_from(word(6) % 500).unwrap_or(0)) / 100.0},
        "warnings": [],
        "alerts": [],
    });
    if let (Some(email), Some(map)) = (get("primaryEmail"), individual.as_object_mut()) {
        map.insert(
            "primaryEmail".into(),
            json!({
                "valid": email.contains('.'),
                "emailRisk": {"score": f64::from(u32::try_from(word(8) % 100).unwrap_or(0)) / 100.0},
                "firstSeenDays": word(10) % 3000,
                "lastSeenDays": byte(12) % 30,
                "isDisposable": false,
                "mailboxVelocity": byte(13) % 10,
            }),
        );
    }
    if let (Some(_), Some(map)) = (get("ipAddress"), individual.as_object_mut()) {
        map.insert(
            "ip".into(),
            json!({"connectionType": "cable-dsl", "lastSeenDays": byte(14) % 90}),
        );
    }
    let mut out = json!({
        "id": id,
        "deviceInsights": {
            "uDeviceId": format!("UDID-{}", &hex[32..48]),
            "deviceInfo": {"browser": "Chrome", "platform": "Linux", "deviceType": "Desktop"},
            "insightFactor": byte(15) % 6,
            "riskFactor": byte(16) % 6,
            "trustFactor": 1 + byte(17) % 5,
            "firstSeenDays": word(18) % 2000,
            "lastSeenDays": byte(20) % 60,
            "alerts": [],
        },
        "individualInsights": individual,
    });
    if let (Some(account), Some(device)) = (
        get("hashedAccountId"),
        out.get_mut("deviceInsights").and_then(Value::as_object_mut),
    ) {
        let account_hash = openssl::sha::sha256(account.as_bytes());
        let ad: String = account_hash
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        device.insert("accountDeviceId".into(), json!(format!("ADID-{ad}")));
    }
    out
}
