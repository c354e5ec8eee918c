//! Notifications from the outbox: e-mail to a real SMTP server (Python's aiosmtpd),
//! SMS to an HTTP gateway with retries and backoff, the log-only default, giving up,
//! and reminders for uncollected results.
//!
//! Passes run "as if at" a chosen instant (`deliver_due_messages_at`), so backoffs
//! of a minute are tested without waiting for them.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use motcua_app::notify::{NotifyConfig, SmsConfig, SmtpConfig, Transports};
use motcua_store::outbox::{self, NewMessage, OutboxMessage};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    email_reaches_an_smtp_server,
    sms_is_retried_after_a_backoff,
    without_transports_messages_are_only_logged,
    messages_fail_after_the_last_attempt,
    uncollected_results_are_reminded_once,
    two_workers_never_claim_the_same_message,
    the_notifier_delivers_in_the_background,
);

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    motcua_store::to_millis(jiff::Timestamp::now())
}

/// Removes whatever else (the demo, other use cases) may have queued, so that the
/// passes below see only this test's messages.
async fn clear_outbox(t: &TestApp) {
    sqlx::query("DELETE FROM outbox")
        .execute(t.db.pool())
        .await
        .expect("clear the outbox");
}

async fn enqueue(t: &TestApp, msg: NewMessage<'_>, now: i64) -> String {
    let mut conn = t.db.read().await.expect("connection");
    outbox::enqueue(&mut conn, &msg, now)
        .await
        .expect("enqueue")
}

async fn message(t: &TestApp, id: &str) -> OutboxMessage {
    let mut conn = t.db.read().await.expect("connection");
    outbox::by_id(&mut conn, id)
        .await
        .expect("read the message")
        .expect("the message exists")
}

// ---------------------------------------------------------------- SMTP server

/// `python3 -m aiosmtpd` writing what it receives to a maildir; killed on drop.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    /// `None` (with a message) when aiosmtpd is not installed, outside CI; under CI
    /// its absence fails the test.
    async fn start() -> Option<SmtpServer> {
        let importable = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !importable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the e-mail tests: `python3 -c 'import aiosmtpd'` fails \
                 (install it with `python3 -m pip install aiosmtpd`)"
            );
            eprintln!(
                "skipped: the Python package aiosmtpd is not installed (python3 -m pip install aiosmtpd)"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let maildir =
            std::env::temp_dir().join(format!("motcua-maildir-{}", uuid::Uuid::now_v7().simple()));
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3 -m aiosmtpd");
        let mut server = SmtpServer {
            child,
            port,
            maildir,
        };
        for _ in 0..200 {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("aiosmtpd exited at start ({status})");
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not accept connections on port {port} within 10 s");
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, decoded by Python's own e-mail parser:
    /// envelope recipients, headers (RFC 2047 words decoded) and the text body.
    fn messages(&self) -> Vec<serde_json::Value> {
        const DECODE: &str = r#"
import email, email.policy, json, mailbox, sys
out = []
for _, m in sorted(mailbox.Maildir(sys.argv[1], create=False).iteritems(), key=lambda kv: kv[0]):
    msg = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
    out.append({
        "rcpt_to": msg["X-RcptTo"], "from": str(msg["From"]), "to": str(msg["To"]),
        "subject": str(msg["Subject"]), "content_type": msg.get_content_type(),
        "charset": msg.get_content_charset(), "body": msg.get_content(),
    })
print(json.dumps(out))
"#;
        let output = Command::new("python3")
            .args(["-c", DECODE])
            .arg(&self.maildir)
            .output()
            .expect("python3 reads the maildir");
        assert!(
            output.status.success(),
            "reading the maildir failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Vec<serde_json::Value>>(&output.stdout).expect("JSON")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

async fn email_reaches_an_smtp_server(t: TestApp) {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    clear_outbox(&t).await;
    let now = now_ms();
    let subject = "Hồ sơ 000.01.33.H33-250310-0001 đã được tiếp nhận";
    let body = "Kính gửi Ông/Bà Nguyễn Thị Hường,\n\nHồ sơ đăng ký khai sinh của Ông/Bà \
                đã được tiếp nhận; ngày hẹn trả kết quả: 12/03/2025.\n\nTrân trọng.\n";
    let id = enqueue(
        &t,
        NewMessage {
            dossier_id: None,
            kind: "received",
            channel: "email",
            recipient: "huong.nguyen@example.vn",
            subject,
            body,
        },
        now,
    )
    .await;
    let cfg = NotifyConfig {
        smtp: Some(SmtpConfig {
            url: smtp.url(),
            from: "UBND phường Phố Hiến <motcua@phohien.example.vn>".into(),
        }),
        ..Default::default()
    };
    let transports = Transports::new(&cfg).expect("transports");
    let report = t
        .app
        .deliver_due_messages(&transports, &cfg)
        .await
        .expect("a delivery pass");
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");

    let m = message(&t, &id).await;
    assert_eq!(m.status, "sent", "{m:?}");
    assert_eq!(m.attempts, 0);
    assert!(m.sent_at.is_some_and(|at| at >= now));
    assert_eq!(m.last_error, None);

    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail["rcpt_to"], "huong.nguyen@example.vn");
    assert_eq!(mail["to"], "huong.nguyen@example.vn");
    assert_eq!(
        mail["from"],
        "UBND phường Phố Hiến <motcua@phohien.example.vn>"
    );
    assert_eq!(mail["subject"], subject);
    assert_eq!(mail["content_type"], "text/plain");
    assert_eq!(mail["charset"], "utf-8");
    assert_eq!(mail["body"].as_str().unwrap().replace("\r\n", "\n"), body);

    // Nothing is sent twice.
    let report = t.app.deliver_due_messages(&transports, &cfg).await.unwrap();
    assert_eq!(report.claimed, 0);
    assert_eq!(smtp.messages().len(), 1);
}

// ---------------------------------------------------------------- SMS gateway

/// A request the gateway saw: its Authorization header and JSON body.
type Seen = (Option<String>, serde_json::Value);

#[derive(Clone, Default)]
struct Gateway {
    /// Requests still to refuse with 503.
    failures_left: Arc<Mutex<u32>>,
    /// Every request seen: its Authorization header and JSON body.
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn gateway_send(
    State(g): State<Gateway>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> (StatusCode, &'static str) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    g.seen.lock().unwrap().push((auth, body));
    let mut left = g.failures_left.lock().unwrap();
    if *left > 0 {
        *left -= 1;
        (StatusCode::SERVICE_UNAVAILABLE, "gateway busy")
    } else {
        (StatusCode::OK, "{\"status\":\"queued\"}")
    }
}

impl Gateway {
    /// Serves `POST /send` on a random port; returns its URL.
    async fn start(failures: u32) -> (Gateway, String) {
        let g = Gateway::default();
        *g.failures_left.lock().unwrap() = failures;
        let router = axum::Router::new()
            .route("/send", axum::routing::post(gateway_send))
            .with_state(g.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the gateway");
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (g, url)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn sms_config(url: &str, first_retry: Duration, max_attempts: u32) -> NotifyConfig {
    NotifyConfig {
        sms: Some(SmsConfig {
            url: url.to_owned(),
            token: Some("bi-mat-cua-cong".into()),
        }),
        first_retry,
        max_attempts,
        ..Default::default()
    }
}

const SMS_TEXT: &str = "UBND phường Phố Hiến: hồ sơ 000.01.33.H33-250310-0002 cần bổ sung giấy tờ.";

async fn sms_is_retried_after_a_backoff(t: TestApp) {
    clear_outbox(&t).await;
    let (gateway, url) = Gateway::start(1).await;
    let cfg = sms_config(&url, Duration::from_secs(60), 8);
    let transports = Transports::new(&cfg).expect("transports");
    let now = now_ms();
    let id = enqueue(
        &t,
        NewMessage {
            dossier_id: None,
            kind: "supplement_requested",
            channel: "sms",
            recipient: "0912345678",
            subject: "Hồ sơ 000.01.33.H33-250310-0002 cần bổ sung",
            body: SMS_TEXT,
        },
        now,
    )
    .await;

    // First pass: the gateway answers 503; the failure is recorded, retry in 60 s.
    let report = t
        .app
        .deliver_due_messages_at(&transports, &cfg, now)
        .await
        .unwrap();
    assert_eq!((report.claimed, report.retrying), (1, 1), "{report:?}");
    let m = message(&t, &id).await;
    assert_eq!(m.status, "pending");
    assert_eq!(m.attempts, 1);
    assert_eq!(m.next_attempt_at, now + 60_000);
    let error = m.last_error.unwrap_or_default();
    assert!(
        error.contains("503") && error.contains("gateway busy"),
        "{error}"
    );
    assert_eq!(gateway.requests().len(), 1);

    // Before the backoff is over, nothing is due and nothing is sent.
    let report = t
        .app
        .deliver_due_messages_at(&transports, &cfg, now + 59_999)
        .await
        .unwrap();
    assert_eq!(report.claimed, 0, "{report:?}");
    assert_eq!(gateway.requests().len(), 1);

    // After it, the message goes out.
    let report = t
        .app
        .deliver_due_messages_at(&transports, &cfg, now + 60_000)
        .await
        .unwrap();
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    let m = message(&t, &id).await;
    assert_eq!(m.status, "sent");
    assert_eq!(m.attempts, 1);
    assert_eq!(m.sent_at, Some(now + 60_000));

    let requests = gateway.requests();
    assert_eq!(requests.len(), 2);
    for (auth, body) in &requests {
        assert_eq!(auth.as_deref(), Some("Bearer bi-mat-cua-cong"));
        assert_eq!(
            body,
            &serde_json::json!({ "to": "0912345678", "text": SMS_TEXT })
        );
    }

    // The real clock's pass finds nothing more to send.
    let report = t.app.deliver_due_messages(&transports, &cfg).await.unwrap();
    assert_eq!(report.claimed, 0);
}

async fn without_transports_messages_are_only_logged(t: TestApp) {
    clear_outbox(&t).await;
    // A gateway exists, but nothing names it: it must hear nothing.
    let (gateway, _url) = Gateway::start(0).await;
    let cfg = NotifyConfig::default();
    let transports = Transports::new(&cfg).expect("transports");
    let now = now_ms();
    let mut ids = Vec::new();
    for (channel, recipient) in [("email", "an@example.vn"), ("sms", "0987654321")] {
        ids.push(
            enqueue(
                &t,
                NewMessage {
                    dossier_id: None,
                    kind: "result_ready",
                    channel,
                    recipient,
                    subject: "Hồ sơ đã có kết quả",
                    body: "Kết quả hồ sơ của Ông/Bà đã có.",
                },
                now,
            )
            .await,
        );
    }
    let report = t.app.deliver_due_messages(&transports, &cfg).await.unwrap();
    assert_eq!((report.claimed, report.logged, report.sent), (2, 2, 0));
    for id in &ids {
        let m = message(&t, id).await;
        assert_eq!(m.status, "logged", "{m:?}");
        assert_eq!(m.attempts, 0);
        assert!(m.sent_at.is_some());
    }
    assert!(gateway.requests().is_empty());
    assert_eq!(
        t.app.outbox_counts().await.unwrap(),
        vec![("logged".to_owned(), 2)]
    );
}

async fn messages_fail_after_the_last_attempt(t: TestApp) {
    clear_outbox(&t).await;
    let (gateway, url) = Gateway::start(u32::MAX).await;
    let cfg = sms_config(&url, Duration::from_secs(1), 3);
    let transports = Transports::new(&cfg).expect("transports");
    let now = now_ms();
    let id = enqueue(
        &t,
        NewMessage {
            dossier_id: None,
            kind: "extended",
            channel: "sms",
            recipient: "0912000111",
            subject: "Gia hạn",
            body: "Hồ sơ của Ông/Bà được gia hạn giải quyết.",
        },
        now,
    )
    .await;
    // An unknown channel can never be delivered: given up at once.
    let fax = enqueue(
        &t,
        NewMessage {
            dossier_id: None,
            kind: "extended",
            channel: "fax",
            recipient: "02213000000",
            subject: "Gia hạn",
            body: "…",
        },
        now,
    )
    .await;

    // Retries after 1 s, then 2 s; the third failure is the last.
    let mut at = now;
    for (pass, delay) in [(1, 1_000), (2, 2_000), (3, 0)] {
        let report = t
            .app
            .deliver_due_messages_at(&transports, &cfg, at)
            .await
            .unwrap();
        let m = message(&t, &id).await;
        assert_eq!(m.attempts, pass, "{m:?}");
        if pass < 3 {
            assert_eq!(m.status, "pending");
            assert_eq!(m.next_attempt_at, at + delay);
            assert_eq!(report.retrying, 1, "{report:?}");
        } else {
            assert_eq!(m.status, "failed");
            assert_eq!(report.failed, 1, "{report:?}");
        }
        at += delay;
    }
    let m = message(&t, &id).await;
    assert!(m.last_error.unwrap_or_default().contains("503"));
    assert_eq!(m.sent_at, None);
    assert_eq!(gateway.requests().len(), 3);

    let f = message(&t, &fax).await;
    assert_eq!((f.status.as_str(), f.attempts), ("failed", 1), "{f:?}");
    assert!(f.last_error.unwrap_or_default().contains("fax"));

    // A failed message is never tried again.
    let report = t
        .app
        .deliver_due_messages_at(&transports, &cfg, now + 30 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(report.claimed, 0);
    assert_eq!(gateway.requests().len(), 3);
    assert_eq!(
        t.app.outbox_counts().await.unwrap(),
        vec![("failed".to_owned(), 2)]
    );
}

// ---------------------------------------------------------------- reminders

/// A minimal dossier row in `status` since `result_ready_at`.
async fn insert_dossier(
    t: &TestApp,
    code: &str,
    status: &str,
    result_ready_at: i64,
    phone: Option<&str>,
    email: Option<&str>,
) -> String {
    let agency_id: String = sqlx::query_scalar("SELECT id FROM agencies WHERE code = $1")
        .bind(WARD_A)
        .fetch_one(t.db.pool())
        .await
        .expect("the demo ward");
    let id = uuid::Uuid::now_v7().to_string();
    // The procedure's name is stored as a term (migration 0025).
    sqlx::query(
        "INSERT INTO event_terms (value) SELECT 'Đăng ký khai sinh' \
         WHERE NOT EXISTS (SELECT 1 FROM event_terms WHERE value = 'Đăng ký khai sinh')",
    )
    .execute(t.db.pool())
    .await
    .expect("the procedure's name as a term");
    sqlx::query(
        "INSERT INTO dossiers (id, code, agency_id, procedure_code, procedure_version, \
         procedure_term, sector, channel, status, is_open, applicant_name, applicant_folded, \
         applicant_phone, applicant_email, return_method, fee_amount, fee_paid, \
         supplements, extensions, priority, version, last_seq, last_hash, result_ready_at, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, '1.000894', 1, \
         (SELECT no FROM event_terms WHERE value = 'Đăng ký khai sinh'), 'ho-tich', 'counter', $4, \
         $5, 'Trần Văn Bình', 'tran van binh', $6, $7, 'counter', 0, 0, 0, 0, 1, 1, 0, \
         $9, $8, $8, $8)",
    )
    .bind(&id)
    .bind(code)
    .bind(&agency_id)
    .bind(status)
    .bind(i64::from(status != "returned"))
    .bind(phone)
    .bind(email)
    .bind(result_ready_at)
    .bind(Vec::<u8>::new())
    .execute(t.db.pool())
    .await
    .expect("insert a dossier");
    id
}

async fn reminded_at(t: &TestApp, id: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT reminded_at FROM dossiers WHERE id = $1")
        .bind(id)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
}

async fn uncollected_results_are_reminded_once(t: TestApp) {
    clear_outbox(&t).await;
    let now = now_ms();
    let code = "000.01.33.H33-250301-0007";
    let waiting = insert_dossier(
        &t,
        code,
        "result_ready",
        now - 4 * DAY_MS,
        Some("0912345678"),
        Some("binh.tran@example.vn"),
    )
    .await;
    // Ready only since yesterday; already collected; no way to reach the citizen.
    let recent = insert_dossier(
        &t,
        "000.01.33.H33-250301-0008",
        "result_ready",
        now - DAY_MS,
        Some("0912345679"),
        None,
    )
    .await;
    let returned = insert_dossier(
        &t,
        "000.01.33.H33-250301-0009",
        "returned",
        now - 10 * DAY_MS,
        Some("0912345670"),
        None,
    )
    .await;
    let unreachable = insert_dossier(
        &t,
        "000.01.33.H33-250301-0010",
        "result_ready",
        now - 5 * DAY_MS,
        None,
        Some("  "),
    )
    .await;

    let cfg = NotifyConfig {
        remind_after_days: 3,
        ..Default::default()
    };
    assert_eq!(t.app.enqueue_reminders_at(&cfg, now).await.unwrap(), 2);
    assert_eq!(t.app.enqueue_reminders_at(&cfg, now).await.unwrap(), 0);
    assert_eq!(t.app.enqueue_reminders(&cfg).await.unwrap(), 0);

    let messages = t.app.dossier_messages(&waiting).await.unwrap();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let mut channels: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| (m.channel.as_str(), m.recipient.as_str()))
        .collect();
    channels.sort();
    assert_eq!(
        channels,
        [("email", "binh.tran@example.vn"), ("sms", "0912345678")]
    );
    for m in &messages {
        assert_eq!(m.kind, "not_collected");
        assert_eq!(m.status, "pending");
        assert_eq!(m.subject, format!("Kết quả hồ sơ {code} đang chờ nhận"));
        assert!(m.body.contains(code), "{}", m.body);
        assert!(m.body.contains("Đăng ký khai sinh"), "{}", m.body);
        assert!(m.body.contains("Một cửa"), "{}", m.body);
    }
    assert_eq!(reminded_at(&t, &waiting).await, Some(now));
    assert_eq!(reminded_at(&t, &unreachable).await, Some(now));
    for other in [&recent, &returned, &unreachable] {
        assert!(t.app.dossier_messages(other).await.unwrap().is_empty());
    }
    assert_eq!(reminded_at(&t, &recent).await, None);
    assert_eq!(reminded_at(&t, &returned).await, None);

    // Two days later the recent one is due too, and only it.
    assert_eq!(
        t.app
            .enqueue_reminders_at(&cfg, now + 2 * DAY_MS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(t.app.dossier_messages(&recent).await.unwrap().len(), 1);
    assert_eq!(t.app.dossier_messages(&waiting).await.unwrap().len(), 2);

    // Reminders go out like every other message (here: only logged).
    let transports = Transports::log_only();
    let report = t
        .app
        .deliver_due_messages_at(&transports, &cfg, now + 2 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(report.logged, 3, "{report:?}");

    // 0 turns reminders off.
    let off = NotifyConfig {
        remind_after_days: 0,
        ..Default::default()
    };
    assert_eq!(
        t.app
            .enqueue_reminders_at(&off, now + 30 * DAY_MS)
            .await
            .unwrap(),
        0
    );
}

// ---------------------------------------------------------------- workers

async fn two_workers_never_claim_the_same_message(t: TestApp) {
    clear_outbox(&t).await;
    let now = now_ms();
    let mut ids = Vec::new();
    for i in 0..30 {
        let recipient = format!("09120000{i:02}");
        ids.push(
            enqueue(
                &t,
                NewMessage {
                    dossier_id: None,
                    kind: "received",
                    channel: "sms",
                    recipient: &recipient,
                    subject: "Tiếp nhận",
                    body: "Hồ sơ của Ông/Bà đã được tiếp nhận.",
                },
                now - 30 + i,
            )
            .await,
        );
    }
    // Two workers, each on its own connection, claim in small batches at once.
    let worker = |db: motcua_store::Db| async move {
        let mut conn = db.read().await.expect("connection");
        let mut mine = Vec::new();
        loop {
            let batch = outbox::claim_due(&mut conn, now, now + 600_000, 4)
                .await
                .expect("claim");
            if batch.is_empty() {
                return mine;
            }
            mine.extend(batch.into_iter().map(|m| m.id));
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(worker(t.db.clone())),
        tokio::spawn(worker(t.db.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all: Vec<String> = a.iter().chain(b.iter()).cloned().collect();
    all.sort();
    let total = all.len();
    all.dedup();
    assert_eq!(total, all.len(), "a message was claimed twice");
    ids.sort();
    assert_eq!(all, ids);
    // Claimed messages are leased: not due again until the lease ends.
    let mut conn = t.db.read().await.unwrap();
    assert!(
        outbox::claim_due(&mut conn, now + 599_999, now + 700_000, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        outbox::claim_due(&mut conn, now + 600_000, now + 700_000, 100)
            .await
            .unwrap()
            .len(),
        30
    );
}

async fn the_notifier_delivers_in_the_background(t: TestApp) {
    clear_outbox(&t).await;
    let (gateway, url) = Gateway::start(0).await;
    let cfg = NotifyConfig {
        poll_interval: Duration::from_millis(50),
        ..sms_config(&url, Duration::from_millis(100), 3)
    };
    let worker = t.app.spawn_notifier(cfg);
    let id = enqueue(
        &t,
        NewMessage {
            dossier_id: None,
            kind: "result_ready",
            channel: "sms",
            recipient: "0912888999",
            subject: "Đã có kết quả",
            body: SMS_TEXT,
        },
        now_ms(),
    )
    .await;
    let mut status = String::new();
    for _ in 0..100 {
        status = message(&t, &id).await.status;
        if status != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    assert_eq!(status, "sent");
    assert!(gateway
        .requests()
        .iter()
        .any(|(_, body)| body["to"] == "0912888999"));
}
