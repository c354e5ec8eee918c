//! The dossier (hồ sơ): its states, channels and human code, who may take which
//! action in which state, and the clock rules (due instants of the internal
//! steps, pauses, the one extension, timeliness at return).

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
