//! Who may do what, where. One table rather than scattered `if`s: a row grants an
//! action to a role over either the person's own agency or its whole subtree.

use crate::agency::is_within;
use crate::user::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See an agency's record and its place in the tree.
    ReadAgency,
    /// Create agencies below it, rename it.
    ManageAgency,
    /// List users and see their roles.
    ReadUsers,
    /// Create, edit and deactivate users.
    ManageUsers,
    /// Read the administrative audit log.
    ReadAudit,
    /// See dossiers, their history and printed forms.
    ReadDossier,
    /// Take in dossiers and act on them (which action in which state: the
    /// workflow table in `dossier::workflow`).
    HandleDossier,
    /// Record certifications at the counter (chứng thực) and print their statement.
    Certify,
    /// Read the certification book, its counts and fees collected.
    ReadCertifications,
    /// Revoke an issued document (its public verification then says so).
    RevokeIssued,
    /// Search the civil-status registers and read their entries.
    ReadRegister,
    /// Write register entries (by hand, from old registers, by import) and their
    /// notes of change, correction and supplement.
    WriteRegister,
    /// Close a register book.
    ManageRegister,
    /// Start a campaign (a targeted drive) and load the list of people it reaches.
    ManageCampaigns,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the agency the user belongs to.
    Own,
    /// The user's agency and every agency below it.
    Subtree,
}

use Action::*;
use Role::*;
use Scope::*;

/// The grants. A supervisor reads everything below it and changes nothing; an
/// administrator manages its agency and those below; officers see their own unit.
pub const GRANTS: &[(Action, Role, Scope)] = &[
    (ReadAgency, CounterOfficer, Own),
    (ReadAgency, Specialist, Own),
    (ReadAgency, Leader, Own),
    (ReadAgency, Supervisor, Subtree),
    (ReadAgency, Admin, Subtree),
    (ManageAgency, Admin, Subtree),
    (ReadUsers, Leader, Own),
    (ReadUsers, Supervisor, Subtree),
    (ReadUsers, Admin, Subtree),
    (ManageUsers, Admin, Subtree),
    (ReadAudit, Supervisor, Subtree),
    (ReadAudit, Admin, Subtree),
    (ReadDossier, CounterOfficer, Own),
    (ReadDossier, Specialist, Own),
    (ReadDossier, Leader, Own),
    (ReadDossier, Supervisor, Subtree),
    (HandleDossier, CounterOfficer, Own),
    (HandleDossier, Specialist, Own),
    (HandleDossier, Leader, Own),
    (Certify, CounterOfficer, Own),
    (Certify, Specialist, Own),
    (Certify, Leader, Own),
    (ReadCertifications, CounterOfficer, Own),
    (ReadCertifications, Specialist, Own),
    (ReadCertifications, Leader, Own),
    (ReadCertifications, Supervisor, Subtree),
    (RevokeIssued, Leader, Own),
    (ReadRegister, CounterOfficer, Own),
    (ReadRegister, Specialist, Own),
    (ReadRegister, Leader, Own),
    (ReadRegister, Supervisor, Subtree),
    (WriteRegister, Specialist, Own),
    (WriteRegister, Leader, Own),
    (ManageRegister, Leader, Own),
    (ManageCampaigns, Specialist, Own),
    (ManageCampaigns, Leader, Own),
];

/// May a person holding `roles` in the agency at `actor_path` take `action` on the
/// agency at `target_path`? Paths are materialised paths (see `agency::child_path`).
pub fn allows(roles: &[Role], actor_path: &str, action: Action, target_path: &str) -> bool {
    GRANTS.iter().any(|&(a, r, scope)| {
        a == action
            && roles.contains(&r)
            && match scope {
                Own => actor_path == target_path,
                Subtree => is_within(target_path, actor_path),
            }
    })
}

/// The widest scope in which `roles` may take `action`, if any; used to list "all I
/// may see" with one query instead of checking rows one by one.
pub fn widest_scope(roles: &[Role], action: Action) -> Option<Scope> {
    let mut best = None;
    for &(a, r, scope) in GRANTS {
        if a == action && roles.contains(&r) {
            if scope == Subtree {
                return Some(Subtree);
            }
            best = Some(scope);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVINCE: &str = "/p/";
    const WARD_A: &str = "/p/a/";
    const WARD_B: &str = "/p/b/";

    #[test]
    fn officers_see_only_their_unit() {
        for role in [CounterOfficer, Specialist, Leader] {
            assert!(allows(&[role], WARD_A, ReadAgency, WARD_A));
            assert!(!allows(&[role], WARD_A, ReadAgency, WARD_B), "{role:?}");
            assert!(!allows(&[role], WARD_A, ManageUsers, WARD_A));
        }
    }

    #[test]
    fn supervisor_reads_below_and_changes_nothing() {
        let s = [Supervisor];
        assert!(allows(&s, PROVINCE, ReadAgency, WARD_A));
        assert!(allows(&s, PROVINCE, ReadUsers, WARD_B));
        assert!(!allows(&s, PROVINCE, ManageAgency, WARD_A));
        assert!(!allows(&s, PROVINCE, ManageUsers, WARD_A));
        assert!(!allows(&s, WARD_A, ReadAgency, PROVINCE));
    }

    #[test]
    fn admin_manages_own_subtree_only() {
        let a = [Admin];
        assert!(allows(&a, WARD_A, ManageUsers, WARD_A));
        assert!(!allows(&a, WARD_A, ManageUsers, WARD_B));
        assert!(!allows(&a, WARD_A, ManageAgency, PROVINCE));
        assert!(allows(&a, PROVINCE, ManageAgency, WARD_B));
        assert_eq!(widest_scope(&[Leader], ReadUsers), Some(Own));
        assert_eq!(widest_scope(&[Leader, Admin], ReadUsers), Some(Subtree));
        assert_eq!(widest_scope(&[CounterOfficer], ReadUsers), None);
    }

    #[test]
    fn registers_are_written_by_the_unit_and_read_by_supervisors() {
        assert!(allows(&[Specialist], WARD_A, WriteRegister, WARD_A));
        assert!(!allows(&[Specialist], WARD_A, WriteRegister, WARD_B));
        assert!(!allows(&[CounterOfficer], WARD_A, WriteRegister, WARD_A));
        assert!(allows(&[CounterOfficer], WARD_A, ReadRegister, WARD_A));
        assert!(allows(&[Supervisor], PROVINCE, ReadRegister, WARD_B));
        assert!(!allows(&[Supervisor], PROVINCE, WriteRegister, WARD_B));
        assert!(!allows(&[Specialist], WARD_A, ManageRegister, WARD_A));
        assert!(allows(&[Leader], WARD_A, ManageRegister, WARD_A));
    }
}
