//! Signing in and out, sessions, API tokens.

use motcua_domain::access::Action;
use motcua_domain::user::Role;
use motcua_store::{sessions, throttle, tokens, users, Conn, Tx};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::principal::{Actor, AgencyRef, Credential, Principal};
use crate::secrets::{random_token, token_hash, verify_password};
use crate::throttle::sign_in_buckets;
use crate::users::load_user_for;
use crate::App;

/// How long a browser session lasts: an officer's working day and then some.
pub const SESSION_HOURS: i64 = 12;

/// A PHC string of a valid Argon2id hash of nothing anyone will type: verified
/// against when the username is unknown, so that a wrong username takes as long as a
/// wrong password and timing does not reveal which usernames exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4nq1AKxZ2b5pvEhlTXYQzT6XImkq0ttzJ02lIYrJ9dA";

/// Who is behind a session or token, remembered for a moment. Authentication runs on
/// every request; without this, two queries per request cap an API at about 10,000
/// requests a second on two cores. Every change that could alter the answer
/// (deactivation, roles, revocation, sign-out, agency edits) clears the cache in this
/// process at once. Another process sharing the database never writes on a stale
/// answer: every write transaction finds the person again under its hold on their
/// credential, in the same statement, and refuses when they changed
/// ([`App::begin_write_as`]); its reads see such a change within `AUTH_CACHE_TTL`.
#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<String, (Instant, Actor, String)>>,
}

pub const AUTH_CACHE_TTL: Duration = Duration::from_secs(2);
const AUTH_CACHE_MAX: usize = 10_000;

impl AuthCache {
    fn get(&self, key: &str, ip: Option<&str>) -> Option<(Actor, String)> {
        let entries = self.entries.lock().ok()?;
        let (at, actor, csrf) = entries.get(key)?;
        if at.elapsed() > AUTH_CACHE_TTL {
            return None;
        }
        let mut actor = actor.clone();
        actor.ip = ip.map(str::to_owned);
        Some((actor, csrf.clone()))
    }

    fn put(&self, key: String, actor: &Actor, csrf: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= AUTH_CACHE_MAX {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), actor.clone(), csrf.to_owned()));
        }
    }

    fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

pub struct SignedIn {
    pub session_token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: String,
    pub label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: jiff::Timestamp,
    pub revoked: bool,
}

/// At most 64 characters of a typed username for the log: enough to recognise an
/// attack, not a page of whatever was pasted.
fn truncated(s: &str) -> String {
    s.chars().take(64).collect()
}

fn wrong_credentials() -> Error {
    Error::Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.".into())
}

impl App {
    /// Signs in. Throttled per account and address, per address, and per account
    /// (see [`crate::throttle`]): the attempt takes its slot in the database
    /// *before* the password is verified, so that attempts sent at once are counted
    /// as they arrive and no more than the limit are ever evaluated. A successful
    /// sign-in gives its slot back, so only failures (and attempts in flight) count.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
    ) -> Result<SignedIn> {
        let key = username.trim().to_ascii_lowercase();
        let buckets = sign_in_buckets(&self.limits, &key, ip.unwrap_or("unknown"));
        self.hit_all(&buckets, |wait| {
            format!(
                "Đăng nhập sai nhiều lần. Vui lòng thử lại sau {wait}, \
                 hoặc nhờ quản trị viên đặt lại mật khẩu."
            )
        })
        .await?;
        let user = {
            let mut conn = self.db.read().await?;
            users::by_username(&mut conn, &key).await?
        };
        let Some(user) = user else {
            // Debug-quoted, so that a control character typed into the form cannot
            // forge a log line.
            tracing::warn!(username = ?truncated(&key), "sign-in failed: no such user");
            let _ = verify_password(password, DUMMY_HASH).await;
            return Err(wrong_credentials());
        };
        let now = self.now_ms();
        if !verify_password(password, &user.password_hash).await {
            let mut tx = self.db.begin_write().await?;
            users::record_failed_login(&mut tx, &user.id, now).await?;
            tx.commit().await?;
            tracing::warn!(username = ?user.username, failed = user.failed_logins + 1, "sign-in failed");
            return Err(wrong_credentials());
        }
        if !user.active {
            return Err(Error::Unauthenticated(
                "Tài khoản này đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên.".into(),
            ));
        }
        let session_token = random_token();
        let csrf_token = random_token();
        let mut tx = self.db.begin_write().await?;
        users::reset_failed_logins(&mut tx, &user.id).await?;
        // The right password from here: this address's count for the account starts
        // again, and the attempt is not held against the address or the account.
        let [(pair, _), (address, _), (account, _)] = &buckets;
        throttle::clear(&mut tx, pair).await?;
        throttle::refund(&mut tx, address).await?;
        throttle::refund(&mut tx, account).await?;
        sessions::insert(
            &mut tx,
            &token_hash(&session_token),
            &user.id,
            &csrf_token,
            now,
            now + SESSION_HOURS * 3_600_000,
            ip,
        )
        .await?;
        let actor = load_actor(&mut tx, &user.id, ip)
            .await?
            .ok_or_else(|| Error::Internal("signed-in user vanished".into()))?;
        tx.commit().await?;
        tracing::info!(username = ?user.username, "signed in");
        Ok(SignedIn {
            session_token,
            csrf_token,
            actor,
        })
    }

    /// The person and CSRF token of a live session, if any. May answer from the
    /// cache: a write transaction checks the person again ([`App::begin_write_as`]).
    pub async fn session(&self, token: &str, ip: Option<&str>) -> Result<Option<(Actor, String)>> {
        self.session_from(token, ip, true).await
    }

    /// [`App::session`] read from the database, never from the cache.
    pub async fn session_checked(
        &self,
        token: &str,
        ip: Option<&str>,
    ) -> Result<Option<(Actor, String)>> {
        self.session_from(token, ip, false).await
    }

    async fn session_from(
        &self,
        token: &str,
        ip: Option<&str>,
        cached: bool,
    ) -> Result<Option<(Actor, String)>> {
        let key = format!("s:{}", token_hash(token));
        if cached {
            if let Some(hit) = self.auth.get(&key, ip) {
                return Ok(Some(hit));
            }
        }
        let mut conn = self.db.read().await?;
        let Some(s) = sessions::find(&mut conn, &token_hash(token), self.now_ms()).await? else {
            self.auth.forget(&key);
            return Ok(None);
        };
        let found = load_actor(&mut conn, &s.user_id, ip)
            .await?
            .map(|actor| Actor {
                credential: Some(Credential::Session(token_hash(token))),
                ..actor
            });
        match &found {
            Some(actor) => self.auth.put(key, actor, &s.csrf_token),
            None => self.auth.forget(&key),
        }
        Ok(found.map(|actor| (actor, s.csrf_token)))
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sessions::delete(&mut tx, &token_hash(token)).await?;
        sessions::purge_expired(&mut tx, self.now_ms()).await?;
        tx.commit().await?;
        self.auth.clear();
        Ok(())
    }

    /// The person behind an API bearer token, if the token is live. May answer from
    /// the cache: a write transaction checks the person again
    /// ([`App::begin_write_as`]).
    pub async fn token_actor(&self, token: &str, ip: Option<&str>) -> Result<Option<Actor>> {
        self.token_actor_from(token, ip, true).await
    }

    /// [`App::token_actor`] read from the database, never from the cache.
    pub async fn token_actor_checked(
        &self,
        token: &str,
        ip: Option<&str>,
    ) -> Result<Option<Actor>> {
        self.token_actor_from(token, ip, false).await
    }

    async fn token_actor_from(
        &self,
        token: &str,
        ip: Option<&str>,
        cached: bool,
    ) -> Result<Option<Actor>> {
        let hash = token_hash(token);
        let key = format!("t:{hash}");
        if cached {
            if let Some((actor, _)) = self.auth.get(&key, ip) {
                return Ok(Some(actor));
            }
        }
        let mut conn = self.db.read().await?;
        let Some(p) = users::principal_by_token(&mut conn, &hash).await? else {
            // Reads on this server stop at once too, not after the cache's time.
            self.auth.forget(&key);
            return Ok(None);
        };
        let actor = Actor {
            credential: Some(Credential::Token(hash)),
            ..actor_of(&mut conn, p, ip).await?
        };
        self.auth.put(key, &actor, "");
        Ok(Some(actor))
    }

    /// Creates an API token for `username` and returns it; only its hash is kept, so
    /// this is the one time it can be read. People create their own; administrators
    /// create them for users they manage.
    pub async fn create_token(
        &self,
        by: &Principal,
        username: &str,
        label: &str,
    ) -> Result<String> {
        let label = motcua_domain::text::clean(label);
        let label = if label.is_empty() {
            "API".to_owned()
        } else {
            label
        };
        if label.chars().count() > 100 {
            return Err(Error::field("label", "Tên mã truy cập dài quá 100 ký tự."));
        }
        let mut tx = self.begin_write_by(by).await?;
        let own =
            matches!(by, Principal::User(a) if a.username == username.trim().to_ascii_lowercase());
        let action = if own {
            Action::ReadAgency
        } else {
            Action::ManageUsers
        };
        let (user, agency_id) = load_user_for(&mut tx, by, username, action).await?;
        if !user.active {
            return Err(Error::Conflict(
                "Tài khoản đã bị vô hiệu hóa, không thể cấp mã truy cập.".into(),
            ));
        }
        let token = format!("mc_{}", random_token());
        let id = motcua_store::new_id();
        tokens::insert(
            &mut tx,
            &id,
            &user.id,
            &token_hash(&token),
            &label,
            self.now_ms(),
        )
        .await?;
        self.record_audit(
            &mut tx,
            by,
            Some(&agency_id),
            "token.create",
            &user.username,
            serde_json::json!({"token_id": id, "label": label}),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<TokenInfo>> {
        let mut conn = self.db.read().await?;
        Ok(tokens::for_user(&mut conn, &actor.user_id)
            .await?
            .into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                label: t.label,
                created_at: motcua_store::from_millis(t.created_at),
                revoked: t.revoked_at.is_some(),
            })
            .collect())
    }

    /// Revokes a token: one's own, or one of a user the administrator manages.
    pub async fn revoke_token(&self, by: &Principal, token_id: &str) -> Result<()> {
        let mut tx = self.begin_write_by(by).await?;
        let not_found = || Error::NotFound("Không tìm thấy mã truy cập này.".into());
        let token = tokens::by_id(&mut tx, token_id)
            .await?
            .ok_or_else(not_found)?;
        let owner = users::by_id(&mut tx, &token.user_id)
            .await?
            .ok_or_else(not_found)?;
        if by.user_id() != Some(owner.id.as_str()) {
            load_user_for(&mut tx, by, &owner.username, Action::ManageUsers).await?;
        }
        tokens::revoke(&mut tx, &token.id, self.now_ms()).await?;
        self.record_audit(
            &mut tx,
            by,
            Some(&owner.agency_id),
            "token.revoke",
            &owner.username,
            serde_json::json!({"token_id": token.id, "label": token.label}),
        )
        .await?;
        tx.commit().await?;
        self.auth.clear();
        Ok(())
    }
}

/// Everything a request needs to know about the person: two indexed queries.
pub(crate) async fn load_actor(
    conn: &mut Conn,
    user_id: &str,
    ip: Option<&str>,
) -> Result<Option<Actor>> {
    match users::principal(conn, user_id).await? {
        Some(p) => Ok(Some(actor_of(conn, p, ip).await?)),
        None => Ok(None),
    }
}

async fn actor_of(conn: &mut Conn, p: users::PrincipalRow, ip: Option<&str>) -> Result<Actor> {
    let mut roles = Vec::new();
    let mut sectors = Vec::new();
    for (kind, value) in users::roles_and_sectors(conn, &p.user_id).await? {
        if kind == "role" {
            roles.push(value);
        } else {
            sectors.push(value);
        }
    }
    Ok(actor_from(p, roles, sectors, ip))
}

/// The actor a principal and their roles and sectors (in any order) make: roles
/// parsed and sorted, sectors sorted.
fn actor_from(
    p: users::PrincipalRow,
    roles: Vec<String>,
    mut sectors: Vec<String>,
    ip: Option<&str>,
) -> Actor {
    let mut roles: Vec<Role> = roles.iter().filter_map(|r| Role::parse(r).ok()).collect();
    roles.sort();
    sectors.sort();
    Actor {
        user_id: p.user_id,
        username: p.username,
        full_name: p.full_name,
        agency: AgencyRef {
            id: p.agency_id,
            code: p.agency_code,
            name: p.agency_name,
            level: p.agency_level,
            path: p.agency_path,
        },
        roles,
        sectors,
        ip: ip.map(str::to_owned),
        credential: None,
    }
}

/// The actor a write transaction's hold found.
fn held_actor(held: users::HeldPrincipal) -> Actor {
    let list = |s: &str| -> Vec<String> {
        s.split('\n')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (roles, sectors) = (list(&held.roles), list(&held.sectors));
    actor_from(held.principal, roles, sectors, None)
}

impl App {
    /// A write transaction for `by`, whose session or token is checked again
    /// inside it: the request was authenticated before (perhaps from the cache),
    /// but a sign-out, a password reset, a revocation, a deactivation or a change
    /// of agency, roles or sectors may have committed since (on this server or
    /// another), and no write may commit after it as the person was.
    pub(crate) async fn begin_write_by(&self, by: &Principal) -> Result<Tx> {
        match by {
            Principal::User(actor) => self.begin_write_as(actor).await,
            Principal::System => Ok(self.db.begin_write().await?),
        }
    }

    /// [`App::begin_write_by`] for a signed-in person.
    pub(crate) async fn begin_write_as(&self, actor: &Actor) -> Result<Tx> {
        let mut tx = self.db.begin_write().await?;
        self.hold_actor(&mut tx, actor).await?;
        Ok(tx)
    }

    /// [`App::begin_write_by`] for a large import that commits alone
    /// ([`motcua_store::Db::begin_bulk_write`]).
    pub(crate) async fn begin_bulk_write_by(&self, by: &Principal) -> Result<Tx> {
        let mut tx = self.db.begin_bulk_write().await?;
        if let Principal::User(actor) = by {
            self.hold_actor(&mut tx, actor).await?;
        }
        Ok(tx)
    }

    /// Holds the actor's session or token in `tx` and checks that they are still
    /// the person the request found.
    async fn hold_actor(&self, tx: &mut Tx, actor: &Actor) -> Result<()> {
        let engine = self.db.engine();
        let (held, key) = match &actor.credential {
            None => return Ok(()),
            Some(Credential::Session(hash)) => (
                sessions::hold(tx, engine, hash, self.now_ms()).await?,
                format!("s:{hash}"),
            ),
            Some(Credential::Token(hash)) => {
                (tokens::hold(tx, engine, hash).await?, format!("t:{hash}"))
            }
        };
        let Some(held) = held else {
            self.auth.forget(&key);
            return Err(Error::Unauthenticated(
                "Phiên làm việc đã kết thúc; vui lòng đăng nhập lại.".into(),
            ));
        };
        // The request may have been authenticated from the cache, a moment before a
        // change on another server: it writes only as the person now is.
        if !held_actor(held).same_rights(actor) {
            self.auth.forget(&key);
            return Err(Error::Conflict(
                "Thông tin tài khoản của bạn (họ tên, đơn vị, vai trò hoặc lĩnh vực) vừa được thay đổi; vui lòng thực hiện lại thao tác.".into(),
            ));
        }
        Ok(())
    }
}

impl App {
    /// A person changes their own password, proving the current one. Their other
    /// sessions end and their API tokens are revoked (a change often follows a
    /// suspected leak); the session they are using stays.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let new = motcua_domain::user::NewPassword::parse(new)?;
        let user = {
            let mut conn = self.db.read().await?;
            users::by_id(&mut conn, &actor.user_id)
                .await?
                .ok_or_else(|| Error::Unauthenticated("Phiên làm việc đã hết hạn.".into()))?
        };
        if !verify_password(current, &user.password_hash).await {
            return Err(Error::field(
                "current_password",
                "Mật khẩu hiện tại không đúng.",
            ));
        }
        if current == new.expose() {
            return Err(Error::field(
                "password",
                "Mật khẩu mới phải khác mật khẩu hiện tại.",
            ));
        }
        let hash = crate::secrets::hash_password(new.expose()).await?;
        let mut tx = self.begin_write_as(actor).await?;
        users::set_password(&mut tx, &user.id, &hash, self.now_ms()).await?;
        let kept = keep_session.map(token_hash);
        let ended = sessions::delete_for_user_except(&mut tx, &user.id, kept.as_deref()).await?;
        let revoked = tokens::revoke_for_user(&mut tx, &user.id, self.now_ms()).await?;
        let by = Principal::User(actor.clone());
        self.record_audit(
            &mut tx,
            &by,
            Some(&actor.agency.id),
            "user.change_password",
            &user.username,
            serde_json::json!({"sessions_ended": ended, "tokens_revoked": revoked}),
        )
        .await?;
        tx.commit().await?;
        self.auth.clear();
        Ok(())
    }
}
