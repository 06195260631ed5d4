//! The analyst's feedback as spot-ml's `ProxyFeedback` reads it: the day's `ml_feedback.csv` (written by
//! `proxy-oa score`; the 26-column TAB layout of Spot's CSV-era score file, a header line), rows whose `uri_sev`
//! (index 22) is 3 (benign). Each such row is learned from `[rank] dupfactor` times, so its connections stop
//! looking rare. spot-ml dropped every line equal to the first (the header) and failed the whole job on a line it
//! could not split; here such a line is an error naming the file, the line and the field.

use crate::error::Error;
use anyhow::Result;
use std::path::Path;

/// The columns of a feedback row the words are built from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub p_date: String,
    pub p_time: String,
    pub clientip: String,
    pub host: String,
    pub reqmethod: String,
    pub useragent: String,
    pub resconttype: String,
    pub respcode: String,
    pub fulluri: String,
}

/// Index of `uri_sev` in the feedback layout.
pub const SEV: usize = 22;

/// The benign (severity 3) rows of one feedback file's text; `name` names it in errors.
pub fn parse(text: &str, name: &str) -> Result<Vec<Row>> {
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else { return Ok(vec![]) };
    let header = header.strip_suffix('\r').unwrap_or(header);
    let mut out = vec![];
    for (i, line) in lines {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line == header {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let bad = |what: String| Error::Data(format!("{name}:{}: field uri_sev (column {}): {what}", i + 1, SEV + 1));
        let Some(sev) = f.get(SEV) else {
            return Err(bad(format!("missing: the line has {} TAB-separated fields, the layout 26", f.len())).into());
        };
        let sev: i32 = sev.trim().parse().map_err(|_| bad(format!("{sev:?} is not a number")))?;
        if sev != 3 {
            continue;
        }
        let col = |i: usize| f[i].to_string();
        out.push(Row {
            p_date: col(0),
            p_time: col(1),
            clientip: col(2),
            host: col(3),
            reqmethod: col(4),
            useragent: col(5),
            resconttype: col(6),
            respcode: col(11),
            fulluri: col(18),
        });
    }
    Ok(out)
}

/// [`parse`] of a file; a missing file is no feedback.
pub fn read(path: &Path) -> Result<Option<(Vec<Row>, String)>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Unavailable(format!("reading feedback {}: {e}", path.display())).into()),
    };
    let sha = crate::digest::sha256_hex(&bytes);
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::Data(format!("{}: not UTF-8 (byte {})", path.display(), e.utf8_error().valid_up_to())))?;
    Ok(Some((parse(&text, &path.display().to_string())?, sha)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sev: &str, uri: &str) -> String {
        let mut f: Vec<String> = (0..26).map(|i| format!("c{i}")).collect();
        f[22] = sev.into();
        f[18] = uri.into();
        f.join("\t")
    }

    #[test]
    fn benign_rows_only_and_header_lines_skipped() {
        let header = (0..26).map(|i| format!("h{i}")).collect::<Vec<_>>().join("\t");
        let text =
            format!("{header}\n{}\n{}\n{header}\n{}\n", line("3", "a.com/x"), line("1", "b.com"), line(" 3 ", "c"));
        let rows = parse(&text, "f").unwrap();
        assert_eq!(rows.iter().map(|r| r.fulluri.as_str()).collect::<Vec<_>>(), ["a.com/x", "c"]);
        assert_eq!(rows[0].respcode, "c11");
        assert_eq!(rows[0].useragent, "c5");
    }

    #[test]
    fn a_short_or_bad_line_is_named() {
        let e = parse("h\na\tb\n", "fb.csv").unwrap_err().to_string();
        assert!(e.starts_with("fb.csv:2: field uri_sev (column 23): missing"), "{e}");
        let e = parse(&format!("h\n{}\n", line("x", "u")), "fb.csv").unwrap_err().to_string();
        assert!(e.contains("\"x\" is not a number"), "{e}");
    }
}
