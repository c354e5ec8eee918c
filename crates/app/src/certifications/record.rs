//! Recording a certification: on the spot with its number in the book, or, when
//! received after 15:00 or large, as an ordinary dossier through the dossier
//! module's counter intake (its write path, idempotency and outbox).

use motcua_domain::access::Action;
use motcua_domain::calendar::vietnam_time_zone;
use motcua_domain::certification::{self as domain, Disposition, Kind, SignatureMode};
use motcua_domain::personal_id::PersonalId;
use motcua_domain::user::Role;
use motcua_domain::validation::Errors;
use motcua_domain::{limits, text};
use motcua_store::certifications::{self as store, NewEntry, NewIssued};
use motcua_store::users;
use serde::{Deserialize, Serialize};

use super::{check_counts, parse_kind, Certification, Certifications};
use crate::dossiers::{ApplicantInput, DocumentInput, IntakeInput};
use crate::error::{Error, Result};
use crate::idempotency::Request;
use crate::principal::Actor;

/// A certification as the counter types it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificationInput {
    /// copy, signature, contract, contract_amendment, contract_correction, electronic_copy
    #[cfg_attr(feature = "openapi", schema(example = "copy"))]
    pub kind: String,
    /// For signatures: signed (default), fingerprint, or neither (can neither sign
    /// nor fingerprint).
    pub signature_mode: Option<String>,
    pub requester_name: String,
    /// The requester's 12-digit personal identification number.
    #[cfg_attr(feature = "openapi", schema(example = "001087012345"))]
    pub requester_id: String,
    /// The document certified, e.g. "Bằng tốt nghiệp trung học phổ thông".
    pub document_name: String,
    /// Pages of the original (copies are charged on them).
    pub pages: Option<i64>,
    pub copies: Option<i64>,
    /// Username of the person who signs the certification (a leader of the
    /// agency); the agency's first leader when absent.
    pub signer: Option<String>,
    /// The signer's title as printed, e.g. "Phó Chủ tịch"; "Chủ tịch" when absent.
    pub signer_title: Option<String>,
}

/// The input, checked.
pub(super) struct Checked {
    pub(super) kind: Kind,
    pub(super) mode: Option<SignatureMode>,
    pub(super) requester_name: String,
    pub(super) requester_id: String,
    pub(super) document_name: String,
    pub(super) pages: u32,
    pub(super) copies: u32,
    pub(super) signer: Option<String>,
    pub(super) signer_title: String,
}

pub(super) fn check(input: &CertificationInput) -> Result<Checked> {
    let mut errors = Errors::new();
    // Bounds first: nothing oversized is parsed further.
    // Every field is checked (not short-circuited), so every error shows at once.
    let checked: Vec<bool> = [
        (
            "kind",
            "Loại chứng thực",
            Some(input.kind.as_str()),
            limits::SHORT_CHARS,
        ),
        (
            "signature_mode",
            "Hình thức",
            input.signature_mode.as_deref(),
            limits::SHORT_CHARS,
        ),
        (
            "requester_name",
            "Họ tên người yêu cầu",
            Some(input.requester_name.as_str()),
            limits::NAME_CHARS,
        ),
        (
            "requester_id",
            "Số định danh cá nhân",
            Some(input.requester_id.as_str()),
            limits::SHORT_CHARS,
        ),
        (
            "document_name",
            "Tên giấy tờ",
            Some(input.document_name.as_str()),
            limits::DOCUMENT_NAME_CHARS,
        ),
        (
            "signer",
            "Người ký",
            input.signer.as_deref(),
            limits::SHORT_CHARS,
        ),
        (
            "signer_title",
            "Chức danh người ký",
            input.signer_title.as_deref(),
            limits::SHORT_CHARS,
        ),
    ]
    .into_iter()
    .map(|(field, label, value, max)| errors.check_opt_text(field, label, value, max, false))
    .collect();
    let bounded = checked.iter().all(|ok| *ok);
    if !bounded {
        return Err(errors.into());
    }
    let kind = parse_kind(&input.kind, &mut errors);
    let mode = match kind {
        Some(Kind::Signature) => {
            let s = input.signature_mode.as_deref().unwrap_or("");
            match SignatureMode::parse(s) {
                Some(m) => Some(m),
                None => {
                    errors.push(
                        "signature_mode",
                        "Hình thức là signed (ký), fingerprint (điểm chỉ) hoặc neither (không ký, không điểm chỉ được).",
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let requester_name = text::clean(&input.requester_name);
    if requester_name.is_empty() {
        errors.push(
            "requester_name",
            "Cần nhập họ, chữ đệm và tên người yêu cầu.",
        );
    }
    let requester_id = match PersonalId::parse(&input.requester_id) {
        Ok(id) => id.as_str().to_owned(),
        Err(e) => {
            errors.0.push(e.field_error("requester_id"));
            String::new()
        }
    };
    let document_name = text::clean(&input.document_name);
    if document_name.is_empty() {
        errors.push(
            "document_name",
            "Cần ghi tên giấy tờ, văn bản cần chứng thực.",
        );
    }
    let (pages, copies) = check_counts(kind, input.pages, input.copies, &mut errors);
    errors.into_result()?;
    let kind = kind.ok_or_else(|| Error::Internal("kind checked above".into()))?;
    Ok(Checked {
        kind,
        mode,
        requester_name,
        requester_id,
        document_name,
        pages,
        copies,
        signer: input
            .signer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        signer_title: input
            .signer_title
            .as_deref()
            .map(text::clean)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Chủ tịch".to_owned()),
    })
}

/// What a numbered certification writes besides its number (see
/// `Certifications::record_in`).
pub(super) struct Recording<'a> {
    pub(super) c: &'a Checked,
    pub(super) quote: &'a domain::FeeQuote,
    pub(super) signer_id: &'a str,
    pub(super) signer_name: &'a str,
    /// The entry's id.
    pub(super) id: &'a str,
    /// The issued document's verification token.
    pub(super) token: &'a str,
    pub(super) now_ms: i64,
    /// The book's year (local).
    pub(super) year: i16,
    /// The issued file's hash (an electronic copy).
    pub(super) sha256: Option<&'a str>,
}

/// What a same-day request remembers for a repeat: the entry it wrote (the
/// number is taken after the key is claimed), or, as stored before, the
/// whole answer.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SameDayAnswer {
    Entry { certification_entry: String },
    Answer(Box<Certification>),
}

impl Certifications<'_> {
    /// Records a certification received now at the actor's counter. Same-day cases
    /// get their number and book in one transaction with the entry and the issued
    /// document; a case received after 15:00 or with many pages or copies becomes an
    /// ordinary dossier with an appointment. Repeating a request with the same
    /// `idempotency_key` answers the first answer again.
    pub async fn record(
        &self,
        actor: &Actor,
        input: &CertificationInput,
        idempotency_key: Option<&str>,
    ) -> Result<Certification> {
        let c = check(input)?;
        actor.require(Action::Certify, &actor.agency.path)?;
        // The agency must perform the procedure (the catalogue's enabled list).
        let (_, procedure) = self
            .dossiers()
            .procedure_for_agency(&actor.agency.id, c.kind.procedure_code())
            .await?;
        let quote = domain::quote(c.kind, &procedure.fees, c.pages, c.copies);
        let now = self.now();
        match domain::disposition(now, c.kind, c.pages, c.copies) {
            Disposition::SameDay => {
                self.same_day(actor, input, &c, quote, idempotency_key)
                    .await
            }
            later => {
                self.as_dossier(actor, &c, quote, later, idempotency_key)
                    .await
            }
        }
    }

    /// The signer: the named user, or the agency's first leader.
    pub(super) async fn signer(
        &self,
        actor: &Actor,
        username: Option<&str>,
    ) -> Result<(String, String)> {
        let mut conn = self.db.read().await?;
        let leaders: Vec<String> = users::roles_in_agency(&mut conn, &actor.agency.id)
            .await?
            .into_iter()
            .filter(|(_, role)| role == Role::Leader.as_str())
            .map(|(id, _)| id)
            .collect();
        let user = match username {
            Some(name) => users::by_username(&mut conn, name)
                .await?
                .filter(|u| u.active && leaders.contains(&u.id))
                .ok_or_else(|| {
                    Error::field(
                        "signer",
                        format!("«{name}» không phải là lãnh đạo của cơ quan, không ký chứng thực được."),
                    )
                })?,
            None => {
                let mut found = None;
                for id in &leaders {
                    if let Some(u) = users::by_id(&mut conn, id).await?.filter(|u| u.active) {
                        found = Some(u);
                        break;
                    }
                }
                found.ok_or_else(|| {
                    Error::field(
                        "signer",
                        "Cơ quan chưa có lãnh đạo để ký chứng thực; quản trị viên cần gán vai trò lãnh đạo.",
                    )
                })?
            }
        };
        Ok((user.id, user.full_name))
    }

    async fn same_day(
        &self,
        actor: &Actor,
        input: &CertificationInput,
        c: &Checked,
        quote: domain::FeeQuote,
        idempotency_key: Option<&str>,
    ) -> Result<Certification> {
        // Everything that can be known before the write transaction is: the
        // transaction only checks the credential, claims the key and writes,
        // the book's number last (its row lock is what concurrent counters of
        // one agency queue on).
        let request = Request::new(&actor.user_id, idempotency_key, &("certify", input))?;
        let (signer_id, signer_name) = self.signer(actor, c.signer.as_deref()).await?;
        let id = motcua_store::new_id();
        let token = crate::secrets::random_token();
        let now_ms = self.now_ms();
        let year = self.now().to_zoned(vietnam_time_zone()).year();
        let recording = Recording {
            c,
            quote: &quote,
            signer_id: &signer_id,
            signer_name: &signer_name,
            id: &id,
            token: &token,
            now_ms,
            year,
            sha256: None,
        };
        let mut tx = self.begin_write_as(actor).await?;
        // The stored answer names the entry (its number is not known yet); a
        // repeat reads the entry back and answers the same.
        let stored = SameDayAnswer::Entry {
            certification_entry: id.clone(),
        };
        match request
            .replay_or_claim_with::<SameDayAnswer>(&mut tx, now_ms, &stored)
            .await?
        {
            None => {}
            Some(SameDayAnswer::Answer(answer)) => return Ok(*answer),
            Some(SameDayAnswer::Entry {
                certification_entry,
            }) => {
                let entry = store::entry(&mut tx, &certification_entry)
                    .await?
                    .ok_or_else(|| Error::Internal("a remembered entry vanished".into()))?;
                return Ok(self.answer(entry));
            }
        }
        let entry = self.record_in(&mut tx, actor, &recording, None).await?;
        tx.commit().await?;
        Ok(self.answer(entry))
    }

    /// The writes of a numbered certification, shared by the counter and the
    /// electronic copy: the book entry and its issued document, numbered with
    /// `numbered` (taken earlier in `tx` when the document prints its number)
    /// or, without, by taking the next number as the transaction's last write.
    /// Returns the entry as the book reads it, built rather than read back.
    pub(super) async fn record_in(
        &self,
        tx: &mut motcua_store::Conn,
        actor: &Actor,
        r: &Recording<'_>,
        numbered: Option<&store::Numbered>,
    ) -> Result<store::Entry> {
        let c = r.c;
        let book_code = c.kind.book_code();
        let fee_lines =
            serde_json::to_string(&r.quote.lines).map_err(|e| Error::internal("fee lines", e))?;
        let title = format!("{}: {}", c.kind.label_vi(), c.document_name);
        let year = r.year;
        let numbered = store::record_numbered(
            tx,
            self.db.engine(),
            store::BookKey {
                agency_id: &actor.agency.id,
                book_code,
                year,
            },
            &NewEntry {
                id: r.id,
                agency_id: &actor.agency.id,
                kind: c.kind,
                numbered: None,
                signature_mode: c.mode,
                requester_name: &c.requester_name,
                requester_id: &c.requester_id,
                document_name: &c.document_name,
                pages: c.pages,
                copies: c.copies,
                fee_total: r.quote.total,
                fee_lines: &fee_lines,
                signer_id: Some(r.signer_id),
                signer_title: Some(&c.signer_title),
                recorded_by: &actor.user_id,
                disposition: Disposition::SameDay.as_str(),
                dossier_id: None,
                issued_token: Some(r.token),
                created_at: r.now_ms,
            },
            &NewIssued {
                token: r.token,
                kind: "certification",
                agency_id: &actor.agency.id,
                number: None,
                book: None,
                title: &title,
                issued_at: r.now_ms,
                issued_by: r.signer_id,
                sha256: r.sha256,
            },
            numbered,
            &|volume| domain::book_label(volume, year, book_code),
        )
        .await?;
        Ok(store::Entry {
            id: r.id.to_owned(),
            agency_id: actor.agency.id.clone(),
            agency_code: actor.agency.code.clone(),
            agency_name: actor.agency.name.clone(),
            kind: c.kind,
            book: Some((book_code.to_owned(), year, numbered.volume)),
            number: Some(numbered.number),
            signature_mode: c.mode,
            requester_name: c.requester_name.clone(),
            requester_id: c.requester_id.clone(),
            document_name: c.document_name.clone(),
            pages: i64::from(c.pages),
            copies: i64::from(c.copies),
            fee_total: r.quote.total,
            fee_lines,
            signer_name: Some(r.signer_name.to_owned()),
            signer_title: Some(c.signer_title.clone()),
            recorded_by_name: actor.full_name.clone(),
            disposition: Disposition::SameDay.as_str().to_owned(),
            dossier_code: None,
            dossier_due_at: None,
            issued_token: Some(r.token.to_owned()),
            created_at: motcua_store::from_millis(r.now_ms),
        })
    }

    /// A case that cannot be served on the spot: the dossier module takes it in as an
    /// ordinary counter dossier (appointment, receipt, clock, outbox); the book
    /// entry names the dossier and gets its number when it is certified.
    async fn as_dossier(
        &self,
        actor: &Actor,
        c: &Checked,
        quote: domain::FeeQuote,
        disposition: Disposition,
        idempotency_key: Option<&str>,
    ) -> Result<Certification> {
        let intake = IntakeInput {
            procedure: c.kind.procedure_code().to_owned(),
            channel: Some("counter".into()),
            applicant: ApplicantInput {
                full_name: c.requester_name.clone(),
                personal_id: Some(c.requester_id.clone()),
                ..ApplicantInput::default()
            },
            documents: Some(vec![DocumentInput {
                name: c.document_name.clone(),
                originals: 1,
                certified_copies: 0,
                photocopies: u16::try_from(c.copies)
                    .unwrap_or(u16::MAX)
                    .min(limits::DOCUMENT_COPIES),
            }]),
            return_method: "counter".into(),
            pages: Some(c.pages),
            copies: Some(c.copies),
            fee_paid: Some(true),
            note: Some(disposition.reason_vi().to_owned()),
            ..IntakeInput::default()
        };
        let dossier = self
            .dossiers()
            .receive_with_limit(
                actor,
                &intake,
                idempotency_key,
                disposition == Disposition::Large,
            )
            .await?;
        let fee_lines =
            serde_json::to_string(&quote.lines).map_err(|e| Error::internal("fee lines", e))?;
        let id = motcua_store::new_id();
        let mut tx = self.begin_write_as(actor).await?;
        // A repeat of the request (the dossier replayed) finds the entry written
        // the first time.
        let existing = store::entry_of_dossier(&mut tx, &dossier.id).await?;
        let entry_id = match existing {
            Some(e) => e,
            None => {
                store::insert_entry(
                    &mut tx,
                    &NewEntry {
                        id: &id,
                        agency_id: &actor.agency.id,
                        kind: c.kind,
                        numbered: None,
                        signature_mode: c.mode,
                        requester_name: &c.requester_name,
                        requester_id: &c.requester_id,
                        document_name: &c.document_name,
                        pages: c.pages,
                        copies: c.copies,
                        fee_total: quote.total,
                        fee_lines: &fee_lines,
                        signer_id: None,
                        signer_title: None,
                        recorded_by: &actor.user_id,
                        disposition: disposition.as_str(),
                        dossier_id: Some(&dossier.id),
                        issued_token: None,
                        created_at: self.now_ms(),
                    },
                )
                .await?;
                id
            }
        };
        let entry = store::entry(&mut tx, &entry_id)
            .await?
            .ok_or_else(|| Error::Internal("the entry just written vanished".into()))?;
        tx.commit().await?;
        Ok(self.answer(entry))
    }

    /// Certifies a request that became a dossier (received late, or large) once it
    /// has been checked: the entry takes the next number of its book now, with its
    /// signer and an issued document for public verification, in one transaction.
    /// The dossier itself goes on through its own workflow (result ready, return).
    pub async fn certify_waiting(
        &self,
        actor: &Actor,
        id: &str,
        signer: Option<&str>,
        signer_title: Option<&str>,
    ) -> Result<Certification> {
        let mut errors = Errors::new();
        errors.check_opt_text("signer", "Người ký", signer, limits::SHORT_CHARS, false);
        errors.check_opt_text(
            "signer_title",
            "Chức danh người ký",
            signer_title,
            limits::SHORT_CHARS,
            false,
        );
        errors.into_result()?;
        let entry = self.get(actor, id).await?;
        actor.require(Action::Certify, &actor.agency.path)?;
        if entry.agency_code != actor.agency.code {
            return Err(Error::forbidden());
        }
        if entry.number.is_some() {
            return Err(Error::Conflict(format!(
                "Việc chứng thực này đã có số {} trong quyển {}.",
                entry.number.unwrap_or_default(),
                entry.book.as_deref().unwrap_or("")
            )));
        }
        let kind = Kind::parse(&entry.kind)
            .ok_or_else(|| Error::Internal(format!("stored kind {}", entry.kind)))?;
        let (signer_id, _) = self
            .signer(actor, signer.map(str::trim).filter(|s| !s.is_empty()))
            .await?;
        let title = signer_title
            .map(text::clean)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Chủ tịch".to_owned());
        let token = crate::secrets::random_token();
        let now_ms = self.now_ms();
        let year = self.now().to_zoned(vietnam_time_zone()).year();
        let mut tx = self.begin_write_as(actor).await?;
        let numbered =
            store::next_number(&mut tx, &actor.agency.id, kind.book_code(), year, now_ms).await?;
        if !store::number_entry(&mut tx, id, &numbered, &signer_id, &title, &token).await? {
            // Someone certified it meanwhile: the number taken here is given back.
            tx.rollback().await?;
            return Err(Error::Conflict(
                "Việc chứng thực này vừa được người khác vào sổ.".into(),
            ));
        }
        let label = domain::book_label(numbered.volume, year, kind.book_code());
        store::insert_issued(
            &mut tx,
            &NewIssued {
                token: &token,
                kind: "certification",
                agency_id: &actor.agency.id,
                number: Some(numbered.number),
                book: Some(&label),
                title: &format!("{}: {}", kind.label_vi(), entry.document_name),
                issued_at: now_ms,
                issued_by: &signer_id,
                sha256: None,
            },
        )
        .await?;
        let stored = store::entry(&mut tx, id)
            .await?
            .ok_or_else(|| Error::Internal("the entry just numbered vanished".into()))?;
        tx.commit().await?;
        Ok(self.answer(stored))
    }

    pub(crate) fn answer(&self, e: store::Entry) -> Certification {
        let book_label = e
            .book
            .as_ref()
            .map(|(code, year, volume)| domain::book_label(*volume, *year, code));
        let disposition = match e.disposition.as_str() {
            "late" => Disposition::Late,
            "large" => Disposition::Large,
            _ => Disposition::SameDay,
        };
        let statement = match (e.number, &book_label) {
            (Some(n), Some(book)) => domain::statement_vi(
                e.kind,
                e.signature_mode.unwrap_or_default(),
                n,
                book,
                e.created_at.to_zoned(vietnam_time_zone()).date(),
                &e.requester_name,
                &e.requester_id,
            ),
            _ => Vec::new(),
        };
        let lines: Vec<super::FeeLine> = serde_json::from_str(&e.fee_lines).unwrap_or_default();
        Certification {
            kind: e.kind.as_str().to_owned(),
            kind_label: e.kind.label_vi().to_owned(),
            disposition: disposition.as_str().to_owned(),
            message: disposition.reason_vi().to_owned(),
            number: e.number,
            book: book_label,
            book_name: e.kind.book().name.to_owned(),
            fee: super::Fee {
                total: e.fee_total,
                lines,
                in_words: text::money_in_words(e.fee_total),
            },
            requester_name: e.requester_name,
            requester_id: e.requester_id,
            document_name: e.document_name,
            pages: e.pages,
            copies: e.copies,
            signature_mode: e.signature_mode.map(|m| m.as_str().to_owned()),
            signer_name: e.signer_name,
            signer_title: e.signer_title,
            recorded_by: e.recorded_by_name,
            agency_code: e.agency_code,
            agency_name: e.agency_name,
            created_at: e.created_at,
            statement,
            verification_url: e.issued_token.map(|t| {
                format!(
                    "{}/xac-minh/{t}",
                    self.settings().public_url.trim_end_matches('/')
                )
            }),
            dossier_code: e.dossier_code,
            due_at: e.dossier_due_at,
            id: e.id,
        }
    }
}
