//! The civil-status facts a dossier declares (issue 11): what the intake and
//! the specialist's «Ghi nội dung hộ tịch» accept, checked against the register
//! the procedure writes (`Procedure::civil_register`), and what a dossier still
//! lacks before its approval can write the registers. No I/O: whether a named
//! entry exists is the registers' to find out.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::CivilFacts;
use crate::civil::{self, Cell, NoteKind};
use crate::procedure::{CivilRegistration, CivilWrite, Procedure};
use crate::validation::Errors;
use crate::{limits, text};

/// The entries an approval of `reg` writes from `cells` (see
/// [`civil::read_drafts`]); none for a registration without a register.
pub fn drafts(
    reg: CivilRegistration,
    cells: &BTreeMap<String, Cell>,
) -> std::result::Result<Vec<civil::Draft>, Errors> {
    match reg.kind {
        Some(kind) => civil::read_drafts(kind, reg.also, reg.re_registration, cells),
        None => Ok(Vec::new()),
    }
}

/// Why an approval that needs an entry cannot find one named.
pub const NO_ENTRY_NAMED: &str = "hồ sơ chưa chọn mục đăng ký hộ tịch (chuyên viên ghi mã mục, hoặc quyển số và số, bằng «Ghi nội dung hộ tịch»).";

/// Why an approval that writes the registers cannot go ahead without facts.
pub const NO_FACTS: &str =
    "hồ sơ chưa có nội dung đăng ký hộ tịch (chuyên viên ghi bằng «Ghi nội dung hộ tịch»).";

/// What a civil-status dossier still lacks for its approval to write the
/// registers: its facts, or the entry an extract, a change or a termination
/// names. None when nothing is missing (whether the entry exists is the
/// approval's to check).
pub fn missing_for_approval(
    reg: CivilRegistration,
    facts: Option<&CivilFacts>,
) -> Option<&'static str> {
    let Some(facts) = facts else {
        return Some(NO_FACTS);
    };
    let names_entry =
        facts.entry_id.is_some() || (facts.entry_book.is_some() && facts.entry_number.is_some());
    (reg.writes != CivilWrite::Entry && !names_entry).then_some(NO_ENTRY_NAMED)
}

/// The typed fields as the register reader's cells.
pub fn cells_of(fields: &BTreeMap<String, String>) -> BTreeMap<String, Cell> {
    fields
        .iter()
        .map(|(k, v)| (k.clone(), Cell::Text(v.clone())))
        .collect()
}

fn prefixed(errors: Errors, into: &mut Errors) {
    for e in errors.0 {
        into.push(&format!("civil.fields.{}", e.field), e.message);
    }
}

/// Checks the facts a dossier of `procedure` declares at intake (or the
/// specialist records later), `today` standing for the registration date the
/// approval will give it and `copies` for the copies an extract asks for. None
/// for a procedure that writes nothing in the registers.
pub fn check(
    input: Option<&CivilFacts>,
    procedure: &Procedure,
    today: Date,
    copies: Option<u32>,
    errors: &mut Errors,
) -> Option<CivilFacts> {
    let reg = procedure.civil_register?;
    // Optional at intake: dossiers received before the registers joined the
    // flow, and clients that do not send them yet; the specialist records them
    // (`record_civil`) before approval. An extract keeps its copies even so.
    let empty = CivilFacts::default();
    let input = match (input, reg.writes) {
        (Some(input), _) => input,
        (None, CivilWrite::Extract) => &empty,
        (None, _) => return None,
    };
    if input.fields.len() > civil::Field::ALL.len() {
        errors.push("civil.fields", "Có quá nhiều mục khai.");
        return None;
    }
    let mut fields = BTreeMap::new();
    for (k, v) in &input.fields {
        if k.len() > limits::SHORT_CHARS {
            errors.push("civil.fields", "Tên mục khai quá dài.");
            return None;
        }
        let v = text::clean(v);
        if !v.is_empty() {
            fields.insert(k.clone(), v);
        }
    }
    let mut facts = CivilFacts {
        fields,
        ..Default::default()
    };
    match reg.writes {
        CivilWrite::Entry => {
            reg.kind?;
            let mut cells = cells_of(&facts.fields);
            for reserved in [civil::BOOK, civil::NUMBER, civil::BOOK_YEAR] {
                if cells.remove(reserved).is_some() {
                    errors.push(
                        &format!("civil.fields.{reserved}"),
                        "Quyển và số do hệ thống cấp khi lãnh đạo phê duyệt.",
                    );
                }
            }
            cells.insert(
                civil::REGISTERED_ON.into(),
                Cell::Text(today.strftime("%d/%m/%Y").to_string()),
            );
            if let Err(e) = drafts(reg, &cells) {
                prefixed(e, errors);
            }
        }
        CivilWrite::Note => {
            if !entry_reference(input, &mut facts, errors) {
                errors.push(
                    "civil.entry_id",
                    "Cần chọn mục đăng ký hộ tịch được thay đổi, cải chính hoặc bổ sung (mã mục, hoặc quyển số và số).",
                );
            }
            facts.note_kind = input.note_kind.as_deref().map(|k| k.trim().to_owned());
            // A termination is a procedure of its own (its register's ending
            // field, once), not a note a correction dossier may add.
            if !facts
                .note_kind
                .as_deref()
                .and_then(NoteKind::parse)
                .is_some_and(|k| k != NoteKind::Termination)
            {
                errors.push(
                    "civil.note_kind",
                    "Loại việc là change (thay đổi), correction (cải chính) hoặc supplement (bổ sung).",
                );
            }
            facts.reason = input
                .reason
                .as_deref()
                .map(text::clean)
                .filter(|r| !r.is_empty());
            if facts.reason.is_none() {
                errors.push(
                    "civil.reason",
                    "Cần ghi lý do thay đổi, cải chính, bổ sung.",
                );
            }
            if facts
                .reason
                .as_ref()
                .is_some_and(|r| text::char_len(r) > limits::FREE_TEXT_CHARS)
            {
                errors.push("civil.reason", "Lý do quá dài.");
            }
            if facts.fields.is_empty() {
                errors.push(
                    "civil.fields",
                    "Cần ghi nội dung mới của mục được thay đổi.",
                );
            }
            check_field_values(&facts.fields, errors);
        }
        CivilWrite::Termination => {
            if !entry_reference(input, &mut facts, errors) {
                errors.push(
                    "civil.entry_id",
                    "Cần chọn mục đăng ký được chấm dứt (mã mục, hoặc quyển số và số).",
                );
            }
            facts.fields.clear();
            facts.reason = input
                .reason
                .as_deref()
                .map(text::clean)
                .filter(|r| !r.is_empty());
            match &facts.reason {
                None => errors.push(
                    "civil.reason",
                    "Cần ghi căn cứ chấm dứt (ví dụ: người được giám hộ đã thành niên).",
                ),
                Some(r) if text::char_len(r) > limits::FREE_TEXT_CHARS => {
                    errors.push("civil.reason", "Lý do quá dài.")
                }
                Some(_) => {}
            }
        }
        CivilWrite::Extract => {
            // The applicant may not know the book and number (an online request
            // names the person): the specialist finds the entry and records it
            // before approval. The fields, if any, say whom to look for.
            entry_reference(input, &mut facts, errors);
            check_field_values(&facts.fields, errors);
            // The intake's own `copies` (already checked there, and priced) wins
            // over any given with the facts.
            let in_range = |c: &u32| (1..=limits::COPIES).contains(c);
            let copies = copies
                .filter(in_range)
                .or(input.copies.map(u32::from))
                .unwrap_or(1);
            facts.copies = u16::try_from(copies).ok().filter(|_| in_range(&copies));
            if facts.copies.is_none() {
                errors.push(
                    "civil.copies",
                    format!(
                        "Số bản sao từ 1 đến {}.",
                        text::grouped(i64::from(limits::COPIES))
                    ),
                );
            }
        }
    }
    Some(facts)
}

/// Reads the entry a correction or an extract names (its id, or its book and
/// number as printed on the applicant's paper) into `facts`; whether one is named.
fn entry_reference(input: &CivilFacts, facts: &mut CivilFacts, errors: &mut Errors) -> bool {
    facts.entry_id = input
        .entry_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    facts.entry_book = input
        .entry_book
        .as_deref()
        .map(text::clean)
        .filter(|s| !s.is_empty());
    facts.entry_book_year = input.entry_book_year;
    facts.entry_number = input.entry_number;
    if facts
        .entry_book
        .as_ref()
        .is_some_and(|s| text::char_len(s) > limits::SHORT_CHARS)
    {
        errors.push("civil.entry_book", "Quyển số quá dài.");
    }
    if facts.entry_number.is_some_and(|n| n < 1) {
        errors.push("civil.entry_number", "Số của mục đăng ký phải lớn hơn 0.");
    }
    if facts
        .entry_id
        .as_ref()
        .is_some_and(|s| s.len() > limits::SHORT_CHARS)
    {
        errors.push("civil.entry_id", "Mã mục đăng ký không hợp lệ.");
    }
    facts.entry_id.is_some() || (facts.entry_book.is_some() && facts.entry_number.is_some())
}

/// Each field named is a register field and its value reads as one.
fn check_field_values(fields: &BTreeMap<String, String>, errors: &mut Errors) {
    for (k, v) in fields {
        match civil::Field::parse(k) {
            None => errors.push(
                &format!("civil.fields.{k}"),
                format!("Không có mục «{k}» trong sổ hộ tịch."),
            ),
            Some(f) => {
                if let Err(e) = civil::read_cell(f, &Cell::Text(v.clone())) {
                    errors.push(&format!("civil.fields.{k}"), e.message);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure(code: &str) -> Procedure {
        let all: Vec<Procedure> =
            serde_json::from_str(include_str!("../../../../seeds/catalogue/ho-tich.json"))
                .expect("seed");
        all.into_iter().find(|p| p.code == code).expect("procedure")
    }

    fn today() -> Date {
        jiff::civil::date(2026, 12, 4)
    }

    fn facts(json: serde_json::Value) -> CivilFacts {
        serde_json::from_value(json).expect("facts")
    }

    fn fields_in_error(errors: &Errors) -> Vec<String> {
        errors.0.iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn a_birth_is_checked_as_its_register_reads_it() {
        let birth = procedure("1.001193");
        let mut errors = Errors::new();
        let good = facts(serde_json::json!({"fields": {
            "full_name": "Lê Minh Khang", "sex": "Nam", "date_of_birth": "01/10/2026",
            "place_of_birth": "Trạm y tế phường Phố Hiến", "mother_name": "Trần Thị Hoa"
        }}));
        let checked = check(Some(&good), &birth, today(), None, &mut errors);
        assert!(errors.0.is_empty(), "{errors:?}");
        assert_eq!(checked.expect("facts").fields.len(), 5);
        // An impossible date, a number the approval gives, a field no register has.
        let mut bad = good.clone();
        bad.fields
            .insert("date_of_birth".into(), "31/02/2026".into());
        bad.fields.insert("number".into(), "5".into());
        let mut errors = Errors::new();
        check(Some(&bad), &birth, today(), None, &mut errors);
        let fields = fields_in_error(&errors);
        assert!(
            fields.contains(&"civil.fields.date_of_birth".to_owned()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"civil.fields.number".to_owned()),
            "{fields:?}"
        );
        // Optional at intake: the specialist may record them later.
        let mut errors = Errors::new();
        assert!(check(None, &birth, today(), None, &mut errors).is_none());
        assert!(errors.0.is_empty());
    }

    #[test]
    fn a_correction_names_its_entry_and_cannot_end_one() {
        let correction = procedure("1.004859");
        let input = |kind: &str| {
            facts(serde_json::json!({
                "entry_book": "01/2014", "entry_number": 12, "note_kind": kind,
                "reason": "Sai dấu trong tên", "fields": {"full_name": "Nguyễn Văn Đức"}
            }))
        };
        let mut errors = Errors::new();
        check(
            Some(&input("correction")),
            &correction,
            today(),
            None,
            &mut errors,
        );
        assert!(errors.0.is_empty(), "{errors:?}");
        let mut errors = Errors::new();
        check(
            Some(&input("termination")),
            &correction,
            today(),
            None,
            &mut errors,
        );
        assert_eq!(fields_in_error(&errors), ["civil.note_kind"]);
    }

    #[test]
    fn what_an_approval_still_needs() {
        let birth = procedure("1.001193").civil_register.expect("register");
        let extract = procedure("2.000635").civil_register.expect("register");
        assert_eq!(missing_for_approval(birth, None), Some(NO_FACTS));
        assert_eq!(
            missing_for_approval(birth, Some(&CivilFacts::default())),
            None
        );
        // An extract asked for by name: the entry is still to be found.
        let by_name = facts(serde_json::json!({"fields": {"full_name": "Nguyễn Văn Đức"}}));
        assert_eq!(
            missing_for_approval(extract, Some(&by_name)),
            Some(NO_ENTRY_NAMED)
        );
        let named = facts(serde_json::json!({"entry_book": "01/2014", "entry_number": 12}));
        assert_eq!(missing_for_approval(extract, Some(&named)), None);
        let half = facts(serde_json::json!({"entry_book": "01/2014"}));
        assert_eq!(
            missing_for_approval(extract, Some(&half)),
            Some(NO_ENTRY_NAMED)
        );
    }
}
