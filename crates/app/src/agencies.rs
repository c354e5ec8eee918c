//! Use cases on the agency tree.

use std::collections::HashMap;

use motcua_domain::access::{self, Action, Scope};
use motcua_domain::agency::{self, AgencyCode, AgencyName, LevelCode};
use motcua_domain::text;
use motcua_domain::validation::Errors;
use motcua_store::agencies::{self as store, AgencyRow};
use motcua_store::Conn;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::principal::{Actor, Principal};
use crate::App;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agency {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: String,
    pub level_name: String,
    pub parent_code: Option<String>,
    pub active: bool,
    /// Depth below the first agency of the list it came in (0 for that one).
    pub depth: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: jiff::Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: jiff::Timestamp,
    #[serde(skip)]
    pub path: String,
}

impl Agency {
    fn from_row(r: AgencyRow, depth: usize) -> Self {
        Agency {
            id: r.id,
            code: r.code,
            name: r.name,
            level: r.level,
            level_name: r.level_name,
            parent_code: r.parent_code,
            active: r.active,
            depth,
            created_at: r.created_at,
            updated_at: r.updated_at,
            path: r.path,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub level: String,
    /// Required except from the command line, which may create a root.
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyUpdate {
    pub name: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Level {
    pub code: String,
    pub name: String,
    pub rank: i64,
}

pub(crate) fn not_found(code: &str) -> Error {
    Error::NotFound(format!("Không tìm thấy cơ quan có mã «{code}»."))
}

/// Loads an agency by code for `action`, refusing when the principal may not.
pub(crate) async fn load_for(
    conn: &mut Conn,
    by: &Principal,
    code: &str,
    action: Action,
) -> Result<AgencyRow> {
    let code_norm = code.trim().to_ascii_uppercase();
    let row = store::by_code(conn, &code_norm)
        .await?
        .ok_or_else(|| not_found(code.trim()))?;
    by.require(action, &row.path)?;
    Ok(row)
}

impl App {
    /// Every agency the person may see, in tree order (by names along the path).
    pub async fn list_agencies(&self, actor: &Actor) -> Result<Vec<Agency>> {
        let mut conn = self.db.read().await?;
        let rows = match access::widest_scope(&actor.roles, Action::ReadAgency) {
            None => return Err(Error::forbidden()),
            Some(Scope::Own) => store::by_id(&mut conn, &actor.agency.id)
                .await?
                .into_iter()
                .collect(),
            Some(Scope::Subtree) => store::subtree(&mut conn, &actor.agency.path).await?,
        };
        Ok(tree_order(rows))
    }

    pub async fn agency(&self, actor: &Actor, code: &str) -> Result<Agency> {
        let mut conn = self.db.read().await?;
        let row = load_for(&mut conn, &actor.into(), code, Action::ReadAgency).await?;
        Ok(Agency::from_row(row, 0))
    }

    pub async fn agency_levels(&self) -> Result<Vec<Level>> {
        let mut conn = self.db.read().await?;
        Ok(store::levels(&mut conn)
            .await?
            .into_iter()
            .map(|l| Level {
                code: l.code,
                name: l.name,
                rank: l.rank,
            })
            .collect())
    }

    pub async fn create_agency(&self, by: &Principal, input: NewAgency) -> Result<Agency> {
        let mut errors = Errors::new();
        let code = errors.take(AgencyCode::parse(&input.code));
        let name = errors.take(AgencyName::parse(&input.name));
        let level = errors.take(LevelCode::parse(&input.level));
        let parent_code = input
            .parent_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if parent_code.is_none() && matches!(by, Principal::User(_)) {
            errors.push("parent_code", "Vui lòng chọn cơ quan cấp trên.");
        }
        let (Some(code), Some(name), Some(level)) = (code, name, level) else {
            return Err(errors.into());
        };
        errors.into_result()?;

        let mut tx = self.begin_write_by(by).await?;
        let parent = match parent_code {
            Some(pc) => Some(load_for(&mut tx, by, pc, Action::ManageAgency).await?),
            None => None,
        };
        let levels = store::levels(&mut tx).await?;
        let Some(level_row) = levels.iter().find(|l| l.code == level.as_str()) else {
            let known: Vec<_> = levels.iter().map(|l| l.code.as_str()).collect();
            return Err(Error::field(
                "level",
                format!(
                    "Cấp hành chính «{}» không có; các cấp: {}.",
                    level.as_str(),
                    known.join(", ")
                ),
            ));
        };
        if let Some(p) = &parent {
            if !agency::level_fits_under(p.level_rank, level_row.rank) {
                return Err(Error::field(
                    "level",
                    format!(
                        "Cơ quan cấp «{}» không thể trực thuộc cơ quan cấp «{}».",
                        level_row.name, p.level_name
                    ),
                ));
            }
        }
        if let Some(existing) = store::by_code(&mut tx, code.as_str()).await? {
            return Err(Error::Conflict(format!(
                "Mã định danh «{}» đã được dùng cho «{}».",
                code, existing.name
            )));
        }
        let id = crate::named_id("agency", code.as_str());
        let path = match &parent {
            Some(p) => agency::child_path(&p.path, &id),
            None => agency::root_path(&id),
        };
        store::insert(
            &mut tx,
            &store::NewAgency {
                id: &id,
                code: code.as_str(),
                name: name.as_str(),
                level: level.as_str(),
                parent_id: parent.as_ref().map(|p| p.id.as_str()),
                path: &path,
                now: self.now_ms(),
            },
        )
        .await
        .map_err(|e| unique_to_conflict(e, &code))?;
        motcua_store::procedures::enable_all_of_level(&mut tx, &id, level.as_str()).await?;
        self.record_audit(
            &mut tx,
            by,
            Some(&id),
            "agency.create",
            code.as_str(),
            serde_json::json!({
                "name": name.as_str(),
                "level": level.as_str(),
                "parent": parent.as_ref().map(|p| p.code.as_str()),
            }),
        )
        .await?;
        let row = store::by_id(&mut tx, &id)
            .await?
            .ok_or_else(|| Error::Internal("agency vanished after insert".into()))?;
        tx.commit().await?;
        Ok(Agency::from_row(row, 0))
    }

    pub async fn update_agency(
        &self,
        by: &Principal,
        code: &str,
        input: AgencyUpdate,
    ) -> Result<Agency> {
        let name = input.name.as_deref().map(AgencyName::parse).transpose()?;
        let mut tx = self.begin_write_by(by).await?;
        let row = load_for(&mut tx, by, code, Action::ManageAgency).await?;
        let new_name = name.as_ref().map_or(row.name.as_str(), |n| n.as_str());
        let active = input.active.unwrap_or(row.active);
        store::update(&mut tx, &row.id, new_name, active, self.now_ms()).await?;
        self.record_audit(
            &mut tx,
            by,
            Some(&row.id),
            "agency.update",
            &row.code,
            serde_json::json!({
                "before": {"name": row.name, "active": row.active},
                "after": {"name": new_name, "active": active},
            }),
        )
        .await?;
        let row = store::by_id(&mut tx, &row.id)
            .await?
            .ok_or_else(|| not_found(code))?;
        tx.commit().await?;
        self.auth.clear();
        Ok(Agency::from_row(row, 0))
    }
}

fn unique_to_conflict(e: motcua_store::StoreError, code: &AgencyCode) -> Error {
    if motcua_store::is_unique_violation(&e) {
        Error::Conflict(format!("Mã định danh «{code}» đã được dùng."))
    } else {
        e.into()
    }
}

/// Sorts rows so that each agency follows its parent and siblings are in
/// alphabetical order (Vietnamese folded), and computes each one's depth.
fn tree_order(rows: Vec<AgencyRow>) -> Vec<Agency> {
    let names: HashMap<&str, String> = rows
        .iter()
        .map(|r| (r.id.as_str(), text::fold(&r.name)))
        .collect();
    let base_depth = rows
        .iter()
        .map(|r| r.path.matches('/').count())
        .min()
        .unwrap_or(0);
    let mut keyed: Vec<(Vec<String>, usize, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let key: Vec<String> = r
                .path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|id| names.get(id).cloned().unwrap_or_default())
                .collect();
            (key, r.path.matches('/').count() - base_depth, i)
        })
        .collect();
    keyed.sort();
    let mut slots: Vec<Option<AgencyRow>> = rows.into_iter().map(Some).collect();
    keyed
        .into_iter()
        .filter_map(|(_, depth, i)| slots[i].take().map(|r| Agency::from_row(r, depth)))
        .collect()
}

impl App {
    /// Where a citizen may file online: the active agencies that perform at least
    /// one procedure offered online (`procedure`, when named, that one), as
    /// (code, name). Communes and wards come first (the lowest level: where people
    /// file), each level in tree order.
    pub async fn public_agencies(&self, procedure: Option<&str>) -> Result<Vec<(String, String)>> {
        use motcua_domain::procedure::OnlineAvailability;
        let online: std::collections::HashSet<String> = self
            .search_procedures("", None, None, 100_000)
            .await?
            .into_iter()
            .filter(|e| e.procedure.online != OnlineAvailability::None)
            .filter(|e| procedure.is_none_or(|c| e.procedure.code == c.trim()))
            .map(|e| e.procedure.code)
            .collect();
        let mut conn = self.db.read().await?;
        let rows = store::subtree(&mut conn, "/").await?;
        drop(conn);
        let ranks: HashMap<String, i64> =
            rows.iter().map(|r| (r.id.clone(), r.level_rank)).collect();
        let mut found = Vec::new();
        for (i, a) in tree_order(rows).into_iter().enumerate() {
            if !a.active {
                continue;
            }
            let codes = self.enabled_codes(&a.id).await?;
            if codes.iter().any(|c| online.contains(c)) {
                let rank = ranks.get(&a.id).copied().unwrap_or_default();
                found.push((std::cmp::Reverse(rank), i, a.code, a.name));
            }
        }
        found.sort();
        Ok(found.into_iter().map(|(_, _, c, n)| (c, n)).collect())
    }
}
