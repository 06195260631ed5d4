//! One thin file per subcommand: turn arguments into options, call one library function, print the result.

/// `println!` that returns an error instead of panicking when stdout is closed (`main` exits 0 quietly then).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `print!` that returns an error instead of panicking when stdout is closed.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod allow;
mod analyst;
mod bench;
mod cache;
mod check;
mod demo;
mod export;
mod fetch;
mod rank;
mod report;
mod reputation;
mod run;
mod show;
mod sigma;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::workspace::Workspace;
use anyhow::Result;

/// Shared context of every subcommand.
pub struct Ctx {
    pub ws: Workspace,
    pub cfg: Config,
    pub json: bool,
}

/// Run the chosen subcommand.
pub fn dispatch(cli: Cli) -> Result<()> {
    let cfg = Config::load(cli.config.as_deref())?;
    let ctx = Ctx { ws: Workspace::new(&cli.workspace)?, cfg, json: cli.json };
    match cli.command {
        Command::Run(a) => run::main(&ctx, a),
        Command::Rank(a) => rank::main(&ctx, a),
        Command::Demo(a) => demo::main(&ctx, a),
        Command::Fetch(a) => fetch::main(&ctx, a),
        Command::Export(a) => export::export(&ctx, a),
        Command::Import(a) => export::import(&ctx, a),
        Command::Load(a) => export::load(&ctx, a),
        Command::Check => check::main(&ctx),
        Command::Cache(c) => cache::main(&ctx, c),
        Command::Reputation(c) => reputation::main(&ctx, c),
        Command::Allow(c) => allow::main(&ctx, c),
        Command::Score(a) => analyst::score(&ctx, a),
        Command::Threats(a) => analyst::threats(&ctx, a),
        Command::Suspicious(a) => analyst::suspicious(&ctx, a),
        Command::Findings(a) => analyst::findings(&ctx, a),
        Command::Sigma(c) => sigma::main(&ctx, c),
        Command::Storyboard(a) => analyst::storyboard(&ctx, a),
        Command::Reset(a) => analyst::reset(&ctx, a),
        Command::Show(a) => show::main(&ctx, a),
        Command::Report(a) => report::main(&ctx, a),
        Command::Bench(a) => bench::main(&ctx, a),
    }
}

/// Print a run summary as text or JSON.
pub(crate) fn print_summary(ctx: &Ctx, s: &crate::pipeline::Summary) -> Result<()> {
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(s)?);
    } else {
        out!("{}", s.to_text());
    }
    Ok(())
}

/// Print rows as TSV with a header (NULL as \N, text escaped), or with --json as an array of objects.
pub(crate) fn print_rows(ctx: &Ctx, rows: &crate::store::Rows) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if ctx.json {
        serde_json::to_writer_pretty(&mut out, &rows.to_json())?;
        writeln!(out)?;
    } else {
        out.write_all(rows.to_tsv().as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// `reputation list` / `allow list`: one line per imported feed or list (with its kind when `show_kind`) and its
/// age, flagged past `[reputation] max_age_days`; with --json the records, the kind under `kind_key`.
pub(crate) fn print_imported(
    ctx: &Ctx,
    list: &[crate::enrich::cache::Imported],
    kind_key: &str,
    show_kind: bool,
    none: &str,
) -> Result<()> {
    if ctx.json {
        let v: Vec<serde_json::Value> = list
            .iter()
            .map(|f| {
                let mut o = serde_json::Map::new();
                o.insert("name".into(), f.name.clone().into());
                o.insert(kind_key.into(), f.kind.clone().into());
                o.insert("path".into(), f.path.clone().into());
                o.insert("sha256".into(), f.sha256.clone().into());
                o.insert("rows".into(), f.rows.into());
                o.insert("imported_at".into(), f.imported_at.clone().into());
                serde_json::Value::Object(o)
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if list.is_empty() {
        outln!("{none}");
    }
    let max = ctx.cfg.reputation.max_age_days;
    for f in list {
        let kind = if show_kind { format!("\t{}", f.kind) } else { String::new() };
        let age = match crate::enrich::cache::age_days(&f.imported_at) {
            Some(d) if max > 0 && d > i64::from(max) => format!(" ({d} days ago: older than {max} days)"),
            Some(d) => format!(" ({d} days ago)"),
            None => String::new(),
        };
        outln!(
            "{}{kind}\t{} entries\t{}\tsha256 {}\timported {}{age}",
            f.name,
            f.rows,
            f.path,
            f.sha256,
            f.imported_at
        );
    }
    Ok(())
}
