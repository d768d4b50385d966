//! BM25 for SQLite's full-text index, with the words' document counts given.
//!
//! FTS5's own `bm25()` weighs each word by how many rows hold it, and
//! counts them on every search: for a word in 683,000 of a million
//! documents that pass alone took 18 ms, however few matches were ranked.
//! [`FUNCTION`] computes the same score from counts the caller passes in
//! (see `services::search`, which keeps the counts of common words for a
//! while): `broadside_bm25(search_index, w₁ … wₙ, c₁ … cₖ)` takes a weight
//! for each of the index's `n` columns, then the number of rows holding
//! each of the query's `k` phrases, in order. Given exact counts it returns
//! exactly what `bm25(search_index, w₁ … wₙ)` does (a test checks it).
//!
//! A last, optional argument is the row's `sz` from the index's
//! `_docsize` table (a varint of tokens per column, as FTS5 stores it).
//! Without it the row's length is asked of FTS5, which runs a statement of
//! its own for each row; a query that joins the table passes it instead,
//! and the lookup is one step of the query's own plan.

use std::ffi::{CStr, c_int, c_void};
use std::ptr;

use rusqlite::ffi;

/// The function's SQL name.
pub const FUNCTION: &str = "broadside_bm25";
const FUNCTION_C: &CStr = c"broadside_bm25";

/// BM25's parameters, as FTS5 sets them.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Registers [`FUNCTION`] on the connection `db`.
///
/// # Safety
/// `db` must be an open connection, not used by another thread meanwhile.
pub unsafe fn register(db: *mut ffi::sqlite3) -> Result<(), String> {
    // SAFETY: the caller holds `db`; the statement is finalised before return.
    let api = unsafe { fts5_api(db) }?;
    // SAFETY: `api` came from this connection and lives as long as it does.
    let rc = unsafe {
        match (*api).xCreateFunction {
            Some(create) => create(api, FUNCTION_C.as_ptr(), ptr::null_mut(), Some(bm25), None),
            None => ffi::SQLITE_MISUSE,
        }
    };
    match rc {
        ffi::SQLITE_OK => Ok(()),
        rc => Err(format!("FTS5 refused the ranking function (SQLite error {rc})")),
    }
}

/// The FTS5 interface of `db`, as SQLite's documentation obtains it.
unsafe fn fts5_api(db: *mut ffi::sqlite3) -> Result<*mut ffi::fts5_api, String> {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    let mut statement: *mut ffi::sqlite3_stmt = ptr::null_mut();
    // SAFETY: `db` is open; `api` outlives the statement, finalised below.
    unsafe {
        let rc =
            ffi::sqlite3_prepare_v2(db, c"SELECT fts5(?1)".as_ptr(), -1, &mut statement, ptr::null_mut());
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_bind_pointer(
                statement,
                1,
                (&raw mut api).cast::<c_void>(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
            ffi::sqlite3_step(statement);
        }
        ffi::sqlite3_finalize(statement);
    }
    if api.is_null() { Err("this SQLite has no FTS5".to_owned()) } else { Ok(api) }
}

/// What one row's score needs from FTS5, read through its extension API.
struct Row {
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
}

impl Row {
    fn columns(&self) -> c_int {
        // SAFETY (all methods): `api` and `fts` are those FTS5 passed to the
        // running function, valid for its call.
        unsafe { (*self.api).xColumnCount.map_or(0, |f| f(self.fts)) }
    }

    fn phrases(&self) -> c_int {
        unsafe { (*self.api).xPhraseCount.map_or(0, |f| f(self.fts)) }
    }

    /// The index's row count and average row length, computed once per
    /// query: FTS5 reads them from storage at each ask.
    fn totals(&self) -> Result<Totals, c_int> {
        // SAFETY: auxiliary data set below is a `Box<Totals>` FTS5 keeps
        // for the query and frees with `free_totals`.
        unsafe {
            let kept = (*self.api).xGetAuxdata.map_or(ptr::null_mut(), |f| f(self.fts, 0));
            if let Some(totals) = kept.cast::<Totals>().as_ref() {
                return Ok(*totals);
            }
        }
        let rows = self.rows()? as f64;
        let totals = Totals { rows, average: self.total_tokens()? as f64 / rows };
        let boxed = Box::into_raw(Box::new(totals));
        // SAFETY: on success FTS5 owns `boxed` and frees it with `free_totals`;
        // on failure it has already called `free_totals` on it.
        check(unsafe {
            (*self.api)
                .xSetAuxdata
                .map_or(ffi::SQLITE_MISUSE, |f| f(self.fts, boxed.cast::<c_void>(), Some(free_totals)))
        })?;
        Ok(totals)
    }

    fn rows(&self) -> Result<i64, c_int> {
        let mut rows = 0;
        check(unsafe { (*self.api).xRowCount.map_or(ffi::SQLITE_MISUSE, |f| f(self.fts, &mut rows)) })?;
        Ok(rows)
    }

    fn total_tokens(&self) -> Result<i64, c_int> {
        let mut tokens = 0;
        check(unsafe {
            (*self.api).xColumnTotalSize.map_or(ffi::SQLITE_MISUSE, |f| f(self.fts, -1, &mut tokens))
        })?;
        Ok(tokens)
    }

    fn tokens(&self) -> Result<c_int, c_int> {
        let mut tokens = 0;
        check(unsafe {
            (*self.api).xColumnSize.map_or(ffi::SQLITE_MISUSE, |f| f(self.fts, -1, &mut tokens))
        })?;
        Ok(tokens)
    }

    fn instances(&self) -> Result<c_int, c_int> {
        let mut count = 0;
        check(unsafe { (*self.api).xInstCount.map_or(ffi::SQLITE_MISUSE, |f| f(self.fts, &mut count)) })?;
        Ok(count)
    }

    /// The phrase and column of match `index`.
    fn instance(&self, index: c_int) -> Result<(usize, usize), c_int> {
        let (mut phrase, mut column, mut offset) = (0, 0, 0);
        check(unsafe {
            (*self.api)
                .xInst
                .map_or(ffi::SQLITE_MISUSE, |f| f(self.fts, index, &mut phrase, &mut column, &mut offset))
        })?;
        Ok((usize::try_from(phrase).unwrap_or(usize::MAX), usize::try_from(column).unwrap_or(usize::MAX)))
    }
}

/// What every row of a query's score shares.
#[derive(Clone, Copy)]
struct Totals {
    rows: f64,
    /// Tokens per row, on average.
    average: f64,
}

unsafe extern "C" fn free_totals(totals: *mut c_void) {
    if !totals.is_null() {
        // SAFETY: set by `Row::totals` from `Box::into_raw`, freed once.
        drop(unsafe { Box::from_raw(totals.cast::<Totals>()) });
    }
}

fn check(rc: c_int) -> Result<(), c_int> {
    if rc == ffi::SQLITE_OK { Ok(()) } else { Err(rc) }
}

/// The ranking function FTS5 calls for each matching row.
unsafe extern "C" fn bm25(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    context: *mut ffi::sqlite3_context,
    count: c_int,
    values: *mut *mut ffi::sqlite3_value,
) {
    let row = Row { api, fts };
    // SAFETY: SQLite passes `count` values, valid for this call.
    let values: &[*mut ffi::sqlite3_value] = match usize::try_from(count) {
        Ok(count) if count > 0 && !values.is_null() => unsafe { std::slice::from_raw_parts(values, count) },
        _ => &[],
    };
    match score(&row, values) {
        // SAFETY: `context` is this call's.
        Ok(score) => unsafe { ffi::sqlite3_result_double(context, score) },
        Err(Problem::Arguments) => unsafe {
            ffi::sqlite3_result_error(
                context,
                c"broadside_bm25: give a weight for each column, then a row count for each phrase, \
                  then optionally the row's sizes"
                    .as_ptr(),
                -1,
            )
        },
        Err(Problem::Sqlite(rc)) => unsafe { ffi::sqlite3_result_error_code(context, rc) },
    }
}

enum Problem {
    Arguments,
    Sqlite(c_int),
}

impl From<c_int> for Problem {
    fn from(rc: c_int) -> Self {
        Self::Sqlite(rc)
    }
}

/// The tokens in a row, from its `_docsize` blob: one varint per column.
/// `None` when the blob does not hold `columns` of them.
fn tokens_in(sizes: &[u8], columns: usize) -> Option<i64> {
    let mut rest = sizes;
    let mut total: i64 = 0;
    for _ in 0..columns {
        let (size, used) = varint(rest)?;
        total = total.checked_add(i64::try_from(size).ok()?)?;
        rest = rest.get(used..)?;
    }
    Some(total)
}

/// SQLite's variable-length integer at the start of `bytes`, and its
/// length: seven bits a byte, high bit set while more follow, the ninth
/// byte whole.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (index, &byte) in bytes.iter().enumerate().take(9) {
        if index == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

/// The blob of SQL value `value`, if it is one.
///
/// # Safety
/// `value` must be a value SQLite passed to the running function.
unsafe fn blob<'a>(value: *mut ffi::sqlite3_value) -> Option<&'a [u8]> {
    // SAFETY: per the caller; the pointer and length are read together,
    // and the bytes live as long as the call.
    unsafe {
        if ffi::sqlite3_value_type(value) != ffi::SQLITE_BLOB {
            return None;
        }
        let bytes = ffi::sqlite3_value_blob(value).cast::<u8>();
        let length = usize::try_from(ffi::sqlite3_value_bytes(value)).ok()?;
        if bytes.is_null() {
            return Some(&[]);
        }
        Some(std::slice::from_raw_parts(bytes, length))
    }
}

/// FTS5's BM25 for the current row (negated, as `bm25()` returns it: the
/// better the match, the lower), with the phrases' row counts given.
fn score(row: &Row, values: &[*mut ffi::sqlite3_value]) -> Result<f64, Problem> {
    let columns = usize::try_from(row.columns()).unwrap_or(0);
    let phrases = usize::try_from(row.phrases()).unwrap_or(0);
    let sizes = match values.len().checked_sub(columns + phrases) {
        Some(0) => None,
        // SAFETY: the values are this call's.
        Some(1) => values.last().and_then(|value| unsafe { blob(*value) }),
        _ => return Err(Problem::Arguments),
    };
    // SAFETY: the values are this call's.
    let number = |index: usize| values.get(index).map(|value| unsafe { ffi::sqlite3_value_double(*value) });
    let Totals { rows, average } = row.totals()?;
    // Called for every candidate: a search's few phrases are counted on
    // the stack.
    let (mut stack, mut heap) = ([0.0; 16], Vec::new());
    let frequency: &mut [f64] = match stack.get_mut(..phrases) {
        Some(frequency) => frequency,
        None => {
            heap.resize(phrases, 0.0);
            &mut heap
        }
    };
    for index in 0..row.instances()? {
        let (phrase, column) = row.instance(index)?;
        if let (Some(f), Some(weight)) =
            (frequency.get_mut(phrase), number(column).filter(|_| column < columns))
        {
            *f += weight;
        }
    }
    let length = match sizes.and_then(|sizes| tokens_in(sizes, columns)) {
        Some(tokens) => tokens as f64,
        None => f64::from(row.tokens()?),
    };
    let score: f64 = frequency
        .iter()
        .enumerate()
        .map(|(phrase, &f)| {
            let holding = number(columns + phrase).unwrap_or(0.0);
            let idf = ((rows - holding + 0.5) / (holding + 0.5)).ln();
            let idf = if idf <= 0.0 { 1e-6 } else { idf };
            idf * (f * (K1 + 1.0)) / (f + K1 * (1.0 - B + B * length / average))
        })
        .sum();
    Ok(-score)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn index() -> Connection {
        let db = Connection::open_in_memory().expect("an in-memory database");
        // SAFETY: the connection is open and used by this thread only.
        unsafe { register(db.handle()) }.expect("the function registers");
        db.execute_batch(
            "CREATE VIRTUAL TABLE search_index USING fts5(title, body);
             INSERT INTO search_index (title, body) VALUES
               ('Bread and roses', 'As we go marching, marching, in the beauty of the day'),
               ('The internationale', 'Arise, ye workers from your slumbers, arise ye prisoners of want'),
               ('Solidarity forever', 'When the union''s inspiration through the workers'' blood shall run'),
               ('Workers of the world', 'workers workers unite, you have nothing to lose but your chains'),
               ('Joe Hill', 'I dreamed I saw Joe Hill last night, alive as you and me');",
        )
        .expect("the index fills");
        db
    }

    fn scores(db: &Connection, sql: &str, query: &str) -> Vec<(i64, f64)> {
        let mut statement = db.prepare(sql).expect("the statement prepares");
        statement
            .query_map([query], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("the query runs")
            .collect::<Result<_, _>>()
            .expect("the rows read")
    }

    #[test]
    fn exact_counts_give_fts5s_own_bm25() {
        let db = index();
        for (query, counts) in [("\"workers\"", "3"), ("\"workers\" \"the\"", "3, 4"), ("\"arise\"", "1")] {
            let ours = scores(
                &db,
                &format!(
                    "SELECT rowid, broadside_bm25(search_index, 10.0, 1.0, {counts}) FROM search_index \
                     WHERE search_index MATCH ?1 ORDER BY rowid"
                ),
                query,
            );
            let sized = scores(
                &db,
                &format!(
                    "SELECT search_index.rowid, broadside_bm25(search_index, 10.0, 1.0, {counts}, d.sz) \
                     FROM search_index CROSS JOIN search_index_docsize d ON d.id = search_index.rowid \
                     WHERE search_index MATCH ?1 ORDER BY search_index.rowid"
                ),
                query,
            );
            let fts5 = scores(
                &db,
                "SELECT rowid, bm25(search_index, 10.0, 1.0) FROM search_index \
                 WHERE search_index MATCH ?1 ORDER BY rowid",
                query,
            );
            assert!(!fts5.is_empty(), "{query} matches");
            for ours in [&ours, &sized] {
                assert_eq!(ours.len(), fts5.len());
                for ((row, ours), (_, theirs)) in ours.iter().zip(&fts5) {
                    assert!((ours - theirs).abs() < 1e-12, "{query}, row {row}: {ours} against {theirs}");
                }
            }
        }
    }

    #[test]
    fn sizes_are_read_as_fts5_writes_them() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x80, 0x01]), Some((16_385, 3)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
        assert_eq!(tokens_in(&[0x03, 0x81, 0x00], 2), Some(131));
        assert_eq!(tokens_in(&[0x03], 2), None);
        // A row long enough for two-byte sizes, against FTS5's own count.
        let db = index();
        let long = "word ".repeat(300);
        db.execute("INSERT INTO search_index (rowid, title, body) VALUES (99, 'Long', ?1)", [&long])
            .expect("the row is indexed");
        let sizes: Vec<u8> = db
            .query_row("SELECT sz FROM search_index_docsize WHERE id = 99", [], |row| row.get(0))
            .expect("the row has sizes");
        assert_eq!(tokens_in(&sizes, 2), Some(301));
    }

    #[test]
    fn a_missing_count_is_an_error_not_a_guess() {
        let db = index();
        let result: Result<f64, _> = db.query_row(
            "SELECT broadside_bm25(search_index, 10.0, 1.0) FROM search_index WHERE search_index MATCH 'workers'",
            [],
            |row| row.get(0),
        );
        let message = result.expect_err("the call is refused").to_string();
        assert!(message.contains("a row count for each phrase"), "{message}");
    }
}
