//! Full-text search over every type: titles, essay bodies, lyrics and event
//! descriptions. SQLite uses FTS5 (ranked by BM25, title weighted above
//! body, the words' document counts kept by [`Frequencies`]); PostgreSQL a
//! generated `tsvector` with a GIN index (ranked by `ts_rank_cd`, title
//! weight A, body B). The index is written in the transaction of each
//! write, from the same rows the API reads.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entity::{document, essay, event, lyrics};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value,
};
use uuid::Uuid;

use crate::database::ranking;
use crate::domain::{DocumentKind, Locale, Visibility};

/// Marks a matched term in a snippet; replaced by `<mark>` once the text
/// around it is escaped.
const START: char = '\u{E000}';
const END: char = '\u{E001}';

fn table() -> Alias {
    Alias::new("search_index")
}

/// The text of each of `ids` that is public: `(title, body)`.
async fn texts<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<(Uuid, String, String)>, DbErr> {
    let documents: Vec<document::Model> =
        document::Entity::find().filter(document::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    let documents: Vec<document::Model> = documents.into_iter().filter(super::documents::is_public).collect();
    let essays =
        essay::Entity::find().filter(essay::Column::DocumentId.is_in(ids.iter().copied())).all(db).await?;
    let songs =
        lyrics::Entity::find().filter(lyrics::Column::DocumentId.is_in(ids.iter().copied())).all(db).await?;
    let events =
        event::Entity::find().filter(event::Column::DocumentId.is_in(ids.iter().copied())).all(db).await?;
    let join = |parts: Vec<Option<&str>>| parts.into_iter().flatten().collect::<Vec<_>>().join("\n");
    Ok(documents
        .into_iter()
        .map(|d| {
            let body = if let Some(e) = essays.iter().find(|e| e.document_id == d.id) {
                join(vec![e.subtitle.as_deref(), Some(&e.excerpt), Some(&e.body_markdown)])
            } else if let Some(l) = songs.iter().find(|l| l.document_id == d.id) {
                join(vec![Some(&l.text), l.tune.as_deref(), l.notes.as_deref()])
            } else if let Some(e) = events.iter().find(|e| e.document_id == d.id) {
                join(vec![
                    Some(&e.summary),
                    Some(&e.description_markdown),
                    e.venue_name.as_deref(),
                    e.venue_city.as_deref(),
                ])
            } else {
                String::new()
            };
            (d.id, d.title, body)
        })
        .collect())
}

/// Writes the index rows of `ids` anew: public documents are indexed, the
/// others (and ids that no longer exist) dropped. Call it inside the
/// write's transaction.
pub async fn index<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    let sqlite = db.get_database_backend() == DatabaseBackend::Sqlite;
    for chunk in ids.chunks(500) {
        let document_id = || Expr::col(Alias::new("document_id")).is_in(chunk.iter().copied());
        unindex(db, chunk).await?;
        let rows = texts(db, chunk).await?;
        if rows.is_empty() {
            continue;
        }
        if sqlite {
            let mut keys = Query::insert();
            keys.into_table(Alias::new("search_keys")).columns([Alias::new("document_id")]);
            for (id, _, _) in &rows {
                keys.values_panic([(*id).into()]);
            }
            db.execute(&keys).await?;
            let lookup = Query::select()
                .columns([Alias::new("rowid"), Alias::new("document_id")])
                .from(Alias::new("search_keys"))
                .and_where(document_id())
                .to_owned();
            let mut rowids = std::collections::HashMap::new();
            for row in db.query_all(&lookup).await? {
                rowids.insert(row.try_get_by_index::<Uuid>(1)?, row.try_get_by_index::<i64>(0)?);
            }
            let mut insert = Query::insert();
            insert.into_table(table()).columns([
                Alias::new("rowid"),
                Alias::new("title"),
                Alias::new("body"),
            ]);
            for (id, title, body) in rows {
                if let Some(rowid) = rowids.get(&id) {
                    insert.values_panic([(*rowid).into(), title.into(), body.into()]);
                }
            }
            db.execute(&insert).await?;
        } else {
            let mut insert = Query::insert();
            insert.into_table(table()).columns([
                Alias::new("document_id"),
                Alias::new("title"),
                Alias::new("body"),
            ]);
            for (id, title, body) in rows {
                insert.values_panic([id.into(), title.into(), body.into()]);
            }
            db.execute(&insert).await?;
        }
    }
    Ok(())
}

/// Removes the index rows of `ids`. A purge calls it before the document
/// goes (its key row goes with the document).
pub async fn unindex<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        let document_id = || Expr::col(Alias::new("document_id")).is_in(chunk.iter().copied());
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            // The rows of these documents, found through their keys.
            let rows = Query::select()
                .column(Alias::new("rowid"))
                .from(Alias::new("search_keys"))
                .and_where(document_id())
                .to_owned();
            let delete = Query::delete()
                .from_table(table())
                .and_where(Expr::col(Alias::new("rowid")).in_subquery(rows))
                .to_owned();
            db.execute(&delete).await?;
            db.execute(
                &Query::delete().from_table(Alias::new("search_keys")).and_where(document_id()).to_owned(),
            )
            .await?;
        } else {
            db.execute(&Query::delete().from_table(table()).and_where(document_id()).to_owned()).await?;
        }
    }
    Ok(())
}

/// Indexes every public document the index lacks (after an older version,
/// or a bulk load, left some out); returns how many. Reads the documents a
/// thousand at a time, in key order, so memory stays flat at any size.
pub async fn index_missing<C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    let keys = if db.get_database_backend() == DatabaseBackend::Sqlite {
        Alias::new("search_keys")
    } else {
        table()
    };
    let (mut after, mut added) = (None::<Uuid>, 0);
    loop {
        let mut page = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .filter(super::documents::visible(Visibility::Public))
            .order_by_asc(document::Column::Id)
            .limit(1_000);
        if let Some(after) = after {
            page = page.filter(document::Column::Id.gt(after));
        }
        let ids: Vec<Uuid> = page.into_tuple().all(db).await?;
        let Some(last) = ids.last().copied() else { return Ok(added) };
        let query = Query::select()
            .column(Alias::new("document_id"))
            .from(keys.clone())
            .and_where(Expr::col(Alias::new("document_id")).is_in(ids.iter().copied()))
            .to_owned();
        let mut indexed = HashSet::new();
        for row in db.query_all(&query).await? {
            indexed.insert(row.try_get_by_index::<Uuid>(0)?);
        }
        let missing: Vec<Uuid> = ids.into_iter().filter(|id| !indexed.contains(id)).collect();
        index(db, &missing).await?;
        added += missing.len();
        after = Some(last);
    }
}

/// A search, validated.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// The words asked for (at least one).
    pub words: Vec<String>,
    pub kinds: Vec<DocumentKind>,
    pub locale: Option<Locale>,
    pub offset: u64,
    pub limit: u64,
}

impl SearchQuery {
    /// The words of `q`: letters and digits, at most 16 of them.
    pub fn words(q: &str) -> Vec<String> {
        q.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(16)
            .map(str::to_lowercase)
            .collect()
    }
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub locale: String,
    pub title: String,
    pub published_at: Option<DateTime<Utc>>,
    /// Escaped HTML: text around the matches, each in `<mark>`.
    pub snippet: String,
    pub score: f64,
}

/// HTML-escapes `text`, then turns the match markers into `<mark>`.
fn marked(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            START => out.push_str("<mark>"),
            END => out.push_str("</mark>"),
            c => out.push(c),
        }
    }
    out
}

/// Published documents matching every word, best first: one page, and
/// whether there are more. The index ranks and cuts the page alone (it
/// holds public documents only, so no join is needed unless the search is
/// narrowed by type or locale); snippets are made for the page's documents
/// only, and their rows read by key.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    frequencies: &Frequencies,
    query: &SearchQuery,
) -> Result<(Vec<Hit>, bool), DbErr> {
    let mut ranked = ranked(db, frequencies, query).await?;
    let more = ranked.len() as u64 > query.limit;
    ranked.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
    let ids: Vec<Uuid> = ranked.iter().map(|r| r.id).collect();
    let mut snippets = snippets(db, query, &ranked).await?;
    let documents = super::documents::existing_any(db, &ids).await?;
    let hits = ranked
        .into_iter()
        .filter_map(|r| {
            let d = documents.get(&r.id).filter(|d| super::documents::is_public(d))?;
            Some(Hit {
                id: d.id,
                kind: d.kind.clone(),
                slug: d.slug.clone(),
                locale: d.locale.clone(),
                title: d.title.clone(),
                published_at: d.published_at,
                snippet: marked(&snippets.remove(&r.id).unwrap_or_default()),
                score: r.score,
            })
        })
        .collect();
    Ok((hits, more))
}

/// A match, ranked: the document, its row in the index (SQLite), its score.
struct Ranked {
    id: Uuid,
    row: i64,
    score: f64,
}

/// The words as the backend's query language says "all of these".
fn match_expression(backend: DatabaseBackend, words: &[String]) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            words.iter().map(|w| format!("'{}'", w.replace('\'', ""))).collect::<Vec<_>>().join(" & ")
        }
        _ => words.iter().map(|w| format!("\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" "),
    }
}

/// Statement parameters, numbered as the backend wants them.
struct Parameters {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Parameters {
    fn new(backend: DatabaseBackend) -> Self {
        Self { backend, values: Vec::new() }
    }

    fn add(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// How many indexed documents hold each word, for ranking on SQLite (see
/// [`ranking`]): counted when asked for, except that the count of a word in
/// more than [`COMMON`] documents is kept for [`KEPT_FOR`]. Counting such a
/// word takes milliseconds (18 ms for one in 683,000 documents), and a
/// few documents more or less move its weight by a fraction of a percent.
#[derive(Debug, Default)]
pub struct Frequencies {
    common: Mutex<HashMap<String, (i64, Instant)>>,
}

/// Words in more documents than this have their counts kept.
pub const COMMON: i64 = 1_000;
/// How long a kept count is used.
pub const KEPT_FOR: Duration = Duration::from_secs(600);
/// How many counts are kept at most; past it the oldest half go.
const KEPT_AT_MOST: usize = 10_000;

impl Frequencies {
    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, Instant)>> {
        self.common.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many indexed documents hold each of `words`, in order.
    async fn counts<C: ConnectionTrait>(&self, db: &C, words: &[String]) -> Result<Vec<i64>, DbErr> {
        let now = Instant::now();
        let mut counts: HashMap<&str, i64> = HashMap::new();
        {
            let kept = self.kept();
            for word in words {
                if let Some((count, at)) = kept.get(word.as_str())
                    && now.duration_since(*at) < KEPT_FOR
                {
                    counts.insert(word, *count);
                }
            }
        }
        let mut asked: Vec<&str> =
            words.iter().map(String::as_str).filter(|w| !counts.contains_key(w)).collect();
        asked.sort_unstable();
        asked.dedup();
        if !asked.is_empty() {
            // Each count stops past `COMMON`: a rare word's is exact, a
            // common one is counted in full below, once.
            let mut p = Parameters::new(DatabaseBackend::Sqlite);
            let columns: Vec<String> = asked
                .iter()
                .map(|word| {
                    let q = p.add(match_expression(DatabaseBackend::Sqlite, &[(*word).to_owned()]));
                    format!(
                        "(SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH {q} LIMIT {}))",
                        COMMON + 1
                    )
                })
                .collect();
            let sql = format!("SELECT {}", columns.join(", "));
            let row = db.query_one_raw(p.statement(sql)).await?;
            for (index, word) in asked.iter().enumerate() {
                let count: i64 = match &row {
                    Some(row) => row.try_get_by_index(index)?,
                    None => 0,
                };
                let count = if count > COMMON { self.count(db, word).await? } else { count };
                counts.insert(word, count);
            }
        }
        Ok(words.iter().map(|word| counts.get(word.as_str()).copied().unwrap_or(0)).collect())
    }

    /// Counts the documents holding `word` in full, and keeps the count.
    async fn count<C: ConnectionTrait>(&self, db: &C, word: &str) -> Result<i64, DbErr> {
        let mut p = Parameters::new(DatabaseBackend::Sqlite);
        let q = p.add(match_expression(DatabaseBackend::Sqlite, &[word.to_owned()]));
        let sql = format!("SELECT count(*) FROM search_index WHERE search_index MATCH {q}");
        let count: i64 = match db.query_one_raw(p.statement(sql)).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };
        let mut kept = self.kept();
        if kept.len() >= KEPT_AT_MOST {
            let mut ages: Vec<Instant> = kept.values().map(|(_, at)| *at).collect();
            ages.sort_unstable();
            if let Some(cut) = ages.get(ages.len() / 2).copied() {
                kept.retain(|_, (_, at)| *at > cut);
            }
        }
        kept.insert(word.to_owned(), (count, Instant::now()));
        Ok(count)
    }
}

/// How many matches a search ranks at most. Ranking is linear in the
/// matches (about 1 µs each on SQLite), and a word found in most of a large
/// archive would take tens of milliseconds: such words are ranked among
/// their most recently indexed matches on SQLite, among the first found on
/// PostgreSQL.
pub const CANDIDATES: u64 = 2_000;

/// One page of matches and the first of the next, best first.
async fn ranked<C: ConnectionTrait>(
    db: &C,
    frequencies: &Frequencies,
    query: &SearchQuery,
) -> Result<Vec<Ranked>, DbErr> {
    let backend = db.get_database_backend();
    let mut p = Parameters::new(backend);
    let narrowed = !query.kinds.is_empty() || query.locale.is_some();
    // SQLite's parameters are numbered in the order they appear.
    let (select, mut from, mut conditions) = match backend {
        DatabaseBackend::Postgres => {
            let q = p.add(match_expression(backend, &query.words));
            (
                format!(
                    "s.document_id AS id, 0::int8 AS key_row, ts_rank_cd(s.tsv, to_tsquery('simple', {q}))::float8 AS score"
                ),
                format!(
                    "(SELECT document_id, tsv FROM search_index WHERE tsv @@ to_tsquery('simple', {q}) LIMIT {CANDIDATES}) s"
                ),
                vec![format!("s.tsv @@ to_tsquery('simple', {q})")],
            )
        }
        _ => {
            // The newest matches, scored in the index's own walk: the row's
            // sizes come from a join (one step of this plan), not from a
            // statement FTS5 would run for each row.
            let counts = frequencies.counts(db, &query.words).await?;
            let counts: Vec<String> = counts.into_iter().map(|count| p.add(count)).collect();
            let q = p.add(match_expression(backend, &query.words));
            let candidates = format!(
                "(SELECT search_index.rowid AS key_row, -{}(search_index, 10.0, 1.0, {}, sizes.sz) AS score \
                 FROM search_index CROSS JOIN search_index_docsize sizes ON sizes.id = search_index.rowid \
                 WHERE search_index MATCH {q} ORDER BY search_index.rowid DESC LIMIT {CANDIDATES}) c",
                ranking::FUNCTION,
                counts.join(", ")
            );
            match narrowed {
                // Unnarrowed, the page's rows are mapped to documents
                // afterwards: a join would look up every candidate.
                false => ("c.key_row, c.score".to_owned(), candidates, Vec::new()),
                true => (
                    "k.document_id AS id, c.key_row, c.score".to_owned(),
                    format!("{candidates} JOIN search_keys k ON k.rowid = c.key_row"),
                    Vec::new(),
                ),
            }
        }
    };
    let by_row = backend == DatabaseBackend::Sqlite && !narrowed;
    if narrowed {
        // The keys' column is declared `uuid` on SQLite, the documents' `uuid_text`:
        // comparing them as they are (blobs) lets the documents' key answer.
        from.push_str(match backend {
            DatabaseBackend::Postgres => " JOIN documents d ON d.id = s.document_id",
            _ => " JOIN documents d ON d.id = CAST(k.document_id AS BLOB)",
        });
    }
    if !query.kinds.is_empty() {
        let kinds: Vec<String> = query.kinds.iter().map(|k| p.add(k.as_str())).collect();
        conditions.push(format!("d.kind IN ({})", kinds.join(", ")));
    }
    if let Some(locale) = &query.locale {
        conditions.push(format!("d.locale = {}", p.add(locale.as_str())));
    }
    let limit = p.add(i64::try_from(query.limit + 1).unwrap_or(i64::MAX));
    let offset = p.add(i64::try_from(query.offset).unwrap_or(0));
    let tie = if by_row { "key_row" } else { "id" };
    let filter = match conditions.is_empty() {
        true => String::new(),
        false => format!(" WHERE {}", conditions.join(" AND ")),
    };
    let mut sql = format!(
        "SELECT {select} FROM {from}{filter} ORDER BY score DESC, {tie} LIMIT {limit} OFFSET {offset}"
    );
    if by_row {
        // The page's rows only are mapped to documents.
        sql = format!(
            "SELECT k.document_id AS id, r.key_row, r.score FROM ({sql}) r \
             JOIN search_keys k ON k.rowid = r.key_row ORDER BY r.score DESC, r.key_row"
        );
    }
    let mut ranked = Vec::new();
    for row in db.query_all_raw(p.statement(sql)).await? {
        ranked.push(Ranked {
            id: row.try_get("", "id")?,
            row: row.try_get("", "key_row")?,
            score: row.try_get("", "score")?,
        });
    }
    Ok(ranked)
}

/// The text around the matches in each of `ranked`, marked.
async fn snippets<C: ConnectionTrait>(
    db: &C,
    query: &SearchQuery,
    ranked: &[Ranked],
) -> Result<std::collections::HashMap<Uuid, String>, DbErr> {
    let mut snippets = std::collections::HashMap::new();
    if ranked.is_empty() {
        return Ok(snippets);
    }
    let backend = db.get_database_backend();
    let mut p = Parameters::new(backend);
    let q = p.add(match_expression(backend, &query.words));
    let sql = match backend {
        DatabaseBackend::Postgres => {
            let ids: Vec<String> = ranked.iter().map(|r| p.add(r.id)).collect();
            format!(
                "SELECT document_id AS id, ts_headline('simple', body, to_tsquery('simple', {q}), \
                 'StartSel={START}, StopSel={END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet \
                 FROM search_index WHERE document_id IN ({})",
                ids.join(", ")
            )
        }
        _ => {
            // FTS5 would start the word's walk afresh for each row of an
            // `IN` it is given (a common word's in 2 ms for a page). It is
            // given the page's range of rows instead, a stretch of the
            // candidates it walks once, and the rows are picked out after
            // (`+` keeps that test from it).
            let first = ranked.iter().map(|r| r.row).min().unwrap_or_default();
            let last = ranked.iter().map(|r| r.row).max().unwrap_or_default();
            let (first, last) = (p.add(first), p.add(last));
            let rows: Vec<String> = ranked.iter().map(|r| p.add(r.row)).collect();
            format!(
                "SELECT search_index.rowid AS key_row, snippet(search_index, 1, '{START}', '{END}', ' … ', 24) AS snippet \
                 FROM search_index WHERE search_index MATCH {q} AND search_index.rowid BETWEEN {first} AND {last} \
                 AND +search_index.rowid IN ({})",
                rows.join(", ")
            )
        }
    };
    let by_row: std::collections::HashMap<i64, Uuid> = ranked.iter().map(|r| (r.row, r.id)).collect();
    for row in db.query_all_raw(p.statement(sql)).await? {
        let id = match backend {
            DatabaseBackend::Postgres => row.try_get("", "id")?,
            _ => match by_row.get(&row.try_get::<i64>("", "key_row")?) {
                Some(id) => *id,
                None => continue,
            },
        };
        snippets.insert(id, row.try_get("", "snippet")?);
    }
    Ok(snippets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_only() {
        assert_eq!(
            SearchQuery::words("Bread AND \"roses\"; NEAR(x*)"),
            ["bread", "and", "roses", "near", "x"]
        );
        assert!(SearchQuery::words(" *** ").is_empty());
    }

    #[test]
    fn snippets_are_escaped_around_the_marks() {
        assert_eq!(
            marked("a <b> \u{E000}bread\u{E001} & 'roses'"),
            "a &lt;b&gt; <mark>bread</mark> &amp; &#39;roses&#39;"
        );
    }
}
