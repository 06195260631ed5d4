//! Sigma's proxy rules (`logsource: category: proxy`) as a detector: each rule parsed from its YAML
//! (`yaml-rust2`), compiled to one SQL condition over the raw day with every value bound, and run by [`detect`].
//!
//! What a rule may use (anything else refuses the rule with the reason, shown by `proxy-oa sigma list`):
//!
//! - fields of Sigma's proxy taxonomy, mapped to Spot's columns ([`column`]);
//! - searches that are a map (its fields and-ed; a list of values or-ed, and-ed with `|all`) or a list of maps
//!   (or-ed); a value `null` or `''` matches an empty field;
//! - the modifiers `contains`, `startswith`, `endswith`, `all`, `re` (with `i`, `m`, `s`), `cidr` (IPv4), `exists`,
//!   `gt`, `gte`, `lt`, `lte`, `cased`; matching is case-insensitive unless `cased`, with `*` and `?` wildcards
//!   (`\*`, `\?`, `\\` literal), as Sigma specifies;
//! - conditions with `and`, `or`, `not`, parentheses, `1 of x*`, `all of x*`, `1 of them`, `all of them`.
//!
//! Refused: keyword (full-text) searches, aggregations (`| count() by ...`), other modifiers (`base64`,
//! `windash`, ...), fields without a column (`cs-cookie`, ...).

use crate::dialect::Param;
use crate::enrich::cache::{Cache, SigmaRow};
use yaml_rust2::{Yaml, YamlLoader};

/// One rule as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub level: String,
    pub author: String,
    pub status: String,
    /// The compiled condition: SQL over the raw day's columns with `$sN` parameters.
    pub sql: String,
    pub params: Vec<(String, Param)>,
}

/// What reading one rule file gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A proxy rule this tool runs.
    Rule(Rule),
    /// A proxy rule it cannot run: (id, title, reason).
    Refused { id: String, title: String, reason: String },
    /// Not a proxy rule (another `logsource`): its title.
    NotProxy(String),
}

/// The score of a finding of a rule of `level` (Sigma's levels).
pub fn level_score(level: &str) -> f64 {
    match level {
        "critical" => 1.0,
        "high" => 0.75,
        "medium" => 0.5,
        "low" => 0.3,
        _ => 0.1,
    }
}

/// The text a keyword (a search that names no field) is looked for in: the row's request and client text.
pub const FULL_TEXT: &str =
    "concat_ws(' ', reqmethod, host, fulluri, uripath, uriquery, useragent, referer, resconttype, username)";

/// The raw day's SQL for a field of Sigma's proxy taxonomy; `None`: no column holds it.
pub fn column(field: &str) -> Option<&'static str> {
    Some(match field {
        "c-uri" | "cs-uri" | "c-url" | "url" => "fulluri",
        "c-uri-query" | "cs-uri-query" => "uriquery",
        "c-uri-stem" | "cs-uri-stem" => "uripath",
        "c-uri-extension" | "cs-uri-extension" => {
            "coalesce(nullif(uriextension, ''), regexp_extract(uripath, '[.]([A-Za-z0-9]+)$', 1))"
        }
        "c-uri-scheme" | "cs-uri-scheme" => "urischeme",
        "c-uri-port" | "cs-uri-port" => "uriport",
        "c-useragent" | "cs-user-agent" | "cs(User-Agent)" => "useragent",
        "cs-host" | "r-dns" | "cs-hostname" => "host",
        "cs-method" => "reqmethod",
        "cs-referrer" | "cs(Referer)" | "cs-referer" => "referer",
        "sc-status" => "respcode",
        "cs-bytes" => "csbytes",
        "sc-bytes" => "scbytes",
        "src_ip" | "c-ip" => "clientip",
        "dst_ip" | "s-ip" | "cs-ip" => "serverip",
        "cs-username" | "c-username" => "username",
        "rs-content-type" | "rs(Content-Type)" | "cs-content-type" => "resconttype",
        "sc-filter-result" => "filterresult",
        "cs-categories" => "webcat",
        _ => return None,
    })
}

/// Import one Sigma rule file's text (read from `path`) into the cache: a proxy rule is stored (replacing one of
/// the same id) with the reason it cannot run, if any; another logsource's rule is left out. Bad YAML is bad data
/// (exit 1).
pub fn import_text(cache: &Cache, text: &str, path: &str) -> anyhow::Result<Parsed> {
    let parsed = parse(text, path).map_err(crate::error::Error::Data)?;
    let row = |id: &str, title: &str, level: &str, author: &str, status: &str, reason: &str| SigmaRow {
        id: id.into(),
        title: title.into(),
        level: level.into(),
        author: author.into(),
        status: status.into(),
        path: path.into(),
        reason: reason.into(),
    };
    match &parsed {
        Parsed::NotProxy(_) => {}
        Parsed::Rule(r) => cache.store_sigma(&row(&r.id, &r.title, &r.level, &r.author, &r.status, ""), text)?,
        Parsed::Refused { id, title, reason } => {
            let doc = |k: &str| field_of(text, k);
            cache.store_sigma(&row(id, title, &doc("level"), &doc("author"), &doc("status"), reason), text)?;
        }
    }
    Ok(parsed)
}

/// The imported Sigma rules that run, compiled, by id, and a warning for each stored rule that no longer
/// compiles (imported by a version of proxy-oa that read it differently): it is left out, never silently.
pub fn stored_rules(cache: &Cache) -> anyhow::Result<(Vec<Rule>, Vec<String>)> {
    let (mut out, mut warnings) = (vec![], vec![]);
    for (id, path, yaml) in cache.sigma_sources()? {
        // Each rule's parameters get their own names: the detector runs every rule in one statement.
        let prefix = format!("r{}s", out.len());
        match parse_as(&yaml, &path, &prefix) {
            Ok(Parsed::Rule(r)) => out.push(r),
            Ok(Parsed::Refused { reason, .. }) => warnings.push(format!(
                "Sigma rule {id} ({path}) no longer runs and was left out: {reason} (proxy-oa sigma import it again)"
            )),
            Ok(Parsed::NotProxy(_)) => {
                warnings.push(format!("Sigma rule {id} ({path}) is no longer a proxy rule and was left out"))
            }
            Err(e) => warnings.push(format!("Sigma rule {id} was left out: {e}")),
        }
    }
    Ok((out, warnings))
}

/// A top-level text field of a rule's YAML (empty when missing or not text): for refused rules' listing.
pub fn field_of(text: &str, key: &str) -> String {
    YamlLoader::load_from_str(text)
        .ok()
        .and_then(|d| d.first().and_then(|d| d[key].as_str().map(String::from)))
        .unwrap_or_default()
}

/// Read one rule file's text (`name` for messages); its parameters are named `$s0`, `$s1`, ...
pub fn parse(text: &str, name: &str) -> Result<Parsed, String> {
    parse_as(text, name, "s")
}

/// [`parse`] with the parameters named `$<prefix>0`, `$<prefix>1`, ... (several rules in one statement).
pub fn parse_as(text: &str, name: &str, prefix: &str) -> Result<Parsed, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("{name}: not YAML: {e}"))?;
    let doc = docs.first().ok_or_else(|| format!("{name}: empty"))?;
    if docs.len() > 1 {
        return Err(format!("{name}: {} YAML documents (a rule collection); give one rule a file", docs.len()));
    }
    let text_of = |k: &str| doc[k].as_str().unwrap_or("").to_string();
    let title = text_of("title");
    if doc["logsource"]["category"].as_str() != Some("proxy") {
        return Ok(Parsed::NotProxy(title));
    }
    let id = text_of("id");
    if let Some(missing) = [("id", &id), ("title", &title)].iter().find(|(_, v)| v.is_empty()).map(|(k, _)| k) {
        return Err(format!("{name}: field `{missing}` is missing or empty (a rule needs an id and a title)"));
    }
    let refuse = |reason: String| Parsed::Refused { id: id.clone(), title: title.clone(), reason };
    let mut c = Compiler { params: vec![], prefix: prefix.to_string() };
    match c.rule(&doc["detection"]) {
        Ok(sql) => Ok(Parsed::Rule(Rule {
            id: id.clone(),
            title: title.clone(),
            level: text_of("level"),
            author: text_of("author"),
            status: text_of("status"),
            sql,
            params: c.params,
        })),
        Err(reason) => Ok(refuse(reason)),
    }
}

struct Compiler {
    params: Vec<(String, Param)>,
    prefix: String,
}

impl Compiler {
    fn bind(&mut self, p: Param) -> String {
        let name = format!("{}{}", self.prefix, self.params.len());
        self.params.push((name.clone(), p));
        format!("${name}")
    }

    /// The whole `detection` block: its searches and its condition.
    fn rule(&mut self, detection: &Yaml) -> Result<String, String> {
        let Yaml::Hash(h) = detection else { return Err("no detection block".into()) };
        let mut searches: Vec<(String, String)> = vec![];
        let mut condition: Option<String> = None;
        for (k, v) in h {
            let key = k.as_str().ok_or("a search name that is not text")?;
            match key {
                "condition" => {
                    condition = Some(match v {
                        Yaml::String(s) => s.clone(),
                        Yaml::Array(a) if a.len() == 1 => a[0].as_str().ok_or("condition not text")?.to_string(),
                        _ => return Err("several conditions in one rule".into()),
                    })
                }
                "timeframe" => return Err("timeframe (a correlation over time)".into()),
                _ => {
                    let sql = self.search(v)?;
                    searches.push((key.to_string(), sql));
                }
            }
        }
        let condition = condition.ok_or("no condition")?;
        if condition.contains('|') {
            return Err(format!("an aggregation in the condition ({condition})"));
        }
        Condition::new(&condition, &searches)?.parse()
    }

    /// One search: a map of fields, or a list of maps (or-ed).
    fn search(&mut self, v: &Yaml) -> Result<String, String> {
        match v {
            Yaml::Hash(h) => {
                let mut parts = vec![];
                for (k, val) in h {
                    parts.push(self.field(k.as_str().ok_or("a field name that is not text")?, val)?);
                }
                if parts.is_empty() {
                    return Err("an empty search".into());
                }
                Ok(format!("({})", parts.join(" AND ")))
            }
            Yaml::Array(items) if items.iter().all(|i| matches!(i, Yaml::Hash(_))) && !items.is_empty() => {
                let parts: Result<Vec<String>, String> = items.iter().map(|i| self.search(i)).collect();
                Ok(format!("({})", parts?.join(" OR ")))
            }
            Yaml::Array(_) | Yaml::String(_) => self.field("", v),
            _ => Err("a search that is neither a map nor a list of maps".into()),
        }
    }

    /// `field|mod|mod: value(s)`; no field name (a keyword list, or `'|all'`): a keyword search, each value found
    /// anywhere in the row's text ([`FULL_TEXT`]).
    fn field(&mut self, key: &str, val: &Yaml) -> Result<String, String> {
        let mut parts = key.split('|');
        let name = parts.next().unwrap_or("");
        let mut mods: Vec<&str> = parts.collect();
        let col = if name.is_empty() {
            if !mods.iter().any(|m| matches!(*m, "contains" | "startswith" | "endswith" | "re")) {
                mods.push("contains");
            }
            FULL_TEXT
        } else {
            column(name).ok_or_else(|| format!("the field {name} has no column in Spot's proxy table"))?
        };
        let mut how = "equals";
        let (mut all, mut cased, mut re_flags) = (false, false, String::new());
        for m in &mods {
            match *m {
                "contains" | "startswith" | "endswith" | "re" | "cidr" | "exists" | "gt" | "gte" | "lt" | "lte" => {
                    if how != "equals" {
                        return Err(format!("the modifiers {how} and {m} together"));
                    }
                    how = m;
                }
                "all" => all = true,
                "cased" => cased = true,
                "i" | "m" | "s" if how == "re" => re_flags.push_str(m),
                other => return Err(format!("the modifier {other}")),
            }
        }
        let values: Vec<&Yaml> = match val {
            Yaml::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        if values.is_empty() {
            return Err(format!("no value for {key}"));
        }
        let mut preds = vec![];
        for v in values {
            preds.push(self.predicate(col, how, cased, &re_flags, v, key)?);
        }
        let joiner = if all { " AND " } else { " OR " };
        Ok(format!("({})", preds.join(joiner)))
    }

    fn predicate(
        &mut self,
        col: &str,
        how: &str,
        cased: bool,
        flags: &str,
        v: &Yaml,
        key: &str,
    ) -> Result<String, String> {
        let text = match v {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Integer(i) => Some(i.to_string()),
            Yaml::Real(r) => Some(r.clone()),
            Yaml::Boolean(b) => Some(b.to_string()),
            Yaml::Null => None,
            _ => return Err(format!("a value of {key} that is not a scalar")),
        };
        let col_text = format!("CAST({col} AS STRING)");
        match (how, text) {
            ("exists", Some(t)) => {
                let present = format!("({col} IS NOT NULL AND {col_text} <> '')");
                Ok(if t == "true" { present } else { format!("NOT {present}") })
            }
            (_, None) => Ok(format!("({col} IS NULL OR {col_text} = '')")),
            ("re", Some(t)) => {
                let pattern = if flags.is_empty() { t } else { format!("(?{flags}){t}") };
                let p = self.bind(Param::Text(pattern));
                Ok(format!("coalesce(proxy_matches({col_text}, {p}), false)"))
            }
            ("cidr", Some(t)) => self.cidr(&col_text, &t),
            ("gt" | "gte" | "lt" | "lte", Some(t)) => {
                let n: f64 = t.parse().map_err(|_| format!("{key}: {t} is not a number"))?;
                let op = match how {
                    "gt" => ">",
                    "gte" => ">=",
                    "lt" => "<",
                    _ => "<=",
                };
                let p = self.bind(Param::Float(n));
                Ok(format!("coalesce(TRY_CAST({col_text} AS DOUBLE) {op} {p}, false)"))
            }
            (_, Some(t)) => {
                if t.is_empty() && how == "equals" {
                    return Ok(format!("({col} IS NULL OR {col_text} = '')"));
                }
                let body = like_pattern(&t);
                let pattern = match how {
                    "contains" => format!("%{body}%"),
                    "startswith" => format!("{body}%"),
                    "endswith" => format!("%{body}"),
                    _ => body,
                };
                let op = if cased { "LIKE" } else { "ILIKE" };
                let p = self.bind(Param::Text(pattern));
                Ok(format!("coalesce({col_text} {op} {p} ESCAPE '\\', false)"))
            }
        }
    }

    /// A network: an IPv4 one by the column's dotted quad as a number within its range; an IPv6 one of at most
    /// /16 by the address's first group, a single IPv6 address (/128) by its canonical text.
    fn cidr(&mut self, col_text: &str, net: &str) -> Result<String, String> {
        if let Ok(n) = net.parse::<ipnet::Ipv6Net>() {
            if n.prefix_len() == 128 {
                let p = self.bind(Param::Text(n.addr().to_string()));
                return Ok(format!("coalesce(lower({col_text}) = {p}, false)"));
            }
            if n.prefix_len() > 16 {
                return Err(format!("the network {net} (IPv6 networks of at most /16 or single addresses only)"));
            }
            let first = |a: std::net::Ipv6Addr| i64::from(a.segments()[0]);
            let lo = self.bind(Param::Int(first(n.network())));
            let hi = self.bind(Param::Int(first(n.broadcast())));
            let group = format!("split_part(lower({col_text}), ':', 1)");
            return Ok(format!(
                "coalesce(contains({col_text}, ':') AND proxy_hex16(CASE WHEN {group} = '' THEN '0' ELSE {group} \
                 END) BETWEEN {lo} AND {hi}, false)"
            ));
        }
        let n: ipnet::Ipv4Net = net.parse().map_err(|_| format!("the network {net} is not a network"))?;
        let lo = self.bind(Param::Int(i64::from(u32::from(n.network()))));
        let hi = self.bind(Param::Int(i64::from(u32::from(n.broadcast()))));
        let octet = |i: usize| format!("TRY_CAST(split_part({col_text}, '.', {i}) AS BIGINT)");
        Ok(format!(
            "coalesce(proxy_matches({col_text}, '^[0-9]{{1,3}}([.][0-9]{{1,3}}){{3}}$') AND \
             {} * 16777216 + {} * 65536 + {} * 256 + {} BETWEEN {lo} AND {hi}, false)",
            octet(1),
            octet(2),
            octet(3),
            octet(4)
        ))
    }
}

/// A Sigma value as a LIKE pattern (escape `\`): `*` any text, `?` one character, `\*` `\?` `\\` literal.
pub fn like_pattern(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                let n = chars.next().unwrap_or('\\');
                if n == '\\' {
                    out.push_str("\\\\");
                } else {
                    out.push(n);
                }
            }
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The condition's recursive-descent parser over the searches' SQL.
struct Condition<'a> {
    tokens: Vec<String>,
    pos: usize,
    searches: &'a [(String, String)],
}

impl<'a> Condition<'a> {
    fn new(text: &str, searches: &'a [(String, String)]) -> Result<Self, String> {
        let spaced = text.replace('(', " ( ").replace(')', " ) ");
        let tokens: Vec<String> = spaced.split_whitespace().map(String::from).collect();
        if tokens.is_empty() {
            return Err("an empty condition".into());
        }
        Ok(Condition { tokens, pos: 0, searches })
    }

    fn parse(mut self) -> Result<String, String> {
        let e = self.or()?;
        if self.pos != self.tokens.len() {
            return Err(format!("the condition does not parse at '{}'", self.tokens[self.pos]));
        }
        Ok(e)
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn next(&mut self) -> Result<String, String> {
        let t = self.tokens.get(self.pos).cloned().ok_or("the condition ends too early")?;
        self.pos += 1;
        Ok(t)
    }

    fn or(&mut self) -> Result<String, String> {
        let mut parts = vec![self.and()?];
        while self.peek().map(str::to_lowercase).as_deref() == Some("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { format!("({})", parts.join(" OR ")) })
    }

    fn and(&mut self) -> Result<String, String> {
        let mut parts = vec![self.not()?];
        while self.peek().map(str::to_lowercase).as_deref() == Some("and") {
            self.pos += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { format!("({})", parts.join(" AND ")) })
    }

    fn not(&mut self) -> Result<String, String> {
        if self.peek().map(str::to_lowercase).as_deref() == Some("not") {
            self.pos += 1;
            return Ok(format!("(NOT {})", self.not()?));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<String, String> {
        let t = self.next()?;
        if t == "(" {
            let e = self.or()?;
            if self.peek() != Some(")") {
                return Err("a parenthesis is not closed".into());
            }
            self.pos += 1;
            return Ok(e);
        }
        let lower = t.to_lowercase();
        if lower == "1" || lower == "all" || lower == "any" {
            if self.next()?.to_lowercase() != "of" {
                return Err(format!("'{t}' without 'of'"));
            }
            let target = self.next()?;
            let matched: Vec<&str> = self
                .searches
                .iter()
                .filter(|(name, _)| target == "them" || wildcard_match(&target, name))
                .filter(|(name, _)| target != "them" || !name.starts_with('_'))
                .map(|(_, sql)| sql.as_str())
                .collect();
            if matched.is_empty() {
                return Err(format!("'{t} of {target}' names no search"));
            }
            let joiner = if lower == "all" { " AND " } else { " OR " };
            return Ok(format!("({})", matched.join(joiner)));
        }
        self.searches
            .iter()
            .find(|(name, _)| *name == t)
            .map(|(_, sql)| sql.clone())
            .ok_or_else(|| format!("the condition names {t}, which is no search of the rule"))
    }
}

/// Whether `name` matches a Sigma search pattern with `*` wildcards.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            if !name.starts_with(head) {
                return false;
            }
            let tail = &name[head.len()..];
            if rest.is_empty() {
                return true;
            }
            (0..=tail.len()).filter(|i| tail.is_char_boundary(*i)).any(|i| wildcard_match(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(detection: &str) -> Parsed {
        let text = format!(
            "title: T\nid: 00000000-0000-0000-0000-000000000001\nlevel: high\nauthor: A\nlogsource:\n  category: proxy\ndetection:\n{detection}"
        );
        parse(&text, "t.yml").unwrap()
    }

    fn sql(detection: &str) -> (String, Vec<(String, Param)>) {
        match rule(detection) {
            Parsed::Rule(r) => (r.sql, r.params),
            other => panic!("{other:?}"),
        }
    }

    fn refused(detection: &str) -> String {
        match rule(detection) {
            Parsed::Refused { reason, .. } => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wildcards_become_like_patterns_and_literals_stay_literal() {
        assert_eq!(like_pattern("a*b?c"), "a%b_c");
        assert_eq!(like_pattern("100%_x"), "100\\%\\_x");
        assert_eq!(like_pattern("a\\*b\\?c\\\\d"), "a*b?c\\\\d");
        assert_eq!(like_pattern("C:\\Windows"), "C:\\\\Windows");
    }

    #[test]
    fn searches_conditions_and_modifiers_compile_with_bound_values() {
        let (s, p) = sql(
            "  sel:\n    c-uri|contains|all:\n      - '/a'\n      - \"x'y\"\n    cs-method: POST\n  condition: sel\n",
        );
        assert_eq!(
            s,
            "((coalesce(CAST(fulluri AS STRING) ILIKE $s0 ESCAPE '\\', false) AND coalesce(CAST(fulluri AS STRING) \
             ILIKE $s1 ESCAPE '\\', false)) AND (coalesce(CAST(reqmethod AS STRING) ILIKE $s2 ESCAPE '\\', false)))"
        );
        assert_eq!(p[1].1, Param::Text("%x'y%".into()), "values are bound, never in the text");
        let (s, _) = sql(
            "  a1:\n    cs-host: a\n  a2:\n    cs-host: b\n  f:\n    sc-status: 404\n  condition: 1 of a* and not f\n",
        );
        assert!(s.starts_with("((") && s.contains(" OR ") && s.contains("(NOT "), "{s}");
        let (s, _) = sql("  a:\n    cs-host: a\n  b:\n    cs-host: b\n  condition: all of them\n");
        assert!(s.contains(") AND ("), "{s}");
        let (s, p) = sql("  s:\n    dst_ip|cidr: 10.0.0.0/8\n  condition: s\n");
        assert!(s.contains("BETWEEN $s0 AND $s1"), "{s}");
        assert_eq!((p[0].1.clone(), p[1].1.clone()), (Param::Int(167_772_160), Param::Int(184_549_375)));
        let (s, p) = sql("  s:\n    c-uri|re|i: '^a.*b$'\n  condition: s\n");
        assert!(s.contains("proxy_matches"), "{s}");
        assert_eq!(p[0].1, Param::Text("(?i)^a.*b$".into()));
        let (s, _) = sql("  s:\n    c-useragent: ''\n  condition: s\n");
        assert!(s.contains("useragent IS NULL OR"), "{s}");
        let (_, p) = sql("  s:\n    - cs-host: a\n    - cs-host: b\n  condition: s\n");
        assert_eq!(p.len(), 2);
        // Keywords: found anywhere in the row's text; `'|all'` needs every one.
        let (s, p) = sql("  k:\n    - evil\n    - bad\n  condition: k\n");
        assert!(s.contains("concat_ws(' ', reqmethod, host, fulluri") && s.contains(" OR "), "{s}");
        assert_eq!(p[0].1, Param::Text("%evil%".into()));
        let (s, _) = sql("  k:\n    '|all':\n      - a\n      - b\n  condition: k\n");
        assert!(s.contains(" AND "), "{s}");
        let (s, p) = sql("  s:\n    dst_ip|cidr:\n      - 'fe80::/10'\n      - '::1/128'\n  condition: s\n");
        assert!(s.contains("BETWEEN $s0 AND $s1") && s.contains("= $s2"), "{s}");
        assert_eq!((p[0].1.clone(), p[1].1.clone()), (Param::Int(0xfe80), Param::Int(0xfebf)));
        assert_eq!(p[2].1, Param::Text("::1".into()));
    }

    #[test]
    fn what_cannot_run_is_refused_with_its_reason() {
        assert!(refused("  s:\n    cs-cookie: a\n  condition: s\n").contains("cs-cookie has no column"));
        assert!(refused("  s:\n    cs-cookie: a\n  condition: s\n").contains("cs-cookie has no column"));
        assert!(refused("  s:\n    c-uri|base64offset|contains: a\n  condition: s\n").contains("modifier base64offset"));
        assert!(refused("  s:\n    cs-host: a\n  condition: s | count() by src_ip > 10\n").contains("aggregation"));
        assert!(refused("  s:\n    cs-host: a\n  condition: t\n").contains("names t"));
        assert!(refused("  s:\n    cs-host: a\n  condition: (s\n").contains("not closed"));
        assert!(refused("  s:\n    dst_ip|cidr: 'fe80::/64'\n  condition: s\n").contains("at most /16"));
        let other = "title: X\nid: x\nlogsource:\n  category: process_creation\ndetection:\n  s:\n    Image: a\n  condition: s\n";
        assert_eq!(parse(other, "x.yml").unwrap(), Parsed::NotProxy("X".into()));
        assert!(parse("title: [", "bad.yml").unwrap_err().contains("bad.yml: not YAML"));
    }

    #[test]
    fn a_stored_rule_that_no_longer_compiles_is_left_out_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.sqlite")).unwrap();
        let rule = |id: &str, field: &str| {
            format!(
                "title: T {id}\nid: {id}\nlevel: high\nauthor: A\nlogsource:\n  category: proxy\ndetection:\n  s:\n    \
                 {field}: x\n  condition: s\n"
            )
        };
        import_text(&cache, &rule("a", "cs-host"), "a.yml").unwrap();
        import_text(&cache, &rule("b", "cs-host"), "b.yml").unwrap();
        // As if an earlier version had accepted a field this one has no column for.
        let stored = SigmaRow {
            id: "b".into(),
            title: "T b".into(),
            level: "high".into(),
            author: "A".into(),
            status: String::new(),
            path: "b.yml".into(),
            reason: String::new(),
        };
        cache.store_sigma(&stored, &rule("b", "cs-cookie")).unwrap();
        let (rules, warnings) = stored_rules(&cache).unwrap();
        assert_eq!(rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("Sigma rule b (b.yml) no longer runs") && warnings[0].contains("cs-cookie"));
    }
}
