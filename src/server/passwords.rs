//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane),
//! always on the blocking pool so a login never stalls the async workers.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use password_hash::{rand_core::OsRng, SaltString};

/// Passwords longer than this are refused without hashing, so nobody can make the server
/// hash megabytes per request.
pub const MAX_PASSWORD_BYTES: usize = 1024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing with a fresh salt cannot fail")
        .to_string()
}

pub fn verify_blocking(stored_hash: &str, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("password hashing task panicked")
}

pub async fn verify(stored_hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&stored_hash, &password))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_blocking("correct horse");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking(&hash, "correct horse"));
        assert!(!verify_blocking(&hash, "correct horsE"));
        assert!(!verify_blocking("not a hash", "correct horse"));
        assert_ne!(hash, hash_blocking("correct horse"), "salts differ");
    }

    #[test]
    fn overlong_passwords_are_refused() {
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        let hash = hash_blocking(&long);
        assert!(!verify_blocking(&hash, &long));
    }
}
