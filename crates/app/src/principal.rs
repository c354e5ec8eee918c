//! Who is acting: a signed-in person, or the operator at the server's command line.

use motcua_domain::access::{self, Action};
use motcua_domain::user::Role;
use serde::Serialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyRef {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: String,
    #[serde(skip)]
    pub path: String,
}

/// A signed-in person, loaded once per request.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    pub agency: AgencyRef,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["specialist"])))]
    pub roles: Vec<Role>,
    pub sectors: Vec<String>,
    /// Where the request came from, for the audit log.
    #[serde(skip)]
    pub ip: Option<String>,
    /// The session or token this person came with, when they came with one: each
    /// write transaction checks it again (`App::begin_write_as`).
    #[serde(skip)]
    pub credential: Option<Credential>,
}

/// A credential, by the hash under which it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session(String),
    Token(String),
}

impl Actor {
    /// Whether `other` is the same person with the same name, agency, roles and
    /// sectors (where the request came from, and with what, aside).
    pub fn same_rights(&self, other: &Actor) -> bool {
        let a = &self.agency;
        let b = &other.agency;
        self.user_id == other.user_id
            && self.username == other.username
            && self.full_name == other.full_name
            && (&a.id, &a.code, &a.name, &a.level, &a.path)
                == (&b.id, &b.code, &b.name, &b.level, &b.path)
            && self.roles == other.roles
            && self.sectors == other.sectors
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn may(&self, action: Action, target_path: &str) -> bool {
        access::allows(&self.roles, &self.agency.path, action, target_path)
    }

    /// An administrator of an agency without a parent: decisions that bind the
    /// whole tree (the national calendar, the catalogue) are theirs.
    pub fn is_top_admin(&self) -> bool {
        let path = &self.agency.path;
        path.matches('/').count() == 2 && self.may(Action::ManageAgency, path)
    }

    pub fn require(&self, action: Action, target_path: &str) -> Result<()> {
        if self.may(action, target_path) {
            Ok(())
        } else {
            Err(Error::forbidden())
        }
    }
}

/// The command line runs on the server itself, by whoever operates it, so it may do
/// anything; what it does is still written to the audit log.
// One per request, never stored in bulk: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Principal {
    System,
    User(Actor),
}

impl Principal {
    pub fn require(&self, action: Action, target_path: &str) -> Result<()> {
        match self {
            Principal::System => Ok(()),
            Principal::User(a) => a.require(action, target_path),
        }
    }

    /// Decisions that bind the whole tree (the national calendar, the catalogue)
    /// belong to administrators of an agency without a parent, or to the command line.
    pub fn require_top(&self) -> Result<()> {
        match self {
            Principal::User(a) if !a.is_top_admin() => Err(Error::Forbidden(
                "Chỉ quản trị viên cấp cao nhất (tỉnh, thành phố) được thay đổi nội dung này."
                    .into(),
            )),
            _ => Ok(()),
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match self {
            Principal::System => None,
            Principal::User(a) => Some(&a.user_id),
        }
    }

    /// The agency the principal acts from (none for the command line).
    pub fn agency_id(&self) -> Option<&str> {
        match self {
            Principal::System => None,
            Principal::User(a) => Some(&a.agency.id),
        }
    }

    pub fn audit_name(&self) -> &str {
        match self {
            Principal::System => "system (command line)",
            Principal::User(a) => &a.username,
        }
    }

    pub fn ip(&self) -> Option<&str> {
        match self {
            Principal::System => None,
            Principal::User(a) => a.ip.as_deref(),
        }
    }
}

impl From<&Actor> for Principal {
    fn from(a: &Actor) -> Self {
        Principal::User(a.clone())
    }
}
