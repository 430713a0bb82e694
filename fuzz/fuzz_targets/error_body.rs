//! `mastercom::error::parse_errors` over arbitrary bodies: both Mastercard error shapes
//! (`{"Errors":[…]}` and `{"Errors":{"Error":…}}`), any case, any nesting.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let errors = mastercom::error::parse_errors(data);
    for error in &errors {
        let _ = format!("{error:?}");
    }
});
