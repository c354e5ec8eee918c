//! Demo data for a fresh install: a province, communes under it, one user per role.
//! Loaded only into an empty database, so it can never mix with real records.

use crate::agencies::NewAgency;
use crate::error::Result;
use crate::principal::Principal;
use crate::users::NewUser;
use crate::App;

/// The password of every demo user; printed in the log and in README.md.
pub const DEMO_PASSWORD: &str = "motcua-demo";

pub struct DemoUser {
    pub username: &'static str,
    pub full_name: &'static str,
    pub agency: &'static str,
    pub roles: &'static [&'static str],
    pub sectors: &'static [&'static str],
}

pub const PROVINCE: (&str, &str) = ("000.00.00.H33", "UBND tỉnh Hưng Yên (dữ liệu mẫu)");
pub const COMMUNES: &[(&str, &str)] = &[
    ("000.01.33.H33", "UBND phường Phố Hiến"),
    ("000.02.33.H33", "UBND xã Hoàng Hoa Thám"),
    ("000.03.33.H33", "UBND phường Mỹ Hào"),
];

pub const USERS: &[DemoUser] = &[
    DemoUser {
        username: "quantri",
        full_name: "Trần Văn Quản",
        agency: PROVINCE.0,
        roles: &["admin"],
        sectors: &[],
    },
    DemoUser {
        username: "giamsat",
        full_name: "Lê Thị Giám",
        agency: PROVINCE.0,
        roles: &["supervisor"],
        sectors: &[],
    },
    DemoUser {
        username: "tiepnhan",
        full_name: "Nguyễn Thị Hồng Nhung",
        agency: COMMUNES[0].0,
        roles: &["counter_officer"],
        sectors: &[],
    },
    DemoUser {
        username: "chuyenvien",
        full_name: "Phạm Văn Đức",
        agency: COMMUNES[0].0,
        roles: &["specialist"],
        sectors: &["ho-tich", "chung-thuc"],
    },
    DemoUser {
        username: "chuyenvien2",
        full_name: "Ngô Thị Mai",
        agency: COMMUNES[0].0,
        roles: &["specialist"],
        sectors: &["ho-tich", "dat-dai"],
    },
    DemoUser {
        username: "lanhdao",
        full_name: "Đỗ Minh Tuấn",
        agency: COMMUNES[0].0,
        roles: &["leader"],
        sectors: &[],
    },
    DemoUser {
        username: "quantri.phohien",
        full_name: "Vũ Thị Lan",
        agency: COMMUNES[0].0,
        roles: &["admin"],
        sectors: &[],
    },
    DemoUser {
        username: "tiepnhan.hht",
        full_name: "Hoàng Văn Bình",
        agency: COMMUNES[1].0,
        roles: &["counter_officer"],
        sectors: &[],
    },
];

impl App {
    /// Loads the demo when the database holds no agency yet; returns whether it did.
    pub async fn load_demo_if_empty(&self) -> Result<bool> {
        let count = {
            let mut conn = self.db.read().await?;
            motcua_store::agencies::count(&mut conn).await?
        };
        if count > 0 {
            return Ok(false);
        }
        let system = Principal::System;
        self.create_agency(
            &system,
            NewAgency {
                code: PROVINCE.0.into(),
                name: PROVINCE.1.into(),
                level: "province".into(),
                parent_code: None,
            },
        )
        .await?;
        for (code, name) in COMMUNES {
            self.create_agency(
                &system,
                NewAgency {
                    code: (*code).into(),
                    name: (*name).into(),
                    level: "commune".into(),
                    parent_code: Some(PROVINCE.0.into()),
                },
            )
            .await?;
        }
        for u in USERS {
            self.create_user(
                &system,
                u.agency,
                NewUser {
                    username: u.username.into(),
                    full_name: u.full_name.into(),
                    password: DEMO_PASSWORD.into(),
                    roles: u.roles.iter().map(|r| r.to_string()).collect(),
                    sectors: u.sectors.iter().map(|s| s.to_string()).collect(),
                },
            )
            .await?;
        }
        Ok(true)
    }
}
