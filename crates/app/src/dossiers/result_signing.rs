//! Dossier results signed with the approving leader's certificate: a PDF
//! attached to an approved dossier is signed (the same signer as electronic
//! certified copies) before it is stored, and the signature recorded in the
//! same transaction, so that the dossier page shows who signed and when and
//! reports can count the signing rate.

use motcua_domain::dossier::Dossier as Record;
use motcua_sign::{sign_pdf, SignOptions};
use motcua_store::agencies::AgencyRow;
use motcua_store::result_signatures::{self as store, NewSignature};
use motcua_store::{users, Conn};

use super::write::NewFile;
use super::Dossiers;
use crate::error::{Error, Result};
use crate::signing::SigningIdentity;

impl Dossiers<'_> {
    /// `file` signed by the leader who approved `dossier` when it is a PDF
    /// (its signature recorded on `conn`), and whether it was; anything else, or a
    /// PDF the signer cannot read, is attached as it is, unsigned.
    pub(crate) async fn sign_result(
        &self,
        conn: &mut Conn,
        dossier: &Record,
        agency: &AgencyRow,
        mut file: NewFile,
    ) -> Result<(NewFile, bool)> {
        if !file.bytes.starts_with(b"%PDF-") {
            return Ok((file, false));
        }
        let Some(approver) = store::approver(conn, &dossier.id).await? else {
            return Ok((file, false));
        };
        let Some(user) = users::by_id(conn, &approver).await? else {
            return Ok((file, false));
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
        .map_err(|e| Error::Internal(format!("signing task: {e}")))??;
        let signed = match signed {
            Ok(pdf) => pdf,
            Err(e) => {
                tracing::warn!(code = %dossier.code, error = %e, "result PDF left unsigned");
                return Ok((file, false));
            }
        };
        file.sha256 = self.blobs().put(&signed)?;
        file.bytes = signed;
        store::insert(
            conn,
            &NewSignature {
                file_id: &file.id,
                dossier_id: &dossier.id,
                agency_id: &agency.id,
                signed_by: &user.id,
                signed_at: self.now_ms(),
            },
        )
        .await?;
        Ok((file, true))
    }
}
