//! Automatic assignment rules (issue 10): an agency's administrator decides, per
//! sector, that a dossier received at the counter goes at once to the sector's
//! only specialist, or to a named default specialist. Applied in the intake's
//! own transaction (`Dossiers::open_dossier`).

use std::sync::Arc;

use motcua_domain::access::Action;
use motcua_domain::dossier::auto_assign::Rule;
use motcua_store::auto_assign::{self as store, RuleRow};
use motcua_store::users;
use serde::Serialize;

use crate::agencies::load_for;
use crate::catalogue::Kept;
use crate::error::{Error, Result};
use crate::principal::Actor;
use crate::{App, Principal};

/// A rule as people read it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AutoAssignment {
    pub sector: String,
    /// `sole_specialist` or `default_assignee`.
    pub rule: String,
    /// The default specialist's username, for `default_assignee`.
    pub assignee: Option<String>,
}

/// A specialist as the administration page names them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Specialist {
    pub username: String,
    pub full_name: String,
}

/// A sector of an agency: its rule, who may hold its dossiers, and who gets the
/// next one received at the counter, as intake would decide it now.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SectorAssignment {
    pub sector: String,
    pub sector_name: String,
    /// `none`, `sole_specialist` or `default_assignee`.
    pub rule: String,
    /// The default specialist, for `default_assignee` (even when no longer a
    /// specialist of the sector: the page says the rule names nobody now).
    pub assignee: Option<Specialist>,
    /// The active specialists of the sector.
    pub specialists: Vec<Specialist>,
    /// Who the rule picks today; `None`: assigned by hand.
    pub goes_to: Option<Specialist>,
}

/// Each agency's rules (by its id), read at every counter intake: kept like the
/// catalogue, so that a rule changed on another server applies here within
/// [`crate::catalogue::CATALOGUE_TTL`]. Whoever a rule names is still checked in
/// the intake's transaction.
pub(crate) type RuleCache = Kept<Arc<Vec<RuleRow>>>;

impl App {
    /// The agency's rules, by sector, from the cache or read now.
    pub(crate) async fn auto_rules(&self, agency_id: &str) -> Result<Arc<Vec<RuleRow>>> {
        if let Some(rules) = self.auto_rules.get(agency_id) {
            return Ok(rules);
        }
        let mut conn = self.db.read().await?;
        let rules = Arc::new(store::rules_of(&mut conn, agency_id).await?);
        drop(conn);
        self.auto_rules.put(agency_id, rules.clone());
        Ok(rules)
    }

    /// Every sector with the agency's rule for it, for those who may read the
    /// agency's users (the page that changes them checks `ManageUsers` on save).
    pub async fn auto_assignments(
        &self,
        actor: &Actor,
        agency_code: &str,
    ) -> Result<Vec<SectorAssignment>> {
        let mut conn = self.db.read().await?;
        let agency = load_for(&mut conn, &actor.into(), agency_code, Action::ReadUsers).await?;
        let sectors = motcua_store::sectors::all(&mut conn).await?;
        let rules = store::rules_of(&mut conn, &agency.id).await?;
        let people = store::specialists(&mut conn, &agency.id).await?;
        let mut out = Vec::with_capacity(sectors.len());
        for sector in sectors {
            let holders: Vec<_> = people
                .iter()
                .filter(|p| p.sector_code == sector.code)
                .collect();
            let as_specialist = |p: &store::SectorSpecialist| Specialist {
                username: p.username.clone(),
                full_name: p.full_name.clone(),
            };
            let row = rules.iter().find(|r| r.sector_code == sector.code);
            let rule = row.and_then(|r| Rule::parse(&r.rule, r.assignee_id.as_deref()));
            let ids: Vec<String> = holders.iter().map(|p| p.user_id.clone()).collect();
            let goes_to = rule
                .as_ref()
                .and_then(|r| r.pick(&ids))
                .and_then(|id| holders.iter().find(|p| p.user_id == id))
                .map(|p| as_specialist(p));
            let assignee = match &rule {
                Some(Rule::DefaultAssignee(id)) => {
                    match holders.iter().find(|p| &p.user_id == id) {
                        Some(p) => Some(as_specialist(p)),
                        None => users::by_id(&mut conn, id).await?.map(|u| Specialist {
                            username: u.username,
                            full_name: u.full_name,
                        }),
                    }
                }
                _ => None,
            };
            out.push(SectorAssignment {
                rule: rule.as_ref().map_or("none", Rule::as_str).to_owned(),
                assignee,
                specialists: holders.into_iter().map(as_specialist).collect(),
                goes_to,
                sector: sector.code,
                sector_name: sector.name,
            });
        }
        Ok(out)
    }

    /// Sets an agency's rule for a sector: `rule` is `sole_specialist`,
    /// `default_assignee` (with `assignee`, a specialist's username) or `none`
    /// (assigned by hand, as without a rule).
    pub async fn set_auto_assignment(
        &self,
        by: &Principal,
        agency_code: &str,
        sector: &str,
        rule: &str,
        assignee: Option<&str>,
    ) -> Result<Option<AutoAssignment>> {
        let sector = sector.trim().to_owned();
        let mut tx = self.begin_write_by(by).await?;
        let agency = load_for(&mut tx, by, agency_code, Action::ManageUsers).await?;
        if !motcua_store::sectors::all(&mut tx)
            .await?
            .iter()
            .any(|s| s.code == sector)
        {
            return Err(Error::field(
                "sector",
                format!("Không có lĩnh vực mã «{sector}»."),
            ));
        }
        let answer = match rule.trim() {
            "none" | "" => {
                store::clear(&mut tx, &agency.id, &sector).await?;
                None
            }
            "sole_specialist" => {
                store::set(
                    &mut tx,
                    &RuleRow {
                        agency_id: agency.id.clone(),
                        sector_code: sector.clone(),
                        rule: Rule::SoleSpecialist.as_str().into(),
                        assignee_id: None,
                        updated_at: self.now_ms(),
                    },
                )
                .await?;
                Some(AutoAssignment {
                    sector: sector.clone(),
                    rule: "sole_specialist".into(),
                    assignee: None,
                })
            }
            "default_assignee" => {
                let name = assignee.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
                    Error::field("assignee", "Chọn chuyên viên nhận hồ sơ của lĩnh vực.")
                })?;
                let user = users::by_username(&mut tx, &name.to_lowercase())
                    .await?
                    .filter(|u| u.agency_id == agency.id && u.active)
                    .ok_or_else(|| {
                        Error::field(
                            "assignee",
                            format!("Không có cán bộ «{name}» đang làm việc tại cơ quan này."),
                        )
                    })?;
                let roles = users::roles(&mut tx, &user.id).await?;
                let sectors = users::sectors(&mut tx, &user.id).await?;
                if !roles.iter().any(|r| r == "specialist") || !sectors.contains(&sector) {
                    return Err(Error::field(
                        "assignee",
                        format!(
                            "«{}» không phải chuyên viên phụ trách lĩnh vực này.",
                            user.full_name
                        ),
                    ));
                }
                store::set(
                    &mut tx,
                    &RuleRow {
                        agency_id: agency.id.clone(),
                        sector_code: sector.clone(),
                        rule: "default_assignee".into(),
                        assignee_id: Some(user.id.clone()),
                        updated_at: self.now_ms(),
                    },
                )
                .await?;
                Some(AutoAssignment {
                    sector: sector.clone(),
                    rule: "default_assignee".into(),
                    assignee: Some(user.username),
                })
            }
            other => {
                return Err(Error::field(
                    "rule",
                    format!(
                        "«{other}» không phải là quy tắc phân công (sole_specialist, default_assignee hoặc none)."
                    ),
                ))
            }
        };
        self.record_audit(
            &mut tx,
            by,
            Some(&agency.id),
            "auto_assignment.set",
            &sector,
            serde_json::json!({ "rule": rule.trim(), "assignee": answer.as_ref().and_then(|a| a.assignee.clone()) }),
        )
        .await?;
        tx.commit().await?;
        self.auto_rules.forget(&agency.id);
        Ok(answer)
    }
}
