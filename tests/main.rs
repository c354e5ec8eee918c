//! The one integration-test binary: each test starts the real application on a random
//! port against a fresh database. Every test runs on SQLite, and again on PostgreSQL
//! when `TEST_DATABASE_URL` names a server (each test then gets its own database).

mod common;

mod access;
mod api;
mod auth;
mod bounds;
mod browser;
mod calendar;
mod catalogue;
mod certification;
mod cli;
mod clock;
mod dashboard;
mod dossier_pages;
mod dossiers;
mod notify;
mod ops;
mod registers;
mod replica;
mod reports;
mod request_id;
mod schema;
mod sessions;
mod throttle;
