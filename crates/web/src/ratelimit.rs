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

/// Growing delays after failures (issue #15): sign-in is throttled per (account typed, address)
/// and, more loosely, per address — never per account alone, so nobody can lock a named user
/// (the only administrator included) out by typing wrong passwords from elsewhere, and an
/// unknown account is throttled exactly like a real one (the answer tells nothing).
///
/// After `free` failures a key waits `base × 2^(failures − free)`, capped at `max`; a success
/// clears the (account, address) key; a key quiet for `forget` is forgotten.
pub struct Throttle {
    free: u32,
    base: Duration,
    max: Duration,
    forget: Duration,
    keys: Mutex<HashMap<String, (u32, Instant, Instant)>>,
}

impl Throttle {
    pub fn new(free: u32, base: Duration, max: Duration, forget: Duration) -> Self {
        Throttle { free, base, max, forget, keys: Mutex::new(HashMap::new()) }
    }

    /// How long `key` must still wait (zero when it may try now).
    pub fn wait(&self, key: &str) -> Duration {
        let now = Instant::now();
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        match keys.get(key) {
            Some((_, last, until)) if now.duration_since(*last) < self.forget => until.saturating_duration_since(now),
            _ => Duration::ZERO,
        }
    }

    /// Count one failure of `key`; returns the wait it now has.
    pub fn fail(&self, key: &str) -> Duration {
        let now = Instant::now();
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() > 50_000 {
            let forget = self.forget;
            keys.retain(|_, (_, last, _)| now.duration_since(*last) < forget);
        }
        let e = keys.entry(key.to_string()).or_insert((0, now, now));
        if now.duration_since(e.1) >= self.forget {
            *e = (0, now, now);
        }
        e.0 += 1;
        e.1 = now;
        let wait = if e.0 < self.free {
            Duration::ZERO
        } else {
            let exp = (e.0 - self.free).min(30);
            self.base.checked_mul(1u32 << exp).unwrap_or(self.max).min(self.max)
        };
        e.2 = now + wait;
        wait
    }

    /// Forget `key` (a successful sign-in).
    pub fn clear(&self, key: &str) {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
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
    fn throttle_grows_and_clears() {
        use std::time::Duration;
        let t = super::Throttle::new(3, Duration::from_secs(1), Duration::from_secs(5), Duration::from_secs(600));
        assert_eq!(t.fail("a"), Duration::ZERO);
        assert_eq!(t.fail("a"), Duration::ZERO);
        assert_eq!(t.fail("a"), Duration::from_secs(1));
        assert_eq!(t.fail("a"), Duration::from_secs(2));
        assert_eq!(t.fail("a"), Duration::from_secs(4));
        assert_eq!(t.fail("a"), Duration::from_secs(5));
        assert!(t.wait("a") > Duration::from_secs(4) && t.wait("b") == Duration::ZERO);
        t.clear("a");
        assert_eq!(t.wait("a"), Duration::ZERO);
    }

    #[test]
    fn recent_digests() {
        let r = super::Recent::new(std::time::Duration::from_secs(60));
        assert!(r.first_time("x") && !r.first_time("x") && r.first_time("y"));
        r.forget("x");
        assert!(r.first_time("x"));
    }
}
