//! `proxy-oa show`: one day of a table as TSV.

use super::Ctx;
use crate::cli::ShowArgs;
use crate::error::Error;
use crate::schema::{self, Table};
use crate::store;
use anyhow::Result;

pub fn main(ctx: &Ctx, a: ShowArgs) -> Result<()> {
    let table = Table::by_name(&a.table).ok_or_else(|| {
        Error::Usage(format!(
            "--table {}: expected one of {}",
            a.table,
            schema::TABLES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let conn = store::open(&ctx.ws, &ctx.cfg.store)?;
    super::print_rows(ctx, &store::dump(&conn, table, a.date)?)
}
