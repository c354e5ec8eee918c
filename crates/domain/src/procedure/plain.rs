//! A procedure in the words a citizen reads: who does each step and in about how
//! long (not the internal share of the time limit), fees as sentences, and notes
//! without what was written for administrators.

use super::fee::{Exemption, Fee, FeeRule};
use super::{ProcessStep, StepRole, StepShare, TimeLimit};
use crate::text::{fold, money};

/// Hours of a working day (Labour Code 2019 art. 105), as `StepShare` counts them.
const DAY_HOURS: u32 = 8;

/// Who does a step, as the citizen meets them.
pub fn step_who_vi(role: StepRole) -> &'static str {
    match role {
        StepRole::CounterOfficer => "Bộ phận một cửa",
        StepRole::Specialist => "Công chức chuyên môn",
        StepRole::Leader => "Lãnh đạo UBND",
    }
}

/// About how long a step takes, from the procedure's committed limit and the
/// step's share of it: "khoảng 4 giờ làm việc", "khoảng 1,5 ngày làm việc".
pub fn step_time_vi(limit: TimeLimit, share: StepShare) -> String {
    // Working hours, in tenths, of the whole limit; calendar days apart.
    let whole_tenths: u32 = match limit {
        TimeLimit::Immediate => return "ngay khi nhận hồ sơ".to_owned(),
        TimeLimit::SameDay => DAY_HOURS * 10,
        TimeLimit::WorkingDays(d) => u32::from(d) * DAY_HOURS * 10,
        TimeLimit::WorkingHours(h) => u32::from(h) * 10,
        TimeLimit::CalendarDays(d) => {
            let days = match share {
                StepShare::Percent(p) => (u32::from(d) * u32::from(p)).div_ceil(100),
                StepShare::WorkingHours(h) => u32::from(h).div_ceil(DAY_HOURS),
            };
            return format!("khoảng {} ngày", days.max(1));
        }
    };
    let tenths = match share {
        StepShare::Percent(p) => whole_tenths * u32::from(p) / 100,
        StepShare::WorkingHours(h) => u32::from(h) * 10,
    };
    if tenths < DAY_HOURS * 10 {
        let hours = tenths.div_ceil(10).max(1);
        return format!("khoảng {hours} giờ làm việc");
    }
    // Days, to the half day.
    let halves = (tenths * 2).div_ceil(DAY_HOURS * 10);
    let days = if halves % 2 == 0 {
        (halves / 2).to_string()
    } else {
        format!("{},5", halves / 2)
    };
    format!("khoảng {days} ngày làm việc")
}

/// A step as one line: "Bộ phận một cửa: tiếp nhận, kiểm tra hồ sơ (khoảng 2
/// giờ làm việc)".
pub fn step_line_vi(limit: TimeLimit, step: &ProcessStep) -> String {
    let mut what = step.name.trim().to_owned();
    if let Some(first) = what.chars().next() {
        let lower: String = first.to_lowercase().collect();
        what.replace_range(..first.len_utf8(), &lower);
    }
    format!(
        "{}: {what} ({})",
        step_who_vi(step.role),
        step_time_vi(limit, step.share)
    )
}

/// When an exemption applies, to follow "Miễn lệ phí nếu".
fn exemption_condition_vi(e: Exemption) -> &'static str {
    match e {
        Exemption::OnTimeBirthRegistration => "đăng ký trong 60 ngày kể từ ngày sinh",
        Exemption::OnTimeDeathRegistration => "đăng ký trong 15 ngày kể từ ngày chết",
        Exemption::Guardianship => "đăng ký giám hộ hoặc chấm dứt giám hộ",
        Exemption::DomesticMarriage => "hai bên là công dân Việt Nam cư trú ở trong nước",
        Exemption::RevolutionaryMeritFamily => "người yêu cầu thuộc gia đình có công với cách mạng",
        Exemption::PoorHousehold => "người yêu cầu thuộc hộ nghèo",
        Exemption::Disability => "người yêu cầu là người khuyết tật",
        Exemption::OnlineFiling => "nộp hồ sơ trực tuyến toàn trình và tỉnh quy định miễn",
    }
}

/// Exemptions that depend on when the event is registered: the amount is then
/// what one pays late ("quá hạn").
fn is_timing(e: Exemption) -> bool {
    matches!(
        e,
        Exemption::OnTimeBirthRegistration | Exemption::OnTimeDeathRegistration
    )
}

fn amount_vi(rule: &FeeRule) -> String {
    match rule {
        FeeRule::Fixed { amount } => money(*amount),
        other => other.describe_vi(),
    }
}

/// Joins conditions as Vietnamese lists them: "a, b hoặc c".
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} hoặc {last}", rest.join(", ")),
    }
}

/// The fee as sentences: "Miễn lệ phí nếu đăng ký trong 60 ngày kể từ ngày sinh;
/// quá hạn: 8.000 đ." then the other exemptions, then the note for citizens.
pub fn fee_sentence_vi(fee: &Fee) -> String {
    let mut out = String::new();
    if fee.rule == FeeRule::Free {
        out.push_str("Miễn phí.");
    } else {
        let timing: Vec<&str> = fee
            .exemptions
            .iter()
            .filter(|e| is_timing(**e))
            .map(|e| exemption_condition_vi(*e))
            .collect();
        let others: Vec<&str> = fee
            .exemptions
            .iter()
            .filter(|e| !is_timing(**e))
            .map(|e| exemption_condition_vi(*e))
            .collect();
        if timing.is_empty() {
            out.push_str(&format!("{}.", amount_vi(&fee.rule)));
            if !others.is_empty() {
                out.push_str(&format!(" Miễn lệ phí nếu {}.", or_list(&others)));
            }
        } else {
            out.push_str(&format!(
                "Miễn lệ phí nếu {}; quá hạn: {}.",
                or_list(&timing),
                amount_vi(&fee.rule)
            ));
            if !others.is_empty() {
                out.push_str(&format!(" Cũng miễn nếu {}.", or_list(&others)));
            }
        }
    }
    if let Some(note) = fee.note.as_deref().and_then(fee_note) {
        out.push(' ');
        out.push_str(&note);
    }
    out
}

/// A note as citizens may read it: the sentences written for administrators
/// ("Mức thu mẫu…", what the administrator must update) left out. `None` when
/// nothing is left.
pub fn public_note(note: &str) -> Option<String> {
    kept_sentences(note, |_| true)
}

/// A fee's note for citizens: also without what the fee sentence already says
/// (its exemptions).
fn fee_note(note: &str) -> Option<String> {
    kept_sentences(note, |f| {
        !(f.starts_with("mien le phi") || f.starts_with("phan dang ky khai sinh dung han"))
    })
}

fn kept_sentences(note: &str, keep: impl Fn(&str) -> bool) -> Option<String> {
    let kept: Vec<String> = sentences(note)
        .into_iter()
        .filter(|s| {
            let f = fold(s);
            !(f.contains("muc thu mau") || f.contains("quan tri vien")) && keep(&f)
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// The sentences of a text, each with its full stop.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()) {
            let s = current.trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            current.clear();
        }
    }
    let s = current.trim();
    if !s.is_empty() {
        out.push(format!("{s}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(rule: FeeRule, exemptions: Vec<Exemption>, note: Option<&str>) -> Fee {
        Fee {
            name: "Lệ phí".into(),
            rule,
            exemptions,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn a_birth_fee_reads_as_the_citizen_asks() {
        let f = fee(
            FeeRule::Fixed { amount: 8000 },
            vec![Exemption::OnTimeBirthRegistration],
            Some("Miễn lệ phí khi đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh). Mức thu mẫu: mức cụ thể do Hội đồng nhân dân cấp tỉnh quy định; quản trị viên cập nhật theo nghị quyết của tỉnh."),
        );
        assert_eq!(
            fee_sentence_vi(&f),
            "Miễn lệ phí nếu đăng ký trong 60 ngày kể từ ngày sinh; quá hạn: 8.000 đ."
        );
    }

    #[test]
    fn other_exemptions_follow_and_plain_notes_stay() {
        let f = fee(
            FeeRule::PerCase { amount: 10_000 },
            vec![Exemption::PoorHousehold, Exemption::Disability],
            Some("Một trường hợp là một hoặc nhiều chữ ký trong một giấy tờ"),
        );
        assert_eq!(
            fee_sentence_vi(&f),
            "10.000 đ mỗi trường hợp. Miễn lệ phí nếu người yêu cầu thuộc hộ nghèo hoặc người yêu cầu là người khuyết tật. Một trường hợp là một hoặc nhiều chữ ký trong một giấy tờ."
        );
        assert_eq!(
            fee_sentence_vi(&fee(FeeRule::Free, vec![], None)),
            "Miễn phí."
        );
    }

    #[test]
    fn administrator_notes_never_reach_citizens() {
        assert_eq!(public_note("Mức thu mẫu: mức cụ thể do HĐND tỉnh quy định; quản trị viên cập nhật theo nghị quyết của tỉnh."), None);
        assert_eq!(
            public_note("8.000 đồng/bản sao (Thông tư số 281/2016/TT-BTC)."),
            Some("8.000 đồng/bản sao (Thông tư số 281/2016/TT-BTC).".into())
        );
    }

    #[test]
    fn steps_say_who_and_about_how_long() {
        let limit = TimeLimit::WorkingDays(3);
        assert_eq!(
            step_time_vi(limit, StepShare::Percent(10)),
            "khoảng 3 giờ làm việc"
        );
        assert_eq!(
            step_time_vi(limit, StepShare::Percent(60)),
            "khoảng 2 ngày làm việc"
        );
        assert_eq!(
            step_time_vi(TimeLimit::WorkingDays(5), StepShare::Percent(30)),
            "khoảng 1,5 ngày làm việc"
        );
        assert_eq!(
            step_time_vi(TimeLimit::SameDay, StepShare::WorkingHours(2)),
            "khoảng 2 giờ làm việc"
        );
        assert_eq!(
            step_time_vi(TimeLimit::Immediate, StepShare::Percent(100)),
            "ngay khi nhận hồ sơ"
        );
        assert_eq!(
            step_time_vi(TimeLimit::CalendarDays(15), StepShare::Percent(20)),
            "khoảng 3 ngày"
        );
        let step = ProcessStep {
            name: "Xem xét, ký duyệt kết quả".into(),
            role: StepRole::Leader,
            share: StepShare::Percent(20),
        };
        assert_eq!(
            step_line_vi(limit, &step),
            "Lãnh đạo UBND: xem xét, ký duyệt kết quả (khoảng 5 giờ làm việc)"
        );
    }
}
