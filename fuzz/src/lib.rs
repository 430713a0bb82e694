//! What the fuzz targets share: the fixed throwaway RSA key (so seed tokens and signatures made by
//! `cargo xtask fuzz` stay valid across runs) and the JWE configurations under test.

use std::sync::OnceLock;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::{Pkcs12Options, PrivateKey, PublicKey};

/// A throwaway RSA-2048 key made for fuzzing only (`openssl genpkey`); never trust it.
pub const THROWAWAY_KEY_PEM: &[u8] = include_bytes!("../throwaway-rsa2048.pem");

/// The throwaway key, parsed once.
pub fn private_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::from_bytes(THROWAWAY_KEY_PEM, &Pkcs12Options::default())
            .expect("the committed throwaway key parses")
    })
}

/// Its public half.
pub fn public_key() -> PublicKey {
    PublicKey::from_private_key(private_key()).expect("public half of the throwaway key")
}

/// The JWE configurations fuzzed: `[whole payload (the IIT default), field-level paths, lenient
/// (RSA-OAEP allowed, kid not checked, 4 KiB cap)]`, all with the throwaway key on both sides.
pub fn jwe_configs() -> &'static [EncryptionConfig; 3] {
    static CONFIGS: OnceLock<[EncryptionConfig; 3]> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let encryption = || {
            EncryptionKey::from_public_key(public_key().pkey()).expect("throwaway encryption key")
        };
        let decryption =
            || DecryptionKey::from_private_key(private_key()).expect("throwaway decryption key");
        let base = || {
            EncryptionConfig::builder()
                .encryption_key(encryption())
                .decryption_key(decryption())
        };
        [
            base().build().expect("default config"),
            base()
                .encryption_path("$.card", "$.card")
                .decryption_path("$.card.encryptedValue", "$.card")
                .decryption_path("$.items[0]", "$.first")
                .encrypted_value_field_name("encryptedValue")
                .build()
                .expect("field-level config"),
            base()
                .allow_rsa_oaep(true)
                .skip_kid_check(true)
                .max_plaintext_len(4096)
                .build()
                .expect("lenient config"),
        ]
    })
}
