//! What the online services share: an HTTP client with connect and read timeouts, bounded retries with
//! exponential backoff, a per-run request cap, and a breaker that stops asking a service that keeps failing.

use std::time::Duration;

/// Limits for one online service in one run.
#[derive(Debug, Clone)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Retries after the first attempt (so `retries + 1` attempts at most).
    pub retries: u32,
    /// First backoff; doubled after each retry.
    pub backoff: Duration,
    /// Most requests in one run.
    pub max_requests: u32,
    /// Consecutive failed requests after which the service is not asked again in this run.
    pub breaker: u32,
}

/// One attempt's failure.
pub use crate::retry::Failure;

/// A blocking client and the run's budget for one service.
pub struct Client {
    pub http: reqwest::blocking::Client,
    pub limits: Limits,
    requests: u32,
    consecutive_failures: u32,
    /// Why the service was given up, once it was.
    pub gave_up: Option<String>,
}

impl Client {
    /// Build a client (rustls, no proxy from the environment: an air-gapped host's proxy variables are not ours).
    pub fn new(limits: Limits) -> Result<Client, String> {
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .no_proxy()
            .user_agent(concat!("proxy-oa/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        Ok(Client { http, limits, requests: 0, consecutive_failures: 0, gave_up: None })
    }

    /// Requests made so far.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// Run `attempt` with retries. `Err` when every attempt failed, the request cap is reached or the service
    /// was given up; the caller then labels the values UNKNOWN.
    pub fn call<T>(
        &mut self,
        mut attempt: impl FnMut(&reqwest::blocking::Client) -> Result<T, Failure>,
    ) -> Result<T, String> {
        if let Some(why) = &self.gave_up {
            return Err(why.clone());
        }
        let backoff = crate::retry::Backoff { retries: self.limits.retries, first: self.limits.backoff };
        let (http, limits, requests) = (&self.http, &self.limits, &mut self.requests);
        let mut capped = false;
        let result = backoff.run("reputation request", |_| {
            if *requests >= limits.max_requests {
                capped = true;
                return Err(Failure::Permanent(format!("request cap of {} per run reached", limits.max_requests)));
            }
            *requests += 1;
            attempt(http)
        });
        let last = match result {
            Ok(v) => {
                self.consecutive_failures = 0;
                return Ok(v);
            }
            Err(g) => g.last.message().to_string(),
        };
        if capped {
            self.gave_up = Some(last.clone());
            return Err(last);
        }
        self.consecutive_failures += 1;
        if self.consecutive_failures >= self.limits.breaker {
            self.gave_up =
                Some(format!("gave up after {} failed requests in a row: {last}", self.consecutive_failures));
        }
        Err(last)
    }
}

/// Classify a reqwest error (the message never contains a request body, so no credentials).
pub fn classify(e: reqwest::Error) -> Failure {
    let e = e.without_url();
    if e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() {
        Failure::Transient(format!("{e}"))
    } else {
        Failure::Permanent(format!("{e}"))
    }
}

/// Read a response: 2xx body text, else a failure by status.
pub fn body(resp: reqwest::blocking::Response) -> Result<String, Failure> {
    let status = resp.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(Failure::Transient(format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(Failure::Permanent(format!("HTTP {status}")));
    }
    resp.text().map_err(classify)
}

/// What a service's check of many values found.
#[derive(Debug, Default)]
pub struct Checked {
    /// value → label (values the service does not know are absent).
    pub labels: std::collections::BTreeMap<String, String>,
    /// Values that could not be checked (labelled with the service's UNKNOWN).
    pub failed: Vec<String>,
    /// The last failure.
    pub last_err: Option<String>,
}

impl Checked {
    /// `values` could not be checked because of `err`.
    pub fn fail(&mut self, values: &[String], unknown: &str, err: String) {
        for v in values {
            self.labels.insert(v.clone(), unknown.to_string());
            self.failed.push(v.clone());
        }
        self.last_err = Some(err);
    }
}
