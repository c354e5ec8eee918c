//! The citizen's rating of how a dossier was handled (đánh giá mức độ hài lòng).
//!
//! NĐ 61/2018 art. 14 (`legal-facts.md` §3) scores the handling of a dossier on a
//! set of indicators, 2/1/0 each, and an overall verdict: Rất hài lòng / Hài lòng /
//! Không hài lòng. Most of those indicators are facts the system already holds
//! (time against the limit, handled at the one-stop desk, filed online); the ones
//! only the citizen knows are asked: the overall verdict, the staff's attitude and
//! how many times they had to come back. A dossier is rated once, by whoever holds
//! its code and the last digits of the applicant's phone or ID, after its result.

use serde::{Deserialize, Serialize};

use crate::dossier::Status;
use crate::limits;
use crate::validation::Errors;

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    VerySatisfied,
    Satisfied,
    Dissatisfied,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [
        Verdict::VerySatisfied,
        Verdict::Satisfied,
        Verdict::Dissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::VerySatisfied => "very_satisfied",
            Verdict::Satisfied => "satisfied",
            Verdict::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Verdict::VerySatisfied => "Rất hài lòng",
            Verdict::Satisfied => "Hài lòng",
            Verdict::Dissatisfied => "Không hài lòng",
        }
    }

    /// Stored as the indicator score of the decree: 2, 1, 0.
    pub fn score(self) -> i16 {
        match self {
            Verdict::VerySatisfied => 2,
            Verdict::Satisfied => 1,
            Verdict::Dissatisfied => 0,
        }
    }

    pub fn from_score(score: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.score() == score)
    }
}

/// The staff's attitude, scored 2/1/0 like every indicator of the decree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attitude {
    Courteous,
    Ordinary,
    Poor,
}

impl Attitude {
    pub const ALL: [Attitude; 3] = [Attitude::Courteous, Attitude::Ordinary, Attitude::Poor];

    pub fn as_str(self) -> &'static str {
        match self {
            Attitude::Courteous => "courteous",
            Attitude::Ordinary => "ordinary",
            Attitude::Poor => "poor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Attitude::Courteous => "Lịch sự, tận tình",
            Attitude::Ordinary => "Bình thường",
            Attitude::Poor => "Chưa tốt",
        }
    }

    pub fn score(self) -> i16 {
        match self {
            Attitude::Courteous => 2,
            Attitude::Ordinary => 1,
            Attitude::Poor => 0,
        }
    }

    pub fn from_score(score: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.score() == score)
    }
}

/// The decree's score for the number of times the applicant had to come back:
/// none → 2, once → 1, more → 0.
pub fn return_visits_score(visits: u8) -> i16 {
    match visits {
        0 => 2,
        1 => 1,
        _ => 0,
    }
}

/// Return visits above this are recorded as this (the score is 0 from 2 on; the
/// figure only bounds the input).
pub const RETURN_VISITS_MAX: u8 = 20;

/// A rating as given, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingInput {
    pub verdict: Option<Verdict>,
    pub attitude: Option<Attitude>,
    pub return_visits: Option<u8>,
    pub comment: Option<String>,
}

/// A rating that passed [`RatingInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub verdict: Verdict,
    pub attitude: Attitude,
    pub return_visits: u8,
    /// Trimmed; absent when blank.
    pub comment: Option<String>,
}

impl RatingInput {
    /// Every problem at once, each naming its field in Vietnamese.
    pub fn validate(self) -> Result<Rating, Errors> {
        let mut errors = Errors::new();
        if self.verdict.is_none() {
            errors.push(
                "verdict",
                "Vui lòng chọn mức độ hài lòng chung (Rất hài lòng, Hài lòng hoặc Không hài lòng).",
            );
        }
        if self.attitude.is_none() {
            errors.push("attitude", "Vui lòng chọn nhận xét về thái độ của cán bộ.");
        }
        let return_visits = match self.return_visits {
            None => {
                errors.push(
                    "return_visits",
                    "Vui lòng cho biết ông/bà đã phải đi lại bao nhiêu lần.",
                );
                0
            }
            Some(v) if v > RETURN_VISITS_MAX => {
                errors.push(
                    "return_visits",
                    format!("Số lần phải đi lại không quá {RETURN_VISITS_MAX}."),
                );
                0
            }
            Some(v) => v,
        };
        if let Some(c) = &self.comment {
            errors.check_text("comment", "Ý kiến góp ý", c, limits::FREE_TEXT_CHARS, true);
        }
        let (Some(verdict), Some(attitude), Ok(())) =
            (self.verdict, self.attitude, errors.clone().into_result())
        else {
            return Err(errors);
        };
        Ok(Rating {
            verdict,
            attitude,
            return_visits,
            comment: self
                .comment
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
        })
    }
}

/// A rating as recorded, with its instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GivenRating {
    #[serde(flatten)]
    pub rating: Rating,
    pub rated_at: jiff::Timestamp,
}

/// A dossier can be rated once its handling ended with an answer to the citizen:
/// the result was handed over, or the dossier was refused. One still being handled
/// (or withdrawn by the citizen) has nothing to rate yet.
pub fn can_rate(status: Status) -> bool {
    matches!(status, Status::Returned | Status::Rejected)
}

/// Ratings of a unit and period, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub very_satisfied: i64,
    pub satisfied: i64,
    pub dissatisfied: i64,
    /// Ratings whose attitude was "poor".
    pub poor_attitude: i64,
}

impl Tally {
    pub fn total(&self) -> i64 {
        self.very_satisfied + self.satisfied + self.dissatisfied
    }

    /// Very satisfied or satisfied, out of every rating; absent without ratings.
    pub fn satisfied_share(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| (self.very_satisfied + self.satisfied) as f64 / total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RatingInput {
        RatingInput {
            verdict: Some(Verdict::Satisfied),
            attitude: Some(Attitude::Courteous),
            return_visits: Some(0),
            comment: Some("  Cán bộ hướng dẫn rõ ràng.  ".into()),
        }
    }

    #[test]
    fn a_complete_rating_is_kept_with_its_comment_trimmed() {
        let r = input().validate().unwrap();
        assert_eq!(r.verdict, Verdict::Satisfied);
        assert_eq!(r.comment.as_deref(), Some("Cán bộ hướng dẫn rõ ràng."));
        let blank = RatingInput {
            comment: Some("   ".into()),
            ..input()
        };
        assert_eq!(blank.validate().unwrap().comment, None);
    }

    #[test]
    fn every_missing_answer_is_reported_at_once() {
        let e = RatingInput {
            verdict: None,
            attitude: None,
            return_visits: None,
            comment: None,
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["verdict", "attitude", "return_visits"]);
    }

    #[test]
    fn long_or_control_comments_and_absurd_visits_are_refused() {
        let long = RatingInput {
            comment: Some("a".repeat(limits::FREE_TEXT_CHARS + 1)),
            return_visits: Some(RETURN_VISITS_MAX + 1),
            ..input()
        };
        let e = long.validate().unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert!(e.0[0].message.contains("20"), "{e:?}");
        assert!(e.0[1].message.contains("2000"), "{e:?}");
        let nul = RatingInput {
            comment: Some("tốt\0".into()),
            ..input()
        };
        assert!(nul.validate().is_err());
        let lines = RatingInput {
            comment: Some("dòng 1\ndòng 2".into()),
            ..input()
        };
        assert!(lines.validate().is_ok());
    }

    #[test]
    fn scores_follow_the_decree() {
        assert_eq!(
            Verdict::ALL.map(Verdict::score),
            [2, 1, 0],
            "Rất hài lòng / Hài lòng / Không hài lòng"
        );
        assert_eq!([0, 1, 2, 7].map(return_visits_score), [2, 1, 0, 0]);
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_score(v.score()), Some(v));
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        for a in Attitude::ALL {
            assert_eq!(Attitude::from_score(a.score()), Some(a));
            assert_eq!(Attitude::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn only_answered_dossiers_can_be_rated() {
        let rateable: Vec<Status> = Status::ALL.into_iter().filter(|s| can_rate(*s)).collect();
        assert_eq!(rateable, [Status::Returned, Status::Rejected]);
    }

    #[test]
    fn the_satisfied_share_counts_both_positive_verdicts() {
        let t = Tally {
            very_satisfied: 3,
            satisfied: 5,
            dissatisfied: 2,
            poor_attitude: 1,
        };
        assert_eq!(t.total(), 10);
        assert_eq!(t.satisfied_share(), Some(0.8));
        assert_eq!(Tally::default().satisfied_share(), None);
    }
}
