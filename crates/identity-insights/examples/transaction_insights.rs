//! Requests transaction insights for one purchase.
//!
//! Everything comes from the environment (see `IdentityInsightsClient::from_env`), e.g. for the
//! US sandbox with a PKCS#12 identity from Mastercard's KMP portal:
//!
//! ```sh
//! export MASTERCARD_IIT_ENVIRONMENT=sandbox MASTERCARD_IIT_REGION=us
//! export MASTERCARD_IIT_CLIENT_P12=client.p12 MASTERCARD_IIT_CLIENT_P12_ALIAS=keyalias
//! export MASTERCARD_IIT_CLIENT_P12_PASSWORD=…
//! export MASTERCARD_IIT_ENCRYPTION_CERT=mastercard-encryption.pem
//! export MASTERCARD_IIT_DECRYPTION_KEY=client-decryption.p12 MASTERCARD_IIT_DECRYPTION_KEY_PASSWORD=…
//! cargo run -p identity-insights --example transaction_insights
//! ```
//!
//! `MASTERCARD_IIT_BASE_URL` points it at any other server (a local sandbox, a proxy).

use identity_insights::{IdentityInsightsClient, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = IdentityInsightsClient::from_env()?.build()?;
    // The seven required fields; values from the spec's examples. Amounts are in minor units,
    // currencies and countries are numeric ISO codes.
    let request: types::TransactionInsightsData = serde_json::from_value(serde_json::json!({
        "purchaseDate": "20220721173228",
        "purchaseAmount": "12345",
        "purchaseCurrencyExponent": "2",
        "purchaseCurrency": "840",
        "merchantName": "Acme Inc",
        "merchantCountryCode": "840",
        "mcc": "0742",
        "ipAddress": "198.51.100.42",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"
    }))?;

    match client.retrieve_transaction_insights(&request).await {
        Ok(response) => {
            println!(
                "insights {} (correlation id {:?})",
                response.id,
                response.correlation_id()
            );
            let insights = response.into_inner();
            let identity_risk = insights
                .individual_insights
                .and_then(|individual| individual.scores)
                .and_then(|scores| scores.identity_risk);
            if let Some(risk) = identity_risk {
                println!(
                    "identity risk score {:?}, reason {:?}",
                    risk.score, risk.reason_code
                );
            }
            if let Some(device) = insights.device_insights {
                println!("device alerts: {:?}", device.alerts);
            }
            Ok(())
        }
        Err(error) => {
            eprintln!(
                "failed: {error} (correlation id {:?}; may have been sent: {})",
                error.correlation_id(),
                error.request_may_have_been_sent()
            );
            for entry in error.mastercard_errors() {
                eprintln!(
                    "  {:?}: {:?} ({:?})",
                    entry.reason_code, entry.description, entry.details
                );
            }
            Err(error.into())
        }
    }
}
