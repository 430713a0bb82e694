//! The transaction information document (TID) an acquirer's fulfilment provides: rendered by
//! the sandbox as a one-page PDF from the claim's transaction and the acquirer's answer, so that
//! `getRetrievalDoc` has the document a spec-following client can cause to exist.

use super::*;

/// Acquirer response codes that fulfil without a document in Mastercom: E (reject
/// collaboration), F (IIAS unfulfillable), G (IIAS invalid request information), H (IIAS
/// fulfilled outside the MasterCom system).
const NO_DOCUMENT: &[&str] = &["E", "F", "G", "H"];

/// The TID for a fulfilled retrieval request, or `None` when the acquirer's answer provides no
/// document.
pub(super) fn render(claim: &Claim, retrieval: &Retrieval) -> Option<Document> {
    if NO_DOCUMENT.contains(&retrieval.acquirer_response_cd.as_str()) {
        return None;
    }
    let seed = claim.seed_transaction();
    // The card number is masked: the sandbox never writes a full PAN into a document.
    let pan = seed.map_or_else(String::new, |t| {
        let digits = t.primary_account_num;
        format!(
            "****{}",
            digits.get(digits.len().saturating_sub(4)..).unwrap_or("")
        )
    });
    let kind = if retrieval.doc_needed == "4" {
        "Substitute draft"
    } else {
        "Copy of the transaction information document"
    };
    let lines = [
        kind.to_owned(),
        format!("Claim {} / retrieval request {}", claim.id, retrieval.id),
        format!("Merchant: {}", seed.map_or("", |t| t.merchant)),
        format!("Transaction date: {}", seed.map_or("", |t| t.date)),
        format!(
            "Amount: {} {}",
            seed.map_or("", |t| t.amount),
            seed.map_or("", |t| t.currency)
        ),
        format!("Card: {pan}"),
        format!(
            "Acquirer reference number: {}",
            seed.map_or("", |t| t.acquirer_ref_num)
        ),
        format!("Acquirer response code: {}", retrieval.acquirer_response_cd),
        format!("Acquirer memo: {}", retrieval.acquirer_memo),
    ];
    Some(Document {
        filename: "TID.pdf".to_owned(),
        file: openssl::base64::encode_block(&pdf(&lines)),
    })
}

/// A minimal single-page PDF 1.4 with one line of Helvetica text per entry.
fn pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT /F1 11 Tf 72 720 Td 16 TL");
    for line in lines {
        content.push_str(" (");
        content.push_str(&pdf_text(line));
        content.push_str(") Tj T*");
    }
    content.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A PDF literal string's content: printable ASCII, with `\`, `(` and `)` escaped.
fn pdf_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}
