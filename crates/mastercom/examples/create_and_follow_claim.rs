//! Creates a claim for a cleared transaction, then follows it until it has a chargeback.
//!
//! ```sh
//! export MASTERCARD_CONSUMER_KEY=… MASTERCARD_SIGNING_KEY_PATH=key.p12 \
//!        MASTERCARD_SIGNING_KEY_ALIAS=keyalias MASTERCARD_SIGNING_KEY_PASSWORD=keystorepassword
//! export MASTERCARD_ENVIRONMENT=sandbox          # or production, or a base URL
//! export MASTERCOM_LEDGER_PATH=/var/lib/app/mastercom-ledger.sqlite   # optional, recommended
//! export MASTERCOM_CLEARING_TRANSACTION_ID=…     # the transaction to dispute
//! cargo run -p mastercom --example create_and_follow_claim
//! ```

use std::time::Duration;

use mastercom::{MastercomClient, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = MastercomClient::from_env()?.build()?;
    let transaction = std::env::var("MASTERCOM_CLEARING_TRANSACTION_ID")
        .map_err(|_| "set MASTERCOM_CLEARING_TRANSACTION_ID to the transaction to dispute")?;

    let request: types::CreateClaimRequest = serde_json::from_value(serde_json::json!({
        "claimType": "Standard",
        "clearingTransactionId": transaction,
        "disputedAmount": "100.00",
        "disputedCurrency": "USD",
    }))?;
    let claim = match client.create_claim(&request).await {
        Ok(response) => response.into_inner(),
        Err(error) => {
            if error.request_may_have_been_sent() {
                // The claim may exist: do not simply resend (the guard would refuse anyway).
                eprintln!("outcome unknown: {error}; search for the claim before trying again");
            }
            return Err(error.into());
        }
    };
    let claim_id = claim.claim_id.ok_or("Mastercom returned no claim id")?;
    println!("created claim {claim_id}");

    // Reads are retried by the client on 5xx/timeouts; poll gently.
    for _ in 0..10 {
        let detail = client.get_claim_detail(&claim_id).await?;
        println!(
            "claim {claim_id}: {} chargeback(s)",
            detail.chargeback_details.len()
        );
        if !detail.chargeback_details.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    Ok(())
}
