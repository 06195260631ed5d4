//! Raw rows as TSV in the raw table's column order: 28 columns, or 32 with the partition columns y, m, d, h
//! (recomputed from the date and time). `\\N` and `NULL` are missing values.

use super::row::{is_int_col, set_full_uri, Row, FULLURI, RAW_COLUMNS};
use super::{FileCtx, FileReader, LineParser, TextForm};
use crate::text::{self, raw_text};
use anyhow::Result;

/// The form: a first line of 28 or 32 TAB-separated fields.
pub(super) struct Tsv;

impl TextForm for Tsv {
    fn name(&self) -> &'static str {
        "tsv"
    }

    fn detect(&self, first: &str) -> bool {
        let n = first.split('\t').count();
        n == 28 || n == 32
    }

    fn open(&self, _file: &FileCtx) -> Result<Box<dyn FileReader>> {
        Ok(Box::new(TsvFile))
    }
}

struct TsvFile;

impl FileReader for TsvFile {
    fn parser(&self) -> Box<dyn LineParser + '_> {
        Box::new(TsvFile)
    }
}

impl LineParser for TsvFile {
    fn parse(&mut self, line: &str, row: &mut Row) -> Result<(), String> {
        parse_tsv(line, row)
    }
}

/// Split a 28- or 32-column TSV line into a row.
fn parse_tsv(line: &str, row: &mut Row) -> Result<(), String> {
    row.clear();
    let mut n = 0;
    for (i, f) in line.split('\t').enumerate() {
        n += 1;
        if i >= 28 {
            continue; // partition columns y, m, d, h: recomputed from the date and time
        }
        let f = if f == "\\N" || f == "NULL" { "" } else { f };
        if is_int_col(i) {
            let v = text::int_value(Some(raw_text(f))).map_err(|e| format!("field {}: {e}", RAW_COLUMNS[i].0))?;
            row.set_int(i, v);
        } else {
            row.text[i].push_str(raw_text(f));
        }
    }
    if n != 28 && n != 32 {
        return Err(format!("expected 28 fields (or 32 with y, m, d, h), found {n}"));
    }
    if row.text[FULLURI].is_empty() {
        set_full_uri(row);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_rows() {
        let mut f = vec!["x"; 28];
        f[0] = "2016-07-08";
        f[1] = "01:02:03";
        f[7] = "-";
        f[22] = "10";
        f[23] = "\\N";
        f[5] = "\"UA with space\"";
        f[27] = "a.com/x";
        let mut row = Row::new();
        parse_tsv(&f.join("\t"), &mut row).unwrap();
        assert_eq!(row.ints, [None, Some(10), None]);
        assert_eq!(row.text[5], "UA with space");
        assert_eq!(row.text[27], "a.com/x");
        row.check_time().unwrap();
        assert_eq!(row.hour, 1);
        let err = parse_tsv(&f[..20].join("\t"), &mut row).unwrap_err();
        assert!(err.starts_with("expected 28 fields"), "{err}");
    }
}
