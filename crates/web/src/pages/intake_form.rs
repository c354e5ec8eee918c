//! The parts of the intake form that the counter and the online submission share:
//! the chosen procedure's summary, the documents checklist, and turning what was
//! typed into an `IntakeInput` (and its errors back onto the fields).

use askama::Template;
use jiff::civil::Date;
use motcua_app::dossiers::{ApplicantInput, DocumentInput, IntakeInput, Upload};
use motcua_domain::calendar::typed_date::parse_typed_date;
use motcua_domain::procedure::{
    event_day_field, event_day_label, proposed_exemption, time_limit_label_vi, DocumentKind,
    Exemption, FeeInput, FeeRule, Procedure, ReturnMethod,
};
use motcua_domain::text::money;
use motcua_domain::validation::FieldError;

use super::form_data::{FormData, Values};
use super::FormErrors;

/// The chosen procedure as the form shows it.
pub struct ProcInfo {
    pub code: String,
    pub name: String,
    pub limit: String,
    pub time_note: Option<String>,
    /// (fee name, rule in words, note)
    pub fees: Vec<(String, String, Option<String>)>,
    /// (value, label) of the exemptions its fees know.
    pub exemptions: Vec<(&'static str, &'static str)>,
    pub return_methods: Vec<(&'static str, &'static str)>,
    pub by_page: bool,
    pub by_copy: bool,
    /// A civil-status procedure: what its form asks about the register.
    pub civil: Option<CivilForm>,
    /// The day of the birth or death, asked when an exemption depends on it.
    pub event_label: Option<&'static str>,
    /// The fee as the form stands (counter intake), e.g. "8.000 đ".
    pub fee_due: Option<String>,
    /// Why an exemption was proposed from the facts.
    pub proposal: Option<String>,
    /// The day of the birth or death as typed, when it is no date (31/02/2026).
    pub event_error: Option<String>,
}

/// The civil-status part of a dossier's form (`_civil_facts.html`): at intake,
/// and when the specialist records the facts on the dossier's page.
pub struct CivilForm {
    /// entry | note | extract | termination (`CivilWrite`)
    pub writes: &'static str,
    /// A new entry: (field name, label, required, max chars) of its register.
    pub fields: Vec<(&'static str, &'static str, bool, usize)>,
    /// At the counter, the field whose day proposes a fee exemption (the child's
    /// date of birth, the date of death): typed once, for the register and the fee.
    pub event_field: Option<&'static str>,
}

impl CivilForm {
    pub fn is_event(&self, field: &str) -> bool {
        self.event_field == Some(field)
    }
}

/// The civil-status form of a procedure that writes the registers.
pub fn civil_form(reg: motcua_domain::procedure::CivilRegistration) -> Option<CivilForm> {
    use motcua_domain::procedure::CivilWrite;
    Some(match reg.writes {
        CivilWrite::Note => CivilForm {
            writes: "note",
            fields: Vec::new(),
            event_field: None,
        },
        CivilWrite::Extract => CivilForm {
            writes: "extract",
            fields: Vec::new(),
            event_field: None,
        },
        CivilWrite::Termination => CivilForm {
            writes: "termination",
            fields: Vec::new(),
            event_field: None,
        },
        CivilWrite::Entry => {
            // A birth combined with recognition asks for both registers'
            // fields, the shared ones once.
            let kinds: Vec<_> = reg.kind.into_iter().chain(reg.also).collect();
            let mut fields: Vec<motcua_domain::civil::Field> = Vec::new();
            for k in &kinds {
                for f in motcua_app::registers::fields_for(*k) {
                    if !fields.contains(&f) {
                        fields.push(f);
                    }
                }
            }
            CivilForm {
                writes: "entry",
                fields: fields
                    .into_iter()
                    .map(|f| {
                        (
                            f.as_str(),
                            f.label_vi(),
                            kinds.iter().any(|k| k.required().contains(&f)),
                            f.field_type().max_chars(),
                        )
                    })
                    .collect(),
                event_field: None,
            }
        }
    })
}

fn return_value(m: ReturnMethod) -> &'static str {
    match m {
        ReturnMethod::Counter => "counter",
        ReturnMethod::Post => "post",
        ReturnMethod::Home => "home",
        ReturnMethod::Online => "online",
    }
}

pub const ALL_RETURN_METHODS: [ReturnMethod; 4] = [
    ReturnMethod::Counter,
    ReturnMethod::Post,
    ReturnMethod::Home,
    ReturnMethod::Online,
];

pub fn return_method_label(value: &str) -> &'static str {
    ALL_RETURN_METHODS
        .into_iter()
        .find(|m| return_value(*m) == value)
        .map_or("", ReturnMethod::label_vi)
}

/// The exemptions a procedure's fees know.
fn offered(p: &Procedure) -> Vec<Exemption> {
    Exemption::ALL
        .into_iter()
        .filter(|e| p.fees.iter().any(|f| f.exemptions.contains(e)))
        .collect()
}

/// The fee as the form stands: one page, one copy, the exemption chosen.
fn fee_due(p: &Procedure, form: &Values) -> String {
    let input = FeeInput {
        exemption: Exemption::parse(form.get("exemption")),
        pages: form.get("pages").trim().parse().unwrap_or(1),
        copies: form.get("copies").trim().parse().unwrap_or(1),
        ..FeeInput::default()
    };
    let total: i64 = p.fees.iter().map(|f| f.compute(&input)).sum();
    if total == 0 {
        "Không thu (0 đ)".into()
    } else {
        money(total)
    }
}

/// The counter's fee facts: when the day of the birth or death was just entered
/// (`refresh`), the exemption the law grants by default is proposed (or a
/// proposal that no longer fits withdrawn); the fee follows.
pub fn fee_facts(
    info: &mut ProcInfo,
    p: &Procedure,
    form: &mut Values,
    today: Date,
    refresh: bool,
) {
    let offered = offered(p);
    info.event_label = event_day_label(&offered);
    // A birth's or death's register field is that day already: no second field.
    let day_field = event_day_field(&offered).map_or("", |f| f.as_str());
    let in_civil = !day_field.is_empty()
        && info
            .civil
            .as_ref()
            .is_some_and(|c| c.fields.iter().any(|f| f.0 == day_field));
    let field = if in_civil {
        info.event_label = None;
        if let Some(c) = info.civil.as_mut() {
            c.event_field = Some(day_field);
        }
        format!("civil.{day_field}")
    } else {
        "event_date".to_owned()
    };
    let (day, error) = event_day(form, &field);
    info.event_error = error.map(|e| e.message);
    if refresh && (info.event_label.is_some() || in_civil) {
        match proposed_exemption(&offered, day, today) {
            Some(e) => {
                form.set("exemption", e.as_str());
                info.proposal = Some(format!(
                    "Đề xuất miễn lệ phí: {} (theo ngày đã nhập). Cán bộ có thể chọn lại.",
                    e.label_vi()
                ));
            }
            None => {
                let was = Exemption::parse(form.get("exemption"));
                if matches!(
                    was,
                    Some(Exemption::OnTimeBirthRegistration | Exemption::OnTimeDeathRegistration)
                ) {
                    form.set("exemption", "");
                }
                if day.is_some() {
                    info.proposal =
                        Some("Quá thời hạn được miễn lệ phí theo luật: thu lệ phí.".into());
                }
            }
        }
    }
    info.fee_due = Some(fee_due(p, form));
}

pub fn proc_info(p: &Procedure, online: bool) -> ProcInfo {
    let exemptions = Exemption::ALL
        .into_iter()
        .filter(|e| online || *e != Exemption::OnlineFiling)
        .filter(|e| p.fees.iter().any(|f| f.exemptions.contains(e)))
        .map(|e| (e.as_str(), e.label_vi()))
        .collect();
    let methods: Vec<ReturnMethod> = if p.return_methods.is_empty() {
        ALL_RETURN_METHODS.to_vec()
    } else {
        ALL_RETURN_METHODS
            .into_iter()
            .filter(|m| p.return_methods.contains(m))
            .collect()
    };
    ProcInfo {
        code: p.code.clone(),
        name: p.name.clone(),
        limit: time_limit_label_vi(p.committed_limit),
        time_note: p.time_limit_note.clone(),
        fees: p
            .fees
            .iter()
            .map(|f| (f.name.clone(), f.rule.describe_vi(), f.note.clone()))
            .collect(),
        exemptions,
        return_methods: methods
            .into_iter()
            .filter(|m| online || *m != ReturnMethod::Online || p.return_methods.contains(m))
            .map(|m| (return_value(m), m.label_vi()))
            .collect(),
        by_page: p
            .fees
            .iter()
            .any(|f| matches!(f.rule, FeeRule::PerPage { .. })),
        by_copy: p
            .fees
            .iter()
            .any(|f| matches!(f.rule, FeeRule::PerPage { .. } | FeeRule::PerCopy { .. })),
        civil: p.civil_register.and_then(civil_form),
        event_label: None,
        fee_due: None,
        proposal: None,
        event_error: None,
    }
}

/// A line of the documents checklist.
pub struct DocRow {
    pub index: usize,
    pub name: String,
    pub kind_label: &'static str,
    pub note: Option<String>,
    pub received: bool,
    pub originals: String,
    pub certified_copies: String,
    pub photocopies: String,
    pub error: Option<String>,
}

impl DocRow {
    pub fn field(&self, part: &str) -> String {
        format!("documents[{}].{part}", self.index)
    }
}

fn count(n: u16) -> String {
    n.to_string()
}

/// The checklist of the procedure, as required, or as the person last left it when
/// the form comes back (same procedure).
pub fn doc_rows(values: &Values, procedure: Option<&Procedure>) -> Vec<DocRow> {
    let Some(p) = procedure else {
        return Vec::new();
    };
    let posted = values.get("documents_for") == p.code;
    p.documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (mut o, mut c, mut ph) = (0, 0, 0);
            match d.kind {
                DocumentKind::CertifiedCopy => c = d.count,
                DocumentKind::Photocopy => ph = d.count,
                DocumentKind::Original | DocumentKind::OriginalOrCertifiedCopy => o = d.count,
            }
            let mut row = DocRow {
                index: i,
                name: d.name.clone(),
                kind_label: d.kind.label_vi(),
                note: d.note.clone(),
                // Ticked by the officer as each paper is checked, never presumed.
                received: false,
                originals: count(o),
                certified_copies: count(c),
                photocopies: count(ph),
                error: None,
            };
            if posted {
                row.received = values.is(&row.field("received"), "1");
                row.originals = values.get(&row.field("originals")).to_owned();
                row.certified_copies = values.get(&row.field("certified_copies")).to_owned();
                row.photocopies = values.get(&row.field("photocopies")).to_owned();
            }
            row
        })
        .collect()
}

/// Puts the app's `documents[k]` messages (k counts only the ticked lines) and the
/// form's own on their lines.
pub fn attach_doc_errors(rows: &mut [DocRow], errors: &FormErrors) {
    let mut k = 0;
    for row in rows.iter_mut() {
        if !row.received {
            if let Some(m) = errors.get(&format!("documents[{}]", row.index)) {
                row.error = Some(m.to_owned());
            }
            continue;
        }
        let own = errors.get(&format!("documents[{}]", row.index));
        let app = errors
            .get(&format!("documents[{k}]"))
            .or_else(|| errors.get(&format!("documents[{k}].name")));
        row.error = own.or(app).map(str::to_owned);
        k += 1;
    }
}

/// The procedure summary and checklist, alone: what htmx swaps in when the
/// procedure changes, and what the whole form includes.
#[derive(Template)]
#[template(path = "_intake_procedure.html")]
pub struct ProcedureFragment {
    pub proc_info: Option<ProcInfo>,
    pub docs: Vec<DocRow>,
    pub form: Values,
    pub errors: FormErrors,
    pub online: bool,
}

fn applicant(values: &Values, prefix: &str) -> ApplicantInput {
    let f = |name: &str| values.opt(&format!("{prefix}.{name}"));
    ApplicantInput {
        full_name: values.get(&format!("{prefix}.full_name")).to_owned(),
        personal_id: f("personal_id"),
        date_of_birth: f("date_of_birth"),
        sex: f("sex"),
        phone: f("phone"),
        email: f("email"),
        address: f("address"),
    }
}

fn small_number<T: std::str::FromStr>(
    values: &Values,
    name: &str,
    errors: &mut Vec<FieldError>,
    message: &str,
) -> Option<T> {
    let s = values.get(name).trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<T>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(name, message));
            None
        }
    }
}

/// What the form says, as the use case takes it; numbers that are not numbers are
/// refused here, on their fields.
pub fn intake_input(
    data: &FormData,
    procedure: Option<&Procedure>,
    online: bool,
) -> Result<IntakeInput, Vec<FieldError>> {
    let (input, errors) = intake_input_and_errors(data, procedure, online);
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// [`intake_input`], the input built even when the form has mistakes of its own,
/// so that the use case can add every other mistake to the same answer.
/// The day of the birth or death typed on the counter form (in `field`), or why
/// it is none: a day that does not exist is said so, never read as another day.
fn event_day(form: &Values, field: &str) -> (Option<Date>, Option<FieldError>) {
    let typed = form.get(field).trim();
    if typed.is_empty() {
        return (None, None);
    }
    match parse_typed_date(typed) {
        Ok(day) => (Some(day), None),
        Err(e) => (None, Some(FieldError::new(field, e.message_vi()))),
    }
}

pub fn intake_input_and_errors(
    data: &FormData,
    procedure: Option<&Procedure>,
    online: bool,
) -> (IntakeInput, Vec<FieldError>) {
    let v = &data.values;
    let mut errors: Vec<FieldError> = event_day(v, "event_date").1.into_iter().collect();
    let on_behalf_of = v
        .any_with_prefix("on_behalf_of.")
        .then(|| applicant(v, "on_behalf_of"));
    let documents = match procedure {
        Some(p) if !online && v.get("documents_for") == p.code => {
            let rows = doc_rows(v, Some(p));
            let mut list = Vec::new();
            for row in rows.iter().filter(|r| r.received) {
                let mut n = |s: &str| -> u16 {
                    let s = s.trim();
                    if s.is_empty() {
                        return 0;
                    }
                    s.parse::<u16>()
                        .ok()
                        .filter(|n| *n <= 99)
                        .unwrap_or_else(|| {
                            errors.push(FieldError::new(
                                format!("documents[{}]", row.index),
                                format!("Giấy tờ «{}»: số bản là số nguyên từ 0 đến 99.", row.name),
                            ));
                            0
                        })
                };
                let item = DocumentInput {
                    name: row.name.clone(),
                    originals: n(&row.originals),
                    certified_copies: n(&row.certified_copies),
                    photocopies: n(&row.photocopies),
                };
                list.push(item);
            }
            // A required paper not ticked: received anyway only when the officer
            // says so.
            let missing: Vec<String> = rows
                .iter()
                .zip(&p.documents)
                .filter(|(r, d)| !r.received && d.expected(on_behalf_of.is_some()))
                .map(|(r, _)| format!("«{}»", r.name))
                .collect();
            if !missing.is_empty() && v.get("missing_confirmed") != "1" {
                errors.push(FieldError::new(
                    "documents",
                    format!(
                        "Chưa đánh dấu đã nhận: {}. Đánh dấu từng giấy tờ đã nhận; nếu vẫn tiếp nhận khi thiếu, đánh dấu ô «Vẫn tiếp nhận dù thiếu giấy tờ».",
                        missing.join(", ")
                    ),
                ));
            }
            Some(list)
        }
        _ => None,
    };
    let sets = small_number::<u16>(
        v,
        "sets",
        &mut errors,
        "Số bộ hồ sơ là số nguyên từ 1 đến 20.",
    );
    let pages = small_number::<u32>(v, "pages", &mut errors, "Số trang là số nguyên dương.");
    let copies = small_number::<u32>(v, "copies", &mut errors, "Số bản sao là số nguyên dương.");
    let files = data
        .files_of("files")
        .map(|f| Upload {
            name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            bytes: f.bytes.to_vec(),
        })
        .collect();
    let input = IntakeInput {
        procedure: v.get("procedure").trim().to_owned(),
        channel: if online { None } else { v.opt("channel") },
        agency: if online { v.opt("agency") } else { None },
        applicant: applicant(v, "applicant"),
        on_behalf_of,
        documents,
        sets,
        return_method: v.get("return_method").trim().to_owned(),
        post_address: v.opt("post_address"),
        pages,
        copies,
        exemption: v.opt("exemption"),
        fee_paid: if online {
            None
        } else {
            Some(v.is("fee_paid", "1"))
        },
        fee_receipt_no: if online {
            None
        } else {
            v.opt("fee_receipt_no")
        },
        note: v.opt("note"),
        files,
        civil: civil_facts(v),
    };
    (input, errors)
}

/// The civil-status part of the form: inputs named `civil.<field>` (and
/// `civil_entry_id`, or `civil_entry_book` and `civil_entry_number`, and
/// `civil_note_kind`, `civil_reason` for a correction); none when the form has
/// none of them.
pub(crate) fn civil_facts(v: &Values) -> Option<motcua_domain::dossier::CivilFacts> {
    let fields: std::collections::BTreeMap<String, String> =
        v.0.iter()
            .filter_map(|(k, value)| Some((k.strip_prefix("civil.")?, value)))
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(k, value)| (k.to_owned(), value.clone()))
            .collect();
    let entry_id = v.opt("civil_entry_id");
    let entry_book = v.opt("civil_entry_book");
    // Not a number: 0, which the check refuses with its own message.
    let entry_number = v
        .opt("civil_entry_number")
        .map(|n| n.parse::<i64>().unwrap_or(0));
    if fields.is_empty() && entry_id.is_none() && entry_book.is_none() && entry_number.is_none() {
        return None;
    }
    Some(motcua_domain::dossier::CivilFacts {
        fields,
        entry_id,
        entry_book,
        entry_number,
        note_kind: v.opt("civil_note_kind"),
        reason: v.opt("civil_reason"),
        ..Default::default()
    })
}

/// The form's values of recorded facts: what [`civil_facts`] reads back.
pub(crate) fn civil_values(c: &motcua_domain::dossier::CivilFacts) -> Values {
    let mut values: Vec<(String, String)> = c
        .fields
        .iter()
        .map(|(k, v)| (format!("civil.{k}"), v.clone()))
        .collect();
    for (name, value) in [
        ("civil_entry_id", c.entry_id.clone()),
        ("civil_entry_book", c.entry_book.clone()),
        ("civil_entry_number", c.entry_number.map(|n| n.to_string())),
        ("civil_note_kind", c.note_kind.clone()),
        ("civil_reason", c.reason.clone()),
    ] {
        if let Some(value) = value {
            values.push((name.to_owned(), value));
        }
    }
    Values(values)
}

/// The sexes as the select offers them.
pub const SEXES: [(&str, &str); 2] = [("male", "Nam"), ("female", "Nữ")];
