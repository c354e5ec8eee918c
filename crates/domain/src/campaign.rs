//! Campaigns (chiến dịch): a targeted drive of one agency, such as a ward's
//! re-registration of births ("3.522/3.522 công dân, đạt 100%"). The people to
//! reach come as a list (a spreadsheet); progress is, for each of them, the
//! dossier of one of the campaign's procedures that names them, and how far it
//! went. Nothing is stored about the match: it is computed from the dossiers as
//! they are, so the figure moves as soon as a dossier does.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::dossier::Status;
use crate::limits;
use crate::personal_id::PersonalId;
use crate::text::{self, char_len, clean, forbidden_control};
use crate::validation::Errors;

/// People on one campaign's list.
pub const MAX_TARGETS: usize = 50_000;
/// Procedures one campaign follows.
pub const MAX_PROCEDURES: usize = 20;
/// A campaign's name.
pub const NAME_CHARS: usize = 200;

/// What a campaign is, as an administrator or leader defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    /// Catalogue codes of the procedures whose dossiers count.
    pub procedures: Vec<String>,
    /// Dossiers received from this day count.
    pub starts_on: Date,
    /// …until this day, inclusive; open-ended when absent.
    pub ends_on: Option<Date>,
}

impl Definition {
    /// Checks and normalises what was typed; every error at once.
    pub fn new(
        name: &str,
        procedures: &[String],
        starts_on: Date,
        ends_on: Option<Date>,
    ) -> Result<Definition, Errors> {
        let mut errors = Errors::new();
        if errors.check_text("name", "Tên chiến dịch", name, NAME_CHARS, false)
            && clean(name).is_empty()
        {
            errors.push("name", "Nhập tên chiến dịch.");
        }
        let mut codes: Vec<String> = Vec::new();
        for p in procedures {
            let code = p.trim().to_string();
            if !code.is_empty() && !codes.contains(&code) {
                codes.push(code);
            }
        }
        if codes.is_empty() {
            errors.push(
                "procedures",
                "Chọn ít nhất một thủ tục mà hồ sơ của chiến dịch thuộc về.",
            );
        } else if errors.check_count("procedures", "Thủ tục", codes.len(), MAX_PROCEDURES) {
            for code in &codes {
                if !errors.check_text("procedures", "Mã thủ tục", code, limits::SHORT_CHARS, false)
                {
                    break;
                }
            }
        }
        if ends_on.is_some_and(|end| end < starts_on) {
            errors.push("ends_on", "Ngày kết thúc phải từ ngày bắt đầu trở về sau.");
        }
        errors.into_result()?;
        Ok(Definition {
            name: clean(name),
            procedures: codes,
            starts_on,
            ends_on,
        })
    }
}

/// One person on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Where the person was on the list: the spreadsheet's row, or the position.
    pub line: u32,
    pub full_name: String,
    pub date_of_birth: Option<Date>,
    pub personal_id: Option<String>,
    pub address: Option<String>,
    pub note: Option<String>,
}

impl Target {
    /// Checks one line of the list; the error is a Vietnamese sentence naming
    /// what is wrong on it.
    pub fn new(
        line: u32,
        full_name: &str,
        date_of_birth: Option<Date>,
        personal_id: Option<&str>,
        address: Option<&str>,
        note: Option<&str>,
    ) -> Result<Target, String> {
        let full_name = clean(full_name);
        if full_name.is_empty() {
            return Err("thiếu họ và tên".into());
        }
        if char_len(&full_name) > limits::NAME_CHARS {
            return Err(format!("họ và tên dài quá {} ký tự", limits::NAME_CHARS));
        }
        let personal_id = match personal_id.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            // An old identity card (CMND): nine digits, kept as written.
            Some(s) if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) => Some(s.to_string()),
            Some(s) => Some(
                PersonalId::parse(s)
                    .map_err(|e| {
                        format!(
                            "số định danh «{s}»: {}",
                            e.message_vi().trim_end_matches('.')
                        )
                    })?
                    .as_str()
                    .to_string(),
            ),
        };
        let optional = |value: Option<&str>, max: usize, what: &str| {
            let v = value.map(clean).filter(|s| !s.is_empty());
            match v {
                Some(s) if char_len(&s) > max => Err(format!("{what} dài quá {max} ký tự")),
                _ => Ok(v),
            }
        };
        let address = optional(address, limits::ADDRESS_CHARS, "địa chỉ")?;
        let note = optional(note, limits::FREE_TEXT_CHARS, "ghi chú")?;
        for s in [Some(&full_name), address.as_ref(), note.as_ref()]
            .into_iter()
            .flatten()
        {
            if forbidden_control(s, false).is_some() {
                return Err("có ký tự điều khiển không hợp lệ".into());
            }
        }
        Ok(Target {
            line,
            full_name,
            date_of_birth,
            personal_id,
            address,
            note,
        })
    }

    /// The key a name is compared by: no case, no marks, single spaces.
    pub fn name_key(&self) -> String {
        text::fold(&self.full_name)
    }
}

/// How far a person on the list got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No dossier names them.
    NotFiled,
    /// Their dossier was not accepted, refused or withdrawn (and no other is open).
    Stopped,
    /// Their dossier is being handled.
    InProgress,
    /// Their dossier has its result (approved: the register entry is written).
    Done,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Done,
        Stage::InProgress,
        Stage::Stopped,
        Stage::NotFiled,
    ];

    pub fn of_status(status: Status) -> Stage {
        match status {
            Status::Approved | Status::ResultReady | Status::Returned => Stage::Done,
            Status::NotAccepted | Status::Rejected | Status::Withdrawn => Stage::Stopped,
            _ => Stage::InProgress,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::NotFiled => "not_filed",
            Stage::Stopped => "stopped",
            Stage::InProgress => "in_progress",
            Stage::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Stage::NotFiled => "Chưa nộp hồ sơ",
            Stage::Stopped => "Hồ sơ bị từ chối hoặc đã rút",
            Stage::InProgress => "Đang giải quyết",
            Stage::Done => "Đã hoàn thành",
        }
    }
}

/// A person a dossier names: the applicant, the one they act for, the subject
/// of the civil-status facts declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// [`text::fold`] of the full name.
    pub name_key: String,
    pub date_of_birth: Option<Date>,
    pub personal_id: Option<String>,
}

/// A dossier that may count for someone on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub status: Status,
    pub persons: Vec<Person>,
}

/// How sure a match is; a stronger match is taken before a weaker one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// Same name, and neither side gives what would tell two people apart.
    NameOnly,
    /// Same name and same date of birth.
    NameAndBirth,
    /// Same personal identification number.
    PersonalId,
}

/// Does `p` name the person `t`? The identification number decides when both
/// have one; otherwise the name must be the same (ignoring case and marks) and
/// the dates of birth must not differ.
fn strength(t: &Target, key: &str, p: &Person) -> Option<Strength> {
    if let (Some(a), Some(b)) = (&t.personal_id, &p.personal_id) {
        return (a == b).then_some(Strength::PersonalId);
    }
    if key != p.name_key {
        return None;
    }
    match (t.date_of_birth, p.date_of_birth) {
        (Some(a), Some(b)) if a == b => Some(Strength::NameAndBirth),
        (Some(_), Some(_)) => None,
        _ => Some(Strength::NameOnly),
    }
}

/// The outcome for one person on the list: the stage and, when a dossier
/// counts for them, its index in the candidates given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub stage: Stage,
    pub dossier: Option<usize>,
}

/// Matches every person on the list with at most one dossier, and every dossier
/// with at most one person, so that nobody is counted twice. Stronger matches
/// are taken first (a number before a name); among a person's dossiers the one
/// that went furthest counts, the earliest in `candidates` on a tie (callers give
/// them in order of receipt).
pub fn match_targets(targets: &[Target], candidates: &[Candidate]) -> Vec<Outcome> {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        for p in &c.persons {
            if let Some(id) = &p.personal_id {
                by_id.entry(id.as_str()).or_default().push(i);
            }
            by_name.entry(p.name_key.as_str()).or_default().push(i);
        }
    }
    let keys: Vec<String> = targets.iter().map(Target::name_key).collect();
    let mut claimed = vec![false; candidates.len()];
    let mut out = vec![
        Outcome {
            stage: Stage::NotFiled,
            dossier: None,
        };
        targets.len()
    ];
    for level in [
        Strength::PersonalId,
        Strength::NameAndBirth,
        Strength::NameOnly,
    ] {
        for (ti, t) in targets.iter().enumerate() {
            if out[ti].dossier.is_some() {
                continue;
            }
            let pool = match level {
                Strength::PersonalId => t
                    .personal_id
                    .as_deref()
                    .and_then(|id| by_id.get(id))
                    .map(Vec::as_slice),
                _ => by_name.get(keys[ti].as_str()).map(Vec::as_slice),
            };
            let mut best: Option<(Stage, usize)> = None;
            for &ci in pool.unwrap_or_default() {
                if claimed[ci] {
                    continue;
                }
                let c = &candidates[ci];
                let top = c
                    .persons
                    .iter()
                    .filter_map(|p| strength(t, &keys[ti], p))
                    .max();
                if top != Some(level) {
                    continue;
                }
                let stage = Stage::of_status(c.status);
                if best.is_none_or(|(s, i)| stage > s || (stage == s && ci < i)) {
                    best = Some((stage, ci));
                }
            }
            if let Some((stage, ci)) = best {
                claimed[ci] = true;
                out[ti] = Outcome {
                    stage,
                    dossier: Some(ci),
                };
            }
        }
    }
    out
}

/// The counts of a campaign.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub total: u64,
    pub done: u64,
    pub in_progress: u64,
    pub stopped: u64,
    pub not_filed: u64,
}

impl Summary {
    pub fn of(outcomes: &[Outcome]) -> Summary {
        let mut s = Summary {
            total: outcomes.len() as u64,
            ..Summary::default()
        };
        for o in outcomes {
            match o.stage {
                Stage::Done => s.done += 1,
                Stage::InProgress => s.in_progress += 1,
                Stage::Stopped => s.stopped += 1,
                Stage::NotFiled => s.not_filed += 1,
            }
        }
        s
    }

    pub fn count(&self, stage: Stage) -> u64 {
        match stage {
            Stage::Done => self.done,
            Stage::InProgress => self.in_progress,
            Stage::Stopped => self.stopped,
            Stage::NotFiled => self.not_filed,
        }
    }

    /// Done out of the list, as a percentage with one decimal ("99,9 %"), absent
    /// for an empty list. 3,521 of 3,522 is 99.9, never rounded up to 100.
    pub fn percent_done(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.done * 1000 / self.total) as f64 / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn target(name: &str, dob: Option<&str>, id: Option<&str>) -> Target {
        Target::new(1, name, dob.map(date), id, None, None).unwrap()
    }

    fn person(name: &str, dob: Option<&str>, id: Option<&str>) -> Person {
        Person {
            name_key: text::fold(name),
            date_of_birth: dob.map(date),
            personal_id: id.map(str::to_string),
        }
    }

    fn dossier(status: Status, persons: Vec<Person>) -> Candidate {
        Candidate { status, persons }
    }

    const ID_A: &str = "001090000001";
    const ID_B: &str = "001090000002";

    #[test]
    fn a_definition_reports_every_error_at_once() {
        let e =
            Definition::new("  ", &[], date("2026-06-01"), Some(date("2026-05-31"))).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "procedures", "ends_on"]);
        let ok = Definition::new(
            " Đăng ký lại  khai sinh ",
            &["1.000656".into(), " 1.000656 ".into(), "".into()],
            date("2026-06-01"),
            None,
        )
        .unwrap();
        assert_eq!(ok.name, "Đăng ký lại khai sinh");
        assert_eq!(ok.procedures, ["1.000656"]);
    }

    #[test]
    fn a_line_of_the_list_is_checked() {
        assert_eq!(
            Target::new(3, " ", None, None, None, None).unwrap_err(),
            "thiếu họ và tên"
        );
        let e = Target::new(4, "Lê Văn Tám", None, Some("12345"), None, None).unwrap_err();
        assert!(e.starts_with("số định danh «12345»"), "{e}");
        let cmnd = Target::new(4, "Lê Văn Tám", None, Some("123456789"), None, None).unwrap();
        assert_eq!(cmnd.personal_id.as_deref(), Some("123456789"));
        let long = "a".repeat(limits::NAME_CHARS + 1);
        assert!(Target::new(5, &long, None, None, None, None).is_err());
        assert!(Target::new(6, "Lê\u{0}Tám", None, None, None, None).is_err());
        let t = Target::new(
            7,
            "LÊ  VĂN TÁM",
            None,
            Some(" 001090000001 "),
            None,
            Some(""),
        )
        .unwrap();
        assert_eq!(t.personal_id.as_deref(), Some(ID_A));
        assert_eq!(t.note, None);
        assert_eq!(t.name_key(), "le van tam");
    }

    #[test]
    fn the_number_decides_when_both_sides_have_one() {
        let targets = [target("Nguyễn Văn An", None, Some(ID_A))];
        // Same name, another number: another person.
        let other = [dossier(
            Status::Returned,
            vec![person("Nguyen Van An", None, Some(ID_B))],
        )];
        assert_eq!(match_targets(&targets, &other)[0].stage, Stage::NotFiled);
        // The number with a name typed differently: the same person.
        let same = [dossier(
            Status::Returned,
            vec![person("Nguyễn V. An", None, Some(ID_A))],
        )];
        assert_eq!(
            match_targets(&targets, &same)[0],
            Outcome {
                stage: Stage::Done,
                dossier: Some(0)
            }
        );
    }

    #[test]
    fn a_name_matches_without_marks_unless_the_birth_dates_differ() {
        let targets = [target("Trần Thị Bình", Some("2001-02-03"), None)];
        let ds = [
            dossier(
                Status::InReview,
                vec![person("TRAN THI BINH", Some("2001-02-04"), None)],
            ),
            dossier(
                Status::InReview,
                vec![person("tran thi binh", Some("2001-02-03"), None)],
            ),
        ];
        assert_eq!(
            match_targets(&targets, &ds)[0],
            Outcome {
                stage: Stage::InProgress,
                dossier: Some(1)
            }
        );
        // A dossier that gives no date of birth matches on the name alone.
        let no_date = [dossier(
            Status::Received,
            vec![person("Trần Thị Bình", None, None)],
        )];
        assert_eq!(match_targets(&targets, &no_date)[0].dossier, Some(0));
    }

    #[test]
    fn the_dossier_that_went_furthest_counts_and_counts_once() {
        let targets = [
            target("Phạm Văn Cường", None, None),
            target("Phạm Văn Cường", None, None),
        ];
        let ds = [
            dossier(Status::Rejected, vec![person("Phạm Văn Cường", None, None)]),
            dossier(Status::Returned, vec![person("Phạm Văn Cường", None, None)]),
        ];
        let out = match_targets(&targets, &ds);
        // Two namesakes and two dossiers: each person gets one of them.
        assert_eq!(out[0].stage, Stage::Done);
        assert_eq!(out[0].dossier, Some(1));
        assert_eq!(out[1].stage, Stage::Stopped);
        assert_eq!(out[1].dossier, Some(0));
    }

    #[test]
    fn a_number_match_is_taken_before_a_name_match() {
        // The first person on the list has only a name; the second has the
        // number the dossier carries: the dossier is the second person's.
        let targets = [
            target("Đỗ Minh Hải", None, None),
            target("Đỗ Minh Hải", None, Some(ID_A)),
        ];
        let ds = [dossier(
            Status::Approved,
            vec![person("Đỗ Minh Hải", None, Some(ID_A))],
        )];
        let out = match_targets(&targets, &ds);
        assert_eq!(out[0].stage, Stage::NotFiled);
        assert_eq!(out[1].dossier, Some(0));
    }

    #[test]
    fn any_person_of_the_dossier_may_be_the_one_on_the_list() {
        // A mother files the re-registration of her son's birth: the son is the
        // subject of the declared facts.
        let targets = [target("Vũ Đức Long", Some("2015-09-30"), None)];
        let ds = [dossier(
            Status::ResultReady,
            vec![
                person("Vũ Thị Mai", Some("1988-01-01"), Some(ID_B)),
                person("Vũ Đức Long", Some("2015-09-30"), None),
            ],
        )];
        assert_eq!(match_targets(&targets, &ds)[0].stage, Stage::Done);
    }

    #[test]
    fn the_summary_never_rounds_up_to_complete() {
        let mut outcomes = vec![
            Outcome {
                stage: Stage::Done,
                dossier: Some(0)
            };
            3521
        ];
        outcomes.push(Outcome {
            stage: Stage::InProgress,
            dossier: Some(1),
        });
        let s = Summary::of(&outcomes);
        assert_eq!((s.total, s.done, s.in_progress), (3522, 3521, 1));
        assert_eq!(s.percent_done(), Some(99.9));
        outcomes[3521].stage = Stage::Done;
        assert_eq!(Summary::of(&outcomes).percent_done(), Some(100.0));
        assert_eq!(Summary::of(&[]).percent_done(), None);
    }
}
