//! The test harness itself: what a killed run leaves on the PostgreSQL server is
//! cleaned up by the next one.

use motcua_store::Db;

use crate::common::drop_stale_test_databases;

/// A test database named for an instant a day ago (a run killed before it dropped
/// it) is dropped by the sweep; one named for now (a run in progress) is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_test_database_url), ignore = "TEST_DATABASE_URL is not set")]
async fn databases_left_by_a_killed_run_are_dropped_and_running_ones_kept() {
    let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let admin = Db::connect(&admin_url).await.expect("connect");
    let day_ago = jiff::Timestamp::now().as_millisecond() - 24 * 60 * 60 * 1000;
    let seconds = u64::try_from(day_ago / 1000).expect("after 1970");
    let nanos = u32::try_from((day_ago % 1000) * 1_000_000).expect("millis");
    let stale = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, seconds, nanos));
    let stale = format!("motcua_test_{}", stale.simple());
    let running = format!("motcua_test_{}", uuid::Uuid::now_v7().simple());
    for name in [&stale, &running] {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .expect("create");
    }
    let dropped = drop_stale_test_databases(&admin).await;
    assert!(dropped.contains(&stale), "{dropped:?}");
    assert!(!dropped.contains(&running), "{dropped:?}");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname IN ($1, $2)")
            .bind(&stale)
            .bind(&running)
            .fetch_all(admin.pool())
            .await
            .expect("list");
    assert_eq!(left, std::slice::from_ref(&running));
    sqlx::query(&format!("DROP DATABASE {running} WITH (FORCE)"))
        .execute(admin.pool())
        .await
        .expect("drop");
}
