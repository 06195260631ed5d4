//! The day a run is about: parsed from `YYYYMMDD` (Spot's form) or `YYYY-MM-DD`.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(NaiveDate);

impl Day {
    /// `20161211`: Spot's folder and file naming.
    pub fn compact(&self) -> String {
        self.0.format("%Y%m%d").to_string()
    }
    /// `2016-12-11`: the form of `p_date` in the data.
    pub fn iso(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
    /// Partition value `y` (SMALLINT in the DDL).
    pub fn y(&self) -> i16 {
        self.0.year() as i16
    }
    /// Partition value `m` (TINYINT in the DDL).
    pub fn m(&self) -> i8 {
        self.0.month() as i8
    }
    /// Partition value `d` (TINYINT in the DDL).
    pub fn d(&self) -> i8 {
        self.0.day() as i8
    }
    /// The OA tables' partition values `(y, m, d)`, for [`crate::on_day!`].
    pub fn ymd(&self) -> (i16, i8, i8) {
        (self.y(), self.m(), self.d())
    }
    /// The raw table's zero-padded string partitions `(y, m, d)`, for [`crate::on_day!`].
    pub fn raw_partition(&self) -> (String, String, String) {
        (format!("{:04}", self.0.year()), format!("{:02}", self.0.month()), format!("{:02}", self.0.day()))
    }
    /// The day `n` days before this one (`None` before the calendar's start).
    pub fn days_before(&self, n: u32) -> Option<Day> {
        self.0.checked_sub_days(chrono::Days::new(u64::from(n))).map(Day)
    }
}

impl FromStr for Day {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fmt = match s.len() {
            8 if s.bytes().all(|b| b.is_ascii_digit()) => "%Y%m%d",
            10 if s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => "%Y-%m-%d",
            _ => return Err(format!("invalid date '{s}': expected YYYYMMDD or YYYY-MM-DD")),
        };
        NaiveDate::parse_from_str(s, fmt)
            .map(Day)
            .map_err(|_| format!("invalid date '{s}': expected YYYYMMDD or YYYY-MM-DD of a real day"))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.compact())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_parse_to_the_same_day() {
        let a: Day = "20161211".parse().unwrap();
        let b: Day = "2016-12-11".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.compact(), "20161211");
        assert_eq!(a.iso(), "2016-12-11");
        assert_eq!((a.y(), a.m(), a.d()), (2016, 12, 11));
        assert_eq!("20160708".parse::<Day>().unwrap().raw_partition(), ("2016".into(), "07".into(), "08".into()));
        assert_eq!(a.days_before(11).unwrap().compact(), "20161130");
        assert_eq!(a.days_before(0), Some(a));
    }

    #[test]
    fn other_forms_are_refused() {
        for bad in ["2016-7-8", "2016121", "201612111", "2016/12/11", "20161301", "20160230", "", "abcdefgh"] {
            let err = bad.parse::<Day>().unwrap_err();
            assert!(err.contains("YYYYMMDD or YYYY-MM-DD"), "{bad}: {err}");
        }
    }
}
