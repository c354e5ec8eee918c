//! States (as DESIGN.md §4 spells them) and channels.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    NotAccepted,
    Received,
    Assigned,
    InReview,
    SupplementRequested,
    Paused,
    AwaitingApproval,
    Approved,
    ResultReady,
    Returned,
    Rejected,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 13] = [
        Status::Submitted,
        Status::NotAccepted,
        Status::Received,
        Status::Assigned,
        Status::InReview,
        Status::SupplementRequested,
        Status::Paused,
        Status::AwaitingApproval,
        Status::Approved,
        Status::ResultReady,
        Status::Returned,
        Status::Rejected,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::NotAccepted => "not_accepted",
            Status::Received => "received",
            Status::Assigned => "assigned",
            Status::InReview => "in_review",
            Status::SupplementRequested => "supplement_requested",
            Status::Paused => "paused",
            Status::AwaitingApproval => "awaiting_approval",
            Status::Approved => "approved",
            Status::ResultReady => "result_ready",
            Status::Returned => "returned",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Đã nộp trực tuyến, chờ tiếp nhận",
            Status::NotAccepted => "Không tiếp nhận",
            Status::Received => "Đã tiếp nhận",
            Status::Assigned => "Đã phân công xử lý",
            Status::InReview => "Đang xử lý",
            Status::SupplementRequested => "Chờ bổ sung hồ sơ",
            Status::Paused => "Tạm dừng giải quyết",
            Status::AwaitingApproval => "Chờ lãnh đạo phê duyệt",
            Status::Approved => "Đã phê duyệt",
            Status::ResultReady => "Có kết quả, chờ trả",
            Status::Returned => "Đã trả kết quả",
            Status::Rejected => "Từ chối giải quyết",
            Status::Withdrawn => "Đã rút hồ sơ",
        }
    }

    /// Still needs work: the result has not left, and nobody closed it.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::NotAccepted | Status::Returned | Status::Rejected | Status::Withdrawn
        )
    }

    /// The clock runs (a due instant is set and counting).
    pub fn clock_runs(self) -> bool {
        self.is_open()
            && !matches!(
                self,
                Status::Submitted | Status::SupplementRequested | Status::Paused
            )
    }

    /// The status code the national portal syncs with (legal-facts §3).
    pub fn national_code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::NotAccepted | Status::Rejected => 3,
            Status::Assigned | Status::InReview | Status::AwaitingApproval | Status::Approved => 4,
            Status::SupplementRequested => 5,
            Status::Withdrawn => 7,
            Status::Paused => 8,
            Status::ResultReady => 9,
            Status::Returned => 10,
        }
    }
}

/// How a dossier reached the agency (kênh nộp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Online,
    Post,
    Home,
    Assisted,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Counter,
        Channel::Online,
        Channel::Post,
        Channel::Home,
        Channel::Assisted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Post => "post",
            Channel::Home => "home",
            Channel::Assisted => "assisted",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Channel::Counter => "Trực tiếp tại Bộ phận một cửa",
            Channel::Online => "Trực tuyến",
            Channel::Post => "Qua dịch vụ bưu chính",
            Channel::Home => "Tiếp nhận tại nhà",
            Channel::Assisted => "Tổ hỗ trợ nộp thay",
        }
    }

    /// Counted as "trực tuyến" in the official reports: filed through the online
    /// service, by the citizen or by a support team on their behalf (the teams exist
    /// to raise the online share); the rest is "trực tiếp, dịch vụ bưu chính".
    pub fn counts_as_online(self) -> bool {
        matches!(self, Channel::Online | Channel::Assisted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Status::parse("closed"), None);
    }

    #[test]
    fn the_clock_stops_while_waiting_for_the_citizen() {
        assert!(Status::InReview.clock_runs());
        assert!(!Status::SupplementRequested.clock_runs());
        assert!(!Status::Paused.clock_runs());
        assert!(!Status::Returned.clock_runs());
    }
}
