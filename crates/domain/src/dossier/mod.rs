//! The dossier (hồ sơ): its states, channels and human code, who may take which
//! action in which state, and the clock rules (due instants of the internal
//! steps, pauses, the one extension, timeliness at return).

pub mod civil_facts;
mod clock;
mod code;
mod event;
mod record;
mod status;
#[cfg(test)]
pub(crate) mod test_support;
mod transition;
mod workflow;

pub use event::{apply, fold, Actor, Change, Event, FoldError, Intake};
pub use record::{
    Applicant, CivilFacts, Details, Dossier, Handover, ProcedureRef, ReceivedDocument,
};
pub use transition::{import, permitted, priority, receive, submit, transition, Command, Facts};

pub use clock::{extension_allowed, plan_steps, resume_due_at, timeliness, StepPlan, Timeliness};
pub use code::{day_part, DossierCode, DossierCodeError};
pub use status::{Channel, Status};
pub use workflow::{decide, expected, Refusal, Situation, Transition, Verb, RULES};

/// Automatic assignment at intake: an agency's rule for a sector (data, set by
/// its administrator), decided here from the specialists who hold the sector.
pub mod auto_assign {
    /// What the agency decided for a sector.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Rule {
        /// Assign at once when exactly one specialist holds the sector: there is
        /// nobody else to choose.
        SoleSpecialist,
        /// Assign to this person while they are a specialist of the sector.
        DefaultAssignee(String),
    }

    impl Rule {
        pub fn as_str(&self) -> &'static str {
            match self {
                Rule::SoleSpecialist => "sole_specialist",
                Rule::DefaultAssignee(_) => "default_assignee",
            }
        }

        /// The rule as stored: its name and, for a default assignee, who.
        pub fn parse(rule: &str, assignee: Option<&str>) -> Option<Rule> {
            match (rule, assignee) {
                ("sole_specialist", _) => Some(Rule::SoleSpecialist),
                ("default_assignee", Some(id)) => Some(Rule::DefaultAssignee(id.to_owned())),
                _ => None,
            }
        }

        /// Who gets the dossier, among the active specialists of the sector (ids),
        /// or nobody: the counter or a leader then assigns by hand.
        pub fn pick<'a>(&self, specialists: &'a [String]) -> Option<&'a str> {
            match self {
                Rule::SoleSpecialist => match specialists {
                    [only] => Some(only.as_str()),
                    _ => None,
                },
                Rule::DefaultAssignee(id) => {
                    specialists.iter().find(|s| *s == id).map(String::as_str)
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::Rule;

        #[test]
        fn a_sole_specialist_gets_it_and_two_leave_the_choice_to_people() {
            let one = vec!["u1".to_owned()];
            let two = vec!["u1".to_owned(), "u2".to_owned()];
            assert_eq!(Rule::SoleSpecialist.pick(&one), Some("u1"));
            assert_eq!(Rule::SoleSpecialist.pick(&two), None);
            assert_eq!(Rule::SoleSpecialist.pick(&[]), None);
            let default = Rule::DefaultAssignee("u2".into());
            assert_eq!(default.pick(&two), Some("u2"));
            // Someone no longer a specialist of the sector is not given it.
            assert_eq!(default.pick(&one), None);
            assert_eq!(Rule::parse("default_assignee", None), None);
            assert_eq!(
                Rule::parse("sole_specialist", None),
                Some(Rule::SoleSpecialist)
            );
        }
    }
}
