//! What a page must show after a redirect (post/redirect/get): a form that failed
//! is answered with a redirect to the page, not with the page at the action's
//! address, so that the address bar never stays on an action a reload would send
//! again. The failure waits here under a random token named in the redirect.
//!
//! Held in this process only, for a few minutes: behind several processes a
//! redirect served by another one finds no token, and the page then says the
//! action was not taken (it never was) without the details.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const KEEP: Duration = Duration::from_secs(10 * 60);
/// Beyond this many waiting entries the oldest go first.
const CAPACITY: usize = 2_000;

struct Entry {
    user_id: String,
    at: Instant,
    value: Box<dyn Any + Send + Sync>,
}

#[derive(Default)]
pub struct Flash {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Flash {
    /// Keeps `value` for `user_id`; the token to name in the redirect.
    pub fn put<T: Any + Send + Sync>(&self, user_id: &str, value: T) -> String {
        let token = motcua_app::secrets::random_token();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        entries.retain(|_, e| now.duration_since(e.at) < KEEP);
        if entries.len() >= CAPACITY {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            token.clone(),
            Entry {
                user_id: user_id.to_owned(),
                at: now,
                value: Box::new(value),
            },
        );
        token
    }

    /// What was kept under `token` for `user_id` (a reload shows it again while
    /// it lasts); none for another person's token or an expired one.
    pub fn get<T: Any + Clone>(&self, user_id: &str, token: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let e = entries.get(token)?;
        if e.user_id != user_id || e.at.elapsed() >= KEEP {
            return None;
        }
        e.value.downcast_ref::<T>().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_its_owner_reads_it_back() {
        let f = Flash::default();
        let t = f.put("u-1", String::from("lỗi"));
        assert_eq!(f.get::<String>("u-1", &t).as_deref(), Some("lỗi"));
        assert_eq!(f.get::<String>("u-1", &t).as_deref(), Some("lỗi"));
        assert_eq!(f.get::<String>("u-2", &t), None);
        assert_eq!(f.get::<u32>("u-1", &t), None);
        assert_eq!(f.get::<String>("u-1", "khong-co"), None);
    }
}
