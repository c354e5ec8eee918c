//! The electronic certified copy (chứng thực bản sao điện tử từ bản chính): the
//! scan of the original is numbered in the book, rendered with its
//! certification page and QR code, signed by the agency's leader, stored, and
//! recorded as an issued document with the signed file's SHA-256.

use std::collections::HashMap;
use std::sync::Arc;

use motcua_docs::certified_copy::{prepare_scan, scan_pages, CopyMetadata, PreparedScan};
use motcua_domain::access::Action;
use motcua_domain::calendar::vietnam_time_zone;
use motcua_domain::certification::{self as domain, Kind, SignatureMode};
use motcua_store::agencies;
use motcua_store::certifications as store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::record::{check, Recording};
use super::{Certification, CertificationInput, Certifications};
use crate::dossiers::Upload;
use crate::error::{Error, Result};
use crate::idempotency::Request;
use crate::principal::Actor;
use crate::signed_copy::{sign_prepared_copy, SignedCopy, SignedCopyError};
use crate::signing::SigningIdentity;

/// What the officer types beside the scan.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElectronicInput {
    pub requester_name: String,
    pub requester_id: String,
    pub document_name: String,
    /// Copies charged (one file is issued); 1 when absent.
    pub copies: Option<i64>,
    /// Username of the leader who signs; the agency's first leader when absent.
    pub signer: Option<String>,
    /// "Chủ tịch" when absent.
    pub signer_title: Option<String>,
}

/// A signed electronic copy, as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElectronicCopy {
    pub certification: Certification,
    /// Where the signed PDF is downloaded (signed-in officers).
    pub file_url: String,
    /// SHA-256 (hex) of the signed PDF, as the verification page shows it.
    pub sha256: String,
    pub size: i64,
    /// Whether the copy is PDF/A-2b.
    pub pdf_a: bool,
    /// Whose certificate signed it.
    pub signed_by: String,
}

/// Attempts at a copy rendered and signed before its number is claimed; a
/// copy that lost this many numbers to other certifications of its book (a
/// paper one recorded while it was signed) takes its number first, as the
/// last attempt, and is rendered and signed holding the book.
pub const OPTIMISTIC_ATTEMPTS: usize = 3;

/// The electronic copies of one book take turns in this process: each one's
/// number is claimed only after it is signed, so two at once would sign for
/// the same number and one of them sign again. Paper certifications do not
/// wait here.
#[derive(Default)]
pub(crate) struct CopyTurns {
    // One entry per agency, book and year that ever issued an electronic
    // copy here: a few hundred at a province, never pruned.
    books: std::sync::Mutex<HashMap<BookOf, Arc<tokio::sync::Mutex<()>>>>,
}

/// A book by agency id, book code and year.
type BookOf = (String, &'static str, i16);

impl CopyTurns {
    async fn take(
        &self,
        agency_id: &str,
        book_code: &'static str,
        year: i16,
    ) -> Result<tokio::sync::OwnedMutexGuard<()>> {
        let turn = {
            let mut books = self
                .books
                .lock()
                .map_err(|_| Error::Internal("copy turns poisoned".into()))?;
            books
                .entry((agency_id.to_owned(), book_code, year))
                .or_default()
                .clone()
        };
        Ok(turn.lock_owned().await)
    }
}

/// What a copy prints besides its number: known before it is numbered.
struct CopyDraft {
    kind: Kind,
    year: i16,
    today: jiff::civil::Date,
    now: jiff::Timestamp,
    requester_name: String,
    requester_id: String,
    place: String,
    parent_agency: String,
    agency: String,
    verify_url: String,
    who: SigningIdentity,
    signer_title: String,
    scan: Arc<PreparedScan>,
}

impl Certifications<'_> {
    /// Certifies an electronic copy of `scan` (PDF, JPEG or PNG): its number
    /// in the book, the copy with its certification page, signed, stored.
    ///
    /// The copy prints its number, so it is rendered and signed for the
    /// number the book would give next, outside any transaction; the
    /// transaction then claims exactly that number with the entry. If another
    /// certification took it meanwhile the copy is made again for the next
    /// one (see [`OPTIMISTIC_ATTEMPTS`]). Other writes never wait for a
    /// rendering or a token, and a copy that cannot be made takes no number
    /// (the book stays gap-free).
    pub async fn record_electronic(
        &self,
        actor: &Actor,
        input: &ElectronicInput,
        scan: &Upload,
        idempotency_key: Option<&str>,
    ) -> Result<ElectronicCopy> {
        let content_type = scan.content_type.clone().unwrap_or_default();
        // The scan is judged first: a refused upload takes no number.
        let pages = scan_pages(&scan.bytes, &content_type)
            .map_err(|e| Error::field("scan", e.to_string()))?;
        let c = check(&CertificationInput {
            kind: Kind::ElectronicCopy.as_str().to_owned(),
            signature_mode: None,
            requester_name: input.requester_name.clone(),
            requester_id: input.requester_id.clone(),
            document_name: input.document_name.clone(),
            pages: Some(i64::try_from(pages).unwrap_or(i64::MAX)),
            copies: input.copies,
            signer: input.signer.clone(),
            signer_title: input.signer_title.clone(),
        })?;
        actor.require(Action::Certify, &actor.agency.path)?;
        let (_, procedure) = self
            .dossiers()
            .procedure_for_agency(&actor.agency.id, c.kind.procedure_code())
            .await?;
        let quote = domain::quote(c.kind, &procedure.fees, c.pages, c.copies);
        let scan_sha = hex::encode(Sha256::digest(&scan.bytes));
        let request = Request::new(
            &actor.user_id,
            idempotency_key,
            &("certify_electronic", input, &scan_sha),
        )?;
        {
            let mut conn = self.db.read().await?;
            if let Some(answer) = request.answered(&mut conn).await? {
                return Ok(answer);
            }
        }
        let (signer_id, signer_name) = self.signer(actor, c.signer.as_deref()).await?;
        let agency = {
            let mut conn = self.db.read().await?;
            agencies::by_id(&mut conn, &actor.agency.id)
                .await?
                .ok_or_else(|| Error::Internal("the actor's agency vanished".into()))?
        };
        let parent_name = match &agency.parent_id {
            Some(id) => {
                let mut conn = self.db.read().await?;
                agencies::by_id(&mut conn, id)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default()
            }
            None => String::new(),
        };
        let bytes = scan.bytes.clone();
        let prepared = tokio::task::spawn_blocking(move || prepare_scan(&bytes, &content_type))
            .await
            .map_err(|e| Error::internal("scan task", e))?
            .map_err(|e| Error::from(SignedCopyError::from(e)))?;
        let id = motcua_store::new_id();
        let token = crate::secrets::random_token();
        let now = self.now();
        let now_ms = self.now_ms();
        let today = now.to_zoned(vietnam_time_zone()).date();
        let year = today.year();
        let draft = CopyDraft {
            kind: c.kind,
            year,
            today,
            now,
            requester_name: c.requester_name.clone(),
            requester_id: c.requester_id.clone(),
            place: crate::dossiers::place_of(&agency),
            parent_agency: parent_name,
            agency: agency.name.clone(),
            verify_url: self.verification_url(&token),
            who: SigningIdentity {
                user_id: signer_id.clone(),
                full_name: signer_name.clone(),
                title: format!("{} {}", c.signer_title, agency.name),
            },
            signer_title: c.signer_title.clone(),
            scan: Arc::new(prepared),
        };
        let recording = Recording {
            c: &c,
            quote: &quote,
            signer_id: &signer_id,
            signer_name: &signer_name,
            id: &id,
            token: &token,
            now_ms,
            year,
            sha256: None,
        };
        let book = store::BookKey {
            agency_id: &actor.agency.id,
            book_code: c.kind.book_code(),
            year,
        };
        let _turn = self
            .app
            .copy_turns
            .take(&actor.agency.id, c.kind.book_code(), year)
            .await?;
        // A repeat that waited for the first request's turn finds its answer.
        {
            let mut conn = self.db.read().await?;
            if let Some(answer) = request.answered(&mut conn).await? {
                return Ok(answer);
            }
        }
        for attempt in 1..=OPTIMISTIC_ATTEMPTS {
            let (volume, number) = {
                let mut conn = self.db.read().await?;
                store::peek_next_number(&mut conn, book).await?
            };
            let copy = self.sign_copy(&draft, volume, number).await?;
            let mut tx = self.begin_write_as(actor).await?;
            if let Some(answer) = request.replay(&mut tx, now_ms).await? {
                return Ok(answer);
            }
            match store::claim_number(&mut tx, book, volume, number, now_ms).await? {
                Some(numbered) => {
                    return self
                        .record_copy(tx, actor, &request, &recording, &numbered, copy)
                        .await;
                }
                None => {
                    tx.rollback().await?;
                    tracing::info!(
                        agency = %actor.agency.code,
                        number,
                        attempt,
                        "electronic copy: its number was taken meanwhile, made again"
                    );
                }
            }
        }
        // Lost every race: the number is taken first and held while the copy
        // is made, so that this one ends.
        let mut tx = self.begin_write_as(actor).await?;
        if let Some(answer) = request.replay(&mut tx, now_ms).await? {
            return Ok(answer);
        }
        let numbered =
            store::next_number(&mut tx, &actor.agency.id, c.kind.book_code(), year, now_ms).await?;
        let copy = self
            .sign_copy(&draft, numbered.volume, numbered.number)
            .await?;
        self.record_copy(tx, actor, &request, &recording, &numbered, copy)
            .await
    }

    /// The copy of `draft` numbered `number` in `volume`, rendered and
    /// signed on the blocking pool.
    async fn sign_copy(&self, draft: &CopyDraft, volume: i64, number: i64) -> Result<SignedCopy> {
        let label = domain::book_label(volume, draft.year, draft.kind.book_code());
        let statement = domain::statement_vi(
            draft.kind,
            SignatureMode::default(),
            number,
            &label,
            draft.today,
            &draft.requester_name,
            &draft.requester_id,
        );
        let meta = CopyMetadata {
            statement: statement.first().cloned().unwrap_or_default(),
            number: number.to_string(),
            book: label,
            date: draft.today,
            place: draft.place.clone(),
            parent_agency: draft.parent_agency.clone(),
            agency: draft.agency.clone(),
            signer_name: draft.who.full_name.clone(),
            signer_title: draft.signer_title.clone(),
            verify_url: draft.verify_url.clone(),
        };
        let app = (*self.app).clone();
        let who = draft.who.clone();
        let scan = draft.scan.clone();
        let now = draft.now;
        tokio::task::spawn_blocking(move || {
            let signer = app.signer_of(&who)?;
            sign_prepared_copy(app.pdf_engine(), &scan, &meta, signer.as_ref(), now)
                .map_err(Error::from)
        })
        .await
        .map_err(|e| Error::internal("signing task", e))?
    }

    /// Stores the signed copy and writes its entry with the number claimed in
    /// `tx`, and the answer for a repeat; commits.
    async fn record_copy(
        &self,
        mut tx: motcua_store::Tx,
        actor: &Actor,
        request: &Request,
        recording: &Recording<'_>,
        numbered: &store::Numbered,
        copy: SignedCopy,
    ) -> Result<ElectronicCopy> {
        let sha256 = self.blobs().put(&copy.pdf)?;
        let recording = Recording {
            sha256: Some(&sha256),
            ..*recording
        };
        let entry = self
            .record_in(&mut tx, actor, &recording, Some(numbered))
            .await?;
        let answer = ElectronicCopy {
            certification: self.answer(entry),
            file_url: format!("/api/v1/certifications/{}/copy.pdf", recording.id),
            sha256: sha256.clone(),
            size: i64::try_from(copy.pdf.len()).unwrap_or(i64::MAX),
            pdf_a: copy.pdf_a,
            signed_by: recording.signer_name.to_owned(),
        };
        request.remember(&mut tx, &answer).await?;
        tx.commit().await?;
        Ok(answer)
    }

    /// The signed PDF of an electronic copy, for an officer who may read the
    /// book: (file name, bytes).
    pub async fn copy_pdf(&self, actor: &Actor, id: &str) -> Result<(String, Vec<u8>)> {
        let not_found = || Error::NotFound("Việc chứng thực này không có bản sao điện tử.".into());
        let c = self.get(actor, id).await?;
        let mut conn = self.db.read().await?;
        let entry = store::entry(&mut conn, &c.id)
            .await?
            .ok_or_else(not_found)?;
        let token = entry.issued_token.ok_or_else(not_found)?;
        let issued = store::issued(&mut conn, &token)
            .await?
            .ok_or_else(not_found)?;
        let sha = issued.sha256.ok_or_else(not_found)?;
        let bytes = self.blobs().get(&sha)?;
        Ok((
            format!("ban-sao-dien-tu-{}.pdf", c.number.unwrap_or_default()),
            bytes,
        ))
    }

    /// The public verification page of an issued document.
    pub(crate) fn verification_url(&self, token: &str) -> String {
        format!(
            "{}/xac-minh/{token}",
            self.settings().public_url.trim_end_matches('/')
        )
    }
}
