//! `request_id` support: the first response of a side-effecting call is stored with the effect,
//! in the same transaction, and a repeat returns it instead of acting twice.

use sea_orm::{ConnectionTrait, Statement, Value};

use crate::StorageError;

/// The response stored for `(scope, request_id)`, if the call was made before.
pub async fn recall<C: ConnectionTrait>(
    conn: &C,
    scope: &str,
    request_id: &str,
) -> Result<Option<Vec<u8>>, StorageError> {
    let backend = conn.get_database_backend();
    let sql = crate::sql::sql(
        backend,
        "SELECT response FROM idempotency_keys WHERE scope = $1 AND request_id = $2",
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [scope.into(), request_id.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<Vec<u8>>("", "response")?),
        None => None,
    })
}

/// Stores the response inside the caller's transaction. A concurrent duplicate fails with
/// `UniqueViolation`: roll back and `recall` the winner's response.
pub async fn remember<C: ConnectionTrait>(
    txn: &C,
    scope: &str,
    request_id: &str,
    response: &[u8],
) -> Result<(), StorageError> {
    let backend = txn.get_database_backend();
    let sql = crate::sql::sql(
        backend,
        "INSERT INTO idempotency_keys (scope, request_id, response, created_ms) VALUES ($1, $2, $3, $4)",
    );
    let values: [Value; 4] = [
        scope.into(),
        request_id.into(),
        response.to_vec().into(),
        crate::outbox::now_ms().into(),
    ];
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}
