//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane),
//! always on the blocking pool so a login never stalls the async workers, and at most one
//! hash per CPU at a time: each takes 19 MiB, and a flood of Basic-authenticated requests
//! once drove resident memory from 250 MB to 1.5 GB. Requests beyond that wait their turn
//! (the request timeout bounds the wait).

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

/// The hashing slots: one per CPU.
fn slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cpus)
    })
}

pub async fn hash(password: String) -> String {
    let slot = slots().acquire().await.expect("the slots are never closed");
    // The slot travels with the hashing itself: a request dropped while it waits for the
    // result (a closed connection, a timeout) must not give the slot back early.
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        hash_blocking(&password)
    })
    .await
    .expect("password hashing task panicked")
}

pub async fn verify(stored_hash: String, password: String) -> bool {
    verify_if(stored_hash, password, || {
        Ok::<(), std::convert::Infallible>(())
    })
    .await
    .unwrap_or(false)
}

/// Verifies once a hashing slot is free, if `still_allowed` (asked while the slot is held,
/// just before hashing) agrees: requests that queued while a lockout began hash nothing.
pub async fn verify_if<E>(
    stored_hash: String,
    password: String,
    still_allowed: impl FnOnce() -> Result<(), E>,
) -> Result<bool, E> {
    let slot = slots().acquire().await.expect("the slots are never closed");
    still_allowed()?;
    // The slot is held by the blocking task, not by this future: if the request is
    // dropped meanwhile, the hashing goes on and keeps its slot until it ends.
    Ok(tokio::task::spawn_blocking(move || {
        let _slot = slot;
        verify_blocking(&stored_hash, &password)
    })
    .await
    .unwrap_or(false))
}

/// Hashing slots free right now (for tests).
pub fn free_slots() -> usize {
    slots().available_permits()
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashes_run_at_once_than_there_are_cpus() {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let hash = hash_blocking("x");
        // Every slot taken: a check waits, and hashes nothing meanwhile.
        let all = slots().acquire_many(cpus as u32).await.unwrap();
        assert_eq!(free_slots(), 0);
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let check = tokio::spawn({
            let (hash, asked) = (hash.clone(), asked.clone());
            async move {
                verify_if(hash, "x".into(), || {
                    asked.store(true, std::sync::atomic::Ordering::SeqCst);
                    Ok::<(), ()>(())
                })
                .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(
            !asked.load(std::sync::atomic::Ordering::SeqCst),
            "waits for a slot"
        );
        drop(all);
        assert_eq!(check.await.unwrap(), Ok(true));
        // A refusal while holding a slot hashes nothing and frees the slot.
        assert_eq!(
            verify_if(hash, "x".into(), || Err("locked")).await,
            Err("locked")
        );
        assert_eq!(free_slots(), cpus);
    }

    #[test]
    fn overlong_passwords_are_refused() {
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        let hash = hash_blocking(&long);
        assert!(!verify_blocking(&hash, &long));
    }
}
