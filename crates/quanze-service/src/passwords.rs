//! 口令散列 — argon2id password hashes, made and checked off the runtime's threads, at most one
//! per core at once, each over an arena kept from the hash before.
//!
//! The hashing is the `argon2-rust` crate's, a port of the reference implementation whose
//! compression picks AVX-512, AVX2, SSE or plain code at run time. It is bit-exact with the
//! RustCrypto `argon2` crate that made the hashes stored before it (a test checks a hash that
//! crate made), and on this project's 2-core AMD EPYC it takes about a third of the time at the
//! same cost (`cargo bench -p quanze-service --bench passwords`). The cost is what protects a
//! stolen hash; the speed of the code that pays it is what lets one server take a morning's
//! sign-ins.
//!
//! Why a pool and a semaphore, rather than a hash on whatever thread asked: a hash is about
//! 10 ms of a core and 19 MiB of memory. On the runtime's threads it would stall every other
//! request behind it; on unbounded blocking threads, a burst of sign-ins would take as many
//! arenas as it had requests. Here the number of hashes running is the number of cores, the
//! rest wait without a thread, and the arenas are reused rather than allocated and faulted in
//! each time.

use std::sync::{Arc, Mutex, PoisonError};

use argon2_rust::{Algorithm, Argon2, Error as HashError, Hasher, Params, Version, params::Memory};
use tokio::sync::{OnceCell, Semaphore};

use crate::auth::PasswordHashing;
use crate::error::{ServiceError, ServiceResult};

/// The argon2id configuration of a cost (one lane, a 32-byte tag).
pub(crate) fn argon2id(cost: PasswordHashing) -> Result<Argon2, HashError> {
    let params = Params::builder()
        .memory(Memory::kib(u64::from(cost.memory_kib)))
        .passes(cost.iterations)
        .lanes(1)
        .build()?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// 口令散列器 — the server's password hashing: new hashes at the configured cost, and checks of
/// stored hashes at their own.
pub(crate) struct Passwords {
    /// The configuration of new hashes, or why the cost has none (a cost built without
    /// [`PasswordHashing::checked`]): every hash then fails with it, as an internal error.
    argon2: Result<Argon2, String>,
    /// One turn per core: a hash holds one while it runs.
    turns: Arc<Semaphore>,
    /// Hashers between hashes, each keeping its arena (at most one per turn).
    idle: Arc<Mutex<Vec<Hasher>>>,
    /// A hash of a password no one has, made on first use: what a sign-in for an unknown
    /// account is checked against, so that it costs what a wrong password costs.
    dummy: OnceCell<String>,
}

impl Passwords {
    /// Hashing at `cost`, with as many hashes at once as the machine has cores.
    pub(crate) fn new(cost: PasswordHashing) -> Passwords {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Passwords::with_turns(cost, cores)
    }

    /// Hashing at `cost`, `turns` hashes at once (at least one).
    pub(crate) fn with_turns(cost: PasswordHashing, turns: usize) -> Passwords {
        let argon2 = argon2id(cost).map_err(|e| {
            format!("argon2id at {} KiB × {} passes: {e}", cost.memory_kib, cost.iterations)
        });
        Passwords {
            argon2,
            turns: Arc::new(Semaphore::new(turns.max(1))),
            idle: Arc::new(Mutex::new(Vec::new())),
            dummy: OnceCell::new(),
        }
    }

    /// A new PHC string (`$argon2id$v=19$m=…,t=…,p=1$salt$tag`) for `password`, with a fresh
    /// 16-byte salt.
    pub(crate) async fn hash(&self, password: &str) -> ServiceResult<String> {
        let password = password.to_owned();
        let salt: [u8; 16] = rand::random();
        self.run(move |h| h.hash_password(password.as_bytes(), &salt))
            .await?
            .map_err(|e| ServiceError::Internal(format!("argon2id: {e}")))
    }

    /// Whether `password` is the one `stored` (a PHC string) was made from, checked at the
    /// cost written in it. A string that does not parse matches nothing, and is logged.
    pub(crate) async fn verify(&self, password: &str, stored: &str) -> ServiceResult<bool> {
        let (password, stored) = (password.to_owned(), stored.to_owned());
        let outcome =
            self.run(move |h| h.verify_encoded(&stored, password.as_bytes(), Algorithm::Argon2id));
        match outcome.await? {
            Ok(()) => Ok(true),
            Err(HashError::VerifyMismatch) => Ok(false),
            Err(e) => {
                tracing::warn!(error = %e, "a stored password hash could not be checked");
                Ok(false)
            }
        }
    }

    /// The work of a wrong password, for a sign-in to an account that does not exist.
    pub(crate) async fn verify_nobody(&self, password: &str) -> ServiceResult<()> {
        let dummy = self.dummy.get_or_try_init(|| self.hash("no account has this password"));
        let dummy = dummy.await?.clone();
        self.verify(password, &dummy).await.map(|_| ())
    }

    /// Runs `job` on a blocking thread with an idle hasher (or a new one), once a turn is free.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Hasher) -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let turn = Arc::clone(&self.turns)
            .acquire_owned()
            .await
            .map_err(|_| ServiceError::Internal("password hashing has stopped".into()))?;
        let idle = Arc::clone(&self.idle);
        let argon2 = self.argon2.clone().map_err(ServiceError::Internal)?;
        let done = tokio::task::spawn_blocking(move || {
            let taken = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut hasher = taken.unwrap_or_else(|| argon2.hasher());
            let out = job(&mut hasher);
            idle.lock().unwrap_or_else(PoisonError::into_inner).push(hasher);
            drop(turn);
            out
        });
        done.await.map_err(|e| ServiceError::Internal(format!("password hashing: {e}")))
    }

    /// Hashers holding an arena now (for tests: at most one per turn).
    #[cfg(test)]
    pub(crate) fn idle_hashers(&self) -> usize {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OWASP's cheapest setting, to keep the tests quick.
    fn cost() -> PasswordHashing {
        PasswordHashing::checked(7_168, 5).unwrap()
    }

    #[tokio::test]
    async fn hashes_made_by_the_previous_crate_still_sign_in() {
        // Made by RustCrypto's `argon2` 0.6.0 (which this module replaced) from
        // "Qz-旧口令-2026" and the salt "quanze-stop-33!!", at two of OWASP's settings.
        let passwords = Passwords::with_turns(cost(), 2);
        for stored in [
            "$argon2id$v=19$m=7168,t=5,p=1$cXVhbnplLXN0b3AtMzMhIQ$V4jrAqYwTZVOUcx7Inl3DgWK9dKS/wdyhwYb5kvr5sU",
            "$argon2id$v=19$m=19456,t=2,p=1$cXVhbnplLXN0b3AtMzMhIQ$ns7DbMSinKzmYaDAU1hwtHsBni9lUSjiZ+YOuzw8LlU",
        ] {
            assert!(passwords.verify("Qz-旧口令-2026", stored).await.unwrap(), "{stored}");
            assert!(!passwords.verify("Qz-旧口令-2027", stored).await.unwrap(), "{stored}");
        }
    }

    #[tokio::test]
    async fn a_new_hash_carries_its_cost_and_a_fresh_salt() {
        let passwords = Passwords::with_turns(cost(), 1);
        let one = passwords.hash("Correct-Horse-9").await.unwrap();
        let two = passwords.hash("Correct-Horse-9").await.unwrap();
        assert!(one.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{one}");
        assert_ne!(one, two, "each hash has its own salt");
        assert!(passwords.verify("Correct-Horse-9", &two).await.unwrap());
        assert!(!passwords.verify("correct-Horse-9", &one).await.unwrap());
        assert!(!passwords.verify("Correct-Horse-9", "$argon2id$garbage").await.unwrap());
        passwords.verify_nobody("anything").await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_arenas_than_turns_however_many_ask() {
        let passwords = Arc::new(Passwords::with_turns(cost(), 2));
        let stored = passwords.hash("Correct-Horse-9").await.unwrap();
        let checks: Vec<_> = (0..12)
            .map(|i| {
                let (passwords, stored) = (Arc::clone(&passwords), stored.clone());
                tokio::spawn(async move {
                    let guess = if i % 2 == 0 { "Correct-Horse-9" } else { "wrong" };
                    passwords.verify(guess, &stored).await.unwrap() == (i % 2 == 0)
                })
            })
            .collect();
        for check in checks {
            assert!(check.await.unwrap());
        }
        let arenas = passwords.idle_hashers();
        assert!((1..=2).contains(&arenas), "{arenas} arenas for 2 turns");
    }
}
