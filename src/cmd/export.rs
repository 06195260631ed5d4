//! `proxy-oa export`, `import` and `load`

use super::Ctx;
use crate::cli::{ExportArgs, ImportArgs, LoadArgs};
use crate::export::{self, load, ExportOptions};
use anyhow::Result;

pub fn export(ctx: &Ctx, a: ExportArgs) -> Result<()> {
    let out = a.out.unwrap_or_else(|| ctx.ws.root().join("bundles"));
    let s = export::export(
        &ctx.ws,
        &ctx.cfg,
        &ExportOptions { day: a.date, out, tables: a.tables, codec: a.compression, with_raw: a.with_raw },
    )?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        outln!("{}", s.bundle.display());
        for (t, n) in &s.tables {
            eprintln!("  {t:<26} {n:>9} rows");
        }
        eprintln!("  {} bytes, sha256 {}", s.bytes, s.sha256);
        for n in &s.notes {
            eprintln!("note: {n}");
        }
    }
    Ok(())
}

pub fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let s = export::import(&ctx.ws, &ctx.cfg, &a.bundle, a.max_mib << 20)?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        outln!("imported {} into {}", s.date, ctx.ws.store_path().display());
        for (t, n) in &s.tables {
            outln!("  {t:<26} {n:>9} rows");
        }
        for f in &s.files {
            outln!("  {}", f.display());
        }
    }
    Ok(())
}

pub fn load(ctx: &Ctx, a: LoadArgs) -> Result<()> {
    let b = export::open_bundle(&a.bundle, a.max_mib << 20)?;
    let script = load::script_path(&b);
    let plan = load::plan(&ctx.cfg, &b, &script)?;
    if a.dry_run {
        if ctx.json {
            outln!("{}", serde_json::to_string_pretty(&plan)?);
            return Ok(());
        }
        outln!("-- dry run: nothing is uploaded or executed");
        for f in &plan.folders {
            outln!(
                "-- folder {} (made if missing; files the bundle does not carry are removed)",
                crate::engine::shown(&ctx.cfg, f)
            );
        }
        for u in &plan.uploads {
            outln!("-- upload {} ({} bytes) -> {}", u.file, u.bytes, crate::engine::shown(&ctx.cfg, &u.hdfs));
        }
        outln!("-- then: {}", plan.command.join(" "));
        out!("{}", plan.script);
        return Ok(());
    }
    let r = load::execute(&ctx.cfg, &b, plan, &script)?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        outln!("loaded {} ({} files uploaded)", b.manifest.date, r.plan.uploads.len());
        for p in &r.removed {
            outln!("  removed {} (not in this bundle)", crate::engine::shown(&ctx.cfg, p));
        }
        for u in &r.plan.uploads {
            outln!("  {} -> {}", u.file, crate::engine::shown(&ctx.cfg, &u.hdfs));
        }
    }
    Ok(())
}
