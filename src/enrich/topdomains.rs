//! The site's top-domain list (`proxy-oa cache topdomains import FILE`): a `rank,domain` CSV as Tranco, Cisco
//! Umbrella and the retired Alexa list publish it. spot-ml keeps the **first label** of each domain
//! (`parts(1).split('.')(0)`: `google.co.uk` gives `google`), and a host whose domain (`DomainProcessor`) is one
//! of those labels gets the top-domain flag 1 in its word.

/// What a list gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The distinct first labels, sorted.
    pub labels: Vec<String>,
    /// Lines with a domain.
    pub entries: usize,
}

/// Parse a `rank,domain` list. Every line that is not blank must be a rank (digits) and a domain with a first
/// label; anything else is refused, naming its line, so a wrong file is never half loaded. A UTF-8 byte order
/// mark and `\r\n` line ends are accepted; fields after the domain (some lists carry more) are ignored.
pub fn parse(text: &str) -> Result<Parsed, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut labels = std::collections::BTreeSet::new();
    let mut entries = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let mut f = line.split(',');
        let rank = f.next().unwrap_or_default().trim();
        let domain = f.next().map(str::trim);
        if rank.is_empty() || !rank.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "line {n}, field rank: {rank:?} is not a rank (expected `rank,domain`, e.g. `1,google.com`)"
            ));
        }
        let Some(domain) = domain else {
            return Err(format!("line {n}, field domain: missing (expected `rank,domain`, e.g. `1,google.com`)"));
        };
        // Java's split drops trailing empty strings: a domain of dots only has no first label.
        let first = domain.split('.').next().unwrap_or_default();
        if domain.trim_end_matches('.').is_empty() || domain.contains(char::is_whitespace) {
            return Err(format!("line {n}, field domain: {domain:?} is not a domain name"));
        }
        labels.insert(first.to_string());
        entries += 1;
    }
    if entries == 0 {
        return Err("no `rank,domain` line".into());
    }
    Ok(Parsed { labels: labels.into_iter().collect(), entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_labels_as_spot_ml_takes_them() {
        let p = parse("\u{feff}1,google.com\r\n2,google.co.uk\n\n3,facebook.com,extra\n4,a.b.c.example\n").unwrap();
        assert_eq!(p.labels, ["a", "facebook", "google"]);
        assert_eq!(p.entries, 4);
    }

    #[test]
    fn junk_lines_are_named() {
        assert_eq!(parse("1,google.com\nrank,domain\n").unwrap_err().split(',').next().unwrap(), "line 2");
        assert!(parse("1,google.com\n2\n").unwrap_err().starts_with("line 2, field domain: missing"));
        assert!(parse("1,google.com\n2,...\n").unwrap_err().starts_with("line 2, field domain"));
        assert!(parse("7,exa mple.com\n").unwrap_err().starts_with("line 1, field domain"));
        assert!(parse("\n\n").is_err());
    }
}
