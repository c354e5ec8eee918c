//! Where the application reads the time.
//!
//! Due instants, the 15:00 same-day cut-off, the overdue and due-soon lists,
//! reminders for uncollected results and timeliness at return all depend on "now".
//! Every use case reads it from the one [`Clock`] its [`App`](crate::App) holds, so
//! that a test can put the whole application at a chosen instant instead of
//! sleeping, and the answers stay the same whichever day the suite runs.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};

/// The source of "now": the system clock, or a [`ManualClock`] a test moves by hand.
/// Cheap to clone; clones of a manual clock share its time.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<ManualClock>,
}

impl Clock {
    /// The real time of the machine.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock standing at `start` until it is set or advanced. Hand
    /// [`ManualClock::clock`] to the app and keep the `ManualClock` to move it.
    pub fn manual(start: Timestamp) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    /// Now, to the millisecond: the precision every stored instant has, so that
    /// what an event says and what its dossier row holds are the same instant.
    pub fn now(&self) -> Timestamp {
        let t = match &self.manual {
            None => Timestamp::now(),
            Some(m) => m.now(),
        };
        motcua_store::dossiers::to_stored_precision(t)
    }

    /// [`Clock::now`] as the store keeps instants: milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        motcua_store::to_millis(self.now())
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.manual {
            None => f.write_str("Clock::System"),
            Some(m) => write!(f, "Clock::Manual({})", m.now()),
        }
    }
}

/// A clock that only moves when told to. Clones share the same time, so a test
/// keeps one and the app another.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn now(&self) -> Timestamp {
        // A Timestamp is replaced whole, so a panic elsewhere cannot leave it torn.
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    /// Moves the clock by `by` (backwards when negative); stops at the ends of the
    /// representable range rather than panicking.
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(if by.is_negative() {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        });
    }

    /// The [`Clock`] to give the app: it reads this manual clock's time.
    pub fn clock(&self) -> Clock {
        Clock {
            manual: Some(self.clone()),
        }
    }
}

impl From<ManualClock> for Clock {
    fn from(m: ManualClock) -> Clock {
        Clock { manual: Some(m) }
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ManualClock({})", self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_follow() {
        let start: Timestamp = "2026-11-20T07:59:00Z".parse().expect("instant");
        let manual = Clock::manual(start);
        let clock = manual.clock();
        assert!(clock.is_manual());
        assert_eq!(clock.now(), start);
        assert_eq!(clock.clone().now(), start);
        manual.advance(SignedDuration::from_mins(2));
        assert_eq!(
            clock.now(),
            "2026-11-20T08:01:00Z".parse().expect("instant")
        );
        let later: Timestamp = "2026-11-23T10:00:00Z".parse().expect("instant");
        manual.set(later);
        assert_eq!(clock.now_ms(), motcua_store::to_millis(later));
        manual.advance(SignedDuration::from_hours(-1));
        assert_eq!(
            clock.now(),
            "2026-11-23T09:00:00Z".parse().expect("instant")
        );
        manual.advance(SignedDuration::MAX);
        assert_eq!(
            clock.now(),
            motcua_store::dossiers::to_stored_precision(Timestamp::MAX)
        );
    }

    #[test]
    fn the_system_clock_is_the_default_and_follows_real_time() {
        let clock = Clock::default();
        assert!(!clock.is_manual());
        // The clock keeps milliseconds, as the store does.
        let before = motcua_store::dossiers::to_stored_precision(Timestamp::now());
        let now = clock.now();
        assert!(now >= before && now <= Timestamp::now());
    }
}
