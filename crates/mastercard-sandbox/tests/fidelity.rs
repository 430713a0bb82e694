//! Behaviour the spec describes that a schema check cannot see: documents reachable the way a
//! spec-following client works, Debit Mastercard endpoints listing only Debit Mastercard items,
//! fee and transaction shapes with the right content.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use mastercard_transport::{OAuth1Signing, Transport};
use serde_json::{Value, json};
use support::Env;

const PDF: &str = "JVBERi0xLjQKc2FuZGJveAo="; // "%PDF-1.4\nsandbox\n"

fn client(env: &Env) -> mastercom::Client {
    mastercom::Client::new_with_client(
        &env.sandbox.mastercom_url,
        support::http_client(&env.sandbox.credentials, None),
        Transport::new().with(OAuth1Signing::new(support::signer(
            &env.sandbox.credentials,
        ))),
    )
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

async fn ok(env: &Env, method: &str, path: &str, body: Option<Value>) -> Value {
    let reply = env.call(method, path, body.as_ref()).await;
    assert_eq!(reply.status, 200, "{method} {path}: {}", reply.body);
    reply.body
}

async fn claim(env: &Env, clearing: &str, amount: &str) -> String {
    ok(
        env,
        "POST",
        "/v6/claims",
        Some(json!({"claimType": "Standard",
        "clearingTransactionId": clearing, "disputedAmount": amount, "disputedCurrency": "USD"})),
    )
    .await["claimId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// #14.3: the generated client's `AcquirerFulfillmentRequest` has no document field; the
/// fulfilment still produces the transaction information document that `getRetrievalDoc`
/// returns. Answers that provide no document (E, F, G, H) leave nothing to fetch.
#[tokio::test]
async fn a_spec_following_fulfilment_makes_the_retrieval_document_reachable() {
    let env = support::start().await;
    let c = client(&env);
    let a = claim(&env, "CLR-0000000001", "125.00").await;
    let request = c
        .create_retrieval_request(
            &a,
            &typed(json!({"docNeeded": "2", "retrievalRequestReason": "6343"})),
        )
        .await
        .unwrap()
        .into_inner()
        .request_id
        .unwrap();
    let before = c
        .get_retrieval_doc(&a, &request, typed(json!("ORIGINAL")))
        .await
        .unwrap_err();
    assert_eq!(before.status().map(|s| s.as_u16()), Some(404));

    c.acq_fulfill_retrieval_request(
        &a,
        &request,
        &typed(json!({"acquirerResponseCd": "A", "memo": "copy provided"})),
    )
    .await
    .unwrap();
    for format in ["ORIGINAL", "MERGED_PDF"] {
        let doc = c
            .get_retrieval_doc(&a, &request, typed(json!(format)))
            .await
            .unwrap()
            .into_inner();
        let attachment = serde_json::to_value(doc.file_attachment.unwrap()).unwrap();
        assert_eq!(attachment["filename"], format!("{request}.zip"));
        let entries = support::unzip::attachment(&attachment);
        assert_eq!(entries.len(), 1);
        let expected_name = if format == "ORIGINAL" {
            "TID.pdf".to_owned()
        } else {
            format!("{request}.pdf")
        };
        assert_eq!(entries[0].0, expected_name);
        let text = String::from_utf8_lossy(&entries[0].1);
        assert!(text.starts_with("%PDF-1.4"), "{text}");
        assert!(text.trim_end().ends_with("%%EOF"), "{text}");
        assert!(
            text.contains(&format!("retrieval request {request}")),
            "{text}"
        );
        assert!(text.contains("copy provided"), "{text}");
        assert!(
            !text.contains("5154676300000001"),
            "the PAN is masked: {text}"
        );
    }
    // The Debit Mastercard endpoint does not see a standard retrieval request.
    let wrong_family = c
        .get_retrieval_doc_debit_mc(&a, &request, typed(json!("ORIGINAL")))
        .await
        .unwrap_err();
    assert_eq!(wrong_family.status().map(|s| s.as_u16()), Some(404));

    // A Debit Mastercard request answered "E - Reject Collaboration": no document.
    let b = claim(&env, "CLR-0000000002", "49.99").await;
    let rb = ok(&env, "POST", &format!("/v6/claims/{b}/retrievalrequests/debitmc"), Some(json!({
        "documentType": "2", "replacementAmount": "49.99", "reversalReasonCode": "43", "usageCode": "1"})))
        .await["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    c.acq_fulfill_retrieval_request(&b, &rb, &typed(json!({"acquirerResponseCd": "E"})))
        .await
        .unwrap();
    let none = c
        .get_retrieval_doc_debit_mc(&b, &rb, typed(json!("ORIGINAL")))
        .await
        .unwrap_err();
    assert_eq!(none.status().map(|s| s.as_u16()), Some(404));

    // The acquirer's own attachment, as in the operation's x-samples request, is returned as sent.
    let a2 = claim(&env, "CLR-0000000003", "980.10").await;
    let r2 = ok(
        &env,
        "POST",
        &format!("/v6/claims/{a2}/retrievalrequests"),
        Some(json!({"docNeeded": "4", "retrievalRequestReason": "6343"})),
    )
    .await["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&env, "POST", &format!("/v6/claims/{a2}/retrievalrequests/{r2}/fulfillments"),
        Some(json!({"acquirerResponseCd": "A", "fileAttachment": {"filename": "own.pdf", "file": PDF}}))).await;
    let own = ok(
        &env,
        "GET",
        &format!("/v6/claims/{a2}/retrievalrequests/{r2}/documents?format=ORIGINAL"),
        None,
    )
    .await;
    assert_eq!(
        support::unzip::attachment(&own["fileAttachment"]),
        vec![(
            "own.pdf".to_owned(),
            openssl::base64::decode_block(PDF).unwrap()
        )]
    );
    env.sandbox.shutdown().await;
}

/// #14.2: the Debit Mastercard image-status endpoints list Debit Mastercard items only, and the
/// standard ones standard items only.
#[tokio::test]
async fn image_status_endpoints_list_their_own_family() {
    let env = support::start().await;
    let doc = json!({"filename": "receipt.pdf", "file": PDF});
    let a = claim(&env, "CLR-0000000001", "125.00").await;
    let b = claim(&env, "CLR-0000000002", "49.99").await;
    let standard = ok(&env, "POST", &format!("/v6/claims/{a}/chargebacks"), Some(json!({
        "chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD", "documentIndicator": "true",
        "reasonCode": "4853", "fileAttachment": doc})))
    .await["chargebackId"].clone();
    let debit = ok(
        &env,
        "POST",
        &format!("/v6/claims/{b}/chargebacks/debitmc"),
        Some(json!({
        "brand": "MC", "replacementAmount": "49.99", "reversalReasonCode": "4853", "usageCode": "1",
        "fileAttachment": doc})),
    )
    .await["chargebackId"]
        .clone();
    let ra = ok(
        &env,
        "POST",
        &format!("/v6/claims/{a}/retrievalrequests"),
        Some(json!({"docNeeded": "2", "retrievalRequestReason": "6343"})),
    )
    .await["requestId"]
        .clone();
    let rb = ok(&env, "POST", &format!("/v6/claims/{b}/retrievalrequests/debitmc"), Some(json!({
        "documentType": "2", "replacementAmount": "49.99", "reversalReasonCode": "43", "usageCode": "1"})))
    .await["requestId"].clone();
    for (claim_id, request) in [(&a, &ra), (&b, &rb)] {
        let request = request.as_str().unwrap();
        ok(
            &env,
            "POST",
            &format!("/v6/claims/{claim_id}/retrievalrequests/{request}/fulfillments"),
            Some(json!({"acquirerResponseCd": "A"})),
        )
        .await;
    }
    let wide = json!({"startDate": "2000-01-01", "endDate": "2100-01-01", "status": "COMPLETED"});
    let ids = |v: &Value, list: &str, field: &str| -> Vec<Value> {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i[field].clone())
            .collect()
    };
    let listed = ok(
        &env,
        "PUT",
        "/v6/chargebacks/imagestatus",
        Some(wide.clone()),
    )
    .await;
    assert_eq!(
        ids(&listed, "chargebackImageStatusList", "chargebackId"),
        vec![standard]
    );
    let listed = ok(
        &env,
        "PUT",
        "/v6/chargebacks/debitmc/imagestatus",
        Some(wide.clone()),
    )
    .await;
    assert_eq!(
        ids(&listed, "chargebackImageStatusList", "chargebackId"),
        vec![debit]
    );
    let listed = ok(
        &env,
        "PUT",
        "/v6/retrievalrequests/imagestatus",
        Some(wide.clone()),
    )
    .await;
    assert_eq!(
        ids(&listed, "retrievalImageStatusList", "requestId"),
        vec![ra]
    );
    let listed = ok(
        &env,
        "PUT",
        "/v6/retrievalrequests/debitmc/imagestatus",
        Some(wide),
    )
    .await;
    assert_eq!(
        ids(&listed, "retrievalImageStatusList", "requestId"),
        vec![rb]
    );
    env.sandbox.shutdown().await;
}

/// #14.2: a Debit Mastercard handling fee appears in the claim as `FeeDetails` (its amount,
/// reason and destination), not as the request echoed; transaction ids have the spec's formats;
/// the Debit Mastercard transaction detail carries the declared messages.
#[tokio::test]
async fn fees_ids_and_single_message_details_have_the_spec_content() {
    let env = support::start().await;
    let b = claim(&env, "CLR-0000000002", "49.99").await;
    ok(&env, "POST", &format!("/v6/claims/{b}/fee/debitmc"), Some(json!({
        "acquirerCustomerId": "1234", "conditionIndicator": "A", "controlNumber": "1", "functionCode": "700",
        "handlingFee": "5.00", "reasonCode": "22"}))).await;
    let detail = ok(&env, "GET", &format!("/v6/claims/{b}"), None).await;
    let fee = &detail["feeDetails"][0];
    assert_eq!(fee["feeAmount"], "5.00");
    assert_eq!(fee["reason"], "22");
    assert_eq!(fee["destinationMember"], "1234");
    assert!(fee["feeId"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        fee.get("handlingFee").is_none() && fee.get("controlNumber").is_none(),
        "{fee}"
    );

    assert_eq!(detail["transactionId"], "TI:CLR-0000000002#AUTH-0000000002");
    let queue = ok(&env, "GET", "/v6/queues?queue-name=Unworked", None).await;
    let summary_id = queue[0]["transactionId"].as_str().unwrap();
    assert_eq!(summary_id.len(), 9);
    assert!(
        summary_id.bytes().all(|c| c.is_ascii_digit()),
        "{summary_id}"
    );

    let single = ok(
        &env,
        "GET",
        &format!("/v6/{b}/transactions/debitmc/detail"),
        None,
    )
    .await;
    assert_eq!(
        single["authTransaction"]["primaryAccountNumber"],
        "5154676300000001"
    );
    assert_eq!(
        single["clearingTransaction"]["localRequestedAmount"],
        "49.99"
    );
    assert!(single.get("authTransactionId").is_none(), "{single}");
    env.sandbox.shutdown().await;
}

/// The ZIP files are real ZIP files: Python's `zipfile` (an independent reader that checks every
/// CRC) lists the same entries.
#[tokio::test]
async fn document_zips_open_in_an_independent_reader() {
    let env = support::start().await;
    let a = claim(&env, "CLR-0000000001", "125.00").await;
    let doc = |name: &str| json!({"filename": name, "file": PDF});
    let cb = ok(&env, "POST", &format!("/v6/claims/{a}/chargebacks"), Some(json!({
        "chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD", "documentIndicator": "true",
        "reasonCode": "4853", "fileAttachment": doc("a.pdf")})))
    .await["chargebackId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The same name twice: the second entry is renamed, not overwritten.
    for _ in 0..2 {
        ok(
            &env,
            "PUT",
            &format!("/v6/claims/{a}/chargebacks/{cb}"),
            Some(json!({"memo": "more", "fileAttachment": doc("b.pdf")})),
        )
        .await;
    }
    let got = ok(
        &env,
        "GET",
        &format!("/v6/claims/{a}/chargebacks/{cb}/documents?format=ORIGINAL"),
        None,
    )
    .await;
    let names: Vec<String> = support::unzip::attachment(&got["fileAttachment"])
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["a.pdf", "b.pdf", "2-b.pdf"]);

    let path = env.dir.path().join("documents.zip");
    std::fs::write(
        &path,
        openssl::base64::decode_block(got["fileAttachment"]["file"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(','.join(i.filename + ':' + str(i.file_size) for i in z.infolist()))";
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let size = openssl::base64::decode_block(PDF).unwrap().len();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("a.pdf:{size},b.pdf:{size},2-b.pdf:{size}")
    );
    env.sandbox.shutdown().await;
}
