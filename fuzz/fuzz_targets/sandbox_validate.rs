//! The sandbox's request-body validation: every generated Mastercom request type its routes
//! validate, and the Identity Insights transaction validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastercard_sandbox::mastercom::validate;
use mastercom::types as t;

fuzz_target!(|data: &[u8]| {
    let _ = mastercard_sandbox::validate_iit_request(data);
    let _ = validate::<t::AcquirerFulfillmentRequest>(data);
    let _ = validate::<t::CaseFilingClaimsRequest>(data);
    let _ = validate::<t::CaseFilingImageStatusRequest>(data);
    let _ = validate::<t::CaseFilingStatusRequest>(data);
    let _ = validate::<t::ChargebackImageStatusRequest>(data);
    let _ = validate::<t::ChargebackMarkProcessedRequest>(data);
    let _ = validate::<t::ChargebackStatusRequest>(data);
    let _ = validate::<t::CreateCaseRequest>(data);
    let _ = validate::<t::CreateChargebackRequest>(data);
    let _ = validate::<t::CreateChargebackSingleRequest>(data);
    let _ = validate::<t::CreateChargebackSingleReversalRequest>(data);
    let _ = validate::<t::CreateClaimRequest>(data);
    let _ = validate::<t::CreateFeeRequest>(data);
    let _ = validate::<t::CreateFeeRequestSingle>(data);
    let _ = validate::<t::CreateFraudMasterCardRequest>(data);
    let _ = validate::<t::CreateRetrievalRequest>(data);
    let _ = validate::<t::CreateRetrievalRequestSingle>(data);
    let _ = validate::<t::GetQueueContentRequest>(data);
    let _ = validate::<t::IssuerFulfillmentRequest>(data);
    let _ = validate::<t::LoadDataForChargebacksRequest>(data);
    let _ = validate::<t::LoadDataForFeesRequest>(data);
    let _ = validate::<t::ReconReportDataAcknowledgeRequest>(data);
    let _ = validate::<t::RetrievalStatusRequest>(data);
    let _ = validate::<t::RetrievalsImageStatusRequest>(data);
    let _ = validate::<t::TransactionSearchRequest>(data);
    let _ = validate::<t::TransactionSingleSearchRequest>(data);
    let _ = validate::<t::UpdateCaseRequest>(data);
    let _ = validate::<t::UpdateChargebackRequest>(data);
    let _ = validate::<t::UpdateClaimRequest>(data);
});
