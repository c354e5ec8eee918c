//! Browser tests in headless Chromium through ChromeDriver (Debian's chromium and
//! chromium-driver). Without them the tests say so and pass; under CI they must run.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    counter_officer_signs_in_and_sees_home,
    wrong_password_shows_the_vietnamese_error
);

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Browser {
    client: fantoccini::Client,
    driver: tokio::process::Child,
}

async fn browser() -> Option<Browser> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser tests: install chromium and chromium-driver"
        );
        eprintln!("skipped: {CHROMEDRIVER} not found (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1366,768"]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(client) = ClientBuilder::rustls()
            .expect("tls setup")
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some(Browser { client, driver });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

impl Browser {
    async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }

    async fn sign_in(&self, app: &TestApp, username: &str, password: &str) {
        self.client.goto(&app.url("/dang-nhap")).await.unwrap();
        self.client
            .find(Locator::Id("username"))
            .await
            .unwrap()
            .send_keys(username)
            .await
            .unwrap();
        self.client
            .find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        self.client
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

async fn counter_officer_signs_in_and_sees_home(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.sign_in(&app, "tiepnhan", PASSWORD).await;
    let h1 = b
        .client
        .wait()
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap();
    assert_eq!(h1.text().await.unwrap(), "Xin chào, Nguyễn Thị Hồng Nhung");
    let body = b
        .client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Hồ sơ trực tuyến chờ tiếp nhận"), "{body}");
    assert!(body.contains("UBND phường Phố Hiến"));
    // Keyboard users can reach the content directly.
    let skip = b.client.find(Locator::Css("a.skip-link")).await.unwrap();
    assert_eq!(
        skip.attr("href").await.unwrap().as_deref(),
        Some("#noi-dung")
    );
    b.close().await;
}

async fn wrong_password_shows_the_vietnamese_error(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.sign_in(&app, "tiepnhan", "sai-mat-khau").await;
    let alert = b
        .client
        .wait()
        .for_element(Locator::Id("loi-dang-nhap"))
        .await
        .unwrap();
    assert_eq!(
        alert.text().await.unwrap(),
        "Tên đăng nhập hoặc mật khẩu không đúng."
    );
    let url = b.client.current_url().await.unwrap();
    assert!(url.path().ends_with("/dang-nhap"));
    b.close().await;
}
