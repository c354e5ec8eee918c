//! What a module built on the dossier core adds to a dossier's life, in the
//! dossier's own transaction, without the core knowing the module: the core asks
//! each extension the app lists (`App::with_clock`, the composition root), so a
//! module depends on the dossier core and never the other way round. The
//! registers are the first: they refuse a submission their approval would
//! refuse, and write the entry and its extract when the dossier is approved.

use std::future::Future;
use std::pin::Pin;

use motcua_domain::dossier::{Command, Dossier as Record};
use motcua_store::agencies::AgencyRow;
use motcua_store::Conn;

use super::{Dossiers, NewFile};
use crate::error::Result;
use crate::principal::Actor;

/// An extension's answer, boxed so that extensions can be listed together.
pub(crate) type Step<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// The results an approval attaches besides its event: the command that
/// attaches each, and its file (already in the blob store).
pub(crate) type Attachments = Vec<(Command, NewFile)>;

pub(crate) trait Extension: Send + Sync {
    /// Before a submission for approval, on the submission's transaction: an
    /// error refuses it (one the approval would refuse anyway).
    fn before_submission<'a>(
        &'a self,
        dossiers: &'a Dossiers<'a>,
        conn: &'a mut Conn,
        dossier: &'a Record,
    ) -> Step<'a, ()>;

    /// With an approval, on its transaction, after its event: what the module
    /// writes, and the results to attach. An error refuses the approval, and the
    /// rollback leaves nothing written.
    fn on_approval<'a>(
        &'a self,
        dossiers: &'a Dossiers<'a>,
        conn: &'a mut Conn,
        actor: &'a Actor,
        dossier: &'a Record,
        agency: &'a AgencyRow,
    ) -> Step<'a, Attachments>;
}
