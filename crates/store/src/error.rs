//! The store's error type: what went wrong, in words a user can act on where possible.

use parindex_core::Msg;
use parindex_core::unit::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(Msg),
    /// The actor may not do this to this resource (e.g. appraise another agency's leaf).
    #[error("forbidden: {0}")]
    Forbidden(Msg),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("invalid framework")]
    InvalidFramework(Vec<parindex_core::framework::Problem>),
    #[error("unsupported: {0}")]
    Unsupported(Msg),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl StoreError {
    pub fn invalid(field: &'static str, message: Msg) -> Self {
        StoreError::Invalid(vec![FieldError { field, message }])
    }
}

impl From<sea_orm::TransactionError<StoreError>> for StoreError {
    fn from(e: sea_orm::TransactionError<StoreError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => StoreError::Db(db),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}
