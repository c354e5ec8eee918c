//! Notifications: the worker that delivers the outbox (see `motcua_store::outbox`).
//!
//! Use cases queue messages in their own transactions; this worker claims the due
//! ones, sends each by its channel's transport (e-mail over SMTP, SMS through an
//! HTTP gateway) and records the outcome. A failed attempt is retried after a
//! delay that doubles each time (capped at [`MAX_RETRY_DELAY`]) until
//! `max_attempts`, then the message is `failed`. A channel without a configured
//! transport only records: the message is written to the log and marked `logged`,
//! so that a fresh install sends nothing by surprise.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_store::outbox;

pub use motcua_store::outbox::OutboxMessage;

use crate::{App, Result};

/// Retry delays double from `first_retry` up to this.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);
/// Messages claimed by one delivery pass.
pub const BATCH: usize = 10;
/// How long one send may take (connect, TLS, the whole SMTP dialogue or the HTTP
/// request) before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// A claimed message is left alone by other workers this long: longer than a whole
/// batch whose every send times out. A worker that dies mid-pass leaves its messages to be retried
/// after it.
pub const LEASE: Duration = Duration::from_secs(BATCH as u64 * SEND_TIMEOUT.as_secs() + 60);
/// How often the worker looks for uncollected results when the last look found
/// none (day-granular, so there is no hurry).
pub const REMINDER_INTERVAL: Duration = Duration::from_secs(600);

/// E-mail over SMTP.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `smtp://HOST:PORT` (plain, for a local relay), `smtp://HOST:587?tls=required`
    /// (STARTTLS) or `smtps://USER:PASS@HOST:465` (TLS from the start).
    pub url: String,
    /// The sender, e.g. `UBND phường Phố Hiến <motcua@phohien.gov.vn>`.
    pub from: String,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("url", &redact_url(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

/// SMS through an HTTP gateway: `POST url` with `{"to": phone, "text": body}`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsConfig {
    pub url: String,
    /// Sent as `Authorization: Bearer TOKEN` when present.
    pub token: Option<String>,
}

impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &redact_url(&self.url))
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// `None`: e-mails are only logged.
    pub smtp: Option<SmtpConfig>,
    /// `None`: SMS are only logged.
    pub sms: Option<SmsConfig>,
    /// Pause between passes when there is nothing more to send.
    pub poll_interval: Duration,
    /// Attempts before a message is given up (`failed`).
    pub max_attempts: u32,
    /// Delay before the first retry; each later one doubles, up to [`MAX_RETRY_DELAY`].
    pub first_retry: Duration,
    /// A citizen whose result has waited this many days is reminded once; 0: never.
    pub remind_after_days: u32,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            smtp: None,
            sms: None,
            poll_interval: Duration::from_secs(5),
            max_attempts: 8,
            first_retry: Duration::from_secs(30),
            remind_after_days: 3,
        }
    }
}

/// The delay before the next try after `failures` failed attempts (1 or more):
/// `first_retry`, then doubling, capped at [`MAX_RETRY_DELAY`] (or at
/// `first_retry` when that is longer).
pub fn retry_delay(first_retry: Duration, failures: u32) -> Duration {
    let cap = MAX_RETRY_DELAY.max(first_retry);
    let shift = failures.saturating_sub(1).min(31);
    first_retry
        .checked_mul(1u32 << shift)
        .map_or(cap, |d| d.min(cap))
}

/// Checks an SMTP URL as [`Transports::new`] will read it.
pub fn check_smtp_url(url: &str) -> std::result::Result<(), String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|_| ())
        .map_err(|e| {
            format!(
                "not an SMTP URL ({}); use smtp://HOST:PORT, smtp://USER:PASS@HOST:587?tls=required \
                 or smtps://USER:PASS@HOST:465",
                one_line(&e.to_string())
            )
        })
}

/// Checks a sender or recipient address (`name@example.vn` or
/// `Name <name@example.vn>`).
pub fn check_email_address(address: &str) -> std::result::Result<(), String> {
    address
        .parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| format!("not an e-mail address ({e})"))
}

/// Checks the SMS gateway's URL (http:// or https://).
pub fn check_sms_url(url: &str) -> std::result::Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err("not an http:// or https:// URL".into()),
    }
}

/// The ways out: one per channel, or none (log only).
pub struct Transports {
    email: Option<EmailTransport>,
    sms: Option<SmsTransport>,
}

struct EmailTransport {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

struct SmsTransport {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Transports {
    /// Builds the transports the configuration names (nothing connects yet). The
    /// error says which setting is wrong.
    pub fn new(cfg: &NotifyConfig) -> std::result::Result<Transports, String> {
        let email = match &cfg.smtp {
            None => None,
            Some(smtp) => {
                check_smtp_url(&smtp.url).map_err(|e| format!("SMTP URL: {e}"))?;
                let from = smtp
                    .from
                    .parse::<Mailbox>()
                    .map_err(|e| format!("SMTP sender: not an e-mail address ({e})"))?;
                let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
                    .map_err(|e| format!("SMTP URL: {}", one_line(&e.to_string())))?
                    .timeout(Some(SEND_TIMEOUT))
                    .build();
                Some(EmailTransport { mailer, from })
            }
        };
        let sms = match &cfg.sms {
            None => None,
            Some(sms) => {
                check_sms_url(&sms.url).map_err(|e| format!("SMS gateway URL: {e}"))?;
                let client = reqwest::Client::builder()
                    .timeout(SEND_TIMEOUT)
                    .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| format!("SMS gateway: {e}"))?;
                Some(SmsTransport {
                    client,
                    url: sms.url.clone(),
                    token: sms.token.clone().filter(|t| !t.is_empty()),
                })
            }
        };
        Ok(Transports { email, sms })
    }

    /// No transport: every message is only logged.
    pub fn log_only() -> Transports {
        Transports {
            email: None,
            sms: None,
        }
    }

    pub fn sends_email(&self) -> bool {
        self.email.is_some()
    }

    pub fn sends_sms(&self) -> bool {
        self.sms.is_some()
    }

    async fn send(&self, msg: &OutboxMessage) -> Outcome {
        match msg.channel.as_str() {
            "email" => match &self.email {
                Some(t) => t.send(msg).await,
                None => Outcome::Logged,
            },
            "sms" => match &self.sms {
                Some(t) => t.send(msg).await,
                None => Outcome::Logged,
            },
            other => Outcome::Never(format!("unknown channel '{other}'")),
        }
    }
}

enum Outcome {
    Sent,
    Logged,
    /// Worth another try later.
    Retry(String),
    /// No retry can help (a malformed address, an unknown channel).
    Never(String),
}

impl EmailTransport {
    async fn send(&self, msg: &OutboxMessage) -> Outcome {
        let to = match msg.recipient.parse::<Mailbox>() {
            Ok(to) => to,
            Err(e) => return Outcome::Never(format!("not an e-mail address: {e}")),
        };
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(msg.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone());
        let email = match email {
            Ok(e) => e,
            Err(e) => return Outcome::Never(format!("cannot build the e-mail: {e}")),
        };
        match self.mailer.send(email).await {
            Ok(_) => Outcome::Sent,
            Err(e) => Outcome::Retry(format!("SMTP: {}", one_line(&e.to_string()))),
        }
    }
}

impl SmsTransport {
    async fn send(&self, msg: &OutboxMessage) -> Outcome {
        let mut request = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({ "to": msg.recipient, "text": msg.body }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                return Outcome::Retry(format!("SMS gateway: {}", e.without_url()));
            }
        };
        let status = response.status();
        if status.is_success() {
            return Outcome::Sent;
        }
        let text = response.text().await.unwrap_or_default();
        let text: String = one_line(&text).chars().take(200).collect();
        Outcome::Retry(format!("SMS gateway answered {status}: {text}"))
    }
}

/// A transport's error for the log: a mail server or an SMS gateway often quotes
/// the address it refused, which the log must not carry. The outbox row keeps the
/// whole text for officers.
fn redacted(error: &str, recipient: &str) -> String {
    if recipient.trim().is_empty() {
        error.to_owned()
    } else {
        error.replace(recipient.trim(), "[recipient]")
    }
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages claimed (due and not taken by another worker).
    pub claimed: usize,
    /// Accepted by a transport.
    pub sent: usize,
    /// Only written to the log (no transport for the channel).
    pub logged: usize,
    /// Failed this time; will be retried.
    pub retrying: usize,
    /// Given up.
    pub failed: usize,
}

impl App {
    /// One delivery pass at [`App::now`]: claims up to [`BATCH`] due messages, sends
    /// each and records the outcome.
    pub async fn deliver_due_messages(
        &self,
        transports: &Transports,
        cfg: &NotifyConfig,
    ) -> Result<DeliveryReport> {
        self.deliver(transports, cfg, None).await
    }

    /// One delivery pass as if the time were `now_ms` (milliseconds since the
    /// epoch): what is due then is sent, and retries are scheduled from then.
    pub async fn deliver_due_messages_at(
        &self,
        transports: &Transports,
        cfg: &NotifyConfig,
        now_ms: i64,
    ) -> Result<DeliveryReport> {
        self.deliver(transports, cfg, Some(now_ms)).await
    }

    async fn deliver(
        &self,
        transports: &Transports,
        cfg: &NotifyConfig,
        fixed_now: Option<i64>,
    ) -> Result<DeliveryReport> {
        let now = || fixed_now.unwrap_or_else(|| self.now_ms());
        let start = now();
        // Claims and outcomes are written through the write path, each in a short
        // transaction of its own: on SQLite they then share the writer's commits
        // with intakes rather than each taking the database's lock apart (two
        // commits a message, at the rate dossiers are received).
        let claimed = {
            let mut tx = self.db.begin_write().await?;
            let claimed =
                outbox::claim_due(&mut tx, start, start + millis(LEASE), BATCH as i64).await?;
            tx.commit().await?;
            claimed
        };
        let mut report = DeliveryReport {
            claimed: claimed.len(),
            ..Default::default()
        };
        let max_attempts = i64::from(cfg.max_attempts.max(1));
        // Messages only written to the log are marked together at the end of the
        // pass: logging one again after a crash tells no one anything twice.
        let mut logged = Vec::new();
        for msg in &claimed {
            // Bounded, so that a whole batch ends within its lease.
            let outcome = tokio::time::timeout(SEND_TIMEOUT, transports.send(msg))
                .await
                .unwrap_or_else(|_| {
                    Outcome::Retry(format!("no answer within {} s", SEND_TIMEOUT.as_secs()))
                });
            if matches!(outcome, Outcome::Logged) {
                tracing::info!(
                    id = %msg.id,
                    kind = %msg.kind,
                    channel = %msg.channel,
                    "notification not sent: no transport configured for its channel (read it in the dossier's outbox)"
                );
                logged.push(msg.id.as_str());
                continue;
            }
            // Written as soon as it is known: a crash sends again at most the
            // message in hand.
            let mut conn = self.db.begin_write().await?;
            match outcome {
                Outcome::Logged => {} // marked with the others after the loop
                Outcome::Sent => {
                    outbox::mark_delivered(&mut conn, &[msg.id.as_str()], outbox::SENT, now())
                        .await?;
                    // The fact only: a recipient or a body in a log line is a
                    // citizen's personal data copied where no one guards it. The
                    // dossier page's outbox shows the message to officers.
                    tracing::info!(
                        id = %msg.id,
                        kind = %msg.kind,
                        channel = %msg.channel,
                        "notification sent"
                    );
                    report.sent += 1;
                }
                Outcome::Retry(error) => {
                    let failures = u32::try_from(msg.attempts + 1).unwrap_or(u32::MAX);
                    let retry_at = now() + millis(retry_delay(cfg.first_retry, failures));
                    let status =
                        outbox::record_failure(&mut conn, &msg.id, &error, retry_at, max_attempts)
                            .await?;
                    if status.as_deref() == Some(outbox::FAILED) {
                        tracing::error!(
                            id = %msg.id,
                            kind = %msg.kind,
                            channel = %msg.channel,
                            attempts = failures,
                            error = ?redacted(&error, &msg.recipient),
                            "notification given up"
                        );
                        report.failed += 1;
                    } else {
                        tracing::warn!(
                            id = %msg.id,
                            kind = %msg.kind,
                            channel = %msg.channel,
                            attempts = failures,
                            retry_at = %motcua_store::from_millis(retry_at),
                            error = ?redacted(&error, &msg.recipient),
                            "notification not sent; will retry"
                        );
                        report.retrying += 1;
                    }
                }
                Outcome::Never(error) => {
                    outbox::mark_failed(&mut conn, &msg.id, &error).await?;
                    tracing::error!(
                        id = %msg.id,
                        kind = %msg.kind,
                        channel = %msg.channel,
                        error = ?redacted(&error, &msg.recipient),
                        "notification cannot be delivered"
                    );
                    report.failed += 1;
                }
            }
            conn.commit().await?;
        }
        if !logged.is_empty() {
            let mut tx = self.db.begin_write().await?;
            outbox::mark_delivered(&mut tx, &logged, outbox::LOGGED, now()).await?;
            tx.commit().await?;
            report.logged = logged.len();
        }
        Ok(report)
    }

    /// Queues a `not_collected` reminder for each result waiting longer than
    /// `remind_after_days` at [`App::now`] (once per dossier); nothing when that is 0.
    /// Returns the number of messages queued.
    pub async fn enqueue_reminders(&self, cfg: &NotifyConfig) -> Result<usize> {
        self.enqueue_reminders_at(cfg, self.now_ms()).await
    }

    /// [`App::enqueue_reminders`] as if the time were `now_ms`.
    pub async fn enqueue_reminders_at(&self, cfg: &NotifyConfig, now_ms: i64) -> Result<usize> {
        if cfg.remind_after_days == 0 {
            return Ok(0);
        }
        let older_than = i64::from(cfg.remind_after_days) * 86_400_000;
        let mut tx = self.db.begin_write().await?;
        let due = outbox::uncollected(&mut tx, now_ms - older_than, outbox::REMINDER_BATCH).await?;
        let mut queued = 0;
        for d in due {
            // Marked first, and only where still unmarked: a second worker that read
            // the same dossier finds it reminded and queues nothing.
            if !outbox::mark_reminded(&mut tx, &d.id, now_ms).await? {
                continue;
            }
            let facts = crate::dossiers::notices::Facts {
                dossier_id: &d.id,
                code: &d.code,
                agency: &d.agency_name,
                procedure: &d.procedure_name,
                applicant: &d.applicant_name,
                due: "",
                missing: &[],
                email: d.applicant_email.as_deref(),
                phone: d.applicant_phone.as_deref(),
            };
            queued += self
                .notify(
                    &mut tx,
                    crate::dossiers::notices::Notice::NotCollected,
                    &facts,
                    now_ms,
                )
                .await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Starts the worker: reminders, then a delivery pass, then a pause of
    /// `poll_interval` (none while passes find full batches). Errors are logged and
    /// the loop goes on; it never panics (a pass that panics is logged as an error).
    pub fn spawn_notifier(&self, cfg: NotifyConfig) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let transports = match Transports::new(&cfg) {
                Ok(t) => Arc::new(t),
                Err(e) => {
                    tracing::error!(error = %e, "notifications are not delivered");
                    return;
                }
            };
            let cfg = Arc::new(cfg);
            tracing::info!(
                email = if transports.sends_email() {
                    "smtp"
                } else {
                    "log only"
                },
                sms = if transports.sends_sms() {
                    "gateway"
                } else {
                    "log only"
                },
                remind_after_days = cfg.remind_after_days,
                "notifier started"
            );
            let mut next_reminders = Instant::now();
            loop {
                if cfg.remind_after_days > 0 && Instant::now() >= next_reminders {
                    let (a, c) = (app.clone(), cfg.clone());
                    let queued =
                        match tokio::spawn(async move { a.enqueue_reminders(&c).await }).await {
                            Ok(Ok(n)) => n,
                            Ok(Err(e)) => {
                                tracing::error!(error = %e, "cannot queue reminders");
                                0
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "queuing reminders panicked");
                                0
                            }
                        };
                    if queued > 0 {
                        tracing::info!(
                            messages = queued,
                            "reminders queued for uncollected results"
                        );
                    }
                    // A full batch may leave more: look again at the next pass.
                    next_reminders = if queued > 0 {
                        Instant::now()
                    } else {
                        Instant::now() + REMINDER_INTERVAL
                    };
                }
                let (a, t, c) = (app.clone(), transports.clone(), cfg.clone());
                let more =
                    match tokio::spawn(async move { a.deliver_due_messages(&t, &c).await }).await {
                        Ok(Ok(report)) => report.claimed == BATCH,
                        Ok(Err(e)) => {
                            tracing::error!(error = %e, "notification pass failed");
                            false
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "notification pass panicked");
                            false
                        }
                    };
                if !more {
                    tokio::time::sleep(cfg.poll_interval).await;
                }
            }
        })
    }

    /// A dossier's messages, oldest first, for the dossier page. The caller has
    /// already checked that the person may see the dossier.
    pub async fn dossier_messages(&self, dossier_id: &str) -> Result<Vec<OutboxMessage>> {
        let mut conn = self.db.read().await?;
        Ok(outbox::for_dossier(&mut conn, dossier_id).await?)
    }

    /// How many messages are in each status, for operations.
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut conn = self.db.read().await?;
        Ok(outbox::count_by_status(&mut conn).await?)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A URL without the password of its user part, for logs and debug output.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let user = authority[..at].split(':').next().unwrap_or_default();
            format!(
                "{}{user}:***{}",
                &url[..scheme_end],
                &url[scheme_end + at..]
            )
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_an_hour() {
        let first = Duration::from_secs(30);
        let delays: Vec<u64> = (1..=10).map(|n| retry_delay(first, n).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(retry_delay(first, 0).as_secs(), 30);
        assert_eq!(retry_delay(first, u32::MAX), MAX_RETRY_DELAY);
        assert_eq!(
            retry_delay(Duration::from_secs(7200), 3),
            Duration::from_secs(7200)
        );
        assert_eq!(
            retry_delay(Duration::from_millis(100), 2),
            Duration::from_millis(200)
        );
    }

    #[test]
    fn checks_urls_and_addresses() {
        assert!(check_smtp_url("smtp://127.0.0.1:2525").is_ok());
        assert!(check_smtp_url("smtps://u:p@mail.example.vn:465").is_ok());
        assert!(check_smtp_url("smtp://mail.example.vn:587?tls=required").is_ok());
        assert!(check_smtp_url("http://mail.example.vn").is_err());
        assert!(check_smtp_url("smtp://h?tls=sometimes").is_err());
        assert!(check_email_address("UBND phường Phố Hiến <motcua@phohien.gov.vn>").is_ok());
        assert!(check_email_address("motcua").is_err());
        assert!(check_sms_url("https://sms.example.vn/send").is_ok());
        assert!(check_sms_url("ftp://sms.example.vn").is_err());
        assert!(check_sms_url("sms.example.vn").is_err());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let cfg = NotifyConfig {
            smtp: Some(SmtpConfig {
                url: "smtps://motcua:secret@mail.example.vn:465".into(),
                from: "motcua@example.vn".into(),
            }),
            sms: Some(SmsConfig {
                url: "https://sms.example.vn/send".into(),
                token: Some("tok3n".into()),
            }),
            ..Default::default()
        };
        let text = format!("{cfg:?}");
        assert!(
            !text.contains("secret") && !text.contains("tok3n"),
            "{text}"
        );
        assert!(
            text.contains("smtps://motcua:***@mail.example.vn:465"),
            "{text}"
        );
    }

    #[test]
    fn default_only_logs() {
        let cfg = NotifyConfig::default();
        let t = Transports::new(&cfg).unwrap();
        assert!(!t.sends_email() && !t.sends_sms());
        assert_eq!(cfg.poll_interval, Duration::from_secs(5));
        assert_eq!(cfg.max_attempts, 8);
        assert_eq!(cfg.remind_after_days, 3);
    }
}
