//! Register entries in the dossier flow: a civil-status dossier declares its
//! entry's facts at intake (checked by the domain, `dossier::civil_facts`), the
//! specialist sees possible duplicates before approval, and the leader's approval
//! writes the entry (or the note on an existing one) and its extract in the
//! approval's own transaction, through the dossier core's [`Extension`]. Which
//! procedures do this is catalogue data (`Procedure::civil_register`).

use std::collections::BTreeMap;

use motcua_domain::civil::{self, Cell, Kind, NoteKind};
use motcua_domain::dossier::civil_facts::{cells_of, drafts, missing_for_approval, NO_ENTRY_NAMED};
use motcua_domain::dossier::{CivilFacts, Command, Dossier as Record};
use motcua_domain::procedure::{CivilRegistration, CivilWrite};
use motcua_domain::{limits, text};
use motcua_store::agencies::AgencyRow;
use motcua_store::registers as store;
use motcua_store::Conn;
use serde::Serialize;

use super::{EntrySummary, Registers, Source};
use crate::dossiers::{Attachments, Dossiers, Extension, NewFile, Step};
use crate::error::{Error, Result};
use crate::principal::Actor;
use crate::Principal;

/// An approval refused, saying why.
fn refused(why: impl std::fmt::Display) -> Error {
    Error::Conflict(format!("Không phê duyệt được: {why}"))
}

/// The result file an approval attaches: the extract of the entry it wrote.
pub(crate) struct ApprovalResult {
    pub name: String,
    pub pdf: Vec<u8>,
    /// The issued extract's verification token: its recorded hash follows the
    /// file if it is signed.
    pub token: String,
}

/// What a civil-status dossier's page shows: what it writes, what it wrote, and
/// the entries that may already record the same event.
#[derive(Debug, Clone, Serialize)]
pub struct DossierRegister {
    /// What the procedure's approval writes (the catalogue's rule).
    pub registration: CivilRegistration,
    /// "Khai sinh", "Thay đổi, cải chính, bổ sung"
    pub writes_label: String,
    /// The declared facts, labelled, as typed.
    pub declared: Vec<(String, String)>,
    /// The entry the approval wrote, or the entry a correction changed.
    pub entry_id: Option<String>,
    /// The entry written in the second register (`CivilRegistration::also`).
    pub also_entry_id: Option<String>,
    pub possible_duplicates: Vec<EntrySummary>,
    /// What the specialist must still record before submitting (none: ready).
    pub missing: Option<&'static str>,
}

fn writes_label(reg: CivilRegistration) -> String {
    match (reg.writes, reg.kind) {
        (CivilWrite::Note, _) => "Thay đổi, cải chính, bổ sung thông tin hộ tịch".into(),
        (CivilWrite::Extract, _) => "Cấp bản sao trích lục hộ tịch".into(),
        (CivilWrite::Termination, k) => format!(
            "Chấm dứt {}",
            k.map(|k| k.label_vi().to_lowercase()).unwrap_or_default()
        ),
        (CivilWrite::Entry, Some(k)) if reg.also.is_some() => format!(
            "{} kết hợp {}",
            k.label_vi(),
            reg.also
                .map(|a| a.label_vi().to_lowercase())
                .unwrap_or_default()
        ),
        (CivilWrite::Entry, Some(k)) if reg.re_registration => {
            format!("{} (đăng ký lại)", k.label_vi())
        }
        (CivilWrite::Entry, Some(k)) => k.label_vi().into(),
        (CivilWrite::Entry, None) => String::new(),
    }
}

impl Registers<'_> {
    /// The entry of `agency` at `number` in the book printed `label` (of `kind`
    /// when the procedure names one; of the year `year`, or the label's "/yyyy").
    /// Books of several kinds under the same label and year are ambiguous: refused.
    async fn entry_by_book_number(
        &self,
        conn: &mut Conn,
        agency: &AgencyRow,
        kind: Option<Kind>,
        label: &str,
        year: Option<i64>,
        number: i64,
    ) -> Result<Option<String>> {
        let year = year.or_else(|| label.rsplit('/').next().and_then(|y| y.parse().ok()));
        let books = store::books_of(conn, &agency.id, kind.map(Kind::as_str)).await?;
        let found: Vec<_> = books
            .iter()
            .filter(|b| {
                civil::names_book(label, &b.label, b.year) && year.is_none_or(|y| b.year == y)
            })
            .collect();
        let book = match found.as_slice() {
            [] => return Ok(None),
            [b] => *b,
            _ => {
                return Err(Error::Conflict(
                    "Có nhiều quyển cùng số hiệu: hãy ghi năm của sổ (entry_book_year) hoặc mã mục đăng ký (entry_id).".into(),
                ))
            }
        };
        Ok(store::entry_by_number(conn, &book.id, number)
            .await?
            .map(|e| e.id))
    }

    /// The entry a correction or an extract names, among the agency's own: by
    /// its id, else by its book and number. None when it names none, or none the
    /// agency holds.
    async fn named_entry(
        &self,
        conn: &mut Conn,
        agency: &AgencyRow,
        reg: CivilRegistration,
        facts: &CivilFacts,
    ) -> Result<Option<String>> {
        match (&facts.entry_id, &facts.entry_book, facts.entry_number) {
            (Some(id), _, _) => Ok(store::entry(conn, id)
                .await?
                .filter(|e| e.agency_id == agency.id)
                .map(|e| e.id)),
            (None, Some(book), Some(number)) => {
                self.entry_by_book_number(
                    conn,
                    agency,
                    reg.kind,
                    book,
                    facts.entry_book_year,
                    number,
                )
                .await
            }
            _ => Ok(None),
        }
    }
}

impl Registers<'_> {
    /// Writes what the approval of `dossier` puts in the registers, inside the
    /// approval's transaction: a new entry numbered next in the agency's open book
    /// of its kind and year, or the note on the entry a correction names; then the
    /// extract, the dossier's result (two entries and two extracts for a birth
    /// combined with recognition). None for a dossier of another procedure. An
    /// error (a closed book, a clash, facts that no longer hold) refuses the
    /// approval, and the caller's rollback leaves nothing written.
    async fn on_approval(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        dossier: &Record,
        agency: &AgencyRow,
    ) -> Result<Vec<ApprovalResult>> {
        let procedure = self
            .procedure_version_in(conn, &dossier.procedure.code, dossier.procedure.version)
            .await?;
        let Some(reg) = procedure.civil_register else {
            return Ok(Vec::new());
        };
        // An approval of a civil-status dossier is its registration: without
        // the facts (a dossier received without them, or before the registers
        // joined the flow) it would approve a registration that no register
        // holds. The specialist records them first («Ghi nội dung hộ tịch»).
        if let Some(why) = missing_for_approval(reg, dossier.details.civil.as_ref()) {
            return Err(refused(why));
        }
        let facts = dossier.details.civil.clone().unwrap_or_default();
        let by = Principal::User(actor.clone());
        let today = self
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date();
        let mut copies = 1;
        let entries: Vec<String> = match reg.writes {
            CivilWrite::Entry => {
                let mut cells = cells_of(&facts.fields);
                cells.insert(
                    civil::REGISTERED_ON.into(),
                    Cell::Text(today.strftime("%d/%m/%Y").to_string()),
                );
                let mut ids = Vec::new();
                for draft in drafts(reg, &cells)? {
                    let row = self
                        .write_entry(
                            conn,
                            agency,
                            &draft,
                            Source::Dossier,
                            Some(&dossier.id),
                            Some(&actor.user_id),
                        )
                        .await
                        .map_err(|e| match e {
                            Error::Conflict(m) => refused(m),
                            other => other,
                        })?;
                    ids.push(row.id);
                }
                ids
            }
            CivilWrite::Note => {
                let note_kind = facts.note_kind.clone().unwrap_or_default();
                let cells = cells_of(&facts.fields);
                vec![
                    self.note_of_dossier(
                        conn, &by, agency, reg, dossier, &facts, &note_kind, &cells,
                    )
                    .await?,
                ]
            }
            CivilWrite::Termination => {
                let ending = reg
                    .kind
                    .and_then(Kind::ending_field)
                    .ok_or_else(|| Error::Internal("termination without an ending field".into()))?;
                let on = today.strftime("%d/%m/%Y").to_string();
                let cells = BTreeMap::from([(ending.as_str().to_owned(), Cell::Text(on))]);
                let kind = NoteKind::Termination.as_str();
                vec![
                    self.note_of_dossier(conn, &by, agency, reg, dossier, &facts, kind, &cells)
                        .await?,
                ]
            }
            CivilWrite::Extract => {
                copies = u32::from(facts.copies.unwrap_or(1));
                vec![
                    self.entry_named_or_refused(conn, agency, reg, &facts)
                        .await?,
                ]
            }
        };
        let mut results = Vec::with_capacity(entries.len());
        for entry_id in &entries {
            let extract = self
                .extract_in(conn, &by, entry_id, copies, None)
                .await
                .map_err(|e| match e {
                    Error::NotFound(_) => refused("không tìm thấy mục đăng ký hộ tịch của hồ sơ."),
                    other => other,
                })?;
            let name = match reg.writes {
                CivilWrite::Entry if reg.also.is_none() => {
                    format!("{} — trích lục (bản sao)", writes_label(reg))
                }
                _ => extract.title,
            };
            results.push(ApprovalResult {
                name,
                pdf: extract.pdf,
                token: extract.token,
            });
        }
        Ok(results)
    }

    /// The dated note (of `note_kind`, setting `cells`) the approval of `dossier`
    /// adds to the entry its facts name, today; the entry's id. Anything that
    /// stops it refuses the approval, saying why.
    #[allow(clippy::too_many_arguments)]
    async fn note_of_dossier(
        &self,
        conn: &mut Conn,
        by: &Principal,
        agency: &AgencyRow,
        reg: CivilRegistration,
        dossier: &Record,
        facts: &CivilFacts,
        note_kind: &str,
        cells: &BTreeMap<String, Cell>,
    ) -> Result<String> {
        let id = self
            .entry_named_or_refused(conn, agency, reg, facts)
            .await?;
        let today = self
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date()
            .strftime("%d/%m/%Y")
            .to_string();
        self.note_in(
            conn,
            by,
            &id,
            note_kind,
            &today,
            cells,
            facts.reason.as_deref().unwrap_or_default(),
            Some(&format!("Hồ sơ {}", dossier.code)),
            Some(&dossier.id),
        )
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => {
                refused("không tìm thấy mục đăng ký hộ tịch mà hồ sơ yêu cầu ghi chú.")
            }
            Error::Conflict(m) => refused(m),
            Error::Invalid(errors) => refused(
                errors
                    .0
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            other => other,
        })?;
        Ok(id)
    }

    /// [`Registers::named_entry`], or the approval's refusal saying what is missing.
    async fn entry_named_or_refused(
        &self,
        conn: &mut Conn,
        agency: &AgencyRow,
        reg: CivilRegistration,
        facts: &CivilFacts,
    ) -> Result<String> {
        match (
            self.named_entry(conn, agency, reg, facts).await?,
            &facts.entry_book,
            facts.entry_number,
        ) {
            (Some(id), _, _) => Ok(id),
            (None, Some(book), Some(number)) if facts.entry_id.is_none() => Err(refused(format!(
                "không có mục số {number} của quyển {book} trong sổ hộ tịch của cơ quan."
            ))),
            (None, _, _) if facts.entry_id.is_some() => Err(refused(
                "không tìm thấy mục đăng ký hộ tịch mà hồ sơ nêu trong sổ của cơ quan.",
            )),
            _ => Err(refused(NO_ENTRY_NAMED)),
        }
    }

    /// The register side of a civil-status dossier, for its page: what it writes,
    /// the entry it wrote (or changes), and possible duplicates before approval
    /// (the same folded name with the same date of birth or mother's name).
    pub async fn of_dossier(&self, actor: &Actor, code: &str) -> Result<Option<DossierRegister>> {
        let mut conn = self.db.read().await?;
        let code = code.trim().to_ascii_uppercase();
        let not_found = || Error::NotFound(format!("Không tìm thấy hồ sơ mã «{code}»."));
        if code.len() > limits::SHORT_CHARS {
            return Err(not_found());
        }
        let stored = motcua_store::dossiers::load(&mut conn, &code)
            .await?
            .ok_or_else(not_found)?;
        let dossier = &stored.dossier;
        let agency = motcua_store::agencies::by_id(&mut conn, &dossier.agency_id)
            .await?
            .ok_or_else(not_found)?;
        actor
            .require(motcua_domain::access::Action::ReadDossier, &agency.path)
            .map_err(|_| not_found())?;
        self.of_loaded_dossier(&mut conn, actor, dossier).await
    }

    /// [`Registers::of_dossier`] for a dossier already read, and its access
    /// checked, on `conn`.
    async fn of_loaded_dossier(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        dossier: &motcua_domain::dossier::Dossier,
    ) -> Result<Option<DossierRegister>> {
        let procedure = self
            .procedure_version_in(conn, &dossier.procedure.code, dossier.procedure.version)
            .await?;
        let Some(reg) = procedure.civil_register else {
            return Ok(None);
        };
        let facts = dossier.details.civil.clone().unwrap_or_default();
        let declared = facts
            .fields
            .iter()
            .map(|(k, v)| {
                (
                    civil::Field::parse(k).map_or(k.clone(), |f| f.label_vi().to_owned()),
                    v.clone(),
                )
            })
            .collect();
        let mut also_entry_id = None;
        let wrote = match reg.writes {
            CivilWrite::Entry => {
                let mut first = None;
                for e in store::entries_of_dossier(conn, &dossier.id).await? {
                    if Some(e.kind.as_str()) == reg.kind.map(Kind::as_str) {
                        first = Some(e.id);
                    } else {
                        also_entry_id = Some(e.id);
                    }
                }
                first
            }
            CivilWrite::Note | CivilWrite::Termination | CivilWrite::Extract => {
                let noted = match reg.writes {
                    CivilWrite::Extract => None,
                    _ => store::noted_entry_of_dossier(conn, &dossier.id).await?,
                };
                match (
                    noted,
                    motcua_store::agencies::by_id(conn, &dossier.agency_id).await?,
                ) {
                    (Some(id), _) => Some(id),
                    (None, Some(agency)) => self.named_entry(conn, &agency, reg, &facts).await?,
                    (None, None) => None,
                }
            }
        };
        let mut possible_duplicates = Vec::new();
        if let (CivilWrite::Entry, Some(kind), None) = (reg.writes, reg.kind, &wrote) {
            possible_duplicates = self
                .duplicates(conn, actor, &dossier.agency_id, kind, &facts)
                .await?;
        }
        Ok(Some(DossierRegister {
            registration: reg,
            writes_label: writes_label(reg),
            declared,
            entry_id: wrote,
            also_entry_id,
            possible_duplicates,
            missing: missing_for_approval(reg, dossier.details.civil.as_ref()),
        }))
    }

    async fn duplicates(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        agency_id: &str,
        kind: Kind,
        facts: &CivilFacts,
    ) -> Result<Vec<EntrySummary>> {
        let Some(name) = facts.fields.get(kind.name_field().as_str()) else {
            return Ok(Vec::new());
        };
        let dob = facts
            .fields
            .get(kind.birth_field().as_str())
            .and_then(|d| civil::parse_date_text(d))
            .map(|d| d.to_string());
        let mother = facts
            .fields
            .get(civil::Field::MotherName.as_str())
            .map(|m| text::fold(m));
        if !actor.may(
            motcua_domain::access::Action::ReadRegister,
            &actor.agency.path,
        ) {
            return Ok(Vec::new());
        }
        let rows = store::possible_duplicates(
            conn,
            agency_id,
            kind.as_str(),
            &text::fold(name),
            dob.as_deref(),
            mother.as_deref(),
        )
        .await?;
        Ok(rows.into_iter().map(EntrySummary::from).collect())
    }
}

/// The registers' part in a dossier's life ([`Extension`]): a civil-status
/// dossier goes before the leader only with what its approval needs, and its
/// approval writes the registers.
pub(crate) struct OnDossiers;

impl Extension for OnDossiers {
    fn before_submission<'a>(
        &'a self,
        dossiers: &'a Dossiers<'a>,
        conn: &'a mut Conn,
        dossier: &'a Record,
    ) -> Step<'a, ()> {
        Box::pin(ready_for_approval(dossiers, conn, dossier))
    }

    fn on_approval<'a>(
        &'a self,
        dossiers: &'a Dossiers<'a>,
        conn: &'a mut Conn,
        actor: &'a Actor,
        dossier: &'a Record,
        agency: &'a AgencyRow,
    ) -> Step<'a, Attachments> {
        Box::pin(attachments_of_approval(
            dossiers, conn, actor, dossier, agency,
        ))
    }
}

/// Refuses to put a civil-status dossier before the leader while its approval
/// would be refused for want of facts, or of the entry an extract, a change or
/// a termination names: the specialist records them first. The approval checks
/// again (a dossier may have been submitted before this).
async fn ready_for_approval(
    dossiers: &Dossiers<'_>,
    conn: &mut Conn,
    dossier: &Record,
) -> Result<()> {
    let procedure = dossiers
        .procedure_version_in(conn, &dossier.procedure.code, dossier.procedure.version)
        .await?;
    let Some(reg) = procedure.civil_register else {
        return Ok(());
    };
    match missing_for_approval(reg, dossier.details.civil.as_ref()) {
        Some(why) => Err(Error::Conflict(format!("Chưa trình lãnh đạo được: {why}"))),
        None => Ok(()),
    }
}

/// The approval's register write (see [`Registers::on_approval`]) as the
/// commands that attach its extracts, signed by the approving leader, and the
/// extracts' files in the blob store.
async fn attachments_of_approval(
    dossiers: &Dossiers<'_>,
    conn: &mut Conn,
    actor: &Actor,
    dossier: &Record,
    agency: &AgencyRow,
) -> Result<Attachments> {
    let results = dossiers
        .registers()
        .on_approval(conn, actor, dossier, agency)
        .await?;
    let mut out = Vec::with_capacity(results.len());
    for result in results {
        let unsigned = NewFile::new("result", result.name, "application/pdf".into(), result.pdf);
        // Signed by the leader approving, as a result attached later would be;
        // the issued extract then answers for the signed file.
        let (file, signed) = dossiers
            .sign_at_approval(conn, dossier, agency, unsigned, &actor.user_id)
            .await?;
        if signed {
            store::set_extract_sha256(conn, &result.token, &file.sha256).await?;
        }
        out.push((
            Command::AttachResult {
                name: file.name.clone(),
                file_id: Some(file.id.clone()),
                signed,
            },
            file,
        ));
    }
    Ok(out)
}
