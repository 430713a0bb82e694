//! The Identity Insights call: one purchase, encrypted with JWE over mutual TLS, the answer
//! decrypted and typed.

use identity_insights::{IdentityInsightsClient, types};
use serde_json::json;

use crate::DemoError;
use crate::trace::{Outcome, Trace};

/// What the call returned, for the summary and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insights {
    /// The response `id`.
    pub id: String,
    /// The `X-MC-Correlation-ID` response header.
    pub correlation_id: Option<String>,
    /// The identity risk score, when the response carries one.
    pub identity_risk_score: Option<i64>,
}

/// Requests insights for one purchase (the spec's example values; amounts in minor units,
/// numeric ISO currency and country codes).
pub async fn retrieve(
    client: &IdentityInsightsClient,
    trace: &mut Trace,
) -> Result<Insights, DemoError> {
    const OPERATION: &str = "retrieveTransactionInsights";
    let request: types::TransactionInsightsData = serde_json::from_value(json!({
        "purchaseDate": "20220721173228",
        "purchaseAmount": "12345",
        "purchaseCurrencyExponent": "2",
        "purchaseCurrency": "840",
        "merchantName": "Acme Inc",
        "merchantCountryCode": "840",
        "mcc": "0742",
        "ipAddress": "198.51.100.42",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"
    }))
    .map_err(DemoError::RequestBody)?;
    let started = trace.start();
    match client.retrieve_transaction_insights(&request).await {
        Ok(response) => {
            let status = response.status();
            let correlation_id = response.correlation_id().map(str::to_owned);
            let value = response.into_inner();
            let insights = Insights {
                identity_risk_score: value
                    .individual_insights
                    .as_ref()
                    .and_then(|individual| individual.scores.as_ref())
                    .and_then(|scores| scores.identity_risk.as_ref())
                    .and_then(|risk| risk.score),
                id: value.id,
                correlation_id,
            };
            trace.record(
                OPERATION,
                started,
                Outcome::Status(status.as_u16()),
                format!(
                    "insights {}, identity risk score {}, correlation id {}",
                    insights.id,
                    insights
                        .identity_risk_score
                        .map_or("(none)".to_owned(), |score| score.to_string()),
                    insights.correlation_id.as_deref().unwrap_or("(none)")
                ),
            );
            Ok(insights)
        }
        Err(error) => {
            let outcome = match error.status() {
                Some(status) => Outcome::Status(status.as_u16()),
                None if error.request_may_have_been_sent() => Outcome::NoAnswer,
                None => Outcome::NotSent("refused before sending"),
            };
            trace.record(OPERATION, started, outcome, error.to_string());
            Err(DemoError::Insights(Box::new(error)))
        }
    }
}
