#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! `retrieveTransactionInsights` (`POST /transactions`) against a local wiremock server, with the
//! base URL carrying the spec's `/identity` prefix. Each test starts its own server.

use identity_insights::Client;
use identity_insights::types;
use progenitor_client::{Error, ResponseValue};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATH: &str = "/identity/transactions";
const TRANSACTION_ID: &str = "be3ad617-04ad-43e1-a438-79425b6511b6";
const CORRELATION_ID: &str = "0b1bc4c4-3a8f-4f4b-9d43-6c1e0c3f1a77";

/// The generated client, pointed at the mock server with the `/identity` prefix.
fn client(server: &MockServer) -> Client {
    mastercard_testkit::bare_client::against(
        &format!("{}/identity", server.uri()),
        Client::new_with_client,
    )
}

/// A request built from the spec's property examples, through the typed (validating) fields.
fn request() -> types::TransactionInsightsData {
    let address = types::Address {
        address_city: Some("Houston".parse().unwrap()),
        address_country: Some("840".parse().unwrap()),
        address_line1: Some("912 Uclan Dr".parse().unwrap()),
        address_line2: Some("Apt 34".parse().unwrap()),
        address_post_code: Some("63124".parse().unwrap()),
        address_state: Some("TX".parse().unwrap()),
    };
    types::TransactionInsightsData {
        account_details: Some(types::AccountDetails {
            account_number: Some("2303770003400262".parse().unwrap()),
            card_bin: None,
            card_expiry_date: Some("2311".parse().unwrap()),
            card_last4: Some("0262".parse().unwrap()),
        }),
        acquirer_bin: Some("444444".parse().unwrap()),
        acquirer_merchant_id: None,
        android_build_version: None,
        android_id: None,
        android_sdk_int: None,
        billing_address: Some(address.clone()),
        build_brand: None,
        build_fingerprint: None,
        build_manufacturer: None,
        build_product: None,
        canvas: None,
        card_holder_name: Some("Waidong L Syrws".parse().unwrap()),
        color_depth: Some(24),
        cookies_enabled: Some(true),
        end_customer_ref_id: None,
        hashed_account_id: None,
        home_phone: None,
        ip_address: Some("198.51.100.42".parse().unwrap()),
        language: Some("zh-TW".parse().unwrap()),
        local_storage: None,
        major_os_version: None,
        mcc: "0742".parse().unwrap(),
        merchant_country_code: "840".parse().unwrap(),
        merchant_name: "Acme Inc".parse().unwrap(),
        minor_os_version: None,
        mobile_phone: Some(types::PhoneDetails {
            cc: Some("1".parse().unwrap()),
            subscriber: Some("3143978691".parse().unwrap()),
        }),
        model: None,
        placement: None,
        plugins: Vec::new(),
        primary_email: Some("john@mastercard.com".parse().unwrap()),
        primary_storage: None,
        purchase_amount: "12345".parse().unwrap(),
        purchase_currency: "840".parse().unwrap(),
        purchase_currency_exponent: "2".to_owned(),
        purchase_date: "20220721173228".parse().unwrap(),
        screen_resolution: Some("1024x820".parse().unwrap()),
        sdk_user_agent: None,
        secondary_email: None,
        secondary_name: None,
        shipping_address: Some(address),
        sim_country_iso: None,
        sim_operator: None,
        stored_device_id: None,
        supported_features: vec!["mhac".to_owned(), "mhtse".to_owned()],
        system_memory: None,
        time_zone: Some("-300".parse().unwrap()),
        user_agent: None,
        vendor_app_id: None,
        web_gl: None,
        work_phone: None,
    }
}

/// The JSON `request()` must put on the wire: camelCase names, no `None` fields, no empty lists.
fn expected_body() -> Value {
    let address = json!({
        "addressCity": "Houston",
        "addressCountry": "840",
        "addressLine1": "912 Uclan Dr",
        "addressLine2": "Apt 34",
        "addressPostCode": "63124",
        "addressState": "TX"
    });
    json!({
        "accountDetails": {
            "accountNumber": "2303770003400262",
            "cardExpiryDate": "2311",
            "cardLast4": "0262"
        },
        "acquirerBin": "444444",
        "billingAddress": address,
        "cardHolderName": "Waidong L Syrws",
        "colorDepth": 24,
        "cookiesEnabled": true,
        "ipAddress": "198.51.100.42",
        "language": "zh-TW",
        "mcc": "0742",
        "merchantCountryCode": "840",
        "merchantName": "Acme Inc",
        "mobilePhone": { "cc": "1", "subscriber": "3143978691" },
        "primaryEmail": "john@mastercard.com",
        "purchaseAmount": "12345",
        "purchaseCurrency": "840",
        "purchaseCurrencyExponent": "2",
        "purchaseDate": "20220721173228",
        "screenResolution": "1024x820",
        "shippingAddress": address,
        "supportedFeatures": ["mhac", "mhtse"],
        "timeZone": "-300"
    })
}

/// Answers exactly `POST /identity/transactions` with the expected headers and JSON body.
async fn mount(server: &MockServer, response: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("api-version", "0.2.3"))
        .and(header("content-type", "application/json"))
        .and(body_json(expected_body()))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

/// Asserts the one request the server received, field by field.
async fn assert_sent(server: &MockServer) {
    server.verify().await;
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request: {requests:?}");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), PATH);
    assert_eq!(request.url.query(), None, "no query string");
    let header_value = |name: &str| {
        request
            .headers
            .get(name)
            .map(|value| value.to_str().unwrap())
    };
    // progenitor sends the spec's `info.version` as `api-version`.
    assert_eq!(header_value("api-version"), Some("0.2.3"));
    assert_eq!(header_value("content-type"), Some("application/json"));
    assert_eq!(header_value("accept"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&request.body).expect("body is JSON");
    assert_eq!(sent, expected_body());
}

fn insights_response() -> Value {
    json!({
        "id": TRANSACTION_ID,
        "deviceInsights": {
            "uDeviceId": "UDID-9284e12b85b0d2763c13d734c70b1d62",
            "lastSeen": "2022-06-03T18:00:50Z",
            "firstSeen": "2022-03-01T13:00:50Z",
            "lastSeenDays": 10,
            "firstSeenDays": 94,
            "accountDeviceId": "b01e4f5e5e984a79ad5ff38e65ddf198",
            "deviceInfo": {
                "deviceType": "iPhone",
                "country": "USA",
                "ipCarrier": "AT&T",
                "city": "Los Angeles",
                "browser": "Safari",
                "state": "CA",
                "platform": "iOS"
            },
            "insightFactor": 2,
            "riskFactor": 2,
            "trustFactor": 5
        },
        "individualInsights": {
            "primaryEmail": {
                "firstSeenDays": 234,
                "lastSeenDays": 234,
                "valid": true,
                "domainCreationDate": "2000-11-29",
                "matchToName": "no-match",
                "mailboxVelocity": 3,
                "isDisposable": false,
                "emailRisk": { "score": 0.445 }
            },
            "mobilePhone": {
                "matchToName": "no-match",
                "lineType": "mobile",
                "valid": true,
                "phoneNumberCarrier": "Ekata Telco"
            },
            "ip": { "billingAddressDistance": 240, "connectionType": "cable-dsl", "lastSeenDays": 234 },
            "billingAddress": {
                "validityLevel": "valid_to_street",
                "matchToName": "no-match",
                "shippingAddressRelationship": "no_relationship"
            },
            "scores": {
                "ipRisk": { "score": 0.562 },
                "identityRisk": { "score": 375, "reasonCode": "RA" }
            },
            "paymentCard": { "cardHolderNamefirstSeenDays": 55, "cardHolderNameVelocity": 24 },
            "paymentAmount": { "merchantCategoryRatio": 1.5 },
            "alerts": [],
            "warnings": ["Shipping Address: Missing country_code"]
        }
    })
}

fn assert_iit_error<T: std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<types::ErrorResponse>>,
    status: u16,
) -> types::Error {
    let response = match result {
        Err(Error::ErrorResponse(response)) => response,
        other => panic!("expected a typed IIT error ({status}), got {other:?}"),
    };
    assert_eq!(response.status().as_u16(), status);
    let mut errors = response.into_inner().errors.error;
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

#[tokio::test]
async fn sends_json_body_and_parses_typed_insights() {
    let server = MockServer::start().await;
    let client = client(&server);
    mount(
        &server,
        ResponseTemplate::new(200)
            .insert_header("X-MC-Correlation-ID", CORRELATION_ID)
            .set_body_json(insights_response()),
    )
    .await;

    let response = client
        .retrieve_transaction_insights(&request())
        .await
        .expect("200 parses");
    assert_sent(&server).await;

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers().get("x-mc-correlation-id").unwrap(),
        CORRELATION_ID
    );
    let insights = response.into_inner();
    assert_eq!(insights.id, TRANSACTION_ID);

    let device = insights.device_insights.expect("deviceInsights");
    assert_eq!(
        device.u_device_id.as_deref(),
        Some("UDID-9284e12b85b0d2763c13d734c70b1d62")
    );
    assert_eq!(device.first_seen_days, Some(94));
    assert_eq!(device.insight_factor.map(i64::from), Some(2));
    assert_eq!(device.trust_factor.map(|factor| factor.0), Some(5));
    let device_info = device.device_info.expect("deviceInfo");
    assert_eq!(device_info.device_type, "iPhone");
    assert_eq!(device_info.browser, "Safari");
    assert_eq!(device_info.ip_carrier.as_deref(), Some("AT&T"));

    let individual = insights.individual_insights.expect("individualInsights");
    let email = individual.primary_email.expect("primaryEmail");
    assert_eq!(email.mailbox_velocity, Some(3));
    assert_eq!(email.is_disposable, Some(false));
    assert_eq!(email.email_risk.and_then(|risk| risk.score), Some(0.445));
    let phone = individual.mobile_phone.expect("mobilePhone");
    assert_eq!(phone.line_type.as_deref(), Some("mobile"));
    assert_eq!(phone.phone_number_carrier.as_deref(), Some("Ekata Telco"));
    assert_eq!(
        individual.ip.and_then(|ip| ip.billing_address_distance),
        Some(240)
    );
    let identity_risk = individual
        .scores
        .and_then(|scores| scores.identity_risk)
        .expect("scores.identityRisk");
    assert_eq!(identity_risk.score, Some(375));
    assert_eq!(identity_risk.reason_code.as_deref(), Some("RA"));
    assert_eq!(
        individual
            .payment_card
            .and_then(|card| card.card_holder_namefirst_seen_days),
        Some(55)
    );
    assert!(individual.alerts.is_empty());
    assert_eq!(
        individual.warnings,
        ["Shipping Address: Missing country_code"]
    );
}

#[tokio::test]
async fn bad_request_with_null_details_is_a_typed_error() {
    let server = MockServer::start().await;
    let client = client(&server);
    mount(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "Errors": { "Error": [{
                "Source": "IIT",
                "ReasonCode": "VALIDATION_ERROR",
                "Description": "Invalid Format",
                "Recoverable": false,
                "Details": null
            }]}
        })),
    )
    .await;

    let result = client.retrieve_transaction_insights(&request()).await;
    assert_sent(&server).await;
    let error = assert_iit_error(result, 400);
    assert_eq!(error.source.as_deref(), Some("IIT"));
    assert_eq!(error.reason_code.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(error.description.as_deref(), Some("Invalid Format"));
    assert_eq!(error.recoverable, Some(false));
    assert_eq!(error.details, None);
}

#[tokio::test]
async fn documented_error_examples_are_typed_errors() {
    let server = MockServer::start().await;
    let client = client(&server);

    // The spec's `MissingRequiredDataBadRequestErrorExample`: Details as a string.
    mount(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "Errors": { "Error": [{
                "Source": "IIT",
                "ReasonCode": "VALIDATION_ERROR",
                "Description": "Required Data Element Missing",
                "Recoverable": false,
                "Details": "purchaseDate, billingAddress.city"
            }]}
        })),
    )
    .await;
    let result = client.retrieve_transaction_insights(&request()).await;
    assert_sent(&server).await;
    let error = assert_iit_error(result, 400);
    assert_eq!(
        error.description.as_deref(),
        Some("Required Data Element Missing")
    );
    assert_eq!(
        error.details.as_deref(),
        Some("purchaseDate, billingAddress.city")
    );

    // The spec's `UnauthorizedExample`.
    mount(
        &server,
        ResponseTemplate::new(401).set_body_json(json!({
            "Errors": { "Error": [{
                "Source": "IIT",
                "ReasonCode": "UNAUTHORIZED_REQUEST",
                "Description": "Unauthorized request",
                "Recoverable": false,
                "Details": null
            }]}
        })),
    )
    .await;
    let result = client.retrieve_transaction_insights(&request()).await;
    assert_sent(&server).await;
    let error = assert_iit_error(result, 401);
    assert_eq!(error.reason_code.as_deref(), Some("UNAUTHORIZED_REQUEST"));
    assert_eq!(error.description.as_deref(), Some("Unauthorized request"));
    assert_eq!(error.details, None);
}

#[tokio::test]
async fn unknown_field_in_individual_insights_still_parses() {
    let server = MockServer::start().await;
    let client = client(&server);
    let mut body = insights_response();
    body["individualInsights"]["documentInsights"] = json!({ "riskLevel": "low", "score": 12 });
    body["individualInsights"]["newTopLevelFlag"] = json!(true);
    mount(&server, ResponseTemplate::new(200).set_body_json(body)).await;

    let insights = client
        .retrieve_transaction_insights(&request())
        .await
        .expect("unknown fields are ignored")
        .into_inner();
    assert_sent(&server).await;
    assert_eq!(insights.id, TRANSACTION_ID);
    let individual = insights.individual_insights.expect("individualInsights");
    assert_eq!(
        individual
            .primary_email
            .and_then(|email| email.match_to_name)
            .as_deref(),
        Some("no-match")
    );
    assert_eq!(
        individual.warnings,
        ["Shipping Address: Missing country_code"]
    );
}
