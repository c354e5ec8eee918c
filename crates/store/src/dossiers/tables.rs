//! How each dossier row type goes into its table: one column list and one way of
//! binding a row, shared by the store's single-row inserts and the benchmark's
//! bulk loader, so that the two cannot drift apart. (Events have a writer of
//! their own for both: `event_rows`; dossiers are written by `dossiers::insert`
//! and `dossiers::insert_dossiers`, which number the procedure's name first.)

use super::{DossierRow, FileRow};
use crate::{Conn, Result};

/// A statement with the `Any` driver's arguments.
pub type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

pub struct Table<T: 'static> {
    pub name: &'static str,
    /// The columns, in the order `bind` binds them.
    pub columns: &'static str,
    pub bind: for<'q> fn(Query<'q>, &'q T) -> Query<'q>,
}

impl<T> Table<T> {
    /// How many values a row binds.
    pub fn width(&self) -> usize {
        self.columns.split(',').count()
    }

    pub(crate) async fn insert_one(&self, conn: &mut Conn, row: &T) -> Result<()> {
        let placeholders: Vec<String> = (1..=self.width()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            self.columns,
            placeholders.join(", ")
        );
        (self.bind)(sqlx::query(&sql), row).execute(conn).await?;
        Ok(())
    }
}

pub const FILES: Table<FileRow> = Table {
    name: "dossier_files",
    columns: "id, dossier_id, kind, name, content_type, size, sha256, created_at",
    bind: bind_file,
};

/// A dossier row with the number of its procedure's name (`stored_columns!`).
pub(crate) struct NumberedDossier<'a> {
    pub row: &'a DossierRow,
    pub procedure_term: i64,
}

/// Binds the values of `stored_columns!`, in that order.
pub(crate) fn bind_dossier<'q>(q: Query<'q>, n: &'q NumberedDossier<'_>) -> Query<'q> {
    let d = n.row;
    q.bind(d.id.as_str())
        .bind(d.code.as_str())
        .bind(d.agency_id.as_str())
        .bind(d.procedure_code.as_str())
        .bind(d.procedure_version)
        .bind(n.procedure_term)
        .bind(d.sector.as_str())
        .bind(d.channel.as_str())
        .bind(d.status.as_str())
        .bind(d.is_open)
        .bind(d.applicant_name.as_str())
        .bind(d.applicant_folded.as_str())
        .bind(d.applicant_id.as_deref())
        .bind(d.applicant_phone.as_deref())
        .bind(d.applicant_email.as_deref())
        .bind(d.return_method.as_str())
        .bind(d.fee_amount)
        .bind(d.fee_paid)
        .bind(d.submitted_at)
        .bind(d.received_at)
        .bind(d.due_at)
        .bind(d.original_due_at)
        .bind(d.paused_at)
        .bind(d.supplements)
        .bind(d.extensions)
        .bind(d.assignee_id.as_deref())
        .bind(d.approved_at)
        .bind(d.result_ready_at)
        .bind(d.returned_at)
        .bind(d.timeliness.as_deref())
        .bind(d.priority)
        .bind(d.version)
        .bind(d.last_seq)
        .bind(d.last_hash.as_slice())
        .bind(d.reminded_at)
        .bind(d.created_at)
        .bind(d.updated_at)
        .bind(d.results)
        .bind(d.closed_at)
        .bind(d.documents)
        .bind(d.signed_results)
        .bind(d.scanned_documents)
}

fn bind_file<'q>(q: Query<'q>, f: &'q FileRow) -> Query<'q> {
    q.bind(f.id.as_str())
        .bind(f.dossier_id.as_str())
        .bind(f.kind.as_str())
        .bind(f.name.as_str())
        .bind(f.content_type.as_str())
        .bind(f.size)
        .bind(f.sha256.as_str())
        .bind(f.created_at)
}
