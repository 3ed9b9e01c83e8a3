//! Login throttling: failed logins are counted per client address and per access key in fixed windows; once
//! either count reaches its limit, further attempts for that address or key are refused (429, with the
//! seconds to wait) until the window ends, whatever the secret. `auth.login` and the web login share one
//! [`LoginThrottle`] per server process.
//!
//! Behind a reverse proxy every request comes from the proxy's address, so the per-address limit then
//! counts everyone; the per-key limit still protects each key. Entries are kept in memory only.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per client address per window.
pub const FAILURES_PER_ADDRESS: u32 = 10;
/// Failed logins allowed per access key per window (from all addresses).
pub const FAILURES_PER_KEY: u32 = 20;
/// The counting window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Entries kept before expired ones are dropped.
const PRUNE_AT: usize = 10_000;

#[derive(Hash, PartialEq, Eq, Clone)]
enum Subject {
    Address(IpAddr),
    Key(String),
}

struct Count {
    since: Instant,
    failures: u32,
}

/// Counts failed logins; see the module documentation.
pub struct LoginThrottle {
    counts: Mutex<HashMap<Subject, Count>>,
    window: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(WINDOW)
    }
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginThrottle(..)")
    }
}

impl LoginThrottle {
    /// A throttle counting in windows of `window`.
    pub fn new(window: Duration) -> Self {
        Self {
            counts: Mutex::new(HashMap::new()),
            window,
        }
    }

    fn subjects(client: IpAddr, key: &str) -> [(Subject, u32); 2] {
        [
            (Subject::Address(client), FAILURES_PER_ADDRESS),
            (Subject::Key(key.to_string()), FAILURES_PER_KEY),
        ]
    }

    /// `Err(wait)` when `client` or `key` has used up its failures in the current window.
    pub fn check(&self, client: IpAddr, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for (subject, limit) in Self::subjects(client, key) {
            if let Some(c) = counts.get(&subject) {
                let end = c.since + self.window;
                if c.failures >= limit && end > now {
                    wait = wait.max(end - now);
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Count a failed login of `key` from `client`.
    pub fn failed(&self, client: IpAddr, key: &str) {
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() >= PRUNE_AT {
            let window = self.window;
            counts.retain(|_, c| c.since + window > now);
        }
        for (subject, _) in Self::subjects(client, key) {
            let c = counts.entry(subject).or_insert(Count {
                since: now,
                failures: 0,
            });
            if c.since + self.window <= now {
                *c = Count {
                    since: now,
                    failures: 0,
                };
            }
            c.failures += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_lock_the_address_and_the_key_until_the_window_ends() {
        let t = LoginThrottle::new(Duration::from_millis(300));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..FAILURES_PER_ADDRESS {
            assert!(t.check(a, "K1").is_ok());
            t.failed(a, "K1");
        }
        assert!(t.check(a, "K1").is_err(), "address used up");
        assert!(
            t.check(a, "OTHER").is_err(),
            "the address is locked for every key"
        );
        assert!(t.check(b, "K1").is_ok(), "the key has failures left");
        for _ in 0..(FAILURES_PER_KEY - FAILURES_PER_ADDRESS) {
            t.failed(b, "K1");
        }
        assert!(t.check(b, "K1").is_err(), "key used up from all addresses");
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        assert!(
            t.check(c, "K2").is_ok(),
            "other keys from other addresses are not affected"
        );
        std::thread::sleep(Duration::from_millis(350));
        assert!(t.check(a, "K1").is_ok(), "a new window");
    }
}
