//! Idempotent requests: a client that repeats a request with the same
//! `Idempotency-Key` (a retry after a lost answer) gets the first answer again,
//! and nothing happens twice. The answer is remembered in the transaction that
//! made it, so an answer exists exactly when its effect does.

use motcua_store::dossiers::{self as store, IdempotentAnswer};
use motcua_store::Conn;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A client's key, checked: 1 to 200 characters once trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(key: &str) -> Result<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 {
            return Err(Error::field(
                "Idempotency-Key",
                "Khóa Idempotency-Key dài từ 1 đến 200 ký tự.",
            ));
        }
        Ok(IdempotencyKey(key.to_owned()))
    }

    /// The key, if the client sent one.
    pub fn optional(key: Option<&str>) -> Result<Option<Self>> {
        key.map(Self::parse).transpose()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a request asked for, so that the same key sent with another request is
/// told so rather than given an unrelated answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of<T: Serialize>(request: &T) -> Self {
        let json = serde_json::to_string(request).unwrap_or_default();
        Fingerprint(hex::encode(Sha256::digest(json.as_bytes())))
    }
}

/// One request as idempotency sees it: whose keys (a user's, or the public's),
/// the key if any, and what was asked.
#[derive(Debug, Clone)]
pub struct Request {
    pub owner: String,
    pub key: Option<IdempotencyKey>,
    pub fingerprint: Fingerprint,
}

impl Request {
    pub fn new(owner: &str, key: Option<&str>, request: &impl Serialize) -> Result<Self> {
        Ok(Request {
            owner: owner.to_owned(),
            key: IdempotencyKey::optional(key)?,
            fingerprint: Fingerprint::of(request),
        })
    }

    /// The first answer to this request, if it was made before; otherwise the
    /// key is claimed for this transaction, so that a concurrent repeat waits for
    /// it and then gets its answer instead of acting a second time.
    pub async fn replay<T: DeserializeOwned>(
        &self,
        conn: &mut Conn,
        now_ms: i64,
    ) -> Result<Option<T>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        if store::claim_idempotency_key(
            conn,
            &self.owner,
            key.as_str(),
            &self.fingerprint.0,
            now_ms,
        )
        .await?
        {
            return Ok(None);
        }
        self.stored(conn, key).await.map(Some)
    }

    /// The first answer to this request if it was made and committed before,
    /// read without claiming the key: lets a repeat skip work done outside
    /// the transaction (rendering, signing). [`Request::replay`] in the
    /// transaction still decides.
    pub async fn answered<T: DeserializeOwned>(&self, conn: &mut Conn) -> Result<Option<T>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        match store::idempotent_answer(conn, &self.owner, key.as_str()).await? {
            None => Ok(None),
            Some(a) if a.status == 0 => Ok(None),
            Some(_) => self.stored(conn, key).await.map(Some),
        }
    }

    /// The answer stored under a key claimed earlier.
    async fn stored<T: DeserializeOwned>(
        &self,
        conn: &mut Conn,
        key: &IdempotencyKey,
    ) -> Result<T> {
        match store::idempotent_answer(conn, &self.owner, key.as_str()).await? {
            Some(a) if a.fingerprint != self.fingerprint.0 => Err(Error::Conflict(
                "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác; mỗi yêu cầu mới cần một khóa mới.".into(),
            )),
            Some(a) if a.status != 0 => serde_json::from_str(&a.body)
                .map_err(|e| Error::internal("stored idempotent answer", e)),
            // Claimed and committed without an answer cannot happen (the answer is
            // written in the claiming transaction); a vanished row neither.
            _ => Err(Error::Internal(format!(
                "idempotency key {} claimed without an answer",
                key.as_str()
            ))),
        }
    }

    /// [`Request::replay`] for a request whose stored answer is known before
    /// its transaction's writes (e.g. a reference to the row it will write):
    /// the key is claimed with `answer` in one statement. Returns the stored
    /// answer of an earlier request with this key, if any.
    pub async fn replay_or_claim_with<T: DeserializeOwned>(
        &self,
        conn: &mut Conn,
        now_ms: i64,
        answer: &impl Serialize,
    ) -> Result<Option<T>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let body = serde_json::to_string(answer).map_err(|e| Error::internal("answer", e))?;
        let answer = IdempotentAnswer {
            fingerprint: self.fingerprint.0.clone(),
            status: 200,
            body,
        };
        if store::claim_idempotency_key_answered(conn, &self.owner, key.as_str(), &answer, now_ms)
            .await?
        {
            return Ok(None);
        }
        self.stored(conn, key).await.map(Some)
    }

    /// Keeps `answer` for a repeat of this request (in the transaction that
    /// claimed the key).
    pub async fn remember(&self, conn: &mut Conn, answer: &impl Serialize) -> Result<()> {
        let Some(key) = &self.key else {
            return Ok(());
        };
        let body = serde_json::to_string(answer).map_err(|e| Error::internal("answer", e))?;
        let answer = IdempotentAnswer {
            fingerprint: self.fingerprint.0.clone(),
            status: 200,
            body,
        };
        store::save_idempotent_answer(conn, &self.owner, key.as_str(), &answer).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_and_bounded() {
        assert_eq!(IdempotencyKey::parse(" abc ").unwrap().as_str(), "abc");
        assert!(IdempotencyKey::parse("   ").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(201)).is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(200)).is_ok());
    }

    #[test]
    fn the_same_request_has_the_same_fingerprint() {
        assert_eq!(Fingerprint::of(&("a", 1)), Fingerprint::of(&("a", 1)));
        assert_ne!(Fingerprint::of(&("a", 1)), Fingerprint::of(&("a", 2)));
    }
}
