//! Matching a request to an operation of [`mastercom::OPERATIONS`] (the generated table of all
//! 52 operations), so routing follows the pinned spec without a hand-kept list.

use std::collections::HashMap;

use mastercard_transport::OperationSpec;

/// The operation for `method` + `path` (below `/mastercom`) and its path parameters. When two
/// templates match (`/chargebacks/debitmc` vs `/chargebacks/{chargeback-id}`), the one with more
/// literal segments wins, as the spec intends.
pub fn find(method: &str, path: &str) -> Option<(&'static OperationSpec, HashMap<String, String>)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut best: Option<(usize, &'static OperationSpec, HashMap<String, String>)> = None;
    for op in mastercom::OPERATIONS
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
    {
        let template: Vec<&str> = op.path.split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = HashMap::new();
        let mut literals = 0;
        let matched = template.iter().zip(&segments).all(|(t, s)| {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                params.insert(name.to_owned(), (*s).to_owned());
                !s.is_empty()
            } else {
                literals += 1;
                t == s
            }
        });
        if matched && best.as_ref().is_none_or(|(l, _, _)| literals > *l) {
            best = Some((literals, op, params));
        }
    }
    best.map(|(_, op, params)| (op, params))
}
