//! Values read from AWS and reused by a warm container for a bounded time, keyed by tenant.
//!
//! A Lambda container serves one request at a time but lives for minutes to hours; a value that
//! changes rarely (a customer's secret, whether a tenant is registered) is read once and reused
//! until it is `ttl` old, so a change is seen without a redeploy and at most `ttl` late.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct TenantCache<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (V, Instant)>>,
}

impl<V: Clone> TenantCache<V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The tenant's value, when it was stored less than `ttl` ago.
    pub fn fresh(&self, tenant_id: &str) -> Option<V> {
        self.younger_than(tenant_id, self.ttl)
    }

    /// The tenant's value, when it was stored less than `age` ago.
    pub fn younger_than(&self, tenant_id: &str, age: Duration) -> Option<V> {
        self.lock()
            .get(tenant_id)
            .filter(|(_, at)| at.elapsed() < age)
            .map(|(value, _)| value.clone())
    }

    pub fn insert(&self, tenant_id: &str, value: V) {
        self.lock()
            .insert(tenant_id.to_owned(), (value, Instant::now()));
    }

    pub fn remove(&self, tenant_id: &str) {
        self.lock().remove(tenant_id);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (V, Instant)>> {
        // A poisoned cache is still a valid cache.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expire_after_their_ttl_and_per_tenant() {
        let cache = TenantCache::new(Duration::from_millis(40));
        cache.insert("t1", 1);
        assert_eq!(cache.fresh("t1"), Some(1));
        assert_eq!(cache.fresh("t2"), None);
        assert_eq!(cache.younger_than("t1", Duration::ZERO), None);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(cache.fresh("t1"), None, "older than the ttl");
        cache.insert("t1", 2);
        assert_eq!(cache.fresh("t1"), Some(2), "a new value starts a new ttl");
        cache.remove("t1");
        assert_eq!(cache.fresh("t1"), None);
    }
}
