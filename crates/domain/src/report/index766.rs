//! The real-time service index of QĐ 766/QĐ-TTg (23/6/2022): groups, indicators
//! and their formulas as data (`shared/reference/service-index-766.md`), and the
//! score of a unit from the counts its own data gives.
//!
//! Every indicator scores `min(points, points × rate ÷ threshold)`: a plain
//! `points × rate` is the threshold 100 %; "full at ≥ 80 %" is the threshold 80 %.
//! A group's score is the sum of its indicators capped at the group's maximum, which
//! is how the payment formula 6A + min(2, 2.5B) + 2.5C (at most 10) is written:
//! A = 6 points, B = 2 points full at 80 % (2 × B ÷ 0.8 = 2.5B), C = 2.5 points,
//! group cap 10. Points and thresholds are editable (`Weights`); the definitions
//! (what is counted, the source, whether the value is confirmed) are not.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::validation::FieldError;

/// Points are kept in hundredths so that the editable values compare exactly.
pub type Centi = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Publicity,
    Progress,
    OnlineService,
    OnlinePayment,
    Digitisation,
    Satisfaction,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Publicity,
        Group::Progress,
        Group::OnlineService,
        Group::OnlinePayment,
        Group::Digitisation,
        Group::Satisfaction,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Group::Publicity => "group.publicity",
            Group::Progress => "group.progress",
            Group::OnlineService => "group.online_service",
            Group::OnlinePayment => "group.online_payment",
            Group::Digitisation => "group.digitisation",
            Group::Satisfaction => "group.satisfaction",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Group::Publicity => "Công khai, minh bạch",
            Group::Progress => "Tiến độ, kết quả giải quyết",
            Group::OnlineService => "Dịch vụ công trực tuyến",
            Group::OnlinePayment => "Thanh toán trực tuyến",
            Group::Digitisation => "Số hóa hồ sơ, kết quả",
            Group::Satisfaction => "Mức độ hài lòng",
        }
    }

    /// The group's maximum, as seeded.
    pub fn default_max(self) -> Centi {
        match self {
            Group::Publicity => 1800,
            Group::Progress => 2000,
            Group::OnlineService => 1200,
            Group::OnlinePayment => 1000,
            Group::Digitisation => 2200,
            Group::Satisfaction => 1800,
        }
    }
}

/// Whether the system's own data decides an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Computable {
    /// Counted from the dossiers, procedures and certifications the system holds.
    Own,
    /// Not computable yet: the reason, shown on the page.
    Not(&'static str),
}

/// The definition of one indicator.
#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    pub key: &'static str,
    pub group: Group,
    pub label_vi: &'static str,
    /// What the numerator and the denominator count, in words.
    pub counts_vi: &'static str,
    pub default_points: Centi,
    /// Full points at this rate, in percent (100: points × rate).
    pub default_threshold: i64,
    /// Full points when nothing was there to count (no feedback, no dossier).
    pub full_when_none: bool,
    /// Counted for communes only (electronic certified copies).
    pub commune_only: bool,
    /// Seen in a source [C], or kept as editable data until confirmed [U].
    pub confirmed: bool,
    pub source_vi: &'static str,
    pub computable: Computable,
}

const SOURCE_C: &str =
    "QĐ 766/QĐ-TTg; quy tắc chấm điểm của Cổng DVC quốc gia (bản chép lại công khai)";
const SOURCE_U: &str = "Chưa xác nhận: giá trị tạm, sửa được khi có văn bản";
const NO_PORTAL: &str =
    "Số liệu nằm ở Cổng Dịch vụ công quốc gia và Cơ sở dữ liệu TTHC, hệ thống này không có.";
const NO_PAYMENT: &str =
    "Hệ thống chỉ ghi hồ sơ đã nộp phí hay chưa, chưa ghi hình thức nộp (trực tuyến hay tại quầy).";
const NO_VAULT: &str = "Hệ thống chưa có kho dữ liệu số hóa để tái sử dụng giấy tờ.";
const NO_SHARING: &str = "Hệ thống chưa kết nối, chia sẻ dữ liệu với các hệ thống khác.";
const NO_POPULATION: &str = "Hệ thống chưa khai thác Cơ sở dữ liệu quốc gia về dân cư.";
const NO_FEEDBACK: &str =
    "Phản ánh, kiến nghị được tiếp nhận trên Cổng DVC quốc gia, hệ thống này chưa có.";

macro_rules! ind {
    ($key:expr, $group:expr, $label:expr, $counts:expr, $points:expr, $thr:expr, $none:expr, $commune:expr, $confirmed:expr, $comp:expr) => {
        Indicator {
            key: $key,
            group: $group,
            label_vi: $label,
            counts_vi: $counts,
            default_points: $points,
            default_threshold: $thr,
            full_when_none: $none,
            commune_only: $commune,
            confirmed: $confirmed,
            source_vi: if $confirmed { SOURCE_C } else { SOURCE_U },
            computable: $comp,
        }
    };
}

use Computable::{Not, Own};
use Group::*;

/// The indicator set, in the portal's order.
pub const INDICATORS: &[Indicator] = &[
    ind!("publicity.published", Publicity, "Công bố, công khai TTHC đúng hạn", "TTHC công bố đúng hạn ÷ TTHC", 600, 100, false, false, true, Not(NO_PORTAL)),
    ind!("publicity.updated", Publicity, "Cập nhật, công khai TTHC đúng hạn", "TTHC cập nhật đúng hạn ÷ TTHC", 400, 100, false, false, true, Not(NO_PORTAL)),
    ind!("publicity.everywhere", Publicity, "Công khai tại mọi nơi tiếp nhận", "Nơi tiếp nhận có công khai ÷ nơi tiếp nhận", 200, 100, false, false, true, Not(NO_PORTAL)),
    ind!("publicity.synced", Publicity, "Đồng bộ hồ sơ lên Cổng DVC quốc gia", "Hồ sơ đã đồng bộ ÷ hồ sơ", 600, 100, false, false, true, Not(NO_PORTAL)),
    ind!("progress.on_time", Progress, "Hồ sơ giải quyết trước hạn, đúng hạn hoặc đang giải quyết trong hạn",
        "Hồ sơ đã giải quyết trước hạn, đúng hạn hoặc đang giải quyết trong hạn (yêu cầu bổ sung quá một lần tính là quá hạn) ÷ hồ sơ đã giải quyết và đang giải quyết trong kỳ",
        2000, 100, false, false, true, Own),
    ind!("online.eligible", OnlineService, "Hồ sơ nộp trực tuyến của TTHC cho phép nộp trực tuyến toàn trình",
        "Hồ sơ tiếp nhận trực tuyến ÷ hồ sơ tiếp nhận trong kỳ của TTHC trực tuyến toàn trình",
        400, 100, false, false, false, Own),
    ind!("online.procedures", OnlineService, "TTHC có dịch vụ công trực tuyến",
        "TTHC trực tuyến toàn trình hoặc một phần ÷ TTHC của đơn vị (đủ điểm từ 80 %)",
        400, 80, false, false, false, Own),
    ind!("online.share", OnlineService, "Tỷ lệ hồ sơ trực tuyến",
        "Hồ sơ tiếp nhận trực tuyến ÷ hồ sơ tiếp nhận trong kỳ (đủ điểm từ 50 %)",
        400, 50, false, false, false, Own),
    ind!("payment.dossiers", OnlinePayment, "A. Hồ sơ thanh toán trực tuyến", "Hồ sơ nộp phí trực tuyến ÷ hồ sơ có phí", 600, 100, false, false, true, Not(NO_PAYMENT)),
    ind!("payment.procedures", OnlinePayment, "B. TTHC có thanh toán trực tuyến", "TTHC có thanh toán trực tuyến ÷ TTHC có phí (2,5 × B, tối đa 2)", 200, 80, false, false, true, Not(NO_PAYMENT)),
    ind!("payment.used", OnlinePayment, "C. TTHC có phí đã phát sinh hồ sơ", "TTHC có phí có hồ sơ ÷ TTHC có phí", 250, 100, false, false, true, Not(NO_PAYMENT)),
    ind!("digitisation.results", Digitisation, "Cấp kết quả điện tử",
        "Hồ sơ đã trả có kết quả là tệp điện tử ÷ hồ sơ đã trả trong kỳ",
        600, 100, false, false, true, Own),
    ind!("digitisation.documents", Digitisation, "Số hóa hồ sơ",
        "Hồ sơ đã trả có tệp cho mỗi thành phần hồ sơ và tệp kết quả ÷ hồ sơ đã trả trong kỳ",
        400, 100, false, false, true, Own),
    ind!("digitisation.certified_copies", Digitisation, "Chứng thực bản sao điện tử (cấp xã)",
        "Bản sao chứng thực có bản điện tử ÷ bản sao chứng thực trong kỳ",
        200, 100, false, true, true, Own),
    ind!("digitisation.reuse", Digitisation, "Tái sử dụng dữ liệu số hóa", "Hồ sơ dùng lại giấy tờ đã số hóa ÷ hồ sơ (đủ điểm từ 80 %)", 200, 80, false, false, true, Not(NO_VAULT)),
    ind!("digitisation.sharing", Digitisation, "Kết nối, chia sẻ dữ liệu", "Theo Cổng DVC quốc gia", 400, 100, false, false, true, Not(NO_SHARING)),
    ind!("digitisation.population_dossiers", Digitisation, "Hồ sơ khai thác dữ liệu dân cư", "Hồ sơ dùng dữ liệu dân cư ÷ hồ sơ", 200, 100, false, false, true, Not(NO_POPULATION)),
    ind!("digitisation.population_procedures", Digitisation, "TTHC khai thác dữ liệu dân cư", "TTHC dùng dữ liệu dân cư ÷ TTHC", 200, 100, false, false, true, Not(NO_POPULATION)),
    ind!("satisfaction.feedback_on_time", Satisfaction, "Phản ánh, kiến nghị được xử lý đúng hạn", "Phản ánh xử lý đúng hạn ÷ phản ánh (đủ điểm khi không có phản ánh)", 600, 100, true, false, true, Not(NO_FEEDBACK)),
    ind!("satisfaction.feedback_answers", Satisfaction, "Hài lòng với kết quả xử lý phản ánh", "Trả lời được đánh giá hài lòng ÷ trả lời (đủ điểm khi không có phản ánh)", 600, 100, true, false, true, Not(NO_FEEDBACK)),
    ind!("satisfaction.procedures", Satisfaction, "Hài lòng trong thực hiện TTHC",
        "(Hồ sơ − hồ sơ quá hạn − hồ sơ bị đánh giá không hài lòng hoặc có phản ánh) ÷ hồ sơ đã giải quyết và đang giải quyết (đủ điểm từ 90 %)",
        600, 90, false, false, true, Own),
];

pub fn indicator(key: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.key == key)
}

/// One editable value: an indicator's points and threshold, or a group's maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Weight {
    pub key: String,
    pub points: Centi,
    /// Percent; 100 for a group.
    pub threshold: i64,
    pub source: String,
    pub confirmed: bool,
}

/// The points and thresholds in force.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Weights(pub BTreeMap<String, Weight>);

impl Weights {
    /// The reference values (what migration 0017 seeds).
    pub fn reference() -> Weights {
        let mut m = BTreeMap::new();
        for g in Group::ALL {
            m.insert(
                g.key().to_owned(),
                Weight {
                    key: g.key().to_owned(),
                    points: g.default_max(),
                    threshold: 100,
                    source: SOURCE_C.to_owned(),
                    confirmed: true,
                },
            );
        }
        for i in INDICATORS {
            m.insert(
                i.key.to_owned(),
                Weight {
                    key: i.key.to_owned(),
                    points: i.default_points,
                    threshold: i.default_threshold,
                    source: i.source_vi.to_owned(),
                    confirmed: i.confirmed,
                },
            );
        }
        Weights(m)
    }

    /// Stored values over the reference: a key missing from the store keeps its
    /// reference value; a stored key nobody defines is ignored.
    pub fn with_stored(rows: impl IntoIterator<Item = Weight>) -> Weights {
        let mut w = Weights::reference();
        for row in rows {
            if let Some(slot) = w.0.get_mut(&row.key) {
                *slot = row;
            }
        }
        w
    }

    fn get(&self, key: &str) -> (Centi, i64) {
        self.0
            .get(key)
            .map(|w| (w.points, w.threshold))
            .unwrap_or((0, 100))
    }

    /// Checks a set of values an administrator typed: every value in range, every
    /// indicator within its group's maximum… and the groups adding up to 100.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for w in self.0.values() {
            if !(0..=10_000).contains(&w.points) {
                errors.push(FieldError::new(
                    &w.key,
                    "Số điểm phải từ 0 đến 100.".to_string(),
                ));
            }
            if !(1..=100).contains(&w.threshold) {
                errors.push(FieldError::new(
                    &w.key,
                    "Ngưỡng đủ điểm phải từ 1 % đến 100 %.".to_string(),
                ));
            }
            if w.source.trim().is_empty() {
                errors.push(FieldError::new(
                    &w.key,
                    "Ghi nguồn của giá trị (văn bản, quy tắc chấm điểm…).".to_string(),
                ));
            }
        }
        for i in INDICATORS {
            let (points, _) = self.get(i.key);
            let (max, _) = self.get(i.group.key());
            if points > max {
                errors.push(FieldError::new(
                    i.key,
                    format!(
                        "«{}»: {} điểm vượt quá tối đa của nhóm «{}» ({} điểm).",
                        i.label_vi,
                        show_points(points as f64 / 100.0),
                        i.group.label_vi(),
                        show_points(max as f64 / 100.0)
                    ),
                ));
            }
        }
        let total: Centi = Group::ALL.iter().map(|g| self.get(g.key()).0).sum();
        if total != 10_000 {
            errors.push(FieldError::new(
                "total",
                format!(
                    "Tổng điểm tối đa của các nhóm phải là 100 (đang là {}).",
                    show_points(total as f64 / 100.0)
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A count and what it is out of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Ratio {
    pub fn new(numerator: u64, denominator: u64) -> Ratio {
        Ratio {
            numerator,
            denominator,
        }
    }

    /// None when there is nothing to divide by.
    pub fn rate(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }
}

/// `min(points, points × rate ÷ threshold)`; with nothing counted, full points
/// where the rule says so and none otherwise.
pub fn indicator_points(points: Centi, threshold: i64, full_when_none: bool, r: Ratio) -> f64 {
    let max = points as f64 / 100.0;
    match r.rate() {
        None if full_when_none => max,
        None => 0.0,
        Some(rate) => {
            let threshold = threshold.clamp(1, 100) as f64 / 100.0;
            (max * rate / threshold).min(max)
        }
    }
}

/// The facts of one dossier the index reads, for the period being scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DossierFacts {
    /// Resolved (returned) in the period, or still pending at its end.
    pub handled: bool,
    /// Returned in the period.
    pub resolved: bool,
    /// Resolved early or on time, or pending with its due instant not before the
    /// period's end.
    pub in_time: bool,
    pub supplements: u32,
    /// Received in the period (not carried over).
    pub received_in_period: bool,
    pub online: bool,
    /// Its procedure can be filed fully online.
    pub procedure_fully_online: bool,
    /// At least one result attached as a file.
    pub electronic_result: bool,
    /// A file for every document received, and at least one.
    pub documents_digitised: bool,
    /// Rated dissatisfied or with feedback (always false until ratings exist).
    pub dissatisfied: bool,
}

impl DossierFacts {
    /// Judged in time for the index: in time, and at most one supplement request
    /// (more counts as late).
    pub fn counts_in_time(&self) -> bool {
        self.handled && self.in_time && self.supplements <= 1
    }
}

/// What the unit's own data gives, the inputs of `score`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Measures {
    /// Handled dossiers in time (≤ 1 supplement request) ÷ handled dossiers.
    pub progress: Ratio,
    /// Online ÷ received in the period, of fully-online procedures.
    pub online_eligible: Ratio,
    /// Procedures with online service ÷ procedures of the unit.
    pub online_procedures: Ratio,
    /// Online ÷ received in the period.
    pub online_share: Ratio,
    /// Returned with an electronic result ÷ returned.
    pub electronic_results: Ratio,
    /// Returned with every document and the result as files ÷ returned.
    pub digitised_documents: Ratio,
    /// Electronic certified copies ÷ certified copies.
    pub certified_copies: Ratio,
    /// Handled dossiers neither late nor rated dissatisfied. Its denominator is
    /// the handled dossiers.
    pub satisfied: Ratio,
}

impl Measures {
    /// The specification of the store's counting: the measures of a list of
    /// dossiers (procedures and certified copies are given apart).
    pub fn tally(dossiers: &[DossierFacts]) -> Measures {
        let mut m = Measures::default();
        let bump = |r: &mut Ratio, yes: bool| {
            r.denominator += 1;
            if yes {
                r.numerator += 1;
            }
        };
        for d in dossiers {
            if d.handled {
                bump(&mut m.progress, d.counts_in_time());
                bump(&mut m.satisfied, d.counts_in_time() && !d.dissatisfied);
            }
            if d.received_in_period {
                bump(&mut m.online_share, d.online);
                if d.procedure_fully_online {
                    bump(&mut m.online_eligible, d.online);
                }
            }
            if d.resolved {
                bump(&mut m.electronic_results, d.electronic_result);
                bump(
                    &mut m.digitised_documents,
                    d.electronic_result && d.documents_digitised,
                );
            }
        }
        m
    }

    /// The measure of an indicator the system computes.
    pub fn of(&self, key: &str) -> Option<Ratio> {
        Some(match key {
            "progress.on_time" => self.progress,
            "online.eligible" => self.online_eligible,
            "online.procedures" => self.online_procedures,
            "online.share" => self.online_share,
            "digitisation.results" => self.electronic_results,
            "digitisation.documents" => self.digitised_documents,
            "digitisation.certified_copies" => self.certified_copies,
            "satisfaction.procedures" => self.satisfied,
            _ => return None,
        })
    }
}

/// One indicator's result.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorScore {
    pub key: &'static str,
    pub label: &'static str,
    pub counts: &'static str,
    pub max_points: f64,
    pub threshold: i64,
    /// None when not computable (`reason` says why).
    pub ratio: Option<Ratio>,
    pub rate: Option<f64>,
    pub points: f64,
    pub computed: bool,
    pub reason: Option<&'static str>,
    pub confirmed: bool,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupScore {
    pub key: &'static str,
    pub label: &'static str,
    pub max_points: f64,
    pub points: f64,
    pub indicators: Vec<IndicatorScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub total: f64,
    pub max_total: f64,
    /// Points of the indicators not computed (each counted as 0).
    pub not_computed_points: f64,
    pub groups: Vec<GroupScore>,
}

const NOT_COMMUNE: &str = "Chỉ tính cho cấp xã.";

/// The score of a unit: each computable indicator from its measure, the rest 0
/// out of their points with the reason; groups capped at their maximum.
pub fn score(weights: &Weights, measures: &Measures, is_commune: bool) -> Score {
    let mut groups = Vec::new();
    let mut not_computed = 0.0;
    for g in Group::ALL {
        let (gmax, _) = weights.get(g.key());
        let gmax = gmax as f64 / 100.0;
        let mut indicators = Vec::new();
        for i in INDICATORS.iter().filter(|i| i.group == g) {
            let w = weights.0.get(i.key);
            let (points, threshold) = weights.get(i.key);
            let reason = match i.computable {
                Computable::Not(reason) => Some(reason),
                Computable::Own if i.commune_only && !is_commune => Some(NOT_COMMUNE),
                Computable::Own => None,
            };
            let ratio = reason.is_none().then(|| measures.of(i.key)).flatten();
            let pts = match ratio {
                Some(r) => indicator_points(points, threshold, i.full_when_none, r),
                None => {
                    not_computed += points as f64 / 100.0;
                    0.0
                }
            };
            indicators.push(IndicatorScore {
                key: i.key,
                label: i.label_vi,
                counts: i.counts_vi,
                max_points: points as f64 / 100.0,
                threshold,
                rate: ratio.and_then(|r| r.rate()),
                ratio,
                points: round2(pts),
                computed: ratio.is_some(),
                reason: if ratio.is_some() { None } else { reason },
                confirmed: w.map_or(i.confirmed, |w| w.confirmed),
                source: w.map_or_else(|| i.source_vi.to_owned(), |w| w.source.clone()),
            });
        }
        let sum: f64 = indicators.iter().map(|i| i.points).sum();
        groups.push(GroupScore {
            key: g.key(),
            label: g.label_vi(),
            max_points: gmax,
            points: round2(sum.min(gmax)),
            indicators,
        });
    }
    Score {
        total: round2(groups.iter().map(|g| g.points).sum()),
        max_total: round2(groups.iter().map(|g| g.max_points).sum()),
        not_computed_points: round2(not_computed),
        groups,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Points as written in Vietnamese: a decimal comma, no trailing zeros (12,5).
pub fn show_points(x: f64) -> String {
    let s = format!("{:.2}", round2(x));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// Parses points typed as "12,5" or "12.5" into hundredths.
pub fn parse_points(text: &str) -> Option<Centi> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() || t.starts_with('-') || t.starts_with('+') {
        return None;
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t.as_str(), ""),
    };
    if frac.len() > 2 || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    int.checked_mul(100)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn proportional_capped_and_thresholded() {
        // 20 × rate.
        assert!(close(
            indicator_points(2000, 100, true, Ratio::new(9, 10)),
            18.0
        ));
        // Full at 80 %: at 40 % half, at 80 % and above full, never more.
        assert!(close(
            indicator_points(400, 80, false, Ratio::new(4, 10)),
            2.0
        ));
        assert!(close(
            indicator_points(400, 80, false, Ratio::new(8, 10)),
            4.0
        ));
        assert!(close(
            indicator_points(400, 80, false, Ratio::new(10, 10)),
            4.0
        ));
        // Satisfaction: min(6, 6 × rate ÷ 90 %).
        assert!(close(
            indicator_points(600, 90, true, Ratio::new(45, 100)),
            3.0
        ));
        assert!(close(
            indicator_points(600, 90, true, Ratio::new(91, 100)),
            6.0
        ));
        // Reuse: min(2, 2 × rate ÷ 80 %).
        assert!(close(
            indicator_points(200, 80, false, Ratio::new(1, 5)),
            0.5
        ));
    }

    #[test]
    fn zero_denominators() {
        assert!(close(
            indicator_points(600, 100, true, Ratio::new(0, 0)),
            6.0
        ));
        assert!(close(
            indicator_points(600, 100, false, Ratio::new(0, 0)),
            0.0
        ));
        assert_eq!(Ratio::new(0, 0).rate(), None);
        assert!(close(
            indicator_points(600, 100, false, Ratio::new(0, 3)),
            0.0
        ));
        // A threshold stored as 0 cannot divide by zero.
        assert!(close(
            indicator_points(600, 0, false, Ratio::new(1, 3)),
            6.0
        ));
    }

    #[test]
    fn the_payment_formula_as_data() {
        // 6A + min(2, 2.5B) + 2.5C, at most 10, from the three indicators and the
        // group's cap.
        let w = Weights::reference();
        let payment = |a: Ratio, b: Ratio, c: Ratio| {
            let p = |key: &str, r: Ratio| {
                let (pts, thr) = w.get(key);
                indicator_points(pts, thr, false, r)
            };
            let sum = p("payment.dossiers", a) + p("payment.procedures", b) + p("payment.used", c);
            sum.min(w.get(Group::OnlinePayment.key()).0 as f64 / 100.0)
        };
        for (a, b, c) in [
            (0.5, 0.4, 1.0),
            (1.0, 1.0, 1.0),
            (0.2, 0.9, 0.3),
            (0.0, 0.0, 0.0),
        ] {
            let expected = (6.0 * a + f64::min(2.0, 2.5 * b) + 2.5 * c).min(10.0);
            let got = payment(
                Ratio::new((a * 100.0) as u64, 100),
                Ratio::new((b * 100.0) as u64, 100),
                Ratio::new((c * 100.0) as u64, 100),
            );
            assert!(close(got, expected), "{a} {b} {c}: {got} ≠ {expected}");
        }
    }

    #[test]
    fn reference_weights_add_up_and_validate() {
        let w = Weights::reference();
        assert_eq!(w.validate(), Ok(()));
        for g in Group::ALL {
            let listed: Centi = INDICATORS
                .iter()
                .filter(|i| i.group == g)
                .map(|i| i.default_points)
                .sum();
            // Payment's indicators add up to 10.5 and are capped at 10.
            let expected = if g == Group::OnlinePayment {
                1050
            } else {
                g.default_max()
            };
            assert_eq!(listed, expected, "{g:?}");
        }
        let total: Centi = Group::ALL.iter().map(|g| g.default_max()).sum();
        assert_eq!(total, 10_000);
    }

    #[test]
    fn validation_refuses_what_cannot_score() {
        let mut w = Weights::reference();
        w.0.get_mut("progress.on_time").expect("key").points = 2100;
        w.0.get_mut("online.share").expect("key").threshold = 0;
        w.0.get_mut("group.satisfaction").expect("key").points = 1700;
        let errors = w.validate().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"progress.on_time"), "{fields:?}");
        assert!(fields.contains(&"online.share"), "{fields:?}");
        assert!(fields.contains(&"total"), "{fields:?}");
    }

    #[test]
    fn stored_values_override_the_reference() {
        let w = Weights::with_stored([
            Weight {
                key: "online.share".into(),
                points: 300,
                threshold: 60,
                source: "Sở".into(),
                confirmed: false,
            },
            Weight {
                key: "nonsense".into(),
                points: 1,
                threshold: 1,
                source: "x".into(),
                confirmed: false,
            },
        ]);
        assert_eq!(w.get("online.share"), (300, 60));
        assert!(!w.0.contains_key("nonsense"));
    }

    #[test]
    fn more_than_one_supplement_request_is_late() {
        let base = DossierFacts {
            handled: true,
            resolved: true,
            in_time: true,
            received_in_period: true,
            ..Default::default()
        };
        let dossiers = [
            base,
            DossierFacts {
                supplements: 1,
                ..base
            },
            DossierFacts {
                supplements: 2,
                ..base
            },
            DossierFacts {
                in_time: false,
                ..base
            },
            // Withdrawn: neither handled nor resolved.
            DossierFacts {
                handled: false,
                resolved: false,
                ..base
            },
        ];
        let m = Measures::tally(&dossiers);
        assert_eq!(m.progress, Ratio::new(2, 4));
        assert_eq!(m.satisfied, Ratio::new(2, 4));
        assert_eq!(m.online_share, Ratio::new(0, 5));
        assert_eq!(m.electronic_results, Ratio::new(0, 4));
    }

    #[test]
    fn dissatisfied_ratings_lower_satisfaction_only() {
        let d = DossierFacts {
            handled: true,
            in_time: true,
            ..Default::default()
        };
        let m = Measures::tally(&[
            d,
            DossierFacts {
                dissatisfied: true,
                ..d
            },
        ]);
        assert_eq!(m.progress, Ratio::new(2, 2));
        assert_eq!(m.satisfied, Ratio::new(1, 2));
    }

    #[test]
    fn digitised_needs_the_result_too() {
        let d = DossierFacts {
            handled: true,
            resolved: true,
            in_time: true,
            documents_digitised: true,
            ..Default::default()
        };
        let m = Measures::tally(&[
            d,
            DossierFacts {
                electronic_result: true,
                ..d
            },
        ]);
        assert_eq!(m.electronic_results, Ratio::new(1, 2));
        assert_eq!(m.digitised_documents, Ratio::new(1, 2));
    }

    #[test]
    fn score_of_a_unit() {
        let m = Measures {
            progress: Ratio::new(9, 10),
            online_eligible: Ratio::new(1, 2),
            online_procedures: Ratio::new(8, 10),
            online_share: Ratio::new(1, 4),
            electronic_results: Ratio::new(1, 2),
            digitised_documents: Ratio::new(0, 2),
            certified_copies: Ratio::new(0, 0),
            satisfied: Ratio::new(9, 10),
        };
        let s = score(&Weights::reference(), &m, true);
        // 18 + (2 + 4 + 2) + (3 + 0 + 0: no certified copy) + 6 = 35.
        assert!(close(s.total, 35.0), "{}", s.total);
        assert!(close(s.max_total, 100.0));
        let publicity = &s.groups[0];
        assert!(publicity
            .indicators
            .iter()
            .all(|i| !i.computed && i.reason.is_some()));
        assert!(close(s.not_computed_points, 18.0 + 10.5 + 10.0 + 12.0));
        // A province has no commune-only indicator.
        let m = Measures {
            certified_copies: Ratio::new(1, 2),
            ..m
        };
        assert!(close(score(&Weights::reference(), &m, true).total, 36.0));
        let p = score(&Weights::reference(), &m, false);
        assert!(close(p.total, 35.0), "{}", p.total);
        let copies = p.groups[4]
            .indicators
            .iter()
            .find(|i| i.key == "digitisation.certified_copies")
            .expect("listed");
        assert_eq!(copies.reason, Some(NOT_COMMUNE));
    }

    #[test]
    fn points_typed_and_shown() {
        assert_eq!(parse_points("12,5"), Some(1250));
        assert_eq!(parse_points("2.25"), Some(225));
        assert_eq!(parse_points("6"), Some(600));
        assert_eq!(parse_points(",5"), Some(50));
        for bad in ["", "-1", "1,234", "abc", "1.2.3", "+3"] {
            assert_eq!(parse_points(bad), None, "{bad}");
        }
        assert_eq!(show_points(12.5), "12,5");
        assert_eq!(show_points(20.0), "20");
        assert_eq!(show_points(0.333), "0,33");
    }
}
