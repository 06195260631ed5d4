//! Bounded retries with exponential backoff, the one rule of everything that talks to a server (WebHDFS, the online
//! reputation services): at most `retries + 1` attempts, the wait doubling after each failed one, a warning for
//! each retry, and no retry after a failure that another try cannot mend.

use std::time::Duration;

/// How one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth another try: connection refused or reset, timeout, HTTP 5xx or 429.
    Transient(String),
    /// Not worth another try: HTTP 4xx, an answer that does not parse, a request cap reached.
    Permanent(String),
}

impl Failure {
    /// The failure's message.
    pub fn message(&self) -> &str {
        match self {
            Failure::Transient(m) | Failure::Permanent(m) => m,
        }
    }
}

/// What the attempts ended in when none succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp {
    /// The last attempt's failure.
    pub last: Failure,
    /// Attempts made.
    pub attempts: u32,
}

/// Retries after the first attempt, and the first wait (doubled after each retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub retries: u32,
    pub first: Duration,
}

impl Backoff {
    /// Run `attempt` (given its number, 0 for the first) until it succeeds, fails permanently, or `retries + 1`
    /// attempts have failed; `what` names the request in the warning of each retry.
    pub fn run<T>(&self, what: &str, attempt: impl FnMut(u32) -> Result<T, Failure>) -> Result<T, GaveUp> {
        self.run_with(what, attempt, std::thread::sleep)
    }

    /// [`Backoff::run`] with the waiting done by `sleep`.
    fn run_with<T>(
        &self,
        what: &str,
        mut attempt: impl FnMut(u32) -> Result<T, Failure>,
        mut sleep: impl FnMut(Duration),
    ) -> Result<T, GaveUp> {
        let mut wait = self.first;
        let mut n = 0;
        loop {
            match attempt(n) {
                Ok(v) => return Ok(v),
                Err(last @ Failure::Permanent(_)) => return Err(GaveUp { last, attempts: n + 1 }),
                Err(last) if n >= self.retries => return Err(GaveUp { last, attempts: n + 1 }),
                Err(last) => {
                    n += 1;
                    log::warn!("{what}: retry {n} of {} in {wait:?} after: {}", self.retries, last.message());
                    sleep(wait);
                    wait = wait.saturating_mul(2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Backoff = Backoff { retries: 2, first: Duration::from_millis(1) };

    #[test]
    fn transient_failures_are_tried_again_up_to_the_bound() {
        let mut seen = vec![];
        let r: Result<(), _> = FAST.run("x", |n| {
            seen.push(n);
            Err(Failure::Transient(format!("down {n}")))
        });
        assert_eq!(r, Err(GaveUp { last: Failure::Transient("down 2".into()), attempts: 3 }));
        assert_eq!(seen, [0, 1, 2]);
        let ok = FAST.run("x", |n| if n < 2 { Err(Failure::Transient("down".into())) } else { Ok(n) });
        assert_eq!(ok, Ok(2));
    }

    #[test]
    fn a_permanent_failure_is_not_tried_again() {
        let mut calls = 0;
        let r: Result<(), _> = FAST.run("x", |_| {
            calls += 1;
            Err(Failure::Permanent("404".into()))
        });
        assert_eq!(r, Err(GaveUp { last: Failure::Permanent("404".into()), attempts: 1 }));
        assert_eq!(calls, 1);
    }

    #[test]
    fn the_wait_doubles_after_each_retry() {
        let b = Backoff { retries: 3, first: Duration::from_millis(20) };
        let mut waits = vec![];
        let _: Result<(), _> = b.run_with("x", |_| Err(Failure::Transient("down".into())), |d| waits.push(d));
        assert_eq!(waits, [20, 40, 80].map(Duration::from_millis));
    }
}
