//! The server side of the audit trail screen: the search, and the same search as a CSV
//! file streamed in batches (`GET /admin/audit.csv`), both for administrators only.

use super::{fail, require_user, state};
use crate::model::audit::{AuditPage, AuditQuery};
use crate::model::AppError;
use crate::server::auth::Viewer;
use crate::server::rights::{Granted, ReadAudit};
use crate::server::usecases::audit;
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

pub async fn search(query: AuditQuery) -> Result<AuditPage, AppError> {
    let user = require_user().await?;
    let may = Granted::<ReadAudit>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    audit::search(may, &state()?.db.connection, &query)
        .await
        .map_err(|e| fail(e.into()))
}

/// `GET /admin/audit.csv?actor=…&kind=…&target=…&from=…&to=…`: every entry the search
/// finds, newest first, written out a batch at a time as the client reads.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(Viewer(viewer)): Extension<Viewer>,
    Query(query): Query<AuditQuery>,
) -> Response {
    let Some(user) = viewer else {
        return (StatusCode::UNAUTHORIZED, "Log in first.").into_response();
    };
    let Some(may) = Granted::<ReadAudit>::check(&user) else {
        return (StatusCode::FORBIDDEN, "This export is for administrators.").into_response();
    };
    // A query that cannot be searched is refused before the first line.
    if let Err(error) = audit::condition(&query) {
        return (StatusCode::BAD_REQUEST, error.to_string()).into_response();
    }
    let db = state.db.connection.clone();
    let header_line =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(audit::CSV_HEADER.to_owned()) });
    let lines = futures_util::stream::unfold(Some(None), move |after: Option<Option<i64>>| {
        let (db, query) = (db.clone(), query.clone());
        async move {
            let after = after?;
            match audit::csv_batch(may, &db, &query, after).await {
                Ok(Some((text, last))) => Some((Ok(text), Some(Some(last)))),
                Ok(None) => None,
                Err(error) => {
                    // The response has begun: the file ends short, and the log says why.
                    tracing::error!(%error, "audit export stopped");
                    Some((Err(std::io::Error::other("audit export stopped")), None))
                }
            }
        }
    });
    use futures_util::StreamExt;
    let file = format!(
        "attachment; filename=\"assent-audit-{}.csv\"",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(header_line.chain(lines)),
    )
        .into_response()
}
