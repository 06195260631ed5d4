//! `proxy-oa score | threats | suspicious | storyboard | reset`: the analyst's side.

use super::Ctx;
use crate::analyst::{self, ScoreRequest, Story, SuspiciousFilter};
use crate::cli::{DayArgs, FindingsArgs, ScoreArgs, StoryboardArgs, SuspiciousArgs};
use crate::enrich::cache::Cache;
use crate::error::Error;
use crate::store;
use anyhow::{Context, Result};

fn open(ctx: &Ctx) -> Result<duckdb::Connection> {
    store::open(&ctx.ws, &ctx.cfg.store)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub fn score(ctx: &Ctx, a: ScoreArgs) -> Result<()> {
    let mut reqs = vec![];
    if !a.uri.is_empty() {
        let sev = a.sev.ok_or_else(|| Error::Usage("--uri needs --sev 1|2|3 (High, Medium, Low)".into()))?;
        reqs.extend(a.uri.iter().map(|u| ScoreRequest { uri: u.clone(), sev, origin: "--uri".into() }));
    }
    if let Some(f) = &a.from {
        reqs.extend(analyst::read_score_file(f, a.sev)?);
    }
    let mut conn = open(ctx)?;
    let r = analyst::score(&ctx.ws, &mut conn, a.date, &reqs)?;
    if ctx.json {
        return print_json(&r);
    }
    outln!("scored {} URI(s) on {}:", r.scored.len(), r.date);
    for s in &r.scored {
        let was = match s.previous {
            Some(p) if p == i32::from(s.uri_sev.value()) => " (unchanged)".to_string(),
            Some(p) => format!(" (was {} {})", p, analyst::label(i64::from(p))),
            None => String::new(),
        };
        outln!("  {}\t{} {}\t{} rows{was}", s.fulluri, s.uri_sev.value(), s.uri_sev.label(), s.rows);
    }
    outln!(
        "feedback for spot-ml: {} ({} scored rows, {} of them Low)",
        r.feedback.display(),
        r.feedback_rows,
        r.feedback_low_rows
    );
    Ok(())
}

pub fn threats(ctx: &Ctx, a: DayArgs) -> Result<()> {
    let conn = open(ctx)?;
    super::print_rows(ctx, &analyst::threats(&conn, a.date)?)
}

pub fn suspicious(ctx: &Ctx, a: SuspiciousArgs) -> Result<()> {
    let conn = open(ctx)?;
    let f = SuspiciousFilter { uri: a.uri, ip: a.ip, limit: a.limit };
    super::print_rows(ctx, &analyst::suspicious(&conn, a.date, &f)?)
}

pub fn findings(ctx: &Ctx, a: FindingsArgs) -> Result<()> {
    if let Some(d) = a.detector.as_deref().filter(|d| !crate::findings::DETECTORS.contains(d)) {
        return Err(
            Error::Usage(format!("--detector {d}: expected one of {}", crate::findings::DETECTORS.join(", "))).into()
        );
    }
    let conn = open(ctx)?;
    if store::count(&conn, crate::schema::PROXY_OA_INPUTS, a.date)? == 0 {
        return Err(Error::Unavailable(format!(
            "{} has not been run in {}: run the day (or import its bundle) first",
            a.date.compact(),
            ctx.ws.store_path().display()
        ))
        .into());
    }
    super::print_rows(ctx, &crate::findings::list(&conn, a.date, a.detector.as_deref(), a.ip.as_deref())?)
}

pub fn storyboard(ctx: &Ctx, a: StoryboardArgs) -> Result<()> {
    let text = match (&a.text, &a.text_file) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            String::from_utf8(bytes).map_err(|e| Error::Data(format!("{}: not UTF-8 text ({e})", p.display())))?
        }
        (None, None) => return Err(Error::Usage("give --text or --text-file".into()).into()),
    };
    let mut cache = Cache::open(&ctx.ws.cache_path())?;
    cache.ensure_iana(ctx.cfg.iana_path().as_deref())?;
    let iana = cache.iana()?;
    let mut conn = open(ctx)?;
    let story = Story { uri: a.uri, title: a.title, text, top: a.top as usize };
    let r = analyst::storyboard(&ctx.ws, &mut conn, &iana, a.date, &story)?;
    if ctx.json {
        return print_json(&r);
    }
    outln!("storyboard of {} on {} saved: \"{}\"", r.fulluri, r.date, r.title);
    outln!(
        "timeline: {} rows for the top {} client IPs ({} raw requests to the URI)",
        r.timeline_rows,
        r.top_clients.len(),
        r.raw_requests
    );
    if r.raw_requests == 0 {
        outln!("  (the raw day in the store has no request to it: load the raw day with `run --raw` for a timeline)");
    }
    outln!("incident progression: {} (referer for {} URIs)", r.incident_progression.display(), r.referer_for);
    Ok(())
}

pub fn reset(ctx: &Ctx, a: DayArgs) -> Result<()> {
    let mut conn = open(ctx)?;
    let r = analyst::reset(&ctx.ws, &mut conn, a.date)?;
    if ctx.json {
        return print_json(&r);
    }
    out!("{}", r.to_text());
    Ok(())
}
