//! The connection every store function takes: a pooled one for reads, or a write
//! transaction's, which on an SQLite file is the synchronous writer
//! ([`crate::sqlite_writer`]). All are sqlx executors of the `Any` driver, so a
//! query is written once for all of them.

use crate::sqlite_writer::WriterTx;
use crate::StoreError;
use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::{FutureExt, StreamExt, TryFutureExt};
use sqlx::any::{Any, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{AnyConnection, Describe, Either, Execute, Executor};

pub struct Conn {
    inner: Inner,
}

enum Inner {
    Pooled(PoolConnection<Any>),
    /// A connection of its own (the benchmark's bulk loads).
    Owned(AnyConnection),
    Transaction(sqlx::Transaction<'static, Any>),
    Writer(WriterTx),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Pooled(_) => "Conn(pooled)",
            Inner::Owned(_) => "Conn(owned)",
            Inner::Transaction(_) => "Conn(transaction)",
            Inner::Writer(_) => "Conn(SQLite writer)",
        })
    }
}

impl Conn {
    pub(crate) fn pooled(c: PoolConnection<Any>) -> Conn {
        Conn {
            inner: Inner::Pooled(c),
        }
    }

    /// A connection opened outside the pools, for a tool's own use.
    pub fn owned(c: AnyConnection) -> Conn {
        Conn {
            inner: Inner::Owned(c),
        }
    }

    pub(crate) fn transaction(t: sqlx::Transaction<'static, Any>) -> Conn {
        Conn {
            inner: Inner::Transaction(t),
        }
    }

    pub(crate) fn writer(w: WriterTx) -> Conn {
        Conn {
            inner: Inner::Writer(w),
        }
    }

    /// "SQLite" or "PostgreSQL", as sqlx names them.
    pub fn backend_name(&self) -> &str {
        match &self.inner {
            Inner::Pooled(c) => c.backend_name(),
            Inner::Owned(c) => c.backend_name(),
            Inner::Transaction(t) => t.backend_name(),
            Inner::Writer(_) => "SQLite",
        }
    }

    /// Closes a connection of its own; any other goes back where it came from
    /// (a transaction's is rolled back).
    pub async fn close(self) -> crate::Result<()> {
        match self.inner {
            Inner::Owned(c) => sqlx::Connection::close(c).await,
            _ => Ok(()),
        }
    }

    /// Ends a write transaction, keeping its work.
    pub(crate) async fn commit(self) -> crate::Result<()> {
        match self.inner {
            Inner::Transaction(t) => t.commit().await,
            Inner::Writer(w) => w.commit().await,
            Inner::Pooled(_) | Inner::Owned(_) => {
                Err(StoreError::Protocol("commit outside a transaction".into()))
            }
        }
    }

    /// Ends a write transaction, undoing its work (as dropping it does).
    pub(crate) async fn rollback(self) -> crate::Result<()> {
        match self.inner {
            Inner::Transaction(t) => t.rollback().await,
            Inner::Writer(w) => w.rollback(),
            Inner::Pooled(_) | Inner::Owned(_) => Ok(()),
        }
    }
}

impl<'c> Executor<'c> for &'c mut Conn {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, sqlx::Result<Either<AnyQueryResult, AnyRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &mut self.inner {
            Inner::Pooled(c) => (&mut **c).fetch_many(query),
            Inner::Owned(c) => c.fetch_many(query),
            Inner::Transaction(t) => (&mut **t).fetch_many(query),
            Inner::Writer(w) => w
                .answer(query, None)
                .map_ok(|answer| futures_util::stream::iter(answer.into_iter().map(Ok)))
                .try_flatten_stream()
                .boxed(),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, sqlx::Result<Option<AnyRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &mut self.inner {
            Inner::Pooled(c) => (&mut **c).fetch_optional(query),
            Inner::Owned(c) => c.fetch_optional(query),
            Inner::Transaction(t) => (&mut **t).fetch_optional(query),
            Inner::Writer(w) => async move {
                let answer = w.answer(query, Some(1)).await?;
                Ok(answer.into_iter().find_map(|a| a.right()))
            }
            .boxed(),
        }
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, sqlx::Result<AnyStatement<'q>>>
    where
        'c: 'e,
    {
        match &mut self.inner {
            Inner::Pooled(c) => (&mut **c).prepare_with(sql, parameters),
            Inner::Owned(c) => c.prepare_with(sql, parameters),
            Inner::Transaction(t) => (&mut **t).prepare_with(sql, parameters),
            Inner::Writer(_) => unsupported("prepare"),
        }
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, sqlx::Result<Describe<Any>>>
    where
        'c: 'e,
    {
        match &mut self.inner {
            Inner::Pooled(c) => (&mut **c).describe(sql),
            Inner::Owned(c) => c.describe(sql),
            Inner::Transaction(t) => (&mut **t).describe(sql),
            Inner::Writer(_) => unsupported("describe"),
        }
    }
}

fn unsupported<'e, T: Send + 'e>(what: &str) -> BoxFuture<'e, sqlx::Result<T>> {
    let e = StoreError::Protocol(format!("{what} is not offered on the SQLite writer"));
    async move { Err(e) }.boxed()
}
