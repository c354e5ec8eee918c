//! The one way a dossier changes. Every use case that changes a dossier — intake on
//! every channel, online submission, each workflow action, the historical import —
//! hands this module the events the domain decided, and it does the rest in one
//! transaction: replay an idempotent repeat, load the dossier at its version,
//! append the hashed events, write the row as the fold of its events under the
//! optimistic version check, store the files the events name, tell the citizen
//! through the outbox, remember the answer, commit.

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::access::Action;
use motcua_domain::calendar::vietnam_time_zone;
use motcua_domain::calendar::WorkingCalendar;
use motcua_domain::dossier::auto_assign::Rule;
use motcua_domain::dossier::{
    apply, day_part, fold, permitted, transition, Change, Command, Dossier as Record, DossierCode,
    Event, Facts, Refusal, Verb,
};

/// The reason an automatic assignment records, which the dossier page reads.
pub const AUTO_ASSIGNED: &str = "Phân công tự động theo quy tắc của cơ quan";
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::auto_assign::RuleRow;
use motcua_store::dossiers::{self as store, EventRow, FileRow, StoredDossier};
use motcua_store::{Conn, Tx};

use super::chain::{event_hash, GENESIS};
use super::notices::{self, Notice};
use super::{changed, Dossier};
use super::{not_found, unknown_outside, Dossiers};
use crate::error::{Error, Result};
use crate::idempotency::Request;
use crate::principal::{Actor, AgencyRef};

/// The kind of the files an intake stores: the scanned documents.
pub(crate) const DOCUMENT: &str = "document";

/// A file an event names: a scanned document of the intake, or a result.
#[derive(Debug, Clone)]
pub(crate) struct NewFile {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub content_type: String,
    /// Empty for a paper result described in words.
    pub bytes: Vec<u8>,
    /// Set once the bytes are in the blob store (empty for a paper result).
    pub sha256: String,
}

impl NewFile {
    pub(crate) fn new(
        kind: &'static str,
        name: String,
        content_type: String,
        bytes: Vec<u8>,
    ) -> Self {
        NewFile {
            id: motcua_store::new_id(),
            kind,
            name,
            content_type,
            bytes,
            sha256: String::new(),
        }
    }
}

/// What the citizen is told about an event, if anything.
fn notice(change: &Change) -> Option<Notice> {
    match change {
        Change::Submit(_) => Some(Notice::Submitted),
        Change::Receive(_) | Change::Accept { .. } => Some(Notice::Received),
        Change::RequestSupplement { .. } => Some(Notice::SupplementRequested),
        Change::Extend { .. } => Some(Notice::Extended),
        Change::MarkReady {} => Some(Notice::ResultReady),
        _ => None,
    }
}

/// The domain's name for the person acting.
pub(crate) fn actor_of(actor: &Actor) -> motcua_domain::dossier::Actor {
    motcua_domain::dossier::Actor {
        id: Some(actor.user_id.clone()),
        name: actor.full_name.clone(),
        agency_id: Some(actor.agency.id.clone()),
    }
}

impl Dossiers<'_> {
    /// Opens a new dossier of `agency`: `first` makes its first event from the
    /// code it is given. `viewer` is who the answer is for (none online).
    pub(crate) async fn open_dossier(
        &self,
        request: &Request,
        agency: &AgencyRef,
        first: impl FnOnce(String) -> Result<Event>,
        files: Vec<NewFile>,
        viewer: Option<&Actor>,
        auto_assign: Option<&WorkingCalendar>,
    ) -> Result<Dossier> {
        let files = self.store_blobs(files)?;
        // Read before the write transaction, from a cache: on SQLite writers take
        // turns, and every statement inside one lengthens everyone's wait.
        let auto_assign = match (auto_assign, viewer) {
            (Some(cal), Some(actor)) => Some((cal, actor, self.auto_rules(&agency.id).await?)),
            _ => None,
        };
        let mut tx = match viewer {
            Some(actor) => self.begin_write_as(actor).await?,
            None => self.db.begin_write().await?,
        };
        if let Some(answer) = request.replay(&mut tx, self.now_ms()).await? {
            return Ok(answer);
        }
        let code = next_code(&mut tx, &agency.id, &agency.code, local_day(self.now())).await?;
        let event = first(code)?;
        let id = motcua_store::new_id();
        let mut events = vec![event.clone()];
        if let Some((cal, actor, rules)) = auto_assign {
            if let Some(assign) = self
                .auto_assignment(&mut tx, &rules, &id, &event, actor, cal)
                .await?
            {
                events.push(assign);
            }
        }
        let stored = self
            .write_events(&mut tx, None, &id, &events, &files)
            .await?
            .ok_or_else(|| Error::Internal("a new dossier cannot have changed".into()))?;
        let answer = self
            .announce_and_answer(&mut tx, &agency.name, &stored, &event, viewer)
            .await?;
        request.remember(&mut tx, &answer).await?;
        tx.commit().await?;
        self.dossiers_changed(&agency.id);
        Ok(answer)
    }

    /// The agency's rule for the dossier's sector (among `rules`, the agency's),
    /// applied in the intake's transaction: the `assign` event that follows the
    /// receipt, or none when there is no rule or it names nobody now.
    async fn auto_assignment(
        &self,
        conn: &mut Conn,
        rules: &[RuleRow],
        id: &str,
        received: &Event,
        actor: &Actor,
        cal: &WorkingCalendar,
    ) -> Result<Option<Event>> {
        let record = fold(id, std::slice::from_ref(received))
            .map_err(|e| Error::internal("the first event of a dossier", e))?;
        let sector = record.procedure.sector.clone();
        let Some(row) = rules.iter().find(|r| r.sector_code == sector) else {
            return Ok(None);
        };
        let Some(rule) = Rule::parse(&row.rule, row.assignee_id.as_deref()) else {
            return Ok(None);
        };
        let specialists: Vec<String> = store::specialist_load(conn, &row.agency_id, &sector)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let Some(chosen) = rule.pick(&specialists) else {
            return Ok(None);
        };
        let Some(user) = motcua_store::users::by_id(conn, chosen).await? else {
            return Ok(None);
        };
        let facts = Facts {
            actor: actor_of(actor),
            roles: actor.roles.clone(),
            reason: Some(AUTO_ASSIGNED.to_owned()),
        };
        if permitted(&record, Verb::Assign, &facts).is_err() {
            return Ok(None);
        }
        let event = transition(
            &record,
            Command::Assign {
                assignee_id: user.id,
                username: user.username,
            },
            &facts,
            self.now(),
            cal,
        )
        .map_err(|r| refusal(r, &record.code))?;
        Ok(Some(event))
    }

    /// Takes `verb` on the dossier `code` for `actor`. `command` builds the
    /// domain's command once the dossier is loaded and the table allows the verb
    /// (it may read in the transaction: an assignment picks a specialist), with the
    /// files the command names, already in the blob store (`store_blobs`): the
    /// write transaction does not wait on the disk.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn change_dossier(
        &self,
        request: &Request,
        actor: &Actor,
        code: &str,
        expected_version: Option<i64>,
        verb: Verb,
        reason: Option<String>,
        command: impl AsyncFnOnce(&mut Conn, &Record, &AgencyRow) -> Result<(Command, Vec<NewFile>)>,
    ) -> Result<Dossier> {
        let mut tx = self.begin_write_as(actor).await?;
        if let Some(answer) = request.replay(&mut tx, self.now_ms()).await? {
            return Ok(answer);
        }
        let before = store::load(&mut tx, code)
            .await?
            .ok_or_else(|| not_found(code))?;
        let agency = agencies::by_id(&mut tx, &before.dossier.agency_id)
            .await?
            .ok_or_else(|| not_found(code))?;
        // Readable but not one's own to handle (a supervisor's) is a refusal.
        actor
            .require(Action::ReadDossier, &agency.path)
            .map_err(|e| unknown_outside(actor, &agency.path, e, code))?;
        actor.require(Action::HandleDossier, &agency.path)?;
        if expected_version.is_some_and(|v| v != before.dossier.version) {
            return Err(changed(&before.dossier));
        }
        let facts = Facts {
            actor: actor_of(actor),
            roles: actor.roles.clone(),
            reason,
        };
        let refused = |r| refusal(r, code);
        permitted(&before.dossier, verb, &facts).map_err(refused)?;
        let (command, files) = command(&mut tx, &before.dossier, &agency).await?;
        let cal = self
            .working_calendar_in(&mut tx, Some(&agency.code))
            .await?;
        let event =
            transition(&before.dossier, command, &facts, self.now(), &cal).map_err(refused)?;
        let mut events = vec![event.clone()];
        let mut files = files;
        if verb == Verb::SubmitForApproval {
            for extension in self.extensions() {
                extension
                    .before_submission(self, &mut tx, &before.dossier)
                    .await?;
            }
        }
        if verb == Verb::Approve {
            // What the modules write with the approval (a register entry and its
            // extract, the result), or the approval is refused.
            let mut approved = before.dossier.clone();
            apply(&mut approved, &event);
            for extension in self.extensions() {
                for (attach, file) in extension
                    .on_approval(self, &mut tx, actor, &before.dossier, &agency)
                    .await?
                {
                    let attached =
                        transition(&approved, attach, &facts, self.now(), &cal).map_err(refused)?;
                    apply(&mut approved, &attached);
                    events.push(attached);
                    files.push(file);
                }
            }
        }
        let id = before.dossier.id.clone();
        let Some(stored) = self
            .write_events(&mut tx, Some(&before), &id, &events, &files)
            .await?
        else {
            // Someone else's change came first: say what the dossier is now.
            drop(tx);
            let mut conn = self.db.read().await?;
            let now = store::load(&mut conn, code)
                .await?
                .ok_or_else(|| not_found(code))?;
            return Err(changed(&now.dossier));
        };
        let answer = self
            .announce_and_answer(&mut tx, &agency.name, &stored, &event, Some(actor))
            .await?;
        request.remember(&mut tx, &answer).await?;
        tx.commit().await?;
        self.dossiers_changed(&agency.id);
        Ok(answer)
    }

    /// Appends `events` to the dossier `id` (new when `before` is none) and writes
    /// its row as their fold. None when the row was no longer at `before`'s
    /// version: someone else changed it first, and nothing was written.
    pub(crate) async fn write_events(
        &self,
        tx: &mut Tx,
        before: Option<&StoredDossier>,
        id: &str,
        events: &[Event],
        files: &[NewFile],
    ) -> Result<Option<StoredDossier>> {
        let (mut seq, mut prev) = match before {
            None => (0, GENESIS.to_vec()),
            Some(b) => (b.last_seq, b.last_hash.clone()),
        };
        let mut rows = Vec::with_capacity(events.len());
        let mut stored_events = Vec::with_capacity(events.len());
        for e in events {
            seq += 1;
            let mut row = EventRow::of(id, seq, e);
            row.hash = event_hash(&row, &prev);
            prev.clone_from(&row.hash);
            // The row is the fold of the events as stored (instants to the
            // millisecond), so that rebuilding it later gives the same value.
            stored_events.push(row.event()?);
            rows.push(row);
        }
        let dossier = match before {
            Some(b) => {
                let mut d = b.dossier.clone();
                for e in &stored_events {
                    apply(&mut d, e);
                }
                d
            }
            None => fold(id, &stored_events)
                .map_err(|e| Error::internal("the first events of a dossier", e))?,
        };
        let stored = StoredDossier {
            dossier,
            last_seq: seq,
            last_hash: prev,
            reminded_at: before.and_then(|b| b.reminded_at),
            scanned_documents: before.map_or(0, |b| b.scanned_documents).saturating_add(
                u32::try_from(files.iter().filter(|f| f.kind == DOCUMENT).count())
                    .unwrap_or(u32::MAX),
            ),
        };
        let row = stored.row();
        if let Some(b) = before {
            // The row first: its conditional update takes the row lock, so a second
            // officer acting at once waits here and is then told it changed.
            if !store::update(tx, &row, b.dossier.version).await? {
                return Ok(None);
            }
        } else {
            store::insert(tx, &row).await?;
        }
        for e in &rows {
            store::insert_event(tx, e).await?;
        }
        let now = self.now_ms();
        for f in files {
            store::insert_file(
                tx,
                &FileRow {
                    id: f.id.clone(),
                    dossier_id: id.to_owned(),
                    kind: f.kind.to_owned(),
                    name: f.name.clone(),
                    content_type: f.content_type.clone(),
                    size: f.bytes.len() as i64,
                    sha256: f.sha256.clone(),
                    created_at: now,
                },
            )
            .await?;
        }
        Ok(Some(stored))
    }

    /// Puts the files' bytes in the blob store, before the write transaction:
    /// blobs are content-addressed, so one left behind by a refusal or a rollback
    /// is never named and harms nothing.
    pub(crate) fn store_blobs(&self, files: Vec<NewFile>) -> Result<Vec<NewFile>> {
        files.into_iter().map(|f| self.store_blob(f)).collect()
    }

    pub(crate) fn store_blob(&self, mut f: NewFile) -> Result<NewFile> {
        if !f.bytes.is_empty() {
            f.sha256 = self.blobs().put(&f.bytes)?;
        }
        Ok(f)
    }

    /// Tells the citizen about `event` through the outbox, and the answer to the
    /// request that made it.
    async fn announce_and_answer(
        &self,
        conn: &mut Conn,
        agency_name: &str,
        stored: &StoredDossier,
        event: &Event,
        viewer: Option<&Actor>,
    ) -> Result<Dossier> {
        if let Some(n) = notice(&event.change) {
            announce(self, conn, &stored.dossier, agency_name, n).await?;
        }
        self.to_dossier(conn, &stored.dossier, viewer).await
    }
}

pub(crate) fn refusal(r: Refusal, code: &str) -> Error {
    match r {
        Refusal::WrongState { .. } => {
            Error::Conflict(format!("{} (Hồ sơ {code}.)", r.message_vi()))
        }
        Refusal::Role { .. } | Refusal::NotAssignee => Error::Forbidden(r.message_vi()),
        Refusal::ReasonMissing { .. } => Error::field("reason", r.message_vi()),
        Refusal::NoResult => Error::field("result", r.message_vi()),
        Refusal::SupplementUsed | Refusal::ExtensionUsed => Error::Conflict(r.message_vi()),
        Refusal::Invalid { field, message } => Error::field(field, message),
        Refusal::Calendar(detail) => Error::Internal(format!("calendar: {detail}")),
    }
}

pub(crate) fn local_day(t: Timestamp) -> Date {
    t.to_zoned(vietnam_time_zone()).date()
}

/// The next code of the day at an agency, inside the caller's transaction.
pub(crate) async fn next_code(
    conn: &mut Conn,
    agency_id: &str,
    agency_code: &str,
    day: Date,
) -> Result<String> {
    let seq = store::next_seq(conn, agency_id, &day_part(day)).await?;
    let seq = u32::try_from(seq).map_err(|_| Error::Internal("sequence overflow".into()))?;
    Ok(DossierCode::new(agency_code, day, seq).to_string())
}

/// The facts of `row` for a notice, and the notice written to the outbox.
pub(crate) async fn announce(
    app: &crate::App,
    conn: &mut Conn,
    d: &Record,
    agency_name: &str,
    notice: Notice,
) -> Result<()> {
    let due = d
        .due_at
        .map(|t| motcua_docs::format::time_date_vn(motcua_docs::format::vietnam_datetime(t)))
        .unwrap_or_default();
    let a = &d.details.applicant;
    let facts = notices::Facts {
        dossier_id: &d.id,
        code: &d.code,
        agency: agency_name,
        procedure: &d.procedure.name,
        applicant: &a.full_name,
        due: &due,
        missing: &d.details.missing,
        email: a.email.as_deref(),
        phone: a.phone.as_deref(),
    };
    app.notify(conn, notice, &facts, app.now_ms()).await?;
    Ok(())
}
