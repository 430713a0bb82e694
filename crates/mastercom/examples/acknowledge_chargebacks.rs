//! Acknowledges every chargeback of a queue, 100 per call (Mastercom's limit).
//!
//! ```sh
//! export MASTERCARD_CONSUMER_KEY=… MASTERCARD_SIGNING_KEY_PATH=key.p12 \
//!        MASTERCARD_SIGNING_KEY_ALIAS=keyalias MASTERCARD_SIGNING_KEY_PASSWORD=keystorepassword
//! export MASTERCARD_ENVIRONMENT=sandbox   # or production, or a base URL
//! export MASTERCOM_ACKNOWLEDGE=claimId:chargebackId,claimId:chargebackId,…
//! cargo run -p mastercom --example acknowledge_chargebacks
//! ```

use mastercom::{MastercomClient, batch, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = MastercomClient::from_env()?.build()?;
    let list = std::env::var("MASTERCOM_ACKNOWLEDGE")
        .map_err(|_| "set MASTERCOM_ACKNOWLEDGE=claimId:chargebackId,…")?;
    let chargebacks = list
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .map(
            |(claim, chargeback)| types::ChargebackMarkProcessedRequestStructure {
                claim_id: claim.trim().to_owned(),
                chargeback_id: chargeback.trim().to_owned(),
            },
        )
        .collect::<Vec<_>>();

    match batch::acknowledge_chargebacks(&client, &chargebacks, false, None).await {
        Ok(responses) => println!(
            "acknowledged {} chargebacks in {} calls",
            chargebacks.len(),
            responses.len()
        ),
        Err(failure) => {
            eprintln!("{failure}");
            return Err(failure.into_error().into());
        }
    }
    Ok(())
}
