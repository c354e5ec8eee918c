//! Tells the integration tests whether a PostgreSQL server is configured, so that
//! a test that needs both engines is reported as ignored, not as passed, without
//! one. Nothing else of the build depends on it.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_test_database_url)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("TEST_DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=have_test_database_url");
    }
}
