//! Statements with many bound values: multi-row `INSERT`s and `IN (...)` lists.
//!
//! sqlx's SQLite driver runs each statement on a worker thread, so every statement costs a
//! thread wake-up (about 50 µs on our machines). Writing a 100,000-entry draft one row per
//! statement would take seconds on wake-ups alone, so rows go in as few statements as the
//! backend's bind limit allows.
//!
//! We build the SQL text ourselves instead of using `sqlx::QueryBuilder`: on the `Any` driver
//! `QueryBuilder` writes `?` placeholders, which PostgreSQL rejects. SQLite gets anonymous `?`
//! (it numbers them in O(1); `$N` would be a *named* parameter that SQLite looks up by a linear
//! scan, quadratic over 32,766 binds), PostgreSQL gets `$N`.

use std::fmt::Write as _;

use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments as _, Encode, Type};

use crate::Backend;

impl Backend {
    /// The most values one statement may bind: SQLite's `SQLITE_MAX_VARIABLE_NUMBER` (32,766
    /// since 3.32; sqlx bundles a newer SQLite) and PostgreSQL's 16-bit parameter count.
    pub(crate) fn max_binds(self) -> usize {
        match self {
            Backend::Sqlite => 32_766,
            Backend::Postgres => 65_535,
        }
    }
}

/// One statement under construction: SQL text plus its arguments.
pub(crate) struct Statement {
    backend: Backend,
    text: String,
    args: AnyArguments,
    n_args: usize,
}

impl Statement {
    /// Starts a statement with `text`.
    pub(crate) fn new(backend: Backend, text: &str) -> Statement {
        Statement { backend, text: text.to_owned(), args: AnyArguments::default(), n_args: 0 }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Statement {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub(crate) fn bind<'t, T>(&mut self, value: T) -> &mut Statement
    where
        T: Encode<'t, Any> + Type<Any> + 't,
    {
        self.n_args += 1;
        match self.backend {
            Backend::Sqlite => self.text.push('?'),
            Backend::Postgres => {
                write!(self.text, "${}", self.n_args).expect("writing to a String cannot fail");
            }
        }
        // Encoding text, integers and NULLs into `AnyArguments` only pushes a value.
        self.args
            .add(value)
            .expect("encoding a text or integer value into AnyArguments cannot fail");
        self
    }

    /// Appends `(v1, v2, ...)` binding each value; an empty list becomes `(NULL)`, which
    /// matches nothing.
    pub(crate) fn push_in_list<'t, T>(
        &mut self,
        values: impl IntoIterator<Item = T>,
    ) -> &mut Statement
    where
        T: Encode<'t, Any> + Type<Any> + 't,
    {
        self.push("(");
        let mut first = true;
        for value in values {
            if !first {
                self.push(", ");
            }
            first = false;
            self.bind(value);
        }
        if first {
            self.push("NULL");
        }
        self.push(")")
    }

    /// The query, not cached as a prepared statement: these texts vary with the row count and
    /// would only crowd out the small statements that are worth caching.
    pub(crate) fn build(self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        sqlx::query_with(sqlx::AssertSqlSafe(self.text), self.args).persistent(false)
    }

    /// The query mapped to rows of `R`, not cached (see [`Statement::build`]).
    pub(crate) fn build_as<R>(self) -> sqlx::query::QueryAs<'static, Any, R, AnyArguments>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        sqlx::query_as_with(sqlx::AssertSqlSafe(self.text), self.args).persistent(false)
    }
}

/// Binds the columns of one row, writing the separators.
pub(crate) struct RowValues<'s> {
    stmt: &'s mut Statement,
    first: bool,
}

impl RowValues<'_> {
    /// Binds the next column.
    pub(crate) fn bind<'t, T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'t, Any> + Type<Any> + 't,
    {
        if !self.first {
            self.stmt.push(", ");
        }
        self.first = false;
        self.stmt.bind(value);
        self
    }
}

/// Inserts `rows` with as few statements as the bind limit allows and returns how many rows
/// were inserted. `head` is `INSERT INTO t (c1, ..., cN) VALUES `, `tail` follows the values
/// (`""` or an `ON CONFLICT` clause), and `bind_row` binds exactly `n_cols` values per row.
pub(crate) async fn insert_rows<T>(
    conn: &mut AnyConnection,
    backend: Backend,
    head: &str,
    tail: &str,
    n_cols: usize,
    rows: impl IntoIterator<Item = T>,
    mut bind_row: impl FnMut(&mut RowValues<'_>, T),
) -> Result<u64, sqlx::Error> {
    let rows_per_stmt = (backend.max_binds() / n_cols).max(1);
    let mut inserted = 0;
    let mut stmt: Option<(Statement, usize)> = None;
    for row in rows {
        let (current, n_rows) = stmt.get_or_insert_with(|| (Statement::new(backend, head), 0));
        if *n_rows > 0 {
            current.push(", ");
        }
        current.push("(");
        bind_row(&mut RowValues { stmt: current, first: true }, row);
        current.push(")");
        *n_rows += 1;
        if *n_rows == rows_per_stmt
            && let Some((mut full, _)) = stmt.take()
        {
            full.push(tail);
            inserted += full.build().execute(&mut *conn).await?.rows_affected();
        }
    }
    if let Some((mut last, _)) = stmt.take() {
        last.push(tail);
        inserted += last.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// Runs `head (v1, ..., vK) tail` for chunks of `values` under the bind limit and collects the
/// rows. `head` and `tail` must bind nothing themselves.
pub(crate) async fn select_in<R>(
    conn: &mut AnyConnection,
    backend: Backend,
    head: &str,
    tail: &str,
    values: &[String],
) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut out = Vec::new();
    for chunk in values.chunks(backend.max_binds()) {
        let mut stmt = Statement::new(backend, head);
        stmt.push_in_list(chunk.iter().map(String::as_str)).push(tail);
        out.extend(stmt.build_as::<R>().fetch_all(&mut *conn).await?);
    }
    Ok(out)
}
