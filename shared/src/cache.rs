//! Values read from AWS and reused by a warm container for a bounded time, keyed by tenant.
//!
//! A Lambda container serves one request at a time but lives for minutes to hours; a value that
//! changes rarely (a customer's secret, whether a tenant is registered) is read once and reused
//! until it is `ttl` old, so a change is seen without a redeploy and at most `ttl` late.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::store::Store;

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

    /// Inserts, first emptying the cache if it holds `max` entries: for values keyed by what
    /// strangers send, so memory stays bounded whatever they send.
    pub fn insert_bounded(&self, tenant_id: &str, value: V, max: usize) {
        let mut entries = self.lock();
        if entries.len() >= max {
            entries.clear();
        }
        entries.insert(tenant_id.to_owned(), (value, Instant::now()));
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (V, Instant)>> {
        // A poisoned cache is still a valid cache.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a tenant is registered, read from the table at most once per `ttl` per container.
/// By default only "registered" is remembered: an unknown tenant is read again every time, so a
/// tenant registered meanwhile is seen at once. The API never deletes a tenant, so a remembered
/// answer cannot turn false. A public endpoint also remembers "unknown" for a short while
/// ([`RegisteredTenants::remembering_unknown`]), so a stranger repeating made-up tenant ids does
/// not cost a table read each time.
pub struct RegisteredTenants {
    store: Store,
    known: TenantCache<()>,
    unknown: Option<TenantCache<()>>,
}

/// At most this many unknown tenant ids are remembered per container.
const MAX_UNKNOWN: usize = 10_000;

impl RegisteredTenants {
    pub fn new(store: Store, ttl: Duration) -> Self {
        Self {
            store,
            known: TenantCache::new(ttl),
            unknown: None,
        }
    }

    /// Also remembers that a tenant is not registered, for `ttl` (a tenant registered meanwhile
    /// is seen at most `ttl` late).
    pub fn remembering_unknown(mut self, ttl: Duration) -> Self {
        self.unknown = Some(TenantCache::new(ttl));
        self
    }

    pub async fn contains(&self, tenant_id: &str) -> Result<bool> {
        if self.known.fresh(tenant_id).is_some() {
            return Ok(true);
        }
        if let Some(unknown) = &self.unknown
            && unknown.fresh(tenant_id).is_some()
        {
            return Ok(false);
        }
        let found = self.store.get_tenant(tenant_id).await?.is_some();
        if found {
            self.known.insert(tenant_id, ());
        } else if let Some(unknown) = &self.unknown {
            unknown.insert_bounded(tenant_id, (), MAX_UNKNOWN);
        }
        Ok(found)
    }
}

/// Jobs an export found, per warm container. Nothing removes a job from the table (the ATS
/// closes jobs; it does not delete them), so "this job exists" cannot turn false and a job once
/// seen need not be read again; an unknown job is always read, so a job created since is found.
/// If a job delete is ever added, it must clear this cache (docs/data-model.md, pattern 7).
pub struct KnownJobs(TenantCache<()>);

/// At most this many jobs are remembered per container.
const MAX_KNOWN_JOBS: usize = 10_000;

impl KnownJobs {
    pub fn new(ttl: Duration) -> Self {
        Self(TenantCache::new(ttl))
    }

    pub fn contains(&self, tenant_id: &str, job_id: &str) -> bool {
        self.0.fresh(&Self::key(tenant_id, job_id)).is_some()
    }

    pub fn remember(&self, tenant_id: &str, job_id: &str) {
        self.0
            .insert_bounded(&Self::key(tenant_id, job_id), (), MAX_KNOWN_JOBS);
    }

    fn key(tenant_id: &str, job_id: &str) -> String {
        // Ids are checked to hold no '#' (ids::check), so the pair is unambiguous.
        format!("{tenant_id}#{job_id}")
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

    #[test]
    fn a_bounded_cache_never_holds_more_than_its_bound() {
        let cache = TenantCache::new(Duration::from_secs(60));
        for i in 0..25 {
            cache.insert_bounded(&format!("t{i}"), i, 10);
            assert!(cache.lock().len() <= 10);
        }
        assert_eq!(cache.fresh("t24"), Some(24));
    }
}
