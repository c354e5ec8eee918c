//! Certified extracts (trích lục hộ tịch, bản sao) of register entries: the PDF in
//! the official layout with a QR code to the public verification page, and the
//! issued document anyone can verify, written in one transaction.

use motcua_domain::access::Action;
use motcua_domain::certification::{self as cert, Kind as CertKind};
use motcua_domain::civil::Kind;
use motcua_domain::user::Role;
use motcua_domain::{limits, text};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::registers as store;
use motcua_store::{users, Conn};
use sha2::Digest as _;

use super::{load_entry, Entry, Registers};
use crate::certifications::Fee;
use crate::error::{Error, Result};
use crate::Principal;

/// The catalogue's procedure "Cấp bản sao trích lục hộ tịch": its fee rules price
/// an extract (8.000 đ a copy where the province has not set another amount).
pub const EXTRACT_PROCEDURE: &str = "2.000635";

/// An extract just issued.
#[derive(Debug, Clone)]
pub struct IssuedExtract {
    pub token: String,
    /// "Trích lục khai sinh (bản sao)"
    pub title: String,
    pub verification_url: String,
    pub file_name: String,
    pub pdf: Vec<u8>,
    pub sha256: String,
    pub copies: i64,
    pub fee: Fee,
    pub entry_id: String,
}

/// The signer and title printed on an extract.
pub(crate) struct Signer {
    pub id: String,
    pub name: String,
    pub title: String,
}

fn copies_param(copies: i64) -> Result<u32> {
    if copies < 1 || copies > i64::from(limits::COPIES) {
        return Err(Error::field(
            "copies",
            format!(
                "Số bản sao từ 1 đến {}.",
                text::grouped(i64::from(limits::COPIES))
            ),
        ));
    }
    u32::try_from(copies).map_err(|_| Error::field("copies", "Số bản sao không hợp lệ."))
}

/// "Trích lục khai sinh (bản sao)", "Trích lục kết hôn (bản sao)"…
pub fn extract_title(kind: Kind, re_registration: bool) -> String {
    let again = if re_registration {
        " (đăng ký lại)"
    } else {
        ""
    };
    format!(
        "Trích lục {}{again} (bản sao)",
        kind.label_vi().to_lowercase()
    )
}

impl Registers<'_> {
    /// The fee of `copies` copies of an extract, from the catalogue.
    pub async fn extract_fee(&self, copies: i64) -> Result<Fee> {
        let copies = copies_param(copies)?;
        let entry = self.procedure(EXTRACT_PROCEDURE).await.map_err(|_| {
            Error::Internal(format!(
                "procedure {EXTRACT_PROCEDURE} (extract copies) is not in the catalogue"
            ))
        })?;
        // A per-copy rule: the certification quote prices copies the same way and
        // words the total.
        Ok(cert::quote(CertKind::Copy, &entry.procedure.fees, 1, copies).into())
    }

    /// Issues a certified extract of the entry `entry_id` in `copies` copies: one
    /// transaction writes the issued document (token, hash of the PDF) and the
    /// answer carries the PDF and the fee to collect.
    pub async fn issue_extract(
        &self,
        by: &Principal,
        entry_id: &str,
        copies: i64,
    ) -> Result<IssuedExtract> {
        let copies = copies_param(copies)?;
        if entry_id.len() > limits::SHORT_CHARS {
            return Err(Error::NotFound("Không tìm thấy mục đăng ký này.".into()));
        }
        let mut tx = self.begin_write_by(by).await?;
        let issued = self.extract_in(&mut tx, by, entry_id, copies, None).await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// Renders and records an extract inside the caller's transaction, so that the
    /// values printed are those committed with it (a dossier's approval writes the
    /// entry and its extract together). `signer` defaults to the person acting when
    /// a leader of the entry's agency, else its first active leader.
    pub(crate) async fn extract_in(
        &self,
        conn: &mut Conn,
        by: &Principal,
        entry_id: &str,
        copies: u32,
        signer: Option<Signer>,
    ) -> Result<IssuedExtract> {
        let not_found = || Error::NotFound("Không tìm thấy mục đăng ký này.".into());
        let (entry, agency) = load_entry(conn, entry_id).await?.ok_or_else(not_found)?;
        by.require(Action::ReadRegister, &agency.path)
            .map_err(|_| not_found())?;
        by.require(Action::WriteRegister, &agency.path)?;
        let fee = self.extract_fee(i64::from(copies)).await?;
        let signer = match signer {
            Some(s) => s,
            None => self.signer_of(conn, by, &agency).await?,
        };
        let parent = match &agency.parent_id {
            Some(id) => agencies::by_id(conn, id).await?.map(|p| p.name),
            None => None,
        };
        let token = crate::secrets::random_token();
        let url = format!(
            "{}/xac-minh/{token}",
            self.settings().public_url.trim_end_matches('/')
        );
        let now = self.now();
        let today = now
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date();
        let kind = Kind::parse(&entry.kind).ok_or_else(|| Error::Internal("bad kind".into()))?;
        let title = extract_title(kind, entry.re_registration);
        let pdf = self
            .render_extract(
                &entry, &agency, parent, &signer, copies, &fee, &url, today, &title,
            )
            .await?;
        let sha256 = hex::encode(sha2::Sha256::digest(&pdf));
        let born = entry
            .current
            .iter()
            .find(|f| f.field == "date_of_birth")
            .and_then(|f| f.value.as_str().map(str::to_owned));
        let book = format!("{} ({})", entry.book, entry.book_year);
        store::insert_extract(
            conn,
            &store::NewExtract {
                token: &token,
                agency_id: &agency.id,
                entry_id: &entry.id,
                number: entry.number,
                book: &book,
                title: &title,
                subject_name: &entry.full_name,
                subject_born: born.as_deref(),
                copies: i64::from(copies),
                issued_at: self.now_ms(),
                issued_by: &signer.id,
                sha256: &sha256,
            },
        )
        .await?;
        Ok(IssuedExtract {
            file_name: format!(
                "trich-luc-{}-{}-so-{}.pdf",
                kind.as_str(),
                entry.book_year,
                entry.number
            ),
            token,
            title,
            verification_url: url,
            pdf,
            sha256,
            copies: i64::from(copies),
            fee,
            entry_id: entry.id,
        })
    }

    /// The person acting when a leader of `agency`, else its first active leader.
    async fn signer_of(
        &self,
        conn: &mut Conn,
        by: &Principal,
        agency: &AgencyRow,
    ) -> Result<Signer> {
        let leaders: Vec<String> = users::roles_in_agency(conn, &agency.id)
            .await?
            .into_iter()
            .filter(|(_, role)| role == Role::Leader.as_str())
            .map(|(id, _)| id)
            .collect();
        let mut ids: Vec<&str> = Vec::with_capacity(leaders.len() + 1);
        if let Some(me) = by.user_id().filter(|me| leaders.iter().any(|l| l == me)) {
            ids.push(me);
        }
        ids.extend(leaders.iter().map(String::as_str));
        for id in ids {
            if let Some(u) = users::by_id(conn, id).await?.filter(|u| u.active) {
                return Ok(Signer {
                    id: u.id,
                    name: u.full_name,
                    title: "Chủ tịch".into(),
                });
            }
        }
        Err(Error::Conflict(
            "Cơ quan chưa có lãnh đạo để ký trích lục; quản trị viên cần gán vai trò lãnh đạo."
                .into(),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn render_extract(
        &self,
        entry: &Entry,
        agency: &AgencyRow,
        parent: Option<String>,
        signer: &Signer,
        copies: u32,
        fee: &Fee,
        url: &str,
        today: jiff::civil::Date,
        title: &str,
    ) -> Result<Vec<u8>> {
        let kind = Kind::parse(&entry.kind).ok_or_else(|| Error::Internal("bad kind".into()))?;
        let fields: Vec<(String, String)> = entry
            .current
            .iter()
            .map(|f| (f.label.clone(), f.text.clone()))
            .collect();
        let notes: Vec<String> = entry
            .history
            .iter()
            .map(|h| {
                format!(
                    "Ngày {}: {} {} ({})",
                    h.on.strftime("%d/%m/%Y"),
                    h.kind_label.to_lowercase(),
                    h.label.to_lowercase(),
                    h.reason
                )
            })
            .collect();
        let place = crate::dossiers::place_of(agency);
        let place_date = motcua_docs::format::place_date(&place, today);
        let number_line = format!("Số: {}", entry.number);
        let register = kind.book_title_vi().to_owned();
        let book = entry.book.clone();
        let registered_on = entry.registered_on.strftime("%d/%m/%Y").to_string();
        let fee_line = format!("Lệ phí: {} ({})", text::money(fee.total), fee.in_words);
        let agency_name = agency.name.clone();
        let signer_title = signer.title.clone();
        let signer_name = signer.name.clone();
        let url = url.to_owned();
        let title = title.to_owned();
        let number = entry.number;
        let job = Box::new(move |engine: &motcua_docs::PdfEngine| {
            motcua_docs::civil_extract::extract_pdf(
                engine,
                &motcua_docs::civil_extract::Extract {
                    parent_agency: parent.as_deref(),
                    agency: &agency_name,
                    number_line: &number_line,
                    place_date: &place_date,
                    title: &title,
                    fields: &fields,
                    register: &register,
                    book: &book,
                    number,
                    registered_on: &registered_on,
                    registered_at: &agency_name,
                    notes: &notes,
                    signer_title: &signer_title,
                    signer_name: &signer_name,
                    copies: i64::from(copies),
                    fee: &fee_line,
                    verification_url: &url,
                    date: today,
                },
            )
        });
        self.render_off_thread(job).await
    }
}
