//! The pure rules of motcua. Nothing here performs I/O or reads a clock: values in,
//! values out, so that legal correctness can be unit-tested exhaustively.

pub mod access;
pub mod agency;
pub mod calendar;
pub mod campaign;
pub mod certification;
pub mod civil;
pub mod dossier;
pub mod limits;
pub mod personal_id;
pub mod procedure;
pub mod rating;
pub mod report;
pub mod text;
pub mod user;
pub mod validation;
