//! The rules of the official reports: what each figure counts, for a period of
//! local days. The store computes the same figures in SQL for speed; the rules here
//! are the specification its tests hold it to.

mod ii06a;
mod period;
mod ranking;

pub use ii06a::{classify, Counts, Facts, Figure};
pub use period::{presets, Period};
pub use ranking::{rank, RankBy, Rates};

pub mod index766;
