//! Argon2id password hashing, off the async workers on a small fixed pool
//! of threads. The pool bounds concurrency, and with it memory: each Argon2
//! computation takes 19 MiB, and glibc keeps an arena per thread that hashed,
//! so a handful of dedicated threads keep RSS flat however many logins come.

use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on `threads` dedicated threads.
#[derive(Clone)]
pub struct Passwords {
    jobs: mpsc::Sender<Job>,
    /// A hash of a random password: unknown accounts are checked against it
    /// so that a login takes as long whether or not the email exists.
    dummy_hash: Arc<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password hashing threads have stopped")]
    Stopped,
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl Passwords {
    pub fn new(threads: usize) -> Result<Self, PasswordError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| PasswordError::Hash(e.to_string()))?;
        }
        let dummy = hash_now(&crate::auth::secrets::generate(""))?;
        Ok(Self { jobs, dummy_hash: Arc::new(dummy) })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = reply.send(work());
            }))
            .map_err(|_| PasswordError::Stopped)?;
        answer.await.map_err(|_| PasswordError::Stopped)
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `phc`. With no hash (an unknown account)
    /// the same work is done against a dummy hash, and the answer is `false`.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, PasswordError> {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let matches = self
            .run(move || {
                PasswordHash::new(&phc)
                    .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                    .unwrap_or(false)
            })
            .await?;
        Ok(known && matches)
    }
}

fn hash_now(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let passwords = Passwords::new(1).unwrap_or_else(|e| panic!("{e}"));
        let hash = passwords.hash("correct horse".into()).await.unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        assert!(passwords.verify("correct horse".into(), Some(hash.clone())).await.unwrap_or(false));
        assert!(!passwords.verify("wrong".into(), Some(hash)).await.unwrap_or(true));
        assert!(!passwords.verify("correct horse".into(), None).await.unwrap_or(true));
    }
}
