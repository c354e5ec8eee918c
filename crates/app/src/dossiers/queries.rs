//! Reading dossiers: one dossier with its history and files, and the worklists.

use jiff::{SignedDuration, Timestamp};
use motcua_domain::access::Action;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::dossier::{decide, expected, Dossier as Record, Situation, Verb};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::dossiers::{self as store, ListKind, ListQuery, ListRow};
use motcua_store::{users, Conn};
use serde::{Deserialize, Serialize};

use super::{event_from_row, Dossier, DossierFile, Event};
use super::{not_found, unknown_outside, Dossiers};
use crate::error::{Error, Result};
use crate::principal::{Actor, AgencyRef};

/// The lists on an officer's home page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Worklist {
    /// Online submissions waiting for the counter.
    ToAccept,
    /// Received, not yet assigned.
    ToAssign,
    /// Assigned to me and not yet with the leader.
    Mine,
    AwaitingApproval,
    /// Approved: the result goes to the counter.
    ToRelease,
    ReadyToReturn,
    /// Due within one working day.
    DueSoon,
    Overdue,
    /// Results waiting for the citizen longer than the reminder delay.
    NotCollected,
    /// Everything, newest first.
    All,
}

impl Worklist {
    pub const ALL: [Worklist; 10] = [
        Worklist::ToAccept,
        Worklist::ToAssign,
        Worklist::Mine,
        Worklist::AwaitingApproval,
        Worklist::ToRelease,
        Worklist::ReadyToReturn,
        Worklist::DueSoon,
        Worklist::Overdue,
        Worklist::NotCollected,
        Worklist::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Worklist::ToAccept => "to_accept",
            Worklist::ToAssign => "to_assign",
            Worklist::Mine => "mine",
            Worklist::AwaitingApproval => "awaiting_approval",
            Worklist::ToRelease => "to_release",
            Worklist::ReadyToReturn => "ready_to_return",
            Worklist::DueSoon => "due_soon",
            Worklist::Overdue => "overdue",
            Worklist::NotCollected => "not_collected",
            Worklist::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Worklist> {
        Worklist::ALL.into_iter().find(|w| w.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Worklist::ToAccept => "Hồ sơ trực tuyến chờ tiếp nhận",
            Worklist::ToAssign => "Chờ phân công",
            Worklist::Mine => "Hồ sơ tôi đang xử lý",
            Worklist::AwaitingApproval => "Chờ tôi phê duyệt",
            Worklist::ToRelease => "Đã duyệt, chờ chuyển kết quả",
            Worklist::ReadyToReturn => "Chờ trả kết quả",
            Worklist::DueSoon => "Đến hạn trong một ngày làm việc",
            Worklist::Overdue => "Quá hạn",
            Worklist::NotCollected => "Kết quả chưa có người nhận",
            Worklist::All => "Tất cả hồ sơ",
        }
    }

    /// The lists that matter to a person holding `roles`, in the order shown.
    pub fn for_roles(roles: &[motcua_domain::user::Role]) -> Vec<Worklist> {
        use motcua_domain::user::Role::*;
        let mut out = Vec::new();
        let has = |r| roles.contains(&r);
        if has(CounterOfficer) {
            out.extend([
                Worklist::ToAccept,
                Worklist::ToAssign,
                Worklist::ToRelease,
                Worklist::ReadyToReturn,
                Worklist::NotCollected,
            ]);
        }
        if has(Specialist) {
            out.extend([Worklist::Mine, Worklist::ToRelease]);
        }
        if has(Leader) {
            out.extend([Worklist::AwaitingApproval, Worklist::ToAssign]);
        }
        if has(CounterOfficer) || has(Specialist) || has(Leader) || has(Supervisor) {
            out.extend([Worklist::DueSoon, Worklist::Overdue, Worklist::All]);
        }
        let mut seen = Vec::new();
        out.retain(|w| {
            let fresh = !seen.contains(w);
            seen.push(*w);
            fresh
        });
        out
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct WorklistQuery {
    /// to_accept, to_assign, mine, awaiting_approval, to_release, ready_to_return,
    /// due_soon, overdue, not_collected, all (default)
    pub list: Option<String>,
    /// Another agency below the person's (supervisors).
    pub agency: Option<String>,
    pub sector: Option<String>,
    pub procedure: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Dossiers a page, 1–200; 50 when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

/// One line of a worklist.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierSummary {
    pub code: String,
    pub procedure: String,
    pub procedure_name: String,
    pub sector: String,
    pub applicant_name: String,
    pub channel: String,
    pub status: String,
    pub status_label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    pub overdue: bool,
    pub priority: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierPage {
    pub list: Worklist,
    pub items: Vec<DossierSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

fn summary(row: ListRow, now_ms: i64) -> DossierSummary {
    DossierSummary {
        overdue: row.is_open
            && row.status.clock_runs()
            && row.due_at.is_some_and(|d| d.as_millisecond() < now_ms),
        code: row.code,
        procedure: row.procedure_code,
        procedure_name: row.procedure_name,
        sector: row.sector,
        applicant_name: row.applicant_name,
        channel: row.channel.as_str().into(),
        status_label: row.status.label_vi().into(),
        status: row.status.as_str().into(),
        received_at: row.received_at,
        due_at: row.due_at,
        priority: row.priority,
    }
}

fn cursor(row: &ListRow) -> String {
    format!(
        "{}.{}.{}",
        row.priority,
        row.due_at.map_or(0, |d| d.as_millisecond()),
        row.id
    )
}

fn parse_cursor(s: &str) -> Result<(i64, i64, String)> {
    let bad = || {
        Error::field(
            "after",
            "Con trỏ trang không hợp lệ; hãy mở lại danh sách từ đầu.",
        )
    };
    let mut it = s.splitn(3, '.');
    let p = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let d = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let id = it
        .next()
        .filter(|x| !x.is_empty() && x.len() <= 64)
        .ok_or_else(bad)?;
    Ok((p, d, id.to_owned()))
}

/// Everything the dossier page shows, read at once.
#[derive(Debug, Clone)]
pub struct DossierDetail {
    pub dossier: Dossier,
    pub events: Vec<Event>,
    pub files: Vec<DossierFile>,
    /// The control sheet's steps (form 06).
    pub steps: Vec<motcua_docs::forms::ControlStep>,
}

impl Dossiers<'_> {
    /// The dossier with its history, files and steps: one connection, one access
    /// check (the page used to ask four times).
    pub async fn detail(&self, actor: &Actor, code: &str) -> Result<DossierDetail> {
        let mut conn = self.db.read().await?;
        let (d, agency, events) = self.readable_in(&mut conn, actor, code).await?;
        let steps = self
            .control_steps(&mut conn, &d, &agency.code, &events)
            .await?;
        let signatures = motcua_store::result_signatures::of_dossier(&mut conn, &d.id).await?;
        let files = store::files(&mut conn, &d.id)
            .await?
            .into_iter()
            .map(|f| {
                let mut file = DossierFile::from(f);
                if let Some(s) = signatures.iter().find(|s| s.file_id == file.id) {
                    file.signed_by = Some(s.signer_name.clone());
                    file.signed_at = Some(motcua_store::from_millis(s.signed_at));
                }
                file
            })
            .collect();
        let dossier = self
            .to_dossier_of(&mut conn, &d, &agency, Some(actor))
            .await?;
        let actor_ids: Vec<Option<String>> = events.iter().map(|e| e.actor_id.clone()).collect();
        let mut events: Vec<Event> = events.into_iter().map(event_from_row).collect();
        self.name_people(&mut conn, &mut events, &actor_ids).await?;
        Ok(DossierDetail {
            dossier,
            events,
            files,
            steps,
        })
    }

    /// Gives the history's people their titles, and an assignment the full name
    /// of whom it went to: officers read names, not usernames.
    async fn name_people(
        &self,
        conn: &mut Conn,
        events: &mut [Event],
        actor_ids: &[Option<String>],
    ) -> Result<()> {
        let assignees: Vec<Option<String>> = events
            .iter()
            .map(|e| {
                e.data
                    .get("assignee_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .collect();
        let mut ids: Vec<&str> = actor_ids
            .iter()
            .chain(&assignees)
            .filter_map(Option::as_deref)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let people = users::names_and_roles(conn, &ids).await?;
        for ((e, actor_id), assignee_id) in events.iter_mut().zip(actor_ids).zip(&assignees) {
            if let Some((_, roles)) = actor_id.as_ref().and_then(|id| people.get(id)) {
                let title = title(roles);
                e.actor_title = (!title.is_empty()).then_some(title);
            }
            if let Some((name, roles)) = assignee_id.as_ref().and_then(|id| people.get(id)) {
                let title = title(roles);
                e.assignee_name = Some(if title.is_empty() {
                    name.clone()
                } else {
                    format!("{name} ({})", title.to_lowercase())
                });
            }
        }
        Ok(())
    }

    /// A dossier, for an officer of its agency or a supervisor above it.
    pub async fn get(&self, actor: &Actor, code: &str) -> Result<Dossier> {
        let mut conn = self.db.read().await?;
        let (row, agency, _) = self.readable_in(&mut conn, actor, code).await?;
        self.to_dossier_of(&mut conn, &row, &agency, Some(actor))
            .await
    }

    /// The agency of a dossier as a reference: the person's own comes with them (the
    /// common case, no read), another one is read.
    pub(crate) async fn dossier_agency(
        &self,
        conn: &mut Conn,
        actor: Option<&Actor>,
        d: &Record,
    ) -> Result<AgencyRef> {
        if let Some(a) = actor.filter(|a| a.agency.id == d.agency_id) {
            return Ok(a.agency.clone());
        }
        let a = agencies::by_id(conn, &d.agency_id)
            .await?
            .ok_or_else(|| not_found(&d.code))?;
        Ok(agency_ref(a))
    }

    pub async fn events(&self, actor: &Actor, code: &str) -> Result<Vec<Event>> {
        let mut conn = self.db.read().await?;
        let (_, _, events) = self.readable_in(&mut conn, actor, code).await?;
        Ok(events.into_iter().map(event_from_row).collect())
    }

    pub async fn files(&self, actor: &Actor, code: &str) -> Result<Vec<DossierFile>> {
        let mut conn = self.db.read().await?;
        let row = self.readable(&mut conn, actor, code).await?;
        Ok(store::files(&mut conn, &row.id)
            .await?
            .into_iter()
            .map(DossierFile::from)
            .collect())
    }

    /// A file's record and bytes.
    pub async fn file(
        &self,
        actor: &Actor,
        code: &str,
        file_id: &str,
    ) -> Result<(DossierFile, Vec<u8>)> {
        let mut conn = self.db.read().await?;
        let row = self.readable(&mut conn, actor, code).await?;
        let f = store::file(&mut conn, &row.id, file_id)
            .await?
            .filter(|f| !f.sha256.is_empty())
            .ok_or_else(|| Error::NotFound("Không tìm thấy tệp này trong hồ sơ.".into()))?;
        let bytes = self.blobs().get(&f.sha256)?;
        Ok((DossierFile::from(f), bytes))
    }

    pub(crate) async fn readable(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        code: &str,
    ) -> Result<Record> {
        Ok(self.readable_in(conn, actor, code).await?.0)
    }

    /// `readable`, with the dossier's agency, which it needs for the check, and
    /// the events its details were folded from (a history shown reads them once).
    pub(crate) async fn readable_in(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        code: &str,
    ) -> Result<(Record, AgencyRef, Vec<store::EventRow>)> {
        let code = code.trim().to_ascii_uppercase();
        let (stored, events) = store::load_with_events(conn, &code)
            .await?
            .ok_or_else(|| not_found(&code))?;
        let d = stored.dossier;
        let agency = self.dossier_agency(conn, Some(actor), &d).await?;
        actor
            .require(Action::ReadDossier, &agency.path)
            .map_err(|e| unknown_outside(actor, &agency.path, e, &code))?;
        Ok((d, agency, events))
    }

    pub(crate) async fn to_dossier(
        &self,
        conn: &mut Conn,
        d: &Record,
        actor: Option<&Actor>,
    ) -> Result<Dossier> {
        let agency = self.dossier_agency(conn, actor, d).await?;
        self.to_dossier_of(conn, d, &agency, actor).await
    }

    /// `to_dossier` when the dossier's agency is at hand already.
    pub(crate) async fn to_dossier_of(
        &self,
        conn: &mut Conn,
        d: &Record,
        agency: &AgencyRef,
        actor: Option<&Actor>,
    ) -> Result<Dossier> {
        let assignee = match &d.assignee_id {
            Some(id) => users::by_id(conn, id).await?.map(|u| u.username),
            None => None,
        };
        let allowed_actions = match actor {
            Some(a) if a.may(Action::HandleDossier, &agency.path) => {
                // Offered before any input is seen: a result or a reason may come
                // with the request.
                let facts = Situation {
                    is_assignee: d.assignee_id.as_deref() == Some(a.user_id.as_str()),
                    has_assignee: d.assignee_id.is_some(),
                    supplements_used: d.supplements,
                    extensions_used: d.extensions,
                    results_attached: 1,
                    reason_given: true,
                };
                let mut verbs: Vec<Verb> = Verb::ALL
                    .into_iter()
                    .filter(|v| decide(d.status, *v, &a.roles, &facts).is_ok())
                    .collect();
                // Civil-status facts only for a procedure that writes the registers.
                if verbs.contains(&Verb::RecordCivil)
                    && self
                        .procedure_version_in(conn, &d.procedure.code, d.procedure.version)
                        .await?
                        .civil_register
                        .is_none()
                {
                    verbs.retain(|v| *v != Verb::RecordCivil);
                }
                verbs.iter().map(|v| v.as_str().to_string()).collect()
            }
            _ => Vec::new(),
        };
        let next_actions = expected(d.status, d.results)
            .iter()
            .map(|v| v.as_str().to_string())
            .filter(|v| allowed_actions.contains(v))
            .collect();
        Ok(Dossier {
            id: d.id.clone(),
            code: d.code.clone(),
            agency_code: agency.code.clone(),
            agency_name: agency.name.clone(),
            procedure: d.procedure.code.clone(),
            procedure_name: d.procedure.name.clone(),
            procedure_version: d.procedure.version,
            sector: d.procedure.sector.clone(),
            channel: d.channel.as_str().into(),
            status: d.status.as_str().into(),
            status_label: d.status.label_vi().into(),
            details: d.details.clone(),
            return_method: d.return_method.as_str().into(),
            fee_amount: d.fee_amount,
            fee_paid: d.fee_paid,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due_at,
            original_due_at: d.original_due_at,
            paused_at: d.paused_at,
            supplements: i64::from(d.supplements),
            extensions: i64::from(d.extensions),
            assignee,
            result_ready_at: d.result_ready_at,
            returned_at: d.returned_at,
            timeliness: d.timeliness.map(|t| t.as_str().into()),
            version: d.version,
            allowed_actions,
            next_actions,
        })
    }

    /// One page of a worklist of the person's agency (or, for a supervisor, of an
    /// agency below).
    pub async fn worklist(&self, actor: &Actor, q: &WorklistQuery) -> Result<DossierPage> {
        let list = match q.list.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Worklist::All,
            Some(s) => Worklist::parse(s)
                .ok_or_else(|| Error::field("list", format!("Không có danh sách «{s}».")))?,
        };
        let limit = q.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(Error::field("limit", "Mỗi trang từ 1 đến 200 hồ sơ."));
        }
        let mut conn = self.db.read().await?;
        // The person's own agency came with them; another one is read.
        let (agency_id, agency_code, agency_path) =
            match q.agency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => (
                    actor.agency.id.clone(),
                    actor.agency.code.clone(),
                    actor.agency.path.clone(),
                ),
                Some(code) => {
                    let a = agencies::by_code(&mut conn, &code.to_ascii_uppercase())
                        .await?
                        .ok_or_else(|| Error::field("agency", "Không tìm thấy cơ quan này."))?;
                    (a.id, a.code, a.path)
                }
            };
        actor.require(Action::ReadDossier, &agency_path)?;
        let now = self.now();
        let now_ms = motcua_store::to_millis(now);
        let kind = match list {
            Worklist::ToAccept => ListKind::Status("submitted".into()),
            Worklist::ToAssign => ListKind::Status("received".into()),
            Worklist::Mine => ListKind::Assigned {
                status: ["assigned", "in_review", "paused", "supplement_requested"]
                    .map(String::from)
                    .to_vec(),
                user_id: actor.user_id.clone(),
            },
            Worklist::AwaitingApproval => ListKind::Status("awaiting_approval".into()),
            Worklist::ToRelease => ListKind::Status("approved".into()),
            Worklist::ReadyToReturn => ListKind::Status("result_ready".into()),
            Worklist::DueSoon => {
                let cal = self
                    .working_calendar_in(&mut conn, Some(&agency_code))
                    .await?;
                let end = cal.due_at(now, TimeLimit::WorkingDays(1)).unwrap_or(now);
                ListKind::OpenDue {
                    from: Some(now_ms),
                    before: motcua_store::to_millis(end) + 1,
                }
            }
            Worklist::Overdue => ListKind::OpenDue {
                from: None,
                before: now_ms,
            },
            Worklist::NotCollected => {
                let days = i64::from(self.settings.remind_after_days);
                // Ready at or before the threshold, as the reminder pass counts: a
                // result is listed from the instant its reminder is due.
                ListKind::ReadySince(
                    now_ms - SignedDuration::from_hours(24 * days).as_millis() as i64 + 1,
                )
            }
            Worklist::All => ListKind::All,
        };
        let after = match q.after.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(parse_cursor(s)?),
        };
        let rows = store::list(
            &mut conn,
            &ListQuery {
                agency_id,
                kind,
                sector: q.sector.clone().filter(|s| !s.is_empty()),
                procedure_code: q.procedure.clone().filter(|s| !s.is_empty()),
                after,
                limit: limit + 1,
            },
        )
        .await?;
        let more = rows.len() as i64 > limit;
        let mut rows = rows;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(cursor) } else { None };
        Ok(DossierPage {
            list,
            items: rows.into_iter().map(|r| summary(r, now_ms)).collect(),
            next,
        })
    }
}

/// An agency row as the reference a person carries.
pub(crate) fn agency_ref(a: AgencyRow) -> AgencyRef {
    AgencyRef {
        id: a.id,
        code: a.code,
        name: a.name,
        level: a.level,
        path: a.path,
    }
}

/// The title a person holds in the unit: their most senior role.
fn title(roles: &[String]) -> String {
    use motcua_domain::user::Role;
    [
        Role::Leader,
        Role::Specialist,
        Role::CounterOfficer,
        Role::Supervisor,
        Role::Admin,
    ]
    .into_iter()
    .find(|r| roles.iter().any(|x| x == r.as_str()))
    .map(|r| r.label_vi().to_owned())
    .unwrap_or_default()
}
