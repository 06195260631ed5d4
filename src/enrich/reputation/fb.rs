//! Facebook ThreatExchange. One `POST <url>` per value with a properly form-encoded body: `access_token` =
//! `app_id|app_secret` and `batch` = a JSON array of two Graph API requests (the indicator, then its descriptors),
//! the value URL-encoded inside `relative_url`. The answer is a JSON array of `{"code", "body"}`; the status of the
//! last item with data decides: `MALICIOUS` → `fb:MALICIOUS:3`, `SUSPICIOUS` → `fb:SUSPICIOUS:2`,
//! `NON_MALICIOUS` → `fb:NON_MALICIOUS:0`, anything else → `fb:UNKNOWN:-1`. No status in any item: ThreatExchange
//! does not know the value (no label). A failure (refused, timeout, 5xx, garbage) → `fb:UNKNOWN:-1`. The credentials travel only
//! in the request body and never appear in a message.

use super::online::{body, classify, Checked, Client, Failure};

/// The label for values ThreatExchange could not check.
pub const UNKNOWN: &str = "fb:UNKNOWN:-1";

/// A configured ThreatExchange endpoint.
#[derive(Clone)]
pub struct Fb {
    pub url: String,
    pub app_id: String,
    pub app_secret: String,
}

impl std::fmt::Debug for Fb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fb").field("url", &self.url).field("app_id", &"<redacted>").finish()
    }
}

/// The label of a ThreatExchange status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "MALICIOUS" => "fb:MALICIOUS:3",
        "SUSPICIOUS" => "fb:SUSPICIOUS:2",
        "NON_MALICIOUS" => "fb:NON_MALICIOUS:0",
        _ => UNKNOWN,
    }
}

/// The form body for one value.
pub fn form(app_id: &str, app_secret: &str, value: &str) -> String {
    let text: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let batch = serde_json::json!([
        {"method": "GET", "name": "indicator", "relative_url": format!("v2.4/threat_indicators?type=URI&text={text}")},
        {"method": "GET", "relative_url": "v2.4/{result=indicator:$.data.*.id}/descriptors"}
    ]);
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("access_token", &format!("{app_id}|{app_secret}"))
        .append_pair("batch", &batch.to_string())
        .finish()
}

/// The label in a batch answer; `Ok(None)` when ThreatExchange has no data for the value.
pub fn parse_answer(text: &str) -> Result<Option<&'static str>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("answer is not JSON: {e}"))?;
    let items = v.as_array().ok_or("answer is not a JSON array")?;
    let mut label = None;
    for item in items.iter().filter(|i| !i.is_null()) {
        let code = item.get("code").and_then(|c| c.as_i64()).unwrap_or(0);
        if code != 200 {
            return Err(format!("batch item answered HTTP {code}"));
        }
        let body = item.get("body").and_then(|b| b.as_str()).unwrap_or("{}");
        let b: serde_json::Value =
            serde_json::from_str(body).map_err(|e| format!("batch item body is not JSON: {e}"))?;
        // The indicator item carries ids; the descriptors item carries the status.
        let first = b.get("data").and_then(|d| d.as_array()).and_then(|d| d.first());
        if let Some(status) = first.and_then(|f| f.get("status")).and_then(|s| s.as_str()) {
            label = Some(status_label(status));
        }
    }
    Ok(label)
}

impl Fb {
    /// Labels for `values` (values ThreatExchange does not know are absent); values that could not be checked get
    /// [`UNKNOWN`] and are listed as failed.
    pub fn check(&self, client: &mut Client, values: &[String]) -> Checked {
        let mut out = Checked::default();
        for v in values {
            let payload = form(&self.app_id, &self.app_secret, v);
            let res = client.call(|http| {
                let resp = http
                    .post(&self.url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(payload.clone())
                    .send()
                    .map_err(classify)?;
                parse_answer(&body(resp)?).map_err(Failure::Permanent)
            });
            match res {
                Ok(Some(l)) => {
                    out.labels.insert(v.clone(), l.to_string());
                }
                Ok(None) => {}
                Err(e) => out.fail(std::slice::from_ref(v), UNKNOWN, e),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_is_properly_encoded() {
        let f = form("id", "s&cret", "evil.com/a b?x=1&y=2");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(f.as_bytes()).into_owned().collect();
        assert_eq!(pairs[0], ("access_token".into(), "id|s&cret".into()));
        let batch: serde_json::Value = serde_json::from_str(&pairs[1].1).unwrap();
        let rel = batch[0]["relative_url"].as_str().unwrap();
        assert!(rel.ends_with("text=evil.com%2Fa+b%3Fx%3D1%26y%3D2"), "{rel}");
    }

    #[test]
    fn answers() {
        let ok = r#"[{"code":200,"body":"{\"data\":[{\"id\":\"1\"}]}"},{"code":200,"body":"{\"data\":[{\"status\":\"MALICIOUS\"}]}"}]"#;
        assert_eq!(parse_answer(ok), Ok(Some("fb:MALICIOUS:3")));
        let none = r#"[{"code":200,"body":"{\"data\":[]}"},null]"#;
        assert_eq!(parse_answer(none), Ok(None));
        assert!(parse_answer(r#"[{"code":500,"body":"x"}]"#).is_err());
        assert!(parse_answer("not json").is_err());
        assert_eq!(status_label("WEIRD"), UNKNOWN);
    }
}
