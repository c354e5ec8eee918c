//! The procedure editor as a form with Vietnamese labels, for administrators who
//! are not technicians: names, time limits, documents, fees, steps and results,
//! each field validated with its own message. Whatever the form does not show
//! (a document's template link, a fee's exemptions, per-page tiers, linked
//! procedures…) is kept from the version being edited; the raw JSON stays
//! available as the "advanced" view.

use std::collections::HashMap;

use motcua_domain::calendar::typed_date::parse_typed_date;
use motcua_domain::calendar::TimeLimit;
use motcua_domain::procedure::{
    DocumentKind, Fee, FeeRule, OnlineAvailability, Procedure, ProcessStep, RequiredDocument,
    ResultKind, StepRole, StepShare,
};
use motcua_domain::validation::FieldError;

/// Blank rows offered under each list, to add to it.
const BLANK_ROWS: usize = 2;

pub const DOCUMENT_KINDS: [(&str, &str); 4] = [
    ("original", "Bản chính"),
    ("certified_copy", "Bản sao có chứng thực"),
    ("photocopy", "Bản chụp"),
    (
        "original_or_certified_copy",
        "Bản chính hoặc bản sao có chứng thực",
    ),
];
pub const FEE_KINDS: [(&str, &str); 4] = [
    ("free", "Miễn phí"),
    ("fixed", "Mỗi hồ sơ"),
    ("per_case", "Mỗi trường hợp"),
    ("per_copy", "Mỗi bản"),
];
pub const ROLES: [(&str, &str); 3] = [
    ("counter_officer", "Bộ phận một cửa"),
    ("specialist", "Công chức chuyên môn"),
    ("leader", "Lãnh đạo UBND"),
];
pub const LIMIT_UNITS: [(&str, &str); 5] = [
    ("wd", "ngày làm việc"),
    ("wh", "giờ làm việc"),
    ("cd", "ngày (theo lịch)"),
    ("same_day", "trong ngày"),
    ("immediate", "trả ngay"),
];
pub const ONLINE: [(&str, &str); 3] = [
    ("full", "Trực tuyến toàn trình"),
    ("partial", "Trực tuyến một phần"),
    ("none", "Không cung cấp trực tuyến"),
];

/// One row of a list in the form: its index as posted, its values, and the
/// message of each field that was refused.
#[derive(Default, Clone)]
pub struct Row {
    pub idx: usize,
    /// Name, and the row's other values (kind, count or amount, role, share).
    pub name: String,
    pub kind: String,
    pub number: String,
    /// A rule the form cannot edit (per-page tiers), shown in words.
    pub fixed_rule: Option<String>,
    pub errors: HashMap<String, String>,
}

impl Row {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// The form's values, as shown.
#[derive(Default)]
pub struct View {
    pub name: String,
    pub sector: String,
    pub committed: (String, String),
    pub statutory: (String, String),
    pub online: String,
    pub effective_from: String,
    pub time_note: String,
    pub legal_basis: String,
    pub documents: Vec<Row>,
    pub fees: Vec<Row>,
    pub steps: Vec<Row>,
    pub results: Vec<Row>,
    pub errors: HashMap<String, String>,
}

impl View {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    pub fn error_count(&self) -> usize {
        self.errors.len()
            + [&self.documents, &self.fees, &self.steps, &self.results]
                .iter()
                .flat_map(|rows| rows.iter())
                .map(|r| r.errors.len())
                .sum::<usize>()
    }
}

fn limit_parts(l: TimeLimit) -> (String, String) {
    match l {
        TimeLimit::Immediate => (String::new(), "immediate".into()),
        TimeLimit::SameDay => (String::new(), "same_day".into()),
        TimeLimit::WorkingDays(n) => (n.to_string(), "wd".into()),
        TimeLimit::WorkingHours(n) => (n.to_string(), "wh".into()),
        TimeLimit::CalendarDays(n) => (n.to_string(), "cd".into()),
    }
}

fn blanks(rows: &mut Vec<Row>, kind: &str) {
    let next = rows.iter().map(|r| r.idx + 1).max().unwrap_or(0);
    for i in 0..BLANK_ROWS {
        rows.push(Row {
            idx: next + i,
            kind: kind.to_owned(),
            ..Row::default()
        });
    }
}

/// The form for a stored version.
pub fn view_of(p: &Procedure) -> View {
    let mut v = View {
        name: p.name.clone(),
        sector: p.sector.clone(),
        committed: limit_parts(p.committed_limit),
        statutory: limit_parts(p.statutory_limit),
        online: p.online.as_str().to_owned(),
        effective_from: p.effective_from.strftime("%d/%m/%Y").to_string(),
        time_note: p.time_limit_note.clone().unwrap_or_default(),
        legal_basis: p.legal_basis.clone(),
        documents: p
            .documents
            .iter()
            .enumerate()
            .map(|(idx, d)| Row {
                idx,
                name: d.name.clone(),
                kind: d.kind.as_str().into(),
                number: d.count.to_string(),
                ..Row::default()
            })
            .collect(),
        fees: p
            .fees
            .iter()
            .enumerate()
            .map(|(idx, f)| {
                let (kind, number, fixed_rule) = match &f.rule {
                    FeeRule::Free => ("free", String::new(), None),
                    FeeRule::Fixed { amount } => ("fixed", amount.to_string(), None),
                    FeeRule::PerCase { amount } => ("per_case", amount.to_string(), None),
                    FeeRule::PerCopy { amount } => ("per_copy", amount.to_string(), None),
                    rule @ FeeRule::PerPage { .. } => {
                        ("per_page", String::new(), Some(rule.describe_vi()))
                    }
                };
                Row {
                    idx,
                    name: f.name.clone(),
                    kind: kind.into(),
                    number,
                    fixed_rule,
                    ..Row::default()
                }
            })
            .collect(),
        steps: p
            .steps
            .iter()
            .enumerate()
            .map(|(idx, s)| Row {
                idx,
                name: s.name.clone(),
                kind: role_str(s.role).into(),
                number: s.share.to_string(),
                ..Row::default()
            })
            .collect(),
        results: p
            .results
            .iter()
            .enumerate()
            .map(|(idx, r)| Row {
                idx,
                name: r.name.clone(),
                ..Row::default()
            })
            .collect(),
        errors: HashMap::new(),
    };
    blanks(&mut v.documents, "original");
    blanks(&mut v.fees, "fixed");
    blanks(&mut v.steps, "specialist");
    blanks(&mut v.results, "");
    v
}

fn role_str(r: StepRole) -> &'static str {
    match r {
        StepRole::CounterOfficer => "counter_officer",
        StepRole::Specialist => "specialist",
        StepRole::Leader => "leader",
    }
}

/// The posted rows of a list (`documents[3].name`…), by posted index.
fn posted_rows(values: &[(String, String)], list: &str) -> Vec<Row> {
    let mut rows: std::collections::BTreeMap<usize, Row> = Default::default();
    for (key, value) in values {
        let Some(rest) = key.strip_prefix(list).and_then(|r| r.strip_prefix('[')) else {
            continue;
        };
        let Some((idx, field)) = rest.split_once("].") else {
            continue;
        };
        let Ok(idx) = idx.parse::<usize>() else {
            continue;
        };
        // A bound on rows: a form has a few dozen at most.
        if idx >= 500 {
            continue;
        }
        let row = rows.entry(idx).or_insert_with(|| Row {
            idx,
            ..Row::default()
        });
        match field {
            "name" => row.name = value.clone(),
            "kind" => row.kind = value.clone(),
            "count" | "amount" | "role" | "share" => {
                if field == "role" {
                    row.kind = value.clone();
                } else {
                    row.number = value.clone();
                }
            }
            _ => {}
        }
    }
    rows.into_values().collect()
}

fn limit_of(field: &str, label: &str, number: &str, unit: &str) -> Result<TimeLimit, FieldError> {
    let number = number.trim();
    let text = match unit {
        "immediate" | "same_day" => unit.to_owned(),
        "wd" | "wh" | "cd" => format!("{number}{unit}"),
        _ => return Err(FieldError::new(field, format!("Chọn đơn vị của {label}."))),
    };
    text.parse().map_err(|_| {
        FieldError::new(
            field,
            format!("{label}: ghi số ngày hoặc số giờ bằng số nguyên dương, ví dụ 3."),
        )
    })
}

/// The procedure the form describes, built on `base` (the version edited), or
/// every refused field with its message, keyed by the form's field names.
pub fn parse(values: &[(String, String)], base: &Procedure) -> (View, Result<Procedure, ()>) {
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut view = View {
        name: get("name"),
        sector: get("sector"),
        committed: (get("committed_limit.n"), get("committed_limit.unit")),
        statutory: (get("statutory_limit.n"), get("statutory_limit.unit")),
        online: get("online"),
        effective_from: get("effective_from"),
        time_note: get("time_limit_note"),
        legal_basis: get("legal_basis"),
        documents: posted_rows(values, "documents"),
        fees: posted_rows(values, "fees"),
        steps: posted_rows(values, "steps"),
        results: posted_rows(values, "results"),
        errors: HashMap::new(),
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut p = base.clone();
    p.name = view.name.trim().to_owned();
    p.sector = view.sector.trim().to_owned();
    p.time_limit_note = Some(view.time_note.trim().to_owned()).filter(|s| !s.is_empty());
    p.legal_basis = view.legal_basis.trim().to_owned();
    match limit_of(
        "committed_limit",
        "Thời hạn cam kết",
        &view.committed.0,
        &view.committed.1,
    ) {
        Ok(l) => p.committed_limit = l,
        Err(e) => errors.push(e),
    }
    match limit_of(
        "statutory_limit",
        "Thời hạn theo quy định",
        &view.statutory.0,
        &view.statutory.1,
    ) {
        Ok(l) => p.statutory_limit = l,
        Err(e) => errors.push(e),
    }
    p.online = match view.online.as_str() {
        "full" => OnlineAvailability::Full,
        "partial" => OnlineAvailability::Partial,
        "none" => OnlineAvailability::None,
        _ => {
            errors.push(FieldError::new("online", "Chọn mức độ trực tuyến."));
            p.online
        }
    };
    match parse_typed_date(&view.effective_from) {
        Ok(d) => p.effective_from = d,
        Err(e) => errors.push(FieldError::new("effective_from", e.message_vi())),
    }

    // Each list: rows with a name are kept, in order; `positions[k]` is the
    // posted index of the k-th kept row, to put the domain's messages back on it.
    let mut positions: HashMap<&'static str, Vec<usize>> = HashMap::new();

    let mut documents = Vec::new();
    for r in view.documents.iter().filter(|r| !r.name.trim().is_empty()) {
        let at = |f: &str| format!("documents[{}].{f}", r.idx);
        let old = base.documents.get(r.idx);
        let kind = match r.kind.as_str() {
            "original" => DocumentKind::Original,
            "certified_copy" => DocumentKind::CertifiedCopy,
            "photocopy" => DocumentKind::Photocopy,
            "original_or_certified_copy" => DocumentKind::OriginalOrCertifiedCopy,
            _ => {
                errors.push(FieldError::new(at("kind"), "Chọn loại giấy tờ."));
                DocumentKind::Original
            }
        };
        let count = match r.number.trim().parse::<u16>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(FieldError::new(
                    at("count"),
                    "Số lượng ghi bằng số nguyên dương, ví dụ 1.",
                ));
                1
            }
        };
        positions.entry("documents").or_default().push(r.idx);
        documents.push(RequiredDocument {
            name: r.name.trim().to_owned(),
            kind,
            count,
            form_name: old.and_then(|d| d.form_name.clone()),
            form_url: old.and_then(|d| d.form_url.clone()),
            note: old.and_then(|d| d.note.clone()),
        });
    }
    p.documents = documents;

    let mut fees = Vec::new();
    for r in view.fees.iter().filter(|r| !r.name.trim().is_empty()) {
        let at = |f: &str| format!("fees[{}].{f}", r.idx);
        let old = base.fees.get(r.idx);
        let amount = || match r.number.trim().replace('.', "").parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(FieldError::new(
                at("amount"),
                "Mức thu ghi bằng số đồng, ví dụ 8000 hoặc 8.000.",
            )),
        };
        let rule = match r.kind.as_str() {
            "free" => Ok(FeeRule::Free),
            "fixed" => amount().map(|amount| FeeRule::Fixed { amount }),
            "per_case" => amount().map(|amount| FeeRule::PerCase { amount }),
            "per_copy" => amount().map(|amount| FeeRule::PerCopy { amount }),
            "per_page" => match old.map(|f| &f.rule) {
                Some(rule @ FeeRule::PerPage { .. }) => Ok(rule.clone()),
                _ => Err(FieldError::new(at("kind"), "Chọn cách tính lệ phí.")),
            },
            _ => Err(FieldError::new(at("kind"), "Chọn cách tính lệ phí.")),
        };
        let rule = rule.unwrap_or_else(|e| {
            errors.push(e);
            FeeRule::Free
        });
        positions.entry("fees").or_default().push(r.idx);
        fees.push(Fee {
            name: r.name.trim().to_owned(),
            rule,
            exemptions: old.map(|f| f.exemptions.clone()).unwrap_or_default(),
            note: old.and_then(|f| f.note.clone()),
        });
    }
    p.fees = fees;

    let mut steps = Vec::new();
    for r in view.steps.iter().filter(|r| !r.name.trim().is_empty()) {
        let at = |f: &str| format!("steps[{}].{f}", r.idx);
        let role = match r.kind.as_str() {
            "counter_officer" => StepRole::CounterOfficer,
            "specialist" => StepRole::Specialist,
            "leader" => StepRole::Leader,
            _ => {
                errors.push(FieldError::new(at("role"), "Chọn người thực hiện."));
                StepRole::Specialist
            }
        };
        let share = r.number.trim().parse::<StepShare>().unwrap_or_else(|e| {
            errors.push(FieldError::new(at("share"), e.message_vi()));
            StepShare::Percent(1)
        });
        positions.entry("steps").or_default().push(r.idx);
        steps.push(ProcessStep {
            name: r.name.trim().to_owned(),
            role,
            share,
        });
    }
    p.steps = steps;

    let mut results = Vec::new();
    for r in view.results.iter().filter(|r| !r.name.trim().is_empty()) {
        positions.entry("results").or_default().push(r.idx);
        results.push(ResultKind {
            name: r.name.trim().to_owned(),
            register_entry: base
                .results
                .get(r.idx)
                .is_some_and(|old| old.register_entry),
        });
    }
    p.results = results;

    // The domain's own rules, with list positions put back to posted rows; a
    // row (or a list) whose typing was already refused is not judged again on
    // the stand-in value it got.
    let typed_wrong: Vec<String> = errors
        .iter()
        .map(|e| e.field.split('.').next().unwrap_or_default().to_owned())
        .collect();
    for e in p.validate() {
        let field = remap(&e.field, &positions);
        let row = field.split('.').next().unwrap_or_default();
        let list = field.split('[').next().unwrap_or_default();
        let judged = typed_wrong.iter().any(|t| {
            t == row || t == &field || (row == list && t.starts_with(&format!("{list}[")))
        });
        if !judged {
            errors.push(FieldError::new(field, e.message));
        }
    }
    let ok = errors.is_empty();
    for e in errors {
        place(&mut view, e);
    }
    for rows in [
        &mut view.documents,
        &mut view.fees,
        &mut view.steps,
        &mut view.results,
    ] {
        let kind = rows.first().map(|r| r.kind.clone()).unwrap_or_default();
        if rows.iter().all(|r| !r.name.is_empty()) {
            blanks(rows, &kind);
        }
    }
    (view, if ok { Ok(p) } else { Err(()) })
}

/// `documents[2].name` with 2 the kept row's position → with its posted index.
fn remap(field: &str, positions: &HashMap<&'static str, Vec<usize>>) -> String {
    for (list, posted) in positions {
        if let Some(rest) = field.strip_prefix(list).and_then(|r| r.strip_prefix('[')) {
            if let Some((k, tail)) = rest.split_once(']') {
                if let Some(idx) = k.parse::<usize>().ok().and_then(|k| posted.get(k)) {
                    return format!("{list}[{idx}]{tail}");
                }
            }
        }
    }
    field.to_owned()
}

/// Puts a message on its row's field, or on the form's.
fn place(view: &mut View, e: FieldError) {
    for (list, rows) in [
        ("documents", &mut view.documents),
        ("fees", &mut view.fees),
        ("steps", &mut view.steps),
        ("results", &mut view.results),
    ] {
        if let Some(rest) = e.field.strip_prefix(list).and_then(|r| r.strip_prefix('[')) {
            if let Some((k, tail)) = rest.split_once(']') {
                let field = tail.trim_start_matches('.');
                let field = if field.is_empty() { "name" } else { field };
                if let Some(row) = k
                    .parse::<usize>()
                    .ok()
                    .and_then(|k| rows.iter_mut().find(|r| r.idx == k))
                {
                    row.errors.insert(field.to_owned(), e.message);
                    return;
                }
            }
        }
    }
    // A whole list refused ("documents": at least one): on the form.
    view.errors.entry(e.field).or_insert(e.message);
}
