//! A small in-memory fixed-window limiter keyed by client address: failed sign-in attempts.
//! Per-account lock-out lives in the database; this stops one address from trying many accounts.
//! Only failures count: a department behind one NAT address where a hundred people sign in at
//! eight in the morning is never throttled, while guessing passwords from one address is.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Limiter { max, window, hits: Mutex::new(HashMap::new()) }
    }

    /// Whether `key` has used up its attempts in the current window (counts nothing).
    pub fn blocked(&self, key: &str) -> bool {
        let hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.get(key).is_some_and(|(start, n)| Instant::now().duration_since(*start) < self.window && *n >= self.max)
    }

    /// Count one attempt for `key`; false when over the limit.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 10_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let e = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.max
    }
}

/// Digests seen within a time window (duplicate detection without storing anything durable).
pub struct Recent {
    ttl: Duration,
    seen: Mutex<HashMap<String, Instant>>,
}

impl Recent {
    pub fn new(ttl: Duration) -> Self {
        Recent { ttl, seen: Mutex::new(HashMap::new()) }
    }

    /// True the first time `digest` is seen within the window (and remembers it).
    pub fn first_time(&self, digest: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 200_000 {
            seen.retain(|_, at| now.duration_since(*at) < self.ttl);
        }
        match seen.get(digest) {
            Some(at) if now.duration_since(*at) < self.ttl => false,
            _ => {
                seen.insert(digest.to_string(), now);
                true
            }
        }
    }

    /// Forget a digest (the response it stood for was not stored after all).
    pub fn forget(&self, digest: &str) {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).remove(digest);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn limits_per_key() {
        let l = super::Limiter::new(2, std::time::Duration::from_secs(60));
        assert!(l.allow("a") && l.allow("a"));
        assert!(!l.allow("a"));
        assert!(l.allow("b"));
        assert!(l.blocked("a") && !l.blocked("b") && !l.blocked("c"));
    }

    #[test]
    fn recent_digests() {
        let r = super::Recent::new(std::time::Duration::from_secs(60));
        assert!(r.first_time("x") && !r.first_time("x") && r.first_time("y"));
        r.forget("x");
        assert!(r.first_time("x"));
    }
}
