//! Dashboards computed once for everyone who looks at the same unit and period
//! within a short while. A province's dashboard reads a year of 1.5 million
//! dossiers (seconds); twenty supervisors opening it in the same minute should
//! wait for that once, not twenty times, and not slow the counters meanwhile.
//!
//! An entry lives [`DASHBOARD_TTL`] at most (the page says when it was
//! computed). A unit's own dashboard is dropped at once when this process writes
//! one of its dossiers, so that an officer who has just acted sees it counted; a
//! dashboard of several units (a supervisor's subtree) is not: a province's
//! hundred communes write all day, and recomputing its year on every write would
//! make every supervisor wait seconds. Several people asking while it is computed
//! wait for the same computation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::error::Result;

/// How long a computed dashboard is served to others.
pub const DASHBOARD_TTL: Duration = Duration::from_secs(60);
/// Entries kept at most; the oldest go first.
const MAX_ENTRIES: usize = 256;

struct Slot<T> {
    made: Instant,
    /// The agencies whose dossiers it counts.
    units: Vec<String>,
    value: Arc<OnceCell<Arc<T>>>,
}

pub struct ComputedCache<T> {
    slots: Mutex<HashMap<String, Slot<T>>>,
}

impl<T> Default for ComputedCache<T> {
    fn default() -> Self {
        ComputedCache {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> ComputedCache<T> {
    /// The value under `key` if computed within the TTL; otherwise `compute`s it,
    /// once however many ask at the same time. A failed computation is not kept.
    pub async fn get_or_compute<F, Fut>(
        &self,
        key: String,
        units: &[String],
        ttl: Duration,
        compute: F,
    ) -> Result<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let cell = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            match slots.get(&key) {
                Some(s) if s.made.elapsed() < ttl => s.value.clone(),
                _ => {
                    if slots.len() >= MAX_ENTRIES {
                        if let Some(oldest) = slots
                            .iter()
                            .min_by_key(|(_, s)| s.made)
                            .map(|(k, _)| k.clone())
                        {
                            slots.remove(&oldest);
                        }
                    }
                    let value = Arc::new(OnceCell::new());
                    slots.insert(
                        key,
                        Slot {
                            made: Instant::now(),
                            units: units.to_vec(),
                            value: value.clone(),
                        },
                    );
                    value
                }
            }
        };
        cell.get_or_try_init(|| async { compute().await.map(Arc::new) })
            .await
            .cloned()
    }

    /// Forgets the dashboard of `agency_id` alone (see the module's comment for
    /// why a subtree's is kept until its TTL).
    pub fn forget_agency(&self, agency_id: &str) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.retain(|_, s| !matches!(s.units.as_slice(), [only] if only == agency_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn people_asking_at_once_share_one_computation() {
        let cache: Arc<ComputedCache<usize>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (cache, runs) = (cache.clone(), runs.clone());
            set.spawn(async move {
                cache
                    .get_or_compute("k".into(), &["a".into()], DASHBOARD_TTL, || async {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
                    .map(|v| *v)
            });
        }
        while let Some(r) = set.join_next().await {
            assert_eq!(r.expect("task").expect("value"), 1);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_write_of_a_unit_or_the_ttl_ends_an_entry_and_failures_are_not_kept() {
        let cache: ComputedCache<u32> = ComputedCache::default();
        let units = ["ward-b".to_string()];
        let get = |n: u32, ttl: Duration| {
            cache.get_or_compute("k".into(), &units, ttl, move || async move { Ok(n) })
        };
        assert_eq!(*get(1, DASHBOARD_TTL).await.expect("v"), 1);
        assert_eq!(*get(2, DASHBOARD_TTL).await.expect("v"), 1, "served");
        cache.forget_agency("ward-c");
        assert_eq!(*get(3, DASHBOARD_TTL).await.expect("v"), 1, "another unit");
        cache.forget_agency("ward-b");
        assert_eq!(*get(4, DASHBOARD_TTL).await.expect("v"), 4, "recomputed");
        assert_eq!(*get(5, Duration::ZERO).await.expect("v"), 5, "expired");

        // A subtree's dashboard outlives a write of one of its units, not its TTL.
        let subtree = ["ward-a".to_string(), "ward-b".to_string()];
        let get = |n: u32, ttl: Duration| {
            cache.get_or_compute("s".into(), &subtree, ttl, move || async move { Ok(n) })
        };
        assert_eq!(*get(1, DASHBOARD_TTL).await.expect("v"), 1);
        cache.forget_agency("ward-b");
        assert_eq!(*get(2, DASHBOARD_TTL).await.expect("v"), 1, "kept");
        assert_eq!(*get(3, Duration::ZERO).await.expect("v"), 3, "expired");
        let failed = cache
            .get_or_compute("f".into(), &units, DASHBOARD_TTL, || async {
                Err::<u32, _>(crate::Error::Internal("down".into()))
            })
            .await;
        assert!(failed.is_err());
        let again = cache
            .get_or_compute("f".into(), &units, DASHBOARD_TTL, || async { Ok(7) })
            .await;
        assert_eq!(*again.expect("v"), 7);
    }
}
