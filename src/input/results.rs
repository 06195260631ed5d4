//! Reader of spot-ml's `proxy_results.csv`: TAB-separated, no header, ascending score.
//!
//! Contract: yields the first `limit` valid rows in file order (0 = all) and stops reading there.
//! Column positions come from `proxy_conf.json`. A value wrapped in one pair of double quotes loses them;
//! `null` and empty are NULL; integer columns also take `-` as NULL. Blank lines (also CRLF) are skipped and not
//! counted. A row with the wrong field count, invalid UTF-8, an unparsable number or a missing key field
//! (p_date, p_time, clientip, fulluri, score) is handed to the reject callback with its line number and reason.

use crate::config::ProxyConf;
use crate::text;
use std::io::BufRead;

/// One valid results row, typed as `proxy_scores` wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// 1-based line number in the file (also the row's rank).
    pub line: u64,
    pub p_date: String,
    pub p_time: String,
    pub clientip: String,
    pub host: Option<String>,
    pub reqmethod: Option<String>,
    pub useragent: Option<String>,
    pub resconttype: Option<String>,
    pub duration: Option<i32>,
    pub username: Option<String>,
    pub webcat: Option<String>,
    pub referer: Option<String>,
    pub respcode: Option<i32>,
    pub uriport: Option<i32>,
    pub uripath: Option<String>,
    pub uriquery: Option<String>,
    pub serverip: Option<String>,
    pub scbytes: Option<i32>,
    pub csbytes: Option<i32>,
    pub fulluri: String,
    pub word: Option<String>,
    pub score: f32,
    /// Hour of `p_time` (the part before the first `:`).
    pub hour: u8,
}

/// A row that could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
    /// The line as it was in the file, without its line ending.
    pub raw: Vec<u8>,
}

/// What the reader saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadStats {
    /// Valid rows handed out.
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Blank lines skipped.
    pub blank: u64,
    /// Lines read (including blank and rejected), i.e. how far into the file the reader went.
    pub lines: u64,
    /// True when reading stopped at the limit, before the end of the file.
    pub stopped_at_limit: bool,
}

/// Read rows from `input`, calling `on_row` for each valid row and `on_reject` for each bad one.
pub fn read<R: BufRead, E>(
    mut input: R,
    conf: &ProxyConf,
    limit: usize,
    mut on_row: impl FnMut(ResultRow) -> Result<(), E>,
    mut on_reject: impl FnMut(Rejected) -> Result<(), E>,
) -> Result<ReadStats, ReadError<E>> {
    let layout = Layout::new(conf);
    let mut stats = ReadStats::default();
    let mut buf = Vec::with_capacity(1024);
    loop {
        if limit > 0 && stats.rows as usize >= limit {
            // Only stop early when more data follows, so that "stopped at limit" is true information.
            if !input.fill_buf().map_err(ReadError::Io)?.is_empty() {
                stats.stopped_at_limit = true;
            }
            break;
        }
        buf.clear();
        let n = input.read_until(b'\n', &mut buf).map_err(ReadError::Io)?;
        if n == 0 {
            break;
        }
        stats.lines += 1;
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            stats.blank += 1;
            continue;
        }
        match layout.parse(stats.lines, &buf) {
            Ok(row) => {
                stats.rows += 1;
                on_row(row).map_err(ReadError::Sink)?;
            }
            Err(reason) => {
                stats.rejected += 1;
                on_reject(Rejected { line: stats.lines, reason, raw: buf.clone() }).map_err(ReadError::Sink)?;
            }
        }
    }
    Ok(stats)
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError<E> {
    /// The file could not be read.
    Io(std::io::Error),
    /// A callback failed.
    Sink(E),
}

struct Layout {
    n: usize,
    idx: [usize; 21],
}

impl Layout {
    fn new(conf: &ProxyConf) -> Self {
        let mut idx = [0; 21];
        for (i, f) in crate::config::RESULT_FIELDS.iter().enumerate() {
            idx[i] = conf.col(f);
        }
        Layout { n: conf.field_count(), idx }
    }

    fn parse(&self, line: u64, bytes: &[u8]) -> Result<ResultRow, String> {
        let s = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
        let fields: Vec<&str> = s.split('\t').collect();
        if fields.len() != self.n {
            return Err(format!("expected {} fields, found {}", self.n, fields.len()));
        }
        let names = &crate::config::RESULT_FIELDS;
        let get = |i: usize| text::results_value(fields[self.idx[i]]);
        let text_of = |i: usize| get(i).map(str::to_string);
        let required = |i: usize| get(i).map(str::to_string).ok_or_else(|| format!("field {}: empty", names[i]));
        let int = |i: usize| text::int_value(get(i)).map_err(|e| format!("field {}: {e}", names[i]));

        let p_date = required(0)?;
        if !text::is_iso_date(&p_date) {
            return Err(format!("field p_date: expected YYYY-MM-DD, found '{p_date}'"));
        }
        let p_time = required(1)?;
        let hour =
            text::hour_of(&p_time).ok_or_else(|| format!("field p_time: no hour 0-23 before ':' in '{p_time}'"))?;
        let score_text = get(20).ok_or("field score: empty")?;
        let score: f64 = score_text.trim().parse().map_err(|_| format!("field score: not a number: '{score_text}'"))?;
        if !score.is_finite() {
            return Err(format!("field score: not a finite number: '{score_text}'"));
        }
        Ok(ResultRow {
            line,
            clientip: required(2)?,
            host: text_of(3),
            reqmethod: text_of(4),
            useragent: text_of(5),
            resconttype: text_of(6),
            duration: int(7)?,
            username: text_of(8),
            webcat: text_of(9),
            referer: text_of(10),
            respcode: int(11)?,
            uriport: int(12)?,
            uripath: text_of(13),
            uriquery: text_of(14),
            serverip: text_of(15),
            scbytes: int(16)?,
            csbytes: int(17)?,
            fulluri: required(18)?,
            word: text_of(19),
            score: score as f32,
            p_date,
            p_time,
            hour,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProxyConf, DEFAULT_PROXY_CONF};

    fn conf() -> ProxyConf {
        ProxyConf::parse(DEFAULT_PROXY_CONF, "t").unwrap()
    }

    fn line(fields: &[&str]) -> String {
        fields.join("\t")
    }

    fn good(time: &str, score: &str) -> String {
        line(&[
            "2016-07-08",
            time,
            "10.0.0.1",
            "a.com",
            "GET",
            "\"Mozilla/5.0 (X)\"",
            "text/html",
            "null",
            "-",
            "\"cat\"",
            "-",
            "200",
            "80",
            "/x",
            "-",
            "1.2.3.4",
            "100",
            "20",
            "a.com/x",
            "1_13_GET",
            score,
        ])
    }

    fn run(input: impl AsRef<[u8]>, limit: usize) -> (Vec<ResultRow>, Vec<Rejected>, ReadStats) {
        let (mut rows, mut rej) = (vec![], vec![]);
        let stats = read::<_, ()>(
            input.as_ref(),
            &conf(),
            limit,
            |r| {
                rows.push(r);
                Ok(())
            },
            |r| {
                rej.push(r);
                Ok(())
            },
        )
        .map_err(|_| "read")
        .unwrap();
        (rows, rej, stats)
    }

    #[test]
    fn values_are_unquoted_and_nulls_recognised() {
        let (rows, rej, _) = run(&(good("18:25:39 PM", "1.0E-5") + "\n"), 0);
        assert!(rej.is_empty(), "{rej:?}");
        let r = &rows[0];
        assert_eq!(r.useragent.as_deref(), Some("Mozilla/5.0 (X)"));
        assert_eq!(r.webcat.as_deref(), Some("cat"));
        assert_eq!(r.duration, None);
        assert_eq!(r.username.as_deref(), Some("-"));
        assert_eq!(r.respcode, Some(200));
        assert_eq!(r.p_time, "18:25:39 PM");
        assert_eq!(r.hour, 18);
        assert_eq!(r.score, 1.0e-5_f32);
        assert_eq!(r.line, 1);
    }

    #[test]
    fn crlf_and_blank_lines_are_tolerated() {
        let input = format!("\r\n{}\r\n\r\n   \n{}", good("01:00:00", "0.1"), good("02:00:00", "0.2"));
        let (rows, rej, stats) = run(&input, 0);
        assert_eq!(rows.len(), 2);
        assert!(rej.is_empty());
        assert_eq!(stats.blank, 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 5);
        assert_eq!(rows[1].score, 0.2);
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_reason() {
        let mut bad_utf8 = good("01:00:00", "0.1").into_bytes();
        bad_utf8[30] = 0xff;
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"a\tb\tc".to_vec(), "expected 21 fields, found 3"),
            (good("01:00:00", "abc").into_bytes(), "field score: not a number: 'abc'"),
            (good("01:00:00", "NaN").into_bytes(), "field score: not a finite number"),
            (good("0100", "0.1").into_bytes(), "field p_time: no hour"),
            (good("01:00:00", "0.1").replace("\t200\t", "\tOK\t").into_bytes(), "field respcode: not an integer: 'OK'"),
            (good("01:00:00", "0.1").replace("10.0.0.1", "null").into_bytes(), "field clientip: empty"),
            (
                good("01:00:00", "0.1").replace("2016-07-08", "07/08/2016").into_bytes(),
                "field p_date: expected YYYY-MM-DD",
            ),
            (bad_utf8, "invalid UTF-8 at byte 30"),
        ];
        for (i, (bytes, want)) in cases.into_iter().enumerate() {
            let mut input = good("00:00:00", "0.01").into_bytes();
            input.push(b'\n');
            input.extend_from_slice(&bytes);
            input.push(b'\n');
            let (rows, rej, _) = run(&input, 0);
            assert_eq!(rows.len(), 1, "case {i}");
            assert_eq!(rej.len(), 1, "case {i}");
            assert_eq!(rej[0].line, 2, "case {i}");
            assert!(rej[0].reason.starts_with(want), "case {i}: {} vs {want}", rej[0].reason);
            assert_eq!(rej[0].raw, bytes, "case {i}: the rejected line is kept byte for byte");
        }
    }

    #[test]
    fn reading_stops_after_limit_valid_rows() {
        let mut input = String::new();
        input.push_str("broken\n");
        for i in 0..10 {
            input.push_str(&good(&format!("{i:02}:00:00"), "0.5"));
            input.push('\n');
        }
        let (rows, rej, stats) = run(&input, 3);
        assert_eq!(rows.len(), 3);
        assert_eq!(rej.len(), 1);
        assert_eq!(stats.lines, 4, "no line past the third valid row is read");
        assert!(stats.stopped_at_limit);
        let (rows, _, stats) = run(&input, 0);
        assert_eq!(rows.len(), 10);
        assert!(!stats.stopped_at_limit);
        let (rows, _, stats) = run(&input, 10);
        assert_eq!(rows.len(), 10);
        assert!(!stats.stopped_at_limit, "the limit equals the rows: nothing was left unread");
    }

    #[test]
    fn a_site_column_map_is_honoured() {
        // Swap host and clientip positions in the map and the data.
        let text = DEFAULT_PROXY_CONF.replacen("\"clientip\": 2", "\"clientip\": 3", 1).replacen(
            "\"host\": 3",
            "\"host\": 2",
            1,
        );
        let conf = ProxyConf::parse(&text, "t").unwrap();
        let row = good("01:00:00", "0.1").replacen("10.0.0.1\ta.com", "a.com\t10.0.0.1", 1);
        let mut got = vec![];
        read::<_, ()>(
            row.as_bytes(),
            &conf,
            0,
            |r| {
                got.push(r);
                Ok(())
            },
            |_| Ok(()),
        )
        .map_err(|_| ())
        .unwrap();
        assert_eq!(got[0].clientip, "10.0.0.1");
        assert_eq!(got[0].host.as_deref(), Some("a.com"));
    }
}
