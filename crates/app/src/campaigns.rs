//! Campaigns (`app.campaigns()`): a targeted drive of one agency, its list of
//! people loaded from a spreadsheet, and its progress read from the dossiers of
//! its procedures as they move (`motcua_domain::campaign`).

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::access::{self, Action, Scope};
use motcua_domain::campaign::{
    match_targets, Candidate, Definition, Person, Stage, Summary, Target, MAX_TARGETS,
};
use motcua_domain::dossier::{Applicant, Details, Status};
use motcua_domain::report::Period;
use motcua_domain::text;
use motcua_domain::validation::Errors;
use motcua_legacy::{Mapping, Value};
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::campaigns::{self as store, CampaignRow, TargetRow};
use motcua_store::{from_millis, to_millis};
use serde::Serialize;

use crate::dossiers::read_date;
use crate::error::{Error, Result};
use crate::{Actor, App, Principal};

/// Lines of a rejected list named in the error (the rest are counted).
const REJECTED_SHOWN: usize = 50;

#[derive(Clone)]
pub struct Campaigns<'a> {
    app: &'a App,
}

impl App {
    pub fn campaigns(&self) -> Campaigns<'_> {
        Campaigns { app: self }
    }
}

impl std::ops::Deref for Campaigns<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}

/// A new campaign as the form sends it; the list comes as a workbook.
#[derive(Debug, Clone, Default)]
pub struct NewCampaign {
    pub name: String,
    pub procedures: Vec<String>,
    /// dd/mm/yyyy or YYYY-MM-DD.
    pub starts_on: String,
    /// Empty: open-ended.
    pub ends_on: String,
    pub file_name: String,
    pub workbook: Vec<u8>,
}

/// A campaign as listed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignInfo {
    pub id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub name: String,
    /// Catalogue codes of the procedures whose dossiers count.
    pub procedures: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: Date,
    /// Absent: open-ended.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub ends_on: Option<Date>,
    /// People on the list.
    pub targets: u64,
    pub source_file: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// One person on the list and how far they got.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetProgress {
    /// Position on the list, from 1.
    pub line: u32,
    pub full_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date_of_birth: Option<Date>,
    pub personal_id: Option<String>,
    pub address: Option<String>,
    pub note: Option<String>,
    /// `done` (the dossier has its result), `in_progress`, `stopped` (not
    /// accepted, refused or withdrawn) or `not_filed`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stage: Stage,
    /// The dossier that counts for them.
    pub dossier_code: Option<String>,
    pub dossier_status: Option<String>,
}

/// A campaign's progress.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignProgress {
    pub campaign: CampaignInfo,
    /// `total`, `done`, `in_progress`, `stopped`, `not_filed`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub summary: Summary,
    /// Done out of the list, one decimal, never rounded up to 100.
    pub percent_done: Option<f64>,
    /// Dossiers of the campaign's procedures in its period that name nobody on
    /// the list (filed by people the list forgot, or typed differently).
    pub unmatched_dossiers: u64,
    /// The people on the list, in its order, filtered by stage when asked.
    pub targets: Vec<TargetProgress>,
}

/// The date of a form field, or what is wrong with it.
fn form_date(field: &str, label: &str, value: &str) -> Result<Option<Date>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    read_date(value).map(Some).map_err(|why| {
        Error::field(
            field,
            why.unwrap_or_else(|| {
                format!("{label} «{}» không phải ngày dd/mm/yyyy.", value.trim())
            }),
        )
    })
}

fn info(row: CampaignRow, agency_code: &str, agency_name: &str) -> CampaignInfo {
    CampaignInfo {
        id: row.id,
        agency_code: agency_code.to_owned(),
        agency_name: agency_name.to_owned(),
        name: row.name,
        procedures: row.procedures.lines().map(str::to_string).collect(),
        starts_on: row.starts_on.parse().unwrap_or_default(),
        ends_on: row.ends_on.and_then(|d| d.parse().ok()),
        targets: u64::try_from(row.targets).unwrap_or(0),
        source_file: row.source_file,
        created_at: from_millis(row.created_at),
    }
}

type Cells = std::collections::BTreeMap<String, Value>;

/// What is wrong with a cell, for the line's error: "số định danh «…»: …".
fn invalid(label: &str, raw: &str, reason: &str) -> String {
    format!("{label} «{raw}»: {}", reason.trim_end_matches('.'))
}

/// The text of a cell the list reads; a cell that could not be read is the
/// line's error.
fn cell_text(
    values: &Cells,
    field: &str,
    label: &str,
) -> std::result::Result<Option<String>, String> {
    match values.get(field) {
        None => Ok(None),
        Some(Value::Text(s)) => Ok(Some(s.clone())),
        Some(Value::Integer(i)) => Ok(Some(i.to_string())),
        Some(Value::Year(y)) => Ok(Some(y.to_string())),
        Some(Value::Date(d)) => Ok(Some(d.strftime("%d/%m/%Y").to_string())),
        Some(Value::Invalid { raw, reason }) => Err(invalid(label, raw, reason)),
    }
}

/// Reads the list: every sheet, the header found by itself, names in TCVN3, VNI
/// or Unicode (the legacy register reader, which knows "Họ và tên", "Ngày
/// sinh", "Số định danh", "Địa chỉ", "Ghi chú" with or without marks). Every
/// line must be good, or nothing is kept: a list half loaded would report a
/// progress against the wrong total.
fn read_list(file_name: &str, bytes: &[u8]) -> Result<Vec<Target>> {
    let book = motcua_legacy::read_workbook(bytes, file_name, "other", &Mapping::new())
        .map_err(|e| Error::field("tep", e.to_string()))?;
    let mut targets = Vec::new();
    let mut rejected: Vec<String> = Vec::new();
    let mut rejected_count = 0usize;
    let mut seen_ids: HashMap<String, (String, u32)> = HashMap::new();
    let mut mapped_name = false;
    for sheet in &book.sheets {
        if sheet.columns.iter().any(|c| c.field == "full_name") {
            mapped_name = true;
        } else {
            continue;
        }
        for row in sheet.rows.iter().filter(|r| !r.blank) {
            let line = (|| -> std::result::Result<Target, String> {
                let name = cell_text(&row.values, "full_name", "họ và tên")?.unwrap_or_default();
                let dob = match row.values.get("date_of_birth") {
                    Some(Value::Date(d)) => Some(*d),
                    Some(Value::Invalid { raw, reason }) => {
                        return Err(invalid("ngày sinh", raw, reason))
                    }
                    // A year alone tells no two people apart: compared by name.
                    _ => None,
                };
                let id = cell_text(&row.values, "personal_id", "số định danh")?;
                let address = cell_text(&row.values, "residence", "địa chỉ")?;
                let note = cell_text(&row.values, "note", "ghi chú")?;
                Target::new(
                    row.excel_row,
                    &name,
                    dob,
                    id.as_deref(),
                    address.as_deref(),
                    note.as_deref(),
                )
            })();
            match line {
                Ok(t) => {
                    if let Some(id) = &t.personal_id {
                        if let Some((s, r)) = seen_ids.get(id) {
                            rejected_count += 1;
                            if rejected.len() < REJECTED_SHOWN {
                                rejected.push(format!(
                                    "Trang «{}», dòng {}: số định danh {id} trùng với trang «{s}», dòng {r}.",
                                    sheet.name, row.excel_row
                                ));
                            }
                            continue;
                        }
                        seen_ids.insert(id.clone(), (sheet.name.clone(), row.excel_row));
                    }
                    targets.push(t);
                }
                Err(why) => {
                    rejected_count += 1;
                    if rejected.len() < REJECTED_SHOWN {
                        rejected.push(format!(
                            "Trang «{}», dòng {}: {why}.",
                            sheet.name, row.excel_row
                        ));
                    }
                }
            }
        }
    }
    if !mapped_name {
        return Err(Error::field(
            "tep",
            "Không tìm thấy cột «Họ và tên» trong các trang tính: danh sách cần có dòng tiêu đề với cột họ tên (và nếu có: ngày sinh, số định danh, địa chỉ, ghi chú).",
        ));
    }
    if rejected_count > 0 {
        let more = rejected_count.saturating_sub(rejected.len());
        let mut message = format!(
            "Danh sách có {rejected_count} dòng không hợp lệ; chưa lưu gì. Sửa các dòng sau rồi tải lại: {}",
            rejected.join(" ")
        );
        if more > 0 {
            message.push_str(&format!(" … và {more} dòng khác."));
        }
        return Err(Error::field("tep", message));
    }
    if targets.is_empty() {
        return Err(Error::field(
            "tep",
            "Danh sách không có dòng nào: dưới dòng tiêu đề chưa có người nào.",
        ));
    }
    if targets.len() > MAX_TARGETS {
        return Err(Error::field(
            "tep",
            format!(
                "Danh sách có {} người; một chiến dịch tối đa {MAX_TARGETS} người.",
                targets.len()
            ),
        ));
    }
    // Kept in list order and numbered 1..n across sheets (the errors above
    // named the spreadsheet's own rows).
    for (i, t) in targets.iter_mut().enumerate() {
        t.line = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    Ok(targets)
}

/// Keeps a value, or adds a refusal's field errors to `errors` so that every
/// mistake of the form is reported at once; any other error ends the use case.
fn gather<T>(errors: &mut Errors, r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Invalid(e)) => {
            errors.0.extend(e.0);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The people a dossier names.
fn persons(d: &Details) -> Vec<Person> {
    let of = |a: &Applicant| Person {
        name_key: text::fold(&a.full_name),
        date_of_birth: a.date_of_birth,
        personal_id: a.personal_id.clone().filter(|s| !s.is_empty()),
    };
    let mut out = vec![of(&d.applicant)];
    out.extend(d.on_behalf_of.as_ref().map(of));
    if let Some(civil) = &d.civil {
        if let Some(name) = civil
            .fields
            .get("full_name")
            .filter(|s| !s.trim().is_empty())
        {
            out.push(Person {
                name_key: text::fold(name),
                date_of_birth: civil
                    .fields
                    .get("date_of_birth")
                    .and_then(|s| read_date(s).ok()),
                personal_id: civil
                    .fields
                    .get("personal_id")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            });
        }
    }
    out
}

impl Campaigns<'_> {
    /// Starts a campaign of the person's own agency with its list, in one
    /// transaction; a list with any bad line is refused whole, naming the lines.
    pub async fn create(&self, actor: &Actor, input: NewCampaign) -> Result<CampaignInfo> {
        actor.require(Action::ManageCampaigns, &actor.agency.path)?;
        let mut errors = Errors::new();
        let starts = gather(
            &mut errors,
            form_date("starts_on", "Ngày bắt đầu", &input.starts_on),
        )?;
        if starts == Some(None) {
            errors.push("starts_on", "Nhập ngày bắt đầu chiến dịch (dd/mm/yyyy).");
        }
        let ends = gather(
            &mut errors,
            form_date("ends_on", "Ngày kết thúc", &input.ends_on),
        )?
        .flatten();
        let definition = gather(
            &mut errors,
            Definition::new(
                &input.name,
                &input.procedures,
                starts.flatten().unwrap_or_default(),
                ends,
            )
            .map_err(Error::Invalid),
        )?;
        if let Some(d) = &definition {
            let enabled = self.enabled_procedures(actor, &actor.agency.code).await?;
            for code in d.procedures.iter().filter(|c| !enabled.contains(c)) {
                errors.push(
                    "procedures",
                    format!("Thủ tục «{code}» không có trong danh mục cơ quan đang giải quyết."),
                );
            }
        }
        let targets = if input.workbook.is_empty() {
            errors.push("tep", "Chọn tệp danh sách (.xlsx hoặc .xls).");
            None
        } else {
            gather(&mut errors, read_list(&input.file_name, &input.workbook))?
        };
        let (Some(definition), Some(targets), true) = (definition, targets, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let row = CampaignRow {
            id: motcua_store::new_id(),
            agency_id: actor.agency.id.clone(),
            name: definition.name.clone(),
            procedures: definition.procedures.join("\n"),
            starts_on: definition.starts_on.to_string(),
            ends_on: definition.ends_on.map(|d| d.to_string()),
            targets: i64::try_from(targets.len()).unwrap_or(i64::MAX),
            source_file: Some(text::clean(&input.file_name))
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.chars()
                        .take(motcua_domain::limits::FILE_NAME_CHARS)
                        .collect()
                }),
            created_at: self.now_ms(),
            created_by: Some(actor.user_id.clone()),
        };
        let rows: Vec<TargetRow> = targets
            .iter()
            .map(|t| TargetRow {
                line: i64::from(t.line),
                full_name: t.full_name.clone(),
                date_of_birth: t.date_of_birth.map(|d| d.to_string()),
                personal_id: t.personal_id.clone(),
                address: t.address.clone(),
                note: t.note.clone(),
            })
            .collect();
        let mut tx = self.begin_write_as(actor).await?;
        store::insert(&mut tx, &row, &rows).await?;
        self.record_audit(
            &mut tx,
            &Principal::User(actor.clone()),
            Some(&actor.agency.id),
            "campaign.create",
            &row.id,
            serde_json::json!({
                "name": row.name.as_str(),
                "procedures": definition.procedures,
                "targets": targets.len(),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(info(row, &actor.agency.code, &actor.agency.name))
    }

    /// The campaigns the person may follow: their agency's, and for a
    /// supervisor every agency's below.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<CampaignInfo>> {
        let mut conn = self.db.read_replica().await?;
        let units = match access::widest_scope(&actor.roles, Action::ReadDossier) {
            None => return Err(Error::forbidden()),
            Some(Scope::Own) => agencies::by_id(&mut conn, &actor.agency.id)
                .await?
                .into_iter()
                .collect::<Vec<_>>(),
            Some(Scope::Subtree) => agencies::subtree(&mut conn, &actor.agency.path).await?,
        };
        let ids: Vec<String> = units.iter().map(|a| a.id.clone()).collect();
        let by_id: HashMap<&str, &AgencyRow> = units.iter().map(|a| (a.id.as_str(), a)).collect();
        let rows = store::of_agencies(&mut conn, &ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let a = by_id.get(r.agency_id.as_str())?;
                Some(info(r, &a.code, &a.name))
            })
            .collect())
    }

    /// A campaign's progress now; `stage` keeps only the people at that stage.
    pub async fn progress(
        &self,
        actor: &Actor,
        id: &str,
        stage: Option<Stage>,
    ) -> Result<CampaignProgress> {
        let not_found = || Error::NotFound("Không tìm thấy chiến dịch này.".into());
        let mut conn = self.db.read_replica().await?;
        let row = store::by_id(&mut conn, id.trim())
            .await?
            .ok_or_else(not_found)?;
        let agency = agencies::by_id(&mut conn, &row.agency_id)
            .await?
            .ok_or_else(not_found)?;
        if !actor.may(Action::ReadDossier, &agency.path) {
            // Whether a campaign exists elsewhere is not this person's business.
            return Err(not_found());
        }
        let campaign = info(row, &agency.code, &agency.name);
        let end = match campaign.ends_on {
            Some(end) => Period::new(campaign.starts_on, end)
                .map(|p| to_millis(p.end()))
                .unwrap_or(i64::MAX),
            None => i64::MAX,
        };
        let start = to_millis(
            Period::new(campaign.starts_on, campaign.starts_on)
                .map_or(Timestamp::UNIX_EPOCH, |p| p.start()),
        );
        let dossiers =
            store::candidates(&mut conn, &agency.id, &campaign.procedures, start, end).await?;
        let targets: Vec<Target> = store::targets(&mut conn, &campaign.id)
            .await?
            .into_iter()
            .map(|t| Target {
                line: u32::try_from(t.line).unwrap_or(0),
                full_name: t.full_name,
                date_of_birth: t.date_of_birth.and_then(|d| d.parse().ok()),
                personal_id: t.personal_id,
                address: t.address,
                note: t.note,
            })
            .collect();
        let candidates: Vec<Candidate> = dossiers
            .iter()
            .map(|d| Candidate {
                status: Status::parse(&d.status).unwrap_or(Status::Received),
                persons: persons(&d.details),
            })
            .collect();
        let outcomes = match_targets(&targets, &candidates);
        let summary = Summary::of(&outcomes);
        let matched = outcomes.iter().filter(|o| o.dossier.is_some()).count();
        let lines = targets
            .into_iter()
            .zip(&outcomes)
            .filter(|(_, o)| stage.is_none_or(|s| o.stage == s))
            .map(|(t, o)| {
                let d = o.dossier.and_then(|i| dossiers.get(i));
                TargetProgress {
                    line: t.line,
                    full_name: t.full_name,
                    date_of_birth: t.date_of_birth,
                    personal_id: t.personal_id,
                    address: t.address,
                    note: t.note,
                    stage: o.stage,
                    dossier_code: d.map(|d| d.code.clone()),
                    dossier_status: d
                        .and_then(|d| Status::parse(&d.status).map(|s| s.label_vi().to_string())),
                }
            })
            .collect();
        Ok(CampaignProgress {
            campaign,
            percent_done: summary.percent_done(),
            summary,
            unmatched_dossiers: (dossiers.len() - matched) as u64,
            targets: lines,
        })
    }
}

impl Campaigns<'_> {
    /// The progress as a workbook: the list in its order with each person's
    /// stage and dossier, for the officers who visit those not yet filed.
    pub async fn workbook(&self, actor: &Actor, id: &str) -> Result<Vec<u8>> {
        use motcua_docs::registers::{export_xlsx, ExportCell, ExportSheet};
        let p = self.progress(actor, id, None).await?;
        let text = |s: &Option<String>| {
            s.as_ref()
                .map_or(ExportCell::Empty, |s| ExportCell::Text(s.clone()))
        };
        let rows = p
            .targets
            .iter()
            .map(|t| {
                vec![
                    ExportCell::Int(i64::from(t.line)),
                    ExportCell::Text(t.full_name.clone()),
                    t.date_of_birth.map_or(ExportCell::Empty, ExportCell::Date),
                    text(&t.personal_id),
                    text(&t.address),
                    ExportCell::Text(t.stage.label_vi().into()),
                    text(&t.dossier_code),
                    text(&t.dossier_status),
                    text(&t.note),
                ]
            })
            .collect();
        let sheet = ExportSheet {
            name: "Tiến độ".into(),
            file_stem: "tien-do".into(),
            titles: [
                "STT",
                "Họ và tên",
                "Ngày sinh",
                "Số định danh",
                "Địa chỉ",
                "Tình trạng",
                "Mã hồ sơ",
                "Trạng thái hồ sơ",
                "Ghi chú",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        };
        export_xlsx(&[sheet]).map_err(|e| Error::internal("campaign workbook", e))
    }
}
