//! Taking a dossier in: at the counter (and by post, at home, by a helper team),
//! and online, where it waits for a counter officer to accept it.

use motcua_domain::access::Action;
use motcua_domain::dossier::{self, Channel, Intake, ProcedureRef};
use motcua_domain::personal_id::{PersonalId, Sex};
use motcua_domain::procedure::{
    DocumentKind, FeeInput, OnlineAvailability, Procedure, ReturnMethod,
};
use motcua_domain::validation::Errors;
use motcua_domain::{limits, text};
use motcua_store::agencies;
use serde::Serialize;

use super::input::{opt_clean, read_date, Upload};
use super::write::{actor_of, refusal, NewFile, DOCUMENT};
use super::Dossiers;
use super::{Applicant, Details, Dossier, ReceivedDocument};
use crate::error::{Error, Result};
use crate::idempotency::Request;
use crate::principal::{Actor, AgencyRef};
use crate::throttle::bucket;

/// The applicant as typed in: checked and cleaned into an `Applicant`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplicantInput {
    pub full_name: String,
    pub personal_id: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd
    pub date_of_birth: Option<String>,
    /// male / female (nam / nữ)
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// A paper received, with how many of each form.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DocumentInput {
    pub name: String,
    pub originals: u16,
    pub certified_copies: u16,
    pub photocopies: u16,
}

/// A dossier as the counter (or the citizen online) fills it in.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntakeInput {
    /// Procedure code, e.g. 1.001193.
    pub procedure: String,
    /// counter, post, home or assisted (online submissions use the public endpoint).
    pub channel: Option<String>,
    /// Required for online submissions: the agency's identifier code.
    pub agency: Option<String>,
    pub applicant: ApplicantInput,
    pub on_behalf_of: Option<ApplicantInput>,
    /// The papers received; when absent, the procedure's required list as listed.
    pub documents: Option<Vec<DocumentInput>>,
    pub sets: Option<u16>,
    /// counter, post, home or online.
    pub return_method: String,
    pub post_address: Option<String>,
    /// For fees by page, copy or case.
    pub pages: Option<u32>,
    pub copies: Option<u32>,
    /// An exemption claimed, e.g. poor_household.
    pub exemption: Option<String>,
    pub fee_paid: Option<bool>,
    pub fee_receipt_no: Option<String>,
    pub note: Option<String>,
    pub files: Vec<Upload>,
    /// A civil-status procedure: the facts of the register entry (or of the
    /// correction) its approval writes.
    pub civil: Option<motcua_domain::dossier::CivilFacts>,
}

/// The bounds of an applicant as typed (see `motcua_domain::limits`).
fn check_applicant_bounds(a: &ApplicantInput, prefix: &str, errors: &mut Errors) {
    let f = |name: &str| format!("{prefix}.{name}");
    errors.check_text(
        &f("full_name"),
        "Họ tên",
        &a.full_name,
        limits::NAME_CHARS,
        false,
    );
    for (name, label, value) in [
        ("personal_id", "Số định danh cá nhân", &a.personal_id),
        ("date_of_birth", "Ngày sinh", &a.date_of_birth),
        ("sex", "Giới tính", &a.sex),
        ("phone", "Số điện thoại", &a.phone),
    ] {
        errors.check_opt_text(
            &f(name),
            label,
            value.as_deref(),
            limits::SHORT_CHARS,
            false,
        );
    }
    errors.check_opt_text(
        &f("email"),
        "Thư điện tử",
        a.email.as_deref(),
        limits::EMAIL_CHARS,
        false,
    );
    errors.check_opt_text(
        &f("address"),
        "Địa chỉ",
        a.address.as_deref(),
        limits::ADDRESS_CHARS,
        false,
    );
}

/// Every bound of an intake (`motcua_domain::limits`), checked before anything else
/// reads the input: no text, list, number or file beyond what a real dossier needs
/// reaches the database, the blob store or a printed form.
pub(crate) fn check_bounds(input: &IntakeInput, online: bool) -> Result<()> {
    let mut errors = Errors::new();
    for (field, label, value) in [
        ("procedure", "Mã thủ tục", Some(&input.procedure)),
        ("channel", "Kênh nộp", input.channel.as_ref()),
        ("agency", "Mã cơ quan", input.agency.as_ref()),
        (
            "return_method",
            "Cách nhận kết quả",
            Some(&input.return_method),
        ),
        ("exemption", "Đối tượng miễn phí", input.exemption.as_ref()),
        (
            "fee_receipt_no",
            "Số biên lai",
            input.fee_receipt_no.as_ref(),
        ),
    ] {
        errors.check_opt_text(
            field,
            label,
            value.map(String::as_str),
            limits::SHORT_CHARS,
            false,
        );
    }
    check_applicant_bounds(&input.applicant, "applicant", &mut errors);
    if let Some(a) = &input.on_behalf_of {
        check_applicant_bounds(a, "on_behalf_of", &mut errors);
    }
    errors.check_opt_text(
        "post_address",
        "Địa chỉ nhận kết quả",
        input.post_address.as_deref(),
        limits::ADDRESS_CHARS,
        false,
    );
    errors.check_opt_text(
        "note",
        "Ghi chú",
        input.note.as_deref(),
        limits::FREE_TEXT_CHARS,
        true,
    );
    if let Some(list) = &input.documents {
        if errors.check_count("documents", "Giấy tờ", list.len(), limits::DOCUMENTS) {
            for (i, d) in list.iter().enumerate() {
                errors.check_text(
                    &format!("documents[{i}].name"),
                    "Tên giấy tờ",
                    &d.name,
                    limits::DOCUMENT_NAME_CHARS,
                    false,
                );
                if [d.originals, d.certified_copies, d.photocopies]
                    .iter()
                    .any(|&n| n > limits::DOCUMENT_COPIES)
                {
                    errors.push(
                        &format!("documents[{i}]"),
                        format!(
                            "Số bản của mỗi giấy tờ tối đa {} (bản chính, bản sao, bản chụp).",
                            limits::DOCUMENT_COPIES
                        ),
                    );
                }
            }
        }
    }
    if input.sets.is_some_and(|n| n == 0 || n > limits::SETS) {
        errors.push("sets", format!("Số bộ hồ sơ từ 1 đến {}.", limits::SETS));
    }
    if input.pages.is_some_and(|n| n == 0 || n > limits::PAGES) {
        errors.push(
            "pages",
            format!("Số trang từ 1 đến {}.", text::grouped(limits::PAGES.into())),
        );
    }
    if input.copies.is_some_and(|n| n == 0 || n > limits::COPIES) {
        errors.push(
            "copies",
            format!(
                "Số bản sao từ 1 đến {}.",
                text::grouped(limits::COPIES.into())
            ),
        );
    }
    let (max_files, max_total) = if online {
        (limits::ONLINE_FILES, limits::ONLINE_FILES_TOTAL_BYTES)
    } else {
        (limits::FILES, limits::FILES_TOTAL_BYTES)
    };
    if errors.check_count("files", "Tệp đính kèm", input.files.len(), max_files) {
        for (i, f) in input.files.iter().enumerate() {
            let field = format!("files[{i}]");
            errors.check_text(&field, "Tên tệp", &f.name, limits::FILE_NAME_CHARS, false);
            errors.check_opt_text(
                &field,
                "Kiểu tệp",
                f.content_type.as_deref(),
                limits::CONTENT_TYPE_CHARS,
                false,
            );
        }
        let total: usize = input.files.iter().map(|f| f.bytes.len()).sum();
        if total > max_total {
            errors.push(
                "files",
                format!(
                    "Các tệp của một hồ sơ cộng lại tối đa {} MB.",
                    limits::megabytes(max_total)
                ),
            );
        }
    }
    errors.into_result()?;
    Ok(())
}

/// Vietnamese phone numbers: 10 digits from 0, or +84 and 9 digits; spaces and dots
/// allowed between groups.
fn parse_phone(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = if let Some(rest) = compact.strip_prefix("+84") {
        format!("0{rest}")
    } else {
        compact
    };
    (digits.len() == 10 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// Checks an applicant; `prefix` names the fields ("applicant", "on_behalf_of").
pub(crate) fn check_applicant(
    input: &ApplicantInput,
    prefix: &str,
    id_required: bool,
    errors: &mut Errors,
) -> Applicant {
    let f = |name: &str| format!("{prefix}.{name}");
    let full_name = text::clean(&input.full_name);
    if full_name.is_empty() {
        errors.push(&f("full_name"), "Cần nhập họ, chữ đệm và tên.");
    } else if text::char_len(&full_name) > 100 {
        errors.push(&f("full_name"), "Họ tên dài quá 100 ký tự.");
    }
    let date_of_birth = match opt_clean(&input.date_of_birth) {
        None => None,
        Some(s) => match read_date(&s) {
            Ok(d) => Some(d),
            Err(problem) => {
                errors.push(
                    &f("date_of_birth"),
                    problem.unwrap_or_else(|| {
                        "Ngày sinh cần ghi theo dạng ngày/tháng/năm, ví dụ 05/09/1987.".into()
                    }),
                );
                None
            }
        },
    };
    let sex = match opt_clean(&input.sex) {
        None => None,
        Some(s) => match Sex::parse(&s) {
            Some(x) => Some(x),
            None => {
                errors.push(&f("sex"), "Giới tính ghi «Nam» hoặc «Nữ».");
                None
            }
        },
    };
    let personal_id = match opt_clean(&input.personal_id) {
        None => {
            if id_required {
                errors.push(
                    &f("personal_id"),
                    "Cần nhập số định danh cá nhân (12 chữ số trên thẻ căn cước).",
                );
            }
            None
        }
        Some(s) => match PersonalId::parse_for(&s, date_of_birth, sex) {
            Ok(id) => Some(id.as_str().to_owned()),
            Err(e) => {
                errors.0.push(e.field_error(&f("personal_id")));
                None
            }
        },
    };
    let phone = match opt_clean(&input.phone) {
        None => None,
        Some(s) => match parse_phone(&s) {
            Some(p) => Some(p),
            None => {
                errors.push(
                    &f("phone"),
                    "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).",
                );
                None
            }
        },
    };
    let email = match opt_clean(&input.email) {
        None => None,
        Some(s) => {
            let ok = s.len() <= 254
                && !s.contains(' ')
                && s.split_once('@').is_some_and(|(a, b)| {
                    !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.')
                });
            if ok {
                Some(s)
            } else {
                errors.push(
                    &f("email"),
                    "Địa chỉ thư điện tử không đúng dạng, ví dụ ten@example.vn.",
                );
                None
            }
        }
    };
    let address = opt_clean(&input.address);
    if address.as_deref().is_some_and(|a| text::char_len(a) > 300) {
        errors.push(&f("address"), "Địa chỉ dài quá 300 ký tự.");
    }
    Applicant {
        full_name,
        personal_id,
        date_of_birth,
        sex,
        phone,
        email,
        address,
    }
}

/// The papers of a procedure as the counter usually receives them.
fn default_documents(p: &Procedure) -> Vec<ReceivedDocument> {
    p.documents
        .iter()
        .map(|d| {
            let mut r = ReceivedDocument {
                name: d.name.clone(),
                ..Default::default()
            };
            match d.kind {
                DocumentKind::Original => r.originals = d.count,
                DocumentKind::CertifiedCopy => r.certified_copies = d.count,
                DocumentKind::Photocopy => r.photocopies = d.count,
                _ => r.originals = d.count,
            }
            r
        })
        .collect()
}

/// Everything checked, ready to write.
pub(crate) struct Checked {
    pub details: Details,
    pub return_method: ReturnMethod,
    pub fee_amount: i64,
    pub fee_paid: bool,
    /// The scanned documents, for the first event to bring.
    pub files: Vec<NewFile>,
}

pub(crate) fn check_intake(
    input: &IntakeInput,
    procedure: &Procedure,
    today: jiff::civil::Date,
) -> Result<Checked> {
    let mut errors = Errors::new();
    let civil = motcua_domain::dossier::civil_facts::check(
        input.civil.as_ref(),
        procedure,
        today,
        input.copies,
        &mut errors,
    );
    let applicant = check_applicant(&input.applicant, "applicant", true, &mut errors);
    let on_behalf_of = input
        .on_behalf_of
        .as_ref()
        .filter(|a| !a.full_name.trim().is_empty())
        .map(|a| check_applicant(a, "on_behalf_of", false, &mut errors));
    let return_method = match ReturnMethod::parse(&input.return_method) {
        Some(m) if procedure.return_methods.is_empty() || procedure.return_methods.contains(&m) => {
            Some(m)
        }
        Some(_) => {
            let allowed: Vec<&str> = procedure
                .return_methods
                .iter()
                .map(|m| m.label_vi())
                .collect();
            errors.push(
                "return_method",
                format!("Thủ tục này trả kết quả theo cách: {}.", allowed.join("; ")),
            );
            None
        }
        None => {
            errors.push("return_method", "Chọn cách nhận kết quả: tại Bộ phận một cửa (counter), qua bưu chính (post), tại nhà (home) hoặc trực tuyến (online).");
            None
        }
    };
    let post_address = opt_clean(&input.post_address).or_else(|| applicant.address.clone());
    if return_method == Some(ReturnMethod::Post) && post_address.is_none() {
        errors.push("post_address", "Cần địa chỉ nhận kết quả qua bưu chính.");
    }
    let documents = match &input.documents {
        None => default_documents(procedure),
        Some(list) => {
            let mut out = Vec::new();
            for (i, d) in list.iter().enumerate() {
                let name = text::clean(&d.name);
                if name.is_empty() {
                    errors.push(&format!("documents[{i}].name"), "Cần ghi tên giấy tờ.");
                }
                if d.originals + d.certified_copies + d.photocopies == 0 {
                    errors.push(&format!("documents[{i}]"), format!("Giấy tờ «{name}»: cần ghi số bản chính, bản sao hoặc bản chụp đã nhận."));
                }
                out.push(ReceivedDocument {
                    name,
                    originals: d.originals,
                    certified_copies: d.certified_copies,
                    photocopies: d.photocopies,
                });
            }
            out
        }
    };
    let sets = input.sets.unwrap_or(1);
    if sets == 0 || sets > limits::SETS {
        errors.push("sets", format!("Số bộ hồ sơ từ 1 đến {}.", limits::SETS));
    }
    let exemption = match opt_clean(&input.exemption) {
        None => None,
        Some(s) => match motcua_domain::procedure::Exemption::parse(&s) {
            Some(e) => Some(e),
            None => {
                errors.push(
                    "exemption",
                    format!("Không có đối tượng miễn phí, lệ phí «{s}»."),
                );
                None
            }
        },
    };
    let fee_input = FeeInput {
        pages: input.pages.unwrap_or(1).max(1),
        copies: input.copies.unwrap_or(1).max(1),
        cases: 1,
        exemption,
    };
    let fee_amount: i64 = procedure.fees.iter().map(|f| f.compute(&fee_input)).sum();
    let fee_paid = input.fee_paid.unwrap_or(false) || fee_amount == 0;
    if input.files.len() > limits::FILES {
        errors.push(
            "files",
            format!("Gửi tối đa {} tệp mỗi hồ sơ.", limits::FILES),
        );
    }
    let mut files = Vec::new();
    for (i, f) in input.files.iter().enumerate() {
        let name = text::clean(&f.name);
        if f.bytes.len() > limits::FILE_BYTES {
            errors.push(
                &format!("files[{i}]"),
                format!(
                    "Tệp «{name}» lớn hơn {} MB.",
                    limits::megabytes(limits::FILE_BYTES)
                ),
            );
        } else if f.bytes.is_empty() {
            errors.push(&format!("files[{i}]"), format!("Tệp «{name}» rỗng."));
        } else {
            files.push(NewFile::new(
                DOCUMENT,
                if name.is_empty() {
                    format!("tep-{}", i + 1)
                } else {
                    name
                },
                opt_clean(&f.content_type).unwrap_or_else(|| "application/octet-stream".into()),
                f.bytes.clone(),
            ));
        }
    }
    let note = opt_clean(&input.note);
    errors.into_result()?;
    Ok(Checked {
        details: Details {
            applicant,
            on_behalf_of,
            documents,
            sets,
            post_address: if return_method == Some(ReturnMethod::Post) {
                post_address
            } else {
                None
            },
            fee_receipt_no: opt_clean(&input.fee_receipt_no),
            fee_exemption: exemption.map(|e| e.as_str().to_string()),
            note,
            time_limit: Some(procedure.committed_limit.to_string()),
            civil,
            ..Default::default()
        },
        return_method: return_method.unwrap_or(ReturnMethod::Counter),
        fee_amount,
        fee_paid,
        files,
    })
}

/// The facts a new dossier starts with (the domain adds its clock and priority).
fn intake(
    agency: &AgencyRef,
    code: String,
    version: i64,
    procedure: &Procedure,
    channel: Channel,
    c: &Checked,
) -> Intake {
    Intake {
        code,
        agency_id: agency.id.clone(),
        procedure: ProcedureRef {
            code: procedure.code.clone(),
            version,
            name: procedure.name.clone(),
            sector: procedure.sector.clone(),
        },
        channel,
        return_method: c.return_method,
        fee_amount: c.fee_amount,
        fee_paid: c.fee_paid,
        priority: 1,
        details: c.details.clone(),
        due_at: None,
    }
}

impl Dossiers<'_> {
    /// Counter intake (also post, home visit and assisted): the dossier is received
    /// now and its clock starts.
    pub async fn receive(
        &self,
        actor: &Actor,
        input: &IntakeInput,
        idempotency_key: Option<&str>,
    ) -> Result<Dossier> {
        self.receive_with_limit(actor, input, idempotency_key, false)
            .await
    }

    /// [`Dossiers::receive`]; with `longer`, under the procedure's longer limit
    /// (`verification_limit`) where it has one: a certification with many pages or
    /// copies takes up to two more working days.
    pub(crate) async fn receive_with_limit(
        &self,
        actor: &Actor,
        input: &IntakeInput,
        idempotency_key: Option<&str>,
        longer: bool,
    ) -> Result<Dossier> {
        if let Err(bounds) = check_bounds(input, false) {
            // Every mistake at once: what the bounds refused, and what the checks
            // of the procedure find in the rest of the form.
            return Err(self.with_intake_errors(actor, input, bounds).await);
        }
        let channel = match input.channel.as_deref().map(str::trim).unwrap_or("counter") {
            "" => Channel::Counter,
            s => match Channel::parse(s) {
                Some(Channel::Online) => return Err(Error::field("channel", "Hồ sơ trực tuyến do công dân nộp trên Cổng dịch vụ công; bộ phận một cửa tiếp nhận chúng trong danh sách «Chờ tiếp nhận».")),
                Some(c) => c,
                None => return Err(Error::field("channel", "Kênh nộp là counter, post, home hoặc assisted.")),
            },
        };
        actor.require(Action::HandleDossier, &actor.agency.path)?;
        if !actor.has(motcua_domain::user::Role::CounterOfficer) {
            return Err(Error::Forbidden(
                "Chỉ cán bộ tiếp nhận (bộ phận một cửa) được tiếp nhận hồ sơ.".into(),
            ));
        }
        let request = Request::new(&actor.user_id, idempotency_key, &("receive", input))?;
        let (version, procedure) = self
            .procedure_for_agency(&actor.agency.id, &input.procedure)
            .await?;
        let mut checked = check_intake(input, &procedure, super::write::local_day(self.now()))?;
        let limit = match procedure.verification_limit {
            Some(longer_limit) if longer => longer_limit,
            _ => procedure.committed_limit,
        };
        let cal = self.working_calendar(Some(&actor.agency.code)).await?;
        // The actor's agency as authenticated: the write transaction finds it again
        // with the actor's credential and refuses the write if it changed.
        let agency = &actor.agency;
        let files = std::mem::take(&mut checked.files);
        self.open_dossier(
            &request,
            agency,
            |code| {
                let facts = intake(agency, code.clone(), version, &procedure, channel, &checked);
                dossier::receive(facts, actor_of(actor), limit, self.now(), &cal)
                    .map_err(|r| refusal(r, &code))
            },
            files,
            Some(actor),
            Some(&cal),
        )
        .await
    }

    /// `first` and every other field error a counter intake has, for a form that
    /// reports all its mistakes in one answer (the page adds its own).
    pub async fn with_intake_errors(
        &self,
        actor: &Actor,
        input: &IntakeInput,
        first: Error,
    ) -> Error {
        let Error::Invalid(mut errors) = first else {
            return first;
        };
        let mut more = |e: Error| {
            if let Error::Invalid(found) = e {
                for f in found.0 {
                    if !errors.0.iter().any(|x| x.field == f.field) {
                        errors.0.push(f);
                    }
                }
            }
        };
        if let Err(e) = check_bounds(input, false) {
            more(e);
        }
        match self
            .procedure_for_agency(&actor.agency.id, &input.procedure)
            .await
        {
            Ok((_, procedure)) => {
                if let Err(e) = check_intake(input, &procedure, super::write::local_day(self.now()))
                {
                    more(e);
                }
            }
            Err(e) => more(e),
        }
        Error::Invalid(errors)
    }

    /// An online submission from the public site: it waits as `submitted` until a
    /// counter officer accepts it (the clock starts then) or refuses it. `who` is
    /// the sender's address: submissions are limited per address and per
    /// applicant phone and ID number.
    pub async fn submit_online(
        &self,
        input: &IntakeInput,
        idempotency_key: Option<&str>,
        who: &str,
    ) -> Result<Dossier> {
        check_bounds(input, true)?;
        let agency_code = opt_clean(&input.agency)
            .ok_or_else(|| Error::field("agency", "Chọn cơ quan nhận hồ sơ."))?;
        let mut conn = self.db.read().await?;
        let agency = agencies::by_code(&mut conn, &agency_code.to_ascii_uppercase())
            .await?
            .filter(|a| a.active)
            .map(super::queries::agency_ref)
            .ok_or_else(|| {
                Error::field("agency", format!("Không có cơ quan mã «{agency_code}»."))
            })?;
        drop(conn);
        let (version, procedure) = self
            .procedure_for_agency(&agency.id, &input.procedure)
            .await?;
        if procedure.online == OnlineAvailability::None {
            return Err(Error::field("procedure", "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; mời nộp trực tiếp tại Bộ phận một cửa."));
        }
        let mut checked = check_intake(input, &procedure, super::write::local_day(self.now()))?;
        if checked.details.applicant.phone.is_none() && checked.details.applicant.email.is_none() {
            return Err(Error::field(
                "applicant.phone",
                "Cần số điện thoại hoặc thư điện tử để nhận thông báo về hồ sơ.",
            ));
        }
        // Online filing is exempt where the procedure says so.
        if procedure.fees.iter().all(|f| {
            f.compute(&FeeInput {
                exemption: Some(motcua_domain::procedure::Exemption::OnlineFiling),
                ..FeeInput::default()
            }) == 0
        }) {
            checked.fee_amount = 0;
            checked.fee_paid = true;
        }
        checked.details.fee_receipt_no = None;
        let request = Request::new("public", idempotency_key, &("submit", input))?;
        // A retry of a submission already answered (its answer lost on the way)
        // gets that answer again and is not counted a second time.
        if let Some(answer) = request.answered(&mut self.db.read().await?).await? {
            return Ok(answer);
        }
        // Counted once the submission is known to be valid (a mistake in a form
        // costs nothing) and before anything is stored. Phone and ID number are
        // normalised by now, so "0912 345 678" and "+84912345678" are one bucket.
        let applicant = &checked.details.applicant;
        let mut buckets = vec![(
            bucket("submit:ip", &[who]),
            self.limits.submissions_per_address,
        )];
        if let Some(phone) = &applicant.phone {
            buckets.push((
                bucket("submit:phone", &[phone]),
                self.limits.submissions_per_applicant,
            ));
        }
        if let Some(id) = &applicant.personal_id {
            buckets.push((
                bucket("submit:id", &[id]),
                self.limits.submissions_per_applicant,
            ));
        }
        self.hit_all(&buckets, |wait| {
            format!(
                "Đã có quá nhiều hồ sơ trực tuyến được gửi từ địa chỉ này hoặc cho người \
                 nộp này trong thời gian ngắn. Vui lòng thử lại sau {wait}, hoặc nộp trực \
                 tiếp tại Bộ phận một cửa."
            )
        })
        .await?;
        let files = std::mem::take(&mut checked.files);
        // No one is signed in: the applicant is the actor.
        let applicant = dossier::Actor {
            id: None,
            name: checked.details.applicant.full_name.clone(),
            agency_id: None,
        };
        self.open_dossier(
            &request,
            &agency,
            |code| {
                let facts = intake(
                    &agency,
                    code,
                    version,
                    &procedure,
                    Channel::Online,
                    &checked,
                );
                Ok(dossier::submit(
                    facts,
                    applicant,
                    procedure.committed_limit,
                    self.now(),
                ))
            },
            files,
            None,
            None,
        )
        .await
    }

    /// The version in force of a procedure the agency performs.
    pub(crate) async fn procedure_for_agency(
        &self,
        agency_id: &str,
        code: &str,
    ) -> Result<(i64, Procedure)> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::field("procedure", "Chọn thủ tục hành chính."));
        }
        let entry = self
            .procedure(code)
            .await
            .map_err(|_| Error::field("procedure", format!("Không có thủ tục mã «{code}».")))?;
        let enabled = self.enabled_codes(agency_id).await?;
        if !enabled.iter().any(|c| c == code) {
            return Err(Error::field(
                "procedure",
                format!(
                    "Cơ quan này không giải quyết thủ tục «{}».",
                    entry.procedure.name
                ),
            ));
        }
        Ok((entry.version, entry.procedure))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossiers::input::parse_date;
    use jiff::civil::Date;

    #[test]
    fn dates_and_phones_as_people_write_them() {
        assert_eq!(parse_date("05/09/1987"), Date::new(1987, 9, 5).ok());
        assert_eq!(parse_date("1987-09-05"), Date::new(1987, 9, 5).ok());
        assert_eq!(parse_date("31/02/1987"), None);
        assert_eq!(parse_phone("0912 345 678").as_deref(), Some("0912345678"));
        assert_eq!(parse_phone("+84912345678").as_deref(), Some("0912345678"));
        assert_eq!(parse_phone("12345"), None);
    }
}
