//! One error for storage, sorted by what the caller should do: retry later (Unavailable),
//! report a conflict (UniqueViolation), or treat as a bug (Other).

use sea_orm::{DbErr, RuntimeErr, SqlErr, TransactionError};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<DbErr> for StorageError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            return StorageError::UniqueViolation(detail);
        }
        if is_unavailable(&err) {
            return StorageError::Unavailable(err.to_string());
        }
        StorageError::Other(err.to_string())
    }
}

impl From<TransactionError<StorageError>> for StorageError {
    fn from(err: TransactionError<StorageError>) -> Self {
        match err {
            TransactionError::Connection(db) => db.into(),
            TransactionError::Transaction(inner) => inner,
        }
    }
}

impl From<TransactionError<DbErr>> for StorageError {
    fn from(err: TransactionError<DbErr>) -> Self {
        match err {
            TransactionError::Connection(db) | TransactionError::Transaction(db) => db.into(),
        }
    }
}

/// Connection-level trouble that goes away when the server is back.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                Sqlx::Io(_)
                | Sqlx::Tls(_)
                | Sqlx::PoolTimedOut
                | Sqlx::PoolClosed
                | Sqlx::WorkerCrashed
                | Sqlx::Protocol(_) => true,
                // 08xxx connection exceptions, 57P0x admin shutdown / crash / cannot connect now.
                Sqlx::Database(db) => db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
                _ => false,
            }
        }
        _ => false,
    }
}
