//! JWE: compact parsing, `{"encryptedData":…}` envelopes, field-level paths and decryption with
//! the throwaway key, in three configurations. Oracle beyond "no panic": a JSON body that
//! encrypts must decrypt back to itself (trimmed).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let configs = mastercard_fuzz::jwe_configs();
    for config in configs {
        let _ = config.decrypt_payload(data);
    }
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = configs[0].decrypt_compact(token.trim());
        let _ = configs[2].decrypt_compact(token.trim());
    }
    // Round trip through the default configuration.
    if let Ok(envelope) = configs[0].encrypt_payload(data) {
        if !data.trim_ascii().is_empty() {
            let plain = configs[0]
                .decrypt_payload(&envelope)
                .expect("an envelope we just encrypted decrypts");
            assert_eq!(plain, data.trim_ascii(), "round trip changed the body");
        }
    }
});
