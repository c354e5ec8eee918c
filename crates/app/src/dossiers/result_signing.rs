//! Dossier results signed with the approving leader's certificate: a PDF
//! attached to an approved dossier is signed (the same signer as electronic
//! certified copies) before it is stored, and the signature recorded in the
//! same transaction as the attachment, so that the dossier page shows who signed
//! and when and reports can count the signing rate.
//!
//! The signing itself (an RSA operation and a pass over the PDF) happens before
//! the write transaction, as the files' bytes are stored before it: on SQLite
//! the transaction holds the one write lock, which every counter of the
//! commune waits for. The transaction uses that copy when its signer is still
//! the leader who approved; otherwise (another approval came in between, or
//! nothing was signed ahead) it signs inside, as before.

use motcua_domain::access::Action;
use motcua_domain::dossier::Dossier as Record;
use motcua_sign::{sign_pdf, SignOptions};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::dossiers as dossier_store;
use motcua_store::result_signatures::{self as store, NewSignature};
use motcua_store::{users, Conn};

use super::write::NewFile;
use super::Dossiers;
use crate::error::{Error, Result};
use crate::principal::Actor;
use crate::signing::SigningIdentity;

/// A result signed by the leader `signed_by` (a user id).
pub(crate) struct SignedResult {
    pub file: NewFile,
    pub signed_by: String,
}

impl Dossiers<'_> {
    /// `file` signed ahead of the write transaction that attaches it to the
    /// dossier `code`, when it is a PDF of a dossier `actor` handles that a
    /// leader approved; none otherwise (the transaction then decides, and signs
    /// if it must).
    pub(crate) async fn sign_result_ahead(
        &self,
        actor: &Actor,
        code: &str,
        file: &NewFile,
    ) -> Result<Option<SignedResult>> {
        if !file.bytes.starts_with(b"%PDF-") {
            return Ok(None);
        }
        let mut conn = self.db.read().await?;
        let Some(before) = dossier_store::load(&mut conn, code).await? else {
            return Ok(None);
        };
        let Some(agency) = agencies::by_id(&mut conn, &before.dossier.agency_id).await? else {
            return Ok(None);
        };
        if !actor.may(Action::HandleDossier, &agency.path) {
            return Ok(None);
        }
        let signed = self
            .signed(&mut conn, &before.dossier, &agency, file.clone())
            .await?;
        Ok(signed)
    }

    /// `file` signed by the leader who approved `dossier` (read on `conn`), or
    /// none when it has no approver or the signer cannot read the PDF.
    async fn signed(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency: &AgencyRow,
        file: NewFile,
    ) -> Result<Option<SignedResult>> {
        let Some(approver) = store::approver(conn, &dossier.id).await? else {
            return Ok(None);
        };
        self.signed_as(conn, dossier, agency, file, &approver).await
    }

    /// `file` signed by the leader `approver` (a user id), its signed bytes put
    /// in the blob store; none when the signer cannot read the PDF.
    async fn signed_as(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency: &AgencyRow,
        mut file: NewFile,
        approver: &str,
    ) -> Result<Option<SignedResult>> {
        let Some(user) = users::by_id(conn, approver).await? else {
            return Ok(None);
        };
        let who = SigningIdentity {
            user_id: user.id.clone(),
            full_name: user.full_name.clone(),
            title: format!("Lãnh đạo {}", agency.name),
        };
        let options = SignOptions {
            name: user.full_name.clone(),
            reason: format!("Phê duyệt kết quả hồ sơ {}", dossier.code),
            location: agency.name.clone(),
            time: self.now(),
        };
        let app = (*self.app).clone();
        let bytes = file.bytes.clone();
        let signed = tokio::task::spawn_blocking(move || {
            let signer = app.signer_of(&who)?;
            Ok::<_, Error>(sign_pdf(&bytes, signer.as_ref(), &options))
        })
        .await
        .map_err(|e| Error::internal("signing task", e))??;
        let signed = match signed {
            Ok(pdf) => pdf,
            Err(e) => {
                tracing::warn!(code = %dossier.code, error = %e, "result PDF left unsigned");
                return Ok(None);
            }
        };
        file.sha256 = self.blobs().put(&signed)?;
        file.bytes = signed;
        Ok(Some(SignedResult {
            file,
            signed_by: user.id,
        }))
    }

    /// A result the approval itself makes (a civil-status extract), signed by
    /// the leader approving, in the approval's transaction, its signature
    /// recorded on `conn`: the file to attach and whether it is signed. Its
    /// bytes are in the blob store either way.
    pub(crate) async fn sign_at_approval(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency: &AgencyRow,
        file: NewFile,
        approver: &str,
    ) -> Result<(NewFile, bool)> {
        let signed = if file.bytes.starts_with(b"%PDF-") {
            self.signed_as(conn, dossier, agency, file.clone(), approver)
                .await?
        } else {
            None
        };
        let Some(signed) = signed else {
            return Ok((self.store_blob(file)?, false));
        };
        self.record_signature(conn, dossier, agency, &signed)
            .await?;
        Ok((signed.file, true))
    }

    async fn record_signature(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency: &AgencyRow,
        signed: &SignedResult,
    ) -> Result<()> {
        store::insert(
            conn,
            &NewSignature {
                file_id: &signed.file.id,
                dossier_id: &dossier.id,
                agency_id: &agency.id,
                signed_by: &signed.signed_by,
                signed_at: self.now_ms(),
            },
        )
        .await?;
        Ok(())
    }

    /// In the attaching transaction: the result to attach and whether it is
    /// signed, its signature recorded on `conn`. `ahead` is the copy signed
    /// before the transaction, used when its signer is still the approver;
    /// without it a PDF is signed here.
    pub(crate) async fn sign_result(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency: &AgencyRow,
        file: NewFile,
        ahead: Option<SignedResult>,
    ) -> Result<(NewFile, bool)> {
        if !file.bytes.starts_with(b"%PDF-") {
            return Ok((file, false));
        }
        let approver = store::approver(conn, &dossier.id).await?;
        let signed = match ahead {
            Some(s) if approver.as_deref() == Some(s.signed_by.as_str()) => Some(s),
            _ => self.signed(conn, dossier, agency, file.clone()).await?,
        };
        let Some(signed) = signed else {
            return Ok((file, false));
        };
        self.record_signature(conn, dossier, agency, &signed)
            .await?;
        Ok((signed.file, true))
    }
}
