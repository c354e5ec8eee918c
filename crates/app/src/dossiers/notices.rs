//! What the citizen is told, by e-mail and SMS, at each step: the texts in one
//! place, written to the outbox in the caller's transaction.

use motcua_store::outbox::{self, NewMessage};
use motcua_store::Conn;

use crate::error::Result;
use crate::App;

/// Why a message goes out; the outbox's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// Filed online: the code, to keep.
    Submitted,
    Received,
    SupplementRequested,
    Extended,
    ResultReady,
    NotCollected,
}

impl Notice {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Notice::Submitted => "submitted",
            Notice::Received => "received",
            Notice::SupplementRequested => "supplement_requested",
            Notice::Extended => "extended",
            Notice::ResultReady => "result_ready",
            Notice::NotCollected => "not_collected",
        }
    }
}

/// The facts a message names.
pub(crate) struct Facts<'a> {
    pub dossier_id: &'a str,
    pub code: &'a str,
    pub agency: &'a str,
    pub procedure: &'a str,
    pub applicant: &'a str,
    /// The appointment, already in words ("16:00 25/11/2026").
    pub due: &'a str,
    pub missing: &'a [String],
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

fn compose(notice: Notice, f: &Facts<'_>, url: &str) -> (String, String) {
    let Facts {
        code,
        agency,
        procedure,
        applicant,
        due,
        ..
    } = f;
    let short = motcua_domain::dossier::DossierCode::parse(code)
        .map(|c| c.short().to_owned())
        .unwrap_or_default();
    match notice {
        Notice::Submitted => (
            format!("Đã nộp hồ sơ trực tuyến, mã {code}"),
            format!("{agency} đã nhận hồ sơ trực tuyến «{procedure}» của Ông/Bà {applicant}. Mã hồ sơ: {code} (mã ngắn {short}). Bộ phận một cửa sẽ kiểm tra và báo ngày hẹn trả kết quả. Tra cứu: {url}"),
        ),
        Notice::Received => (
            format!("Đã tiếp nhận hồ sơ {code}"),
            format!("{agency} đã tiếp nhận hồ sơ «{procedure}» của Ông/Bà {applicant}, mã hồ sơ {code}. Hẹn trả kết quả: {due}. Tra cứu: {url}"),
        ),
        Notice::SupplementRequested => (
            format!("Hồ sơ {code} cần bổ sung"),
            format!("Hồ sơ «{procedure}» (mã {code}) cần bổ sung: {}. Thời hạn giải quyết được tính lại khi nhận đủ hồ sơ. Tra cứu: {url}", f.missing.join("; ")),
        ),
        Notice::Extended => (
            format!("Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}"),
            format!("{agency} xin lỗi Ông/Bà {applicant} vì hồ sơ «{procedure}» (mã {code}) chưa giải quyết kịp hạn. Ngày hẹn trả mới: {due}. Tra cứu: {url}"),
        ),
        Notice::ResultReady => (
            format!("Hồ sơ {code} đã có kết quả"),
            format!("Hồ sơ «{procedure}» (mã {code}) đã có kết quả. Mời Ông/Bà {applicant} nhận theo hình thức đã đăng ký. Tra cứu: {url}"),
        ),
        Notice::NotCollected => (
            format!("Kết quả hồ sơ {code} đang chờ nhận"),
            format!("{agency}: kết quả hồ sơ {code} ({procedure}) đã có, mời Ông/Bà {applicant} đến Bộ phận Một cửa để nhận; xin mang theo giấy hẹn trả kết quả. Tra cứu: {url}"),
        ),
    }
}

impl App {
    /// One message per channel the applicant gave (e-mail, SMS); returns how many.
    pub(crate) async fn notify(
        &self,
        conn: &mut Conn,
        notice: Notice,
        f: &Facts<'_>,
        now_ms: i64,
    ) -> Result<usize> {
        let (subject, body) = compose(notice, f, &self.tracking_url(f.code));
        let mut queued = 0;
        for (channel, to) in [("email", f.email), ("sms", f.phone)] {
            let Some(to) = to.map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            let msg = NewMessage {
                dossier_id: Some(f.dossier_id),
                kind: notice.kind(),
                channel,
                recipient: to,
                subject: &subject,
                body: &body,
            };
            outbox::enqueue(conn, &msg, now_ms).await?;
            queued += 1;
        }
        Ok(queued)
    }
}
