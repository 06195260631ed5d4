//! McAfee GTI over HTTP. The URIs travel as JSON data in the request body (never through a shell, never on a
//! command line). Request: `POST <url>` with `{"ci": <client info from the config>, "q": [{"op": "url", "url": U},
//! ...]}`; answer: `{"a": [{"rep": N, "cat": [codes]}, ...]}` aligned by position with the query, the shape of the
//! answer Spot's `refclient` printed. Labels as Spot mapped them: rep < 15 → `gti:Minimal:1`, 15–29 →
//! `gti:Unverified:-1`, 30–49 → `gti:Medium:2`, ≥ 50 → `gti:High:3`; an answer with `aflag` or without `rep`,
//! and any value that could not be checked, → `gti:Unverified:-1` (Spot's rep 16). Categories, when a category file
//! is configured, follow as `:name|group;name|group` for that answer only (Spot leaked them between answers).

use super::online::{body, classify, Checked, Client, Failure};
use std::collections::BTreeMap;

/// The label for values GTI could not check.
pub const UNKNOWN: &str = "gti:Unverified:-1";

/// A configured GTI endpoint.
#[derive(Debug, Clone)]
pub struct Gti {
    pub url: String,
    pub user: String,
    pub password: String,
    /// The `ci` (client information) object sent with each query.
    pub ci: serde_json::Value,
    /// category code → `name|group`.
    pub categories: BTreeMap<String, String>,
    pub batch: usize,
}

/// Spot's rep → label mapping.
pub fn rep_label(rep: i64) -> &'static str {
    match rep {
        i64::MIN..=14 => "gti:Minimal:1",
        15..=29 => "gti:Unverified:-1",
        30..=49 => "gti:Medium:2",
        _ => "gti:High:3",
    }
}

/// Parse a category CSV (`code,name,group`, no header; a quoted name may hold a comma). Lines with fewer than
/// three fields or no code (a title line, a blank line) name no category.
pub fn parse_categories(text: &str) -> BTreeMap<String, String> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter(|f| f.len() >= 3 && !f[0].is_empty())
        .map(|f| (f[0].to_string(), format!("{}|{}", &f[1], &f[2])))
        .collect()
}

impl Gti {
    fn label(&self, answer: &serde_json::Value) -> String {
        let rep = answer.get("rep").and_then(|r| r.as_i64().or_else(|| r.as_str().and_then(|s| s.parse().ok())));
        let rep = match rep {
            Some(r) if answer.get("aflag").is_none() => r,
            _ => return UNKNOWN.to_string(),
        };
        let mut label = rep_label(rep).to_string();
        if !self.categories.is_empty() {
            if let Some(cats) = answer.get("cat").and_then(|c| c.as_array()) {
                let names: Vec<&str> = cats
                    .iter()
                    .filter_map(|c| {
                        let code = c.as_i64().map(|n| n.to_string()).or_else(|| c.as_str().map(str::to_string))?;
                        self.categories.get(&code).map(String::as_str)
                    })
                    .collect();
                if !names.is_empty() {
                    label.push(':');
                    label.push_str(&names.join(";"));
                }
            }
        }
        label
    }

    /// Labels for `values`; values that could not be checked get [`UNKNOWN`] and are listed as failed.
    pub fn check(&self, client: &mut Client, values: &[String]) -> Checked {
        let mut out = Checked::default();
        for chunk in values.chunks(self.batch.max(1)) {
            let q: Vec<serde_json::Value> = chunk.iter().map(|v| serde_json::json!({"op": "url", "url": v})).collect();
            let payload = serde_json::json!({"ci": self.ci, "q": q}).to_string();
            let res = client.call(|http| {
                let mut req = http.post(&self.url).header("Content-Type", "application/json").body(payload.clone());
                if !self.user.is_empty() {
                    req = req.basic_auth(&self.user, Some(&self.password));
                }
                let text = body(req.send().map_err(classify)?)?;
                let v: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| Failure::Permanent(format!("answer is not JSON: {e}")))?;
                let a = v
                    .get("a")
                    .and_then(|a| a.as_array())
                    .cloned()
                    .ok_or_else(|| Failure::Permanent("answer has no list \"a\"".into()))?;
                Ok(a)
            });
            match res {
                Ok(answers) => {
                    for (i, v) in chunk.iter().enumerate() {
                        let l = answers.get(i).map(|a| self.label(a)).unwrap_or_else(|| UNKNOWN.to_string());
                        out.labels.insert(v.clone(), l);
                    }
                }
                Err(e) => out.fail(chunk, UNKNOWN, e),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rep_mapping_and_categories() {
        assert_eq!(rep_label(0), "gti:Minimal:1");
        assert_eq!(rep_label(14), "gti:Minimal:1");
        assert_eq!(rep_label(15), "gti:Unverified:-1");
        assert_eq!(rep_label(30), "gti:Medium:2");
        assert_eq!(rep_label(50), "gti:High:3");
        let g = Gti {
            url: String::new(),
            user: String::new(),
            password: String::new(),
            ci: serde_json::Value::Null,
            categories: parse_categories("1,Malicious Sites,Security\n2,Phishing,Security\n"),
            batch: 1,
        };
        assert_eq!(
            g.label(&serde_json::json!({"rep": 55, "cat": [1, 2, 9]})),
            "gti:High:3:Malicious Sites|Security;Phishing|Security"
        );
        assert_eq!(
            g.label(&serde_json::json!({"rep": 5})),
            "gti:Minimal:1",
            "no category leaks from the previous answer"
        );
        assert_eq!(g.label(&serde_json::json!({"rep": 5, "aflag": 1})), UNKNOWN);
        assert_eq!(g.label(&serde_json::json!({})), UNKNOWN);
    }

    #[test]
    fn a_quoted_category_name_keeps_its_comma() {
        let c = parse_categories("code,name\n7,\"Art, Culture\",Lifestyle\n\n 8 , Games , Leisure\n");
        assert_eq!(c.get("7").map(String::as_str), Some("Art, Culture|Lifestyle"));
        assert_eq!(c.get("8").map(String::as_str), Some("Games|Leisure"));
        assert_eq!(c.len(), 2, "{c:?}");
    }
}
