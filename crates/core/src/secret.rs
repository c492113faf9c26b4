//! Passwords (argon2id) and opaque secrets (session ids, API tokens).
//! Secrets are random, shown once, and stored only as SHA-256 digests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hash a password with argon2id (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing with default parameters cannot fail").to_string()
}

/// Check a password against a stored hash. A malformed hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A dummy verification so that unknown usernames cost as much time as known ones.
pub fn burn_password_time(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash_password("parindex-dummy"));
    let _ = verify_password(password, h);
}

/// Rules for a new password; returns a message naming what is wrong.
pub fn check_new_password(password: &str) -> Result<(), crate::Msg> {
    if password.chars().count() < 10 {
        return Err(crate::Msg::new("Mật khẩu phải có ít nhất 10 ký tự.", "The password must have at least 10 characters."));
    }
    if password.len() > 256 {
        return Err(crate::Msg::new("Mật khẩu quá dài (tối đa 256 byte).", "The password is too long (256 bytes at most)."));
    }
    Ok(())
}

/// A random secret of 32 bytes, URL-safe base64, with a readable prefix (e.g. `pxt_`).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A generated password that people can type: 16 characters without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char).collect()
}

/// The digest under which a secret is stored.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("đúng mật khẩu 123");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("đúng mật khẩu 123", &h));
        assert!(!verify_password("sai mật khẩu", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_distinct_and_digested() {
        let a = new_secret("pxt_");
        let b = new_secret("pxt_");
        assert_ne!(a, b);
        assert!(a.starts_with("pxt_") && a.len() > 40);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(generate_password().len(), 16);
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("đủ dài rồi nhé").is_ok());
    }
}
