//! Recording and reading the administrative audit log.

use motcua_domain::access::Action;
use motcua_store::{audit, Conn};
use serde::Serialize;

use crate::error::Result;
use crate::principal::{Actor, Principal};
use crate::App;

impl App {
    /// Appends one entry, inside the caller's transaction: the change and its record
    /// are written together or not at all.
    pub(crate) async fn record_audit(
        &self,
        conn: &mut Conn,
        by: &Principal,
        agency_id: Option<&str>,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        let id = motcua_store::new_id();
        let details = details.to_string();
        audit::append(
            conn,
            &audit::Entry {
                id: &id,
                at: self.now_ms(),
                actor_user_id: by.user_id(),
                actor_username: by.audit_name(),
                agency_id,
                ip: by.ip(),
                action,
                target,
                details: &details,
            },
        )
        .await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: jiff::Timestamp,
    pub actor: String,
    pub agency_code: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub details: String,
}

impl App {
    /// Newest first, over every agency the person may audit.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        actor.require(Action::ReadAudit, &actor.agency.path)?;
        let mut conn = self.db.read().await?;
        let rows =
            audit::in_subtree(&mut conn, &actor.agency.path, before, limit.clamp(1, 500)).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: motcua_store::from_millis(r.at),
                actor: r.actor_username,
                agency_code: r.agency_code,
                ip: r.ip,
                action: r.action,
                target: r.target,
                details: r.details,
            })
            .collect())
    }
}
