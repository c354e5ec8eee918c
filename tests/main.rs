//! The one integration-test binary: each test starts the real application on a random
//! port against a fresh database. Every test runs on SQLite, and again on PostgreSQL
//! when `TEST_DATABASE_URL` names a server (each test then gets its own database).

mod common;

mod access;
mod api;
mod auth;
mod auto_assign;
mod bounds;
mod browser;
mod browser_citizen;
mod calendar;
mod campaigns;
mod catalogue;
mod certification;
mod certification_book;
mod civil_dossiers;
mod civil_extracts;
mod cli;
mod clock;
mod dashboard;
mod dossier_pages;
mod dossiers;
mod electronic_copy;
mod harness;
mod intake_form;
mod notify;
mod ops;
mod ratings;
mod registers;
mod replica;
mod reports;
mod request_id;
mod result_signing;
mod schema;
mod service_index;
mod sessions;
mod throttle;
mod tracking_book;
