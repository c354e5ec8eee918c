//! Throttling in the database: counters per bucket and window (see
//! `motcua_store::throttle`), shared by every server of one database and kept
//! across restarts. Used for sign-in attempts, public tracking look-ups and
//! anonymous submissions.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use motcua_store::throttle as store;
use motcua_store::Conn;

use crate::error::{Error, Result};
use crate::App;

/// At most `hits` per `window` for one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub hits: i64,
    pub window: Duration,
}

impl Limit {
    pub const fn new(hits: i64, window: Duration) -> Self {
        Limit { hits, window }
    }

    fn window_ms(self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// Wrong passwords (and attempts in flight) for one account from one address: the
/// first bound an attacker meets, so that their address is slowed long before the
/// account is, and the officer can still sign in from the office.
pub const SIGN_IN_PER_ACCOUNT_AND_ADDRESS: Limit = Limit::new(5, Duration::from_secs(5 * 60));
/// Failed sign-ins from one address across all accounts: an office behind one
/// address has room for everybody's typing mistakes; a guesser trying many
/// usernames does not.
pub const SIGN_IN_PER_ADDRESS: Limit = Limit::new(20, Duration::from_secs(15 * 60));
/// Failed sign-ins for one account from all addresses: the bound on guessing spread
/// over many addresses. An administrator's password reset lifts it.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit::new(50, Duration::from_secs(60 * 60));
/// Anonymous online submissions from one address: a family, or a helper team
/// filing for a village, stays under it.
pub const SUBMISSIONS_PER_ADDRESS: Limit = Limit::new(30, Duration::from_secs(60 * 60));
/// Anonymous online submissions naming one applicant phone or personal ID number.
pub const SUBMISSIONS_PER_APPLICANT: Limit = Limit::new(10, Duration::from_secs(60 * 60));
/// Public tracking: the different codes looked up from one address, answered or
/// not: enough to follow a household's dossiers and to mistype a code a few times,
/// too few to walk through sequential codes.
pub const TRACKING_PER_ADDRESS: Limit = Limit::new(10, Duration::from_secs(15 * 60));
/// Public tracking: look-ups of one code from one address (a citizen reloading
/// their dossier, or mistyping the last digits a few times): room to spare, while
/// guessing the four digits stays hopeless (10,000 values, 30 tries a quarter hour).
pub const TRACKING_PER_CODE_AND_ADDRESS: Limit = Limit::new(30, Duration::from_secs(15 * 60));

/// The limits in force; tests and special deployments may change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub sign_in_per_account_and_address: Limit,
    pub sign_in_per_address: Limit,
    pub sign_in_per_account: Limit,
    pub submissions_per_address: Limit,
    pub submissions_per_applicant: Limit,
    pub tracking_per_address: Limit,
    pub tracking_per_code_and_address: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sign_in_per_account_and_address: SIGN_IN_PER_ACCOUNT_AND_ADDRESS,
            sign_in_per_address: SIGN_IN_PER_ADDRESS,
            sign_in_per_account: SIGN_IN_PER_ACCOUNT,
            submissions_per_address: SUBMISSIONS_PER_ADDRESS,
            submissions_per_applicant: SUBMISSIONS_PER_APPLICANT,
            tracking_per_address: TRACKING_PER_ADDRESS,
            tracking_per_code_and_address: TRACKING_PER_CODE_AND_ADDRESS,
        }
    }
}

/// Expired rows are deleted at most this often per process.
const PRUNE_EVERY: Duration = MINUTE;

/// When this process last pruned (milliseconds since the epoch).
#[derive(Default)]
pub(crate) struct Pruner {
    last: AtomicI64,
}

/// A bucket's name from its kind and parts: control characters (which PostgreSQL
/// cannot store in text, and which no real name holds) are dropped, and each part
/// is bounded, so that a hostile username cannot make a huge key.
pub(crate) fn bucket(kind: &str, parts: &[&str]) -> String {
    let mut name = String::from(kind);
    for (i, part) in parts.iter().enumerate() {
        name.push(if i == 0 { ':' } else { '|' });
        name.extend(part.chars().filter(|c| !c.is_control()).take(100));
    }
    name
}

/// "45 giây", "3 phút": how long to wait, rounded up, in Vietnamese.
pub fn wait_vi(secs: i64) -> String {
    if secs < 90 {
        format!("{} giây", secs.max(1))
    } else {
        format!("{} phút", (secs + 59) / 60)
    }
}

impl App {
    /// The app with other limits than [`Limits::default`].
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// One hit on `bucket`: `Ok` when it is within `limit` (and now counted),
    /// otherwise [`Error::Throttled`] with the wait and `message(wait)`.
    pub async fn hit(
        &self,
        bucket: &str,
        limit: Limit,
        message: impl Fn(&str) -> String,
    ) -> Result<()> {
        self.hit_all(&[(bucket.to_owned(), limit)], message).await
    }

    /// One hit on each bucket, all or none: if any bucket is full, none is counted
    /// and the error names the longest wait. Committed before returning, so that
    /// the work the hit guards (verifying a password…) runs outside the
    /// transaction, and a concurrent caller already sees this hit.
    pub async fn hit_all(
        &self,
        buckets: &[(String, Limit)],
        message: impl Fn(&str) -> String,
    ) -> Result<()> {
        let now = self.now_ms();
        let mut tx = self.db.begin_write().await?;
        let mut wait_ms = 0;
        for (name, limit) in buckets {
            let hit = store::hit(&mut tx, name, limit.hits, limit.window_ms(), now).await?;
            if !hit.allowed {
                wait_ms = wait_ms.max(hit.expires_at - now);
            }
        }
        if wait_ms > 0 {
            tx.rollback().await?;
            let secs = (wait_ms + 999) / 1000;
            return Err(Error::Throttled {
                retry_after_secs: secs,
                message: message(&wait_vi(secs)),
            });
        }
        tx.commit().await?;
        self.maybe_prune(now).await;
        Ok(())
    }

    /// One public tracking look-up of `code` from `who`: counted against the code
    /// from that address, and against the address only the first time that code
    /// is looked up from it in the window; so that a citizen reloading or mistyping
    /// the digits of their own dossier spends the per-code allowance, not the
    /// address's, while every new code (a guess) still counts. All or none.
    pub(crate) async fn hit_tracking(
        &self,
        code: &str,
        who: &str,
        message: impl Fn(&str) -> String,
    ) -> Result<()> {
        let now = self.now_ms();
        let per_code = self.limits.tracking_per_code_and_address;
        let per_address = self.limits.tracking_per_address;
        let mut tx = self.db.begin_write().await?;
        let hit = store::hit(
            &mut tx,
            &bucket("track:code", &[code, who]),
            per_code.hits,
            per_code.window_ms(),
            now,
        )
        .await?;
        let mut wait_ms = (!hit.allowed).then_some(hit.expires_at - now);
        if hit.allowed && hit.hits == 1 {
            let hit = store::hit(
                &mut tx,
                &bucket("track:ip", &[who]),
                per_address.hits,
                per_address.window_ms(),
                now,
            )
            .await?;
            if !hit.allowed {
                wait_ms = Some(hit.expires_at - now);
            }
        }
        if let Some(wait_ms) = wait_ms {
            tx.rollback().await?;
            let secs = (wait_ms + 999) / 1000;
            return Err(Error::Throttled {
                retry_after_secs: secs,
                message: message(&wait_vi(secs)),
            });
        }
        tx.commit().await?;
        self.maybe_prune(now).await;
        Ok(())
    }

    /// Deletes expired counters, at most once per [`PRUNE_EVERY`] in this process,
    /// in a transaction of its own after the hit's. A failure only leaves rows for
    /// the next time, so it is logged, not returned.
    async fn maybe_prune(&self, now: i64) {
        let last = self.pruner.last.load(Ordering::Relaxed);
        let every = i64::try_from(PRUNE_EVERY.as_millis()).unwrap_or(60_000);
        if now - last < every
            || self
                .pruner
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let pruned = async {
            let mut tx = self.db.begin_write().await?;
            let n = store::prune(&mut tx, now).await?;
            tx.commit().await?;
            Ok::<u64, motcua_store::StoreError>(n)
        }
        .await;
        match pruned {
            Ok(n) => tracing::debug!(rows = n, "expired throttle counters pruned"),
            Err(e) => tracing::warn!(error = %e, "pruning throttle counters failed"),
        }
    }
}

/// The three buckets a sign-in attempt takes a slot in, always in this order (one
/// row of each kind per transaction, in one order, so that concurrent attempts on
/// PostgreSQL cannot deadlock).
pub(crate) fn sign_in_buckets(limits: &Limits, username: &str, ip: &str) -> [(String, Limit); 3] {
    [
        (
            bucket("signin:user-ip", &[username, ip]),
            limits.sign_in_per_account_and_address,
        ),
        (bucket("signin:ip", &[ip]), limits.sign_in_per_address),
        (
            bucket("signin:user", &[username]),
            limits.sign_in_per_account,
        ),
    ]
}

/// Forgets an account's sign-in counters, from every address: an administrator
/// reset its password.
pub(crate) async fn clear_sign_in_counters(conn: &mut Conn, username: &str) -> Result<()> {
    store::clear(conn, &bucket("signin:user", &[username])).await?;
    let mut pair_prefix = bucket("signin:user-ip", &[username]);
    pair_prefix.push('|');
    store::clear_prefix(conn, &pair_prefix).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_seconds_then_minutes() {
        assert_eq!(wait_vi(0), "1 giây");
        assert_eq!(wait_vi(30), "30 giây");
        assert_eq!(wait_vi(89), "89 giây");
        assert_eq!(wait_vi(90), "2 phút");
        assert_eq!(wait_vi(900), "15 phút");
    }

    #[test]
    fn bucket_names_drop_control_characters_and_bound_parts() {
        assert_eq!(
            bucket("signin", &["an\0b", "1.2.3.4"]),
            "signin:anb|1.2.3.4"
        );
        assert_eq!(bucket("x", &[&"a".repeat(500)]).len(), 102);
    }
}
