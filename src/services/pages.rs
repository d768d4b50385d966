//! Keyset pagination, for every listing: a page of rows and the cursor
//! after its last row, so that rows written meanwhile never shift a page.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    Condition, DbBackend, EntityTrait, IdenStatic, Order, QueryFilter, QueryOrder, QueryTrait, Select,
    Statement,
};
use uuid::Uuid;

/// The value a listing is ordered by, for the row a cursor points after.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Time(DateTime<Utc>),
    Text(String),
}

impl From<SortKey> for sea_orm::Value {
    fn from(key: SortKey) -> Self {
        match key {
            SortKey::Time(time) => time.into(),
            SortKey::Text(text) => text.into(),
        }
    }
}

/// A position in a listing: the sort it belongs to, and the sort key and id
/// of the last row the client has seen. Rows after it are those strictly
/// beyond `(key, id)` in the listing's order, so rows inserted meanwhile never
/// shift a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub sort: String,
    pub key: SortKey,
    pub id: Uuid,
}

/// One page of rows and the cursor of the next page, if there is one.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Self { items: Vec::new(), next: None }
    }

    /// `rows` were fetched with `limit + 1`; the extra row only tells that a
    /// next page exists.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let has_more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next = if has_more { rows.last().map(cursor_of) } else { None };
        Self { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// A column of `table` as an expression.
pub fn column<E: EntityTrait, C: IdenStatic>(table: E, column: C) -> SimpleExpr {
    Expr::col((table, column))
}

/// Orders `select` by `(sort, id)` and keeps only the rows after `after`.
pub fn keyset<E: EntityTrait>(
    select: Select<E>,
    sort: SimpleExpr,
    id: SimpleExpr,
    descending: bool,
    after: Option<&Cursor>,
) -> Select<E> {
    let select = match after {
        None => select,
        Some(cursor) => {
            let key: sea_orm::Value = cursor.key.clone().into();
            let beyond = |left: SimpleExpr, right: sea_orm::Value| {
                if descending { left.lt(right) } else { left.gt(right) }
            };
            // The first term adds nothing to the second but a range the
            // planner can seek to: without it a deep page walks the
            // index from the first row to the cursor.
            let from = if descending { sort.clone().lte(key.clone()) } else { sort.clone().gte(key.clone()) };
            select.filter(from).filter(
                Condition::any().add(beyond(sort.clone(), key.clone())).add(
                    Condition::all().add(sort.clone().eq(key)).add(beyond(id.clone(), cursor.id.into())),
                ),
            )
        }
    };
    let order = if descending { Order::Desc } else { Order::Asc };
    select.order_by(sort, order.clone()).order_by(id, order)
}

/// The statement of `select`, which has no limit of its own, with `LIMIT
/// limit` written into its text rather than bound. PostgreSQL cannot plan a
/// bound limit once for every run (a generic plan guesses a tenth of the
/// table), so it plans such a statement again each time it runs, which
/// takes longer than reading a page; with the limit and the other closed
/// values (a kind, a status) written in, a connection plans it once.
pub fn limited<E: EntityTrait>(select: Select<E>, backend: DbBackend, limit: u64) -> Statement {
    let mut statement = select.build(backend);
    statement.sql.push_str(&format!(" LIMIT {limit}"));
    statement
}

/// `ids` sorted, each once.
pub fn dedup(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort_unstable();
    ids.dedup();
    ids
}
