//! The workflow's actions on a dossier: the input read into the domain's command,
//! which the one write path (`write`) checks, records and announces.

use jiff::civil::Date;
use motcua_domain::dossier::{Command, Verb};
use motcua_domain::validation::Errors;
use motcua_domain::{limits, text};
use motcua_store::agencies::AgencyRow;
use motcua_store::dossiers as store;
use motcua_store::{users, Conn};
use serde::Serialize;

use super::input::{opt_clean, read_date, Upload};
use super::write::NewFile;
use super::Dossier;
use super::Dossiers;
use crate::error::{Error, Result};
use crate::idempotency::Request;
use crate::principal::Actor;

/// What an action may carry; each action reads the fields it needs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionInput {
    /// The dossier's `version` as the person saw it: if it changed since, the action
    /// is refused with the new state instead of acting on something unseen.
    pub version: Option<i64>,
    pub reason: Option<String>,
    /// assign: a specialist's username; absent: by sector and current load.
    pub assignee: Option<String>,
    /// request_supplement: every missing item.
    pub missing: Option<Vec<String>>,
    /// extend: the new appointment date (dd/mm/yyyy or yyyy-mm-dd).
    pub new_due_date: Option<String>,
    /// attach_result: a file, or (no bytes) a paper result described in words.
    pub result: Option<Upload>,
    /// return at the counter: who collected it.
    pub collector_name: Option<String>,
    pub collector_id: Option<String>,
    /// return by post
    pub tracking_number: Option<String>,
    /// record_review: the specialist's opinion (ý kiến thẩm định), required.
    pub opinion: Option<String>,
    /// record_review: the draft result, in words.
    pub draft_result: Option<String>,
    /// record_review: working files, kept with the dossier for officers only.
    pub working_files: Vec<Upload>,
    /// record_civil: a civil-status dossier's facts as checked (the entry's
    /// fields, or the entry a correction or an extract names).
    pub civil: Option<motcua_domain::dossier::CivilFacts>,
}

/// Every bound of an action's input (`motcua_domain::limits`), checked before the
/// input reaches the database or the blob store.
fn check_bounds(code: &str, input: &ActionInput) -> Result<()> {
    let mut errors = Errors::new();
    errors.check_text("code", "Mã hồ sơ", code, limits::SHORT_CHARS, false);
    errors.check_opt_text(
        "reason",
        "Lý do",
        input.reason.as_deref(),
        limits::FREE_TEXT_CHARS,
        true,
    );
    for (field, label, value, max) in [
        (
            "assignee",
            "Người xử lý",
            &input.assignee,
            limits::SHORT_CHARS,
        ),
        (
            "new_due_date",
            "Ngày hẹn mới",
            &input.new_due_date,
            limits::SHORT_CHARS,
        ),
        (
            "collector_name",
            "Họ tên người nhận",
            &input.collector_name,
            limits::NAME_CHARS,
        ),
        (
            "collector_id",
            "Giấy tờ người nhận",
            &input.collector_id,
            limits::SHORT_CHARS,
        ),
        (
            "tracking_number",
            "Số vận đơn",
            &input.tracking_number,
            limits::SHORT_CHARS,
        ),
    ] {
        errors.check_opt_text(field, label, value.as_deref(), max, false);
    }
    for (field, label, value) in [
        ("opinion", "Ý kiến thẩm định", &input.opinion),
        ("draft_result", "Dự thảo kết quả", &input.draft_result),
    ] {
        errors.check_opt_text(
            field,
            label,
            value.as_deref(),
            limits::FREE_TEXT_CHARS,
            true,
        );
    }
    if errors.check_count(
        "working_files",
        "Tài liệu thẩm định",
        input.working_files.len(),
        limits::FILES,
    ) {
        for (i, f) in input.working_files.iter().enumerate() {
            errors.check_text(
                &format!("working_files[{i}].name"),
                "Tên tệp",
                &f.name,
                limits::FILE_NAME_CHARS,
                false,
            );
            if f.bytes.len() > limits::FILE_BYTES {
                errors.push(
                    "working_files",
                    format!(
                        "Tệp «{}» lớn hơn {} MB.",
                        f.name,
                        limits::megabytes(limits::FILE_BYTES)
                    ),
                );
            }
        }
    }
    if let Some(missing) = &input.missing {
        if errors.check_count(
            "missing",
            "Giấy tờ cần bổ sung",
            missing.len(),
            limits::MISSING_ITEMS,
        ) {
            for (i, m) in missing.iter().enumerate() {
                errors.check_text(
                    &format!("missing[{i}]"),
                    "Giấy tờ cần bổ sung",
                    m,
                    limits::DOCUMENT_NAME_CHARS,
                    false,
                );
            }
        }
    }
    if let Some(r) = &input.result {
        errors.check_text(
            "result.name",
            "Tên kết quả",
            &r.name,
            limits::DOCUMENT_NAME_CHARS,
            false,
        );
        errors.check_opt_text(
            "result.content_type",
            "Kiểu tệp",
            r.content_type.as_deref(),
            limits::CONTENT_TYPE_CHARS,
            false,
        );
        if r.bytes.len() > limits::FILE_BYTES {
            errors.push(
                "result",
                format!(
                    "Tệp kết quả lớn hơn {} MB.",
                    limits::megabytes(limits::FILE_BYTES)
                ),
            );
        }
    }
    errors.into_result()?;
    Ok(())
}

impl Dossiers<'_> {
    /// Takes `verb` on the dossier `code`.
    pub async fn act(
        &self,
        actor: &Actor,
        code: &str,
        verb: Verb,
        input: &ActionInput,
        idempotency_key: Option<&str>,
    ) -> Result<Dossier> {
        check_bounds(code, input)?;
        let request = Request::new(
            &actor.user_id,
            idempotency_key,
            &(code.trim(), verb.as_str(), input),
        )?;
        let code = code.trim().to_ascii_uppercase();
        let reason = opt_clean(&input.reason);
        // A result's bytes are stored before the write transaction; a bad result
        // is reported only once the dossier's state allows attaching one.
        let result = match verb {
            Verb::AttachResult => {
                Some(result_file(input.result.as_ref()).and_then(|f| self.store_blob(f)))
            }
            _ => None,
        };
        // A PDF result is signed before the transaction too (issue 12); a retry
        // of an attachment already made is answered without signing again.
        let mut ahead = None;
        if let Some(Ok(file)) = &result {
            if let Some(answer) = request.answered(&mut self.db.read().await?).await? {
                return Ok(answer);
            }
            ahead = self.sign_result_ahead(actor, &code, file).await?;
        }
        // Working files likewise, before the transaction.
        let working = match verb {
            Verb::RecordReview => self.store_blobs(
                input
                    .working_files
                    .iter()
                    .filter(|f| !f.bytes.is_empty())
                    .map(working_file)
                    .collect(),
            )?,
            _ => Vec::new(),
        };
        self.change_dossier(
            &request,
            actor,
            &code,
            input.version,
            verb,
            reason,
            async |conn, dossier, agency| {
                let command = match verb {
                    Verb::Accept => Command::Accept,
                    Verb::NotAccept => Command::NotAccept,
                    Verb::Assign => {
                        let (assignee_id, username) = self
                            .pick_assignee(
                                conn,
                                &dossier.procedure.sector,
                                agency,
                                input.assignee.as_deref(),
                            )
                            .await?;
                        Command::Assign {
                            assignee_id,
                            username,
                        }
                    }
                    Verb::Start => Command::Start,
                    Verb::RequestSupplement => Command::RequestSupplement {
                        missing: input
                            .missing
                            .iter()
                            .flatten()
                            .map(|s| text::clean(s))
                            .collect(),
                    },
                    Verb::SupplementReceived => Command::SupplementReceived,
                    Verb::Pause => Command::Pause,
                    Verb::Resume => Command::Resume,
                    Verb::Extend => Command::Extend {
                        new_due_day: new_due_day(input.new_due_date.as_deref())?,
                    },
                    Verb::Reject => Command::Reject,
                    Verb::RecordReview => {
                        return Ok((
                            Command::RecordReview {
                                opinion: opt_clean(&input.opinion).unwrap_or_default(),
                                draft_result: opt_clean(&input.draft_result),
                                file_ids: working.iter().map(|f| f.id.clone()).collect(),
                            },
                            working,
                        ));
                    }
                    Verb::RecordCivil => Command::RecordCivil {
                        civil: self
                            .civil_facts(conn, dossier, input.civil.as_ref())
                            .await?,
                    },
                    Verb::SubmitForApproval => Command::SubmitForApproval,
                    Verb::Approve => Command::Approve,
                    Verb::SendBack => Command::SendBack,
                    Verb::AttachResult => {
                        if dossier.results >= limits::RESULTS {
                            return Err(Error::field(
                                "result",
                                format!("Một hồ sơ có tối đa {} kết quả.", limits::RESULTS),
                            ));
                        }
                        let file =
                            result.ok_or_else(|| Error::Internal("result prepared".into()))??;
                        // A PDF result is signed by the approving leader (issue 12).
                        let (file, signed) =
                            self.sign_result(conn, dossier, agency, file, ahead).await?;
                        return Ok((
                            Command::AttachResult {
                                name: file.name.clone(),
                                file_id: Some(file.id.clone()),
                                signed,
                            },
                            vec![file],
                        ));
                    }
                    Verb::MarkReady => Command::MarkReady,
                    Verb::Return => Command::Return {
                        collector_name: opt_clean(&input.collector_name),
                        collector_id: opt_clean(&input.collector_id),
                        tracking_number: opt_clean(&input.tracking_number),
                    },
                    Verb::Withdraw => Command::Withdraw,
                };
                Ok((command, Vec::new()))
            },
        )
        .await
    }

    /// The civil-status facts the specialist records, checked as at intake; the
    /// copies of an extract stay those asked for (and priced) at intake.
    async fn civil_facts(
        &self,
        conn: &mut Conn,
        dossier: &motcua_domain::dossier::Dossier,
        input: Option<&motcua_domain::dossier::CivilFacts>,
    ) -> Result<motcua_domain::dossier::CivilFacts> {
        let procedure = self
            .procedure_version_in(conn, &dossier.procedure.code, dossier.procedure.version)
            .await?;
        if procedure.civil_register.is_none() {
            return Err(Error::field(
                "civil",
                "Thủ tục của hồ sơ này không ghi vào sổ hộ tịch.",
            ));
        }
        let input =
            input.ok_or_else(|| Error::field("civil", "Cần ghi nội dung hộ tịch của hồ sơ."))?;
        let today = self
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date();
        let asked = dossier
            .details
            .civil
            .as_ref()
            .and_then(|c| c.copies)
            .map(u32::from);
        let mut errors = Errors::new();
        let facts = motcua_domain::dossier::civil_facts::check(
            Some(input),
            &procedure,
            today,
            asked,
            &mut errors,
        );
        errors.into_result()?;
        facts.ok_or_else(|| Error::field("civil", "Cần ghi nội dung hộ tịch của hồ sơ."))
    }

    /// The named specialist, or the one of the dossier's sector with the fewest
    /// open dossiers.
    async fn pick_assignee(
        &self,
        conn: &mut Conn,
        sector: &str,
        agency: &AgencyRow,
        username: Option<&str>,
    ) -> Result<(String, String)> {
        match username.map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => {
                let user = users::by_username(conn, &name.to_lowercase())
                    .await?
                    .filter(|u| u.agency_id == agency.id && u.active)
                    .ok_or_else(|| {
                        Error::field(
                            "assignee",
                            format!("Không có cán bộ «{name}» đang làm việc tại cơ quan này."),
                        )
                    })?;
                let roles = users::roles(conn, &user.id).await?;
                if !roles.iter().any(|r| r == "specialist") {
                    return Err(Error::field(
                        "assignee",
                        format!("«{}» không phải chuyên viên xử lý hồ sơ.", user.full_name),
                    ));
                }
                Ok((user.id, user.username))
            }
            None => {
                let load = store::specialist_load(conn, &agency.id, sector).await?;
                let (id, _) = load.into_iter().next().ok_or_else(|| {
                    Error::field("assignee", "Chưa có chuyên viên nào phụ trách lĩnh vực của hồ sơ này; chọn người xử lý.")
                })?;
                let user = users::by_id(conn, &id)
                    .await?
                    .ok_or_else(|| Error::Internal("specialist vanished".into()))?;
                Ok((user.id, user.username))
            }
        }
    }
}

/// The day asked for a new appointment; the domain checks it against the calendar.
fn new_due_day(input: Option<&str>) -> Result<Option<Date>> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => read_date(s).map(Some).map_err(|problem| {
            Error::field(
                "new_due_date",
                problem.unwrap_or_else(|| "Ngày hẹn mới ghi theo dạng ngày/tháng/năm.".into()),
            )
        }),
    }
}

/// The result to attach: a file, or a paper result described in words.
fn result_file(r: Option<&Upload>) -> Result<NewFile> {
    let r =
        r.ok_or_else(|| Error::field("result", "Chọn tệp kết quả hoặc ghi tên kết quả bản giấy."))?;
    let name = text::clean(&r.name);
    if name.is_empty() {
        return Err(Error::field(
            "result.name",
            "Cần ghi tên kết quả, ví dụ «Giấy khai sinh bản chính».",
        ));
    }
    let content_type = opt_clean(&r.content_type).unwrap_or_else(|| {
        if r.bytes.is_empty() {
            "text/plain".into()
        } else {
            "application/octet-stream".into()
        }
    });
    Ok(NewFile::new("result", name, content_type, r.bytes.clone()))
}

/// A working file of the review (officers only; never shown to the citizen).
fn working_file(u: &Upload) -> NewFile {
    let name = text::clean(&u.name);
    let name = if name.is_empty() {
        "tai-lieu-tham-dinh".to_owned()
    } else {
        name
    };
    let content_type =
        opt_clean(&u.content_type).unwrap_or_else(|| "application/octet-stream".into());
    NewFile::new("working", name, content_type, u.bytes.clone())
}
