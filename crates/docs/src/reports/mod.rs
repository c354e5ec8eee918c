//! Reports laid out like the official forms.

mod ii06a_pdf;
mod ii06a_xlsx;
mod tracking_book;

pub use ii06a_pdf::{ii06a_pdf, Ii06aPaper};
pub use ii06a_xlsx::{ii06a_xlsx, Ii06aSheet};
pub use tracking_book::{
    tracking_book_pdf, tracking_book_xlsx, BookRow, Column, Layout, TrackingBook,
};
