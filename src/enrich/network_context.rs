//! Network context of a client IP: which named network (site, subnet, host) it belongs to.
//!
//! Input column: `clientip`. Output column: `network_context` (the entry's name).
//! Entries are single IPs, CIDR blocks or inclusive `start-end` ranges, IPv4 and IPv6. The most specific entry
//! wins: the one covering the fewest addresses (an exact IP over a /24 over a /8); among equally specific entries
//! the later line of the file wins (Spot's "later duplicates win"). No match, or a client IP that is not an IP
//! address, gives the empty string. Spot matched exact strings only and ignored two-column files; see
//! schema/README.md.
//!
//! Lookup is a binary search over disjoint segments computed once by a sweep over the entries, so a large
//! file costs O(n log n) to build and O(log n) per address.

use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, Connection};
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// One entry of a network-context file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// First address, as a 128-bit number (IPv4 mapped into `::ffff:0:0/96`).
    pub start: u128,
    /// Last address, inclusive.
    pub end: u128,
    /// The name given to the network.
    pub name: String,
    /// Optional free text.
    pub description: String,
}

/// An address as a 128-bit number; IPv4 maps into `::ffff:0:0/96` so both families share one line.
pub fn ip_key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// Parse one address, accepting surrounding spaces and an IPv6 zone-less form.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok()
}

/// The address range of a field: a single IP or a CIDR block.
pub fn parse_ip_or_cidr(s: &str) -> Option<(u128, u128)> {
    let s = s.trim();
    if s.contains('/') {
        let net: IpNet = s.parse().ok()?;
        let net = net.trunc();
        Some((ip_key(net.network()), ip_key(net.broadcast())))
    } else {
        let k = ip_key(parse_ip(s)?);
        Some((k, k))
    }
}

/// Parse a network-context CSV. Accepted rows: `ip,name`, `ip,name,description`, `cidr,name[,description]`,
/// `start_ip,end_ip,name[,description]`. A first line that does not start with an address is a header.
/// Errors name the line and the field.
pub fn parse_file(text: &str) -> Result<Vec<Entry>, String> {
    let mut out = vec![];
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 1;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        let fields: Vec<&str> = rec.iter().map(str::trim).collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let Some((start, end)) = parse_ip_or_cidr(fields[0]) else {
            if line == 1 {
                continue; // header
            }
            return Err(format!("line {line}: field 1: not an IP address or CIDR block: '{}'", fields[0]));
        };
        if fields.len() < 2 || fields[1].is_empty() {
            return Err(format!("line {line}: expected at least 2 fields (address, name), found {}", fields.len()));
        }
        // A second field that is an address makes the row a range.
        let entry = match (fields[0].contains('/'), parse_ip(fields[1])) {
            (false, Some(e)) => {
                let e = ip_key(e);
                if e < start {
                    return Err(format!("line {line}: range end {} is before its start {}", fields[1], fields[0]));
                }
                if (start >> 32 == 0xffff) != (e >> 32 == 0xffff) {
                    return Err(format!("line {line}: range mixes IPv4 and IPv6"));
                }
                let name = fields.get(2).copied().unwrap_or("");
                if name.is_empty() {
                    return Err(format!("line {line}: field 3: a range needs a name"));
                }
                Entry { start, end: e, name: name.into(), description: fields.get(3).copied().unwrap_or("").into() }
            }
            _ => Entry {
                start,
                end,
                name: fields[1].into(),
                description: fields.get(2..).map(|d| d.join(",")).unwrap_or_default(),
            },
        };
        out.push(entry);
    }
    Ok(out)
}

/// The lookup structure.
#[derive(Debug, Default, Clone)]
pub struct NetworkContext {
    /// Disjoint, sorted `(start, end, index into names)`.
    segments: Vec<(u128, u128, usize)>,
    names: Vec<String>,
}

impl NetworkContext {
    /// Build from entries in file order.
    pub fn from_entries(entries: &[Entry]) -> Self {
        // Events: (position, is_start, entry). Removal at end+1 (none when end is the last address).
        let mut events: Vec<(u128, bool, usize)> = Vec::with_capacity(entries.len() * 2);
        for (i, e) in entries.iter().enumerate() {
            events.push((e.start, true, i));
            if e.end < u128::MAX {
                events.push((e.end + 1, false, i));
            }
        }
        events.sort_unstable();
        // Active entries ordered by specificity: smallest size first, later line first.
        let key = |i: usize| (entries[i].end - entries[i].start, std::cmp::Reverse(i));
        let mut active: BTreeSet<(u128, std::cmp::Reverse<usize>)> = BTreeSet::new();
        let mut segments: Vec<(u128, u128, usize)> = vec![];
        let mut k = 0;
        while k < events.len() {
            let pos = events[k].0;
            while k < events.len() && events[k].0 == pos {
                let (_, is_start, i) = events[k];
                if is_start {
                    active.insert(key(i));
                } else {
                    active.remove(&key(i));
                }
                k += 1;
            }
            if let Some(&(_, std::cmp::Reverse(win))) = active.iter().next() {
                let end = if k < events.len() { events[k].0 - 1 } else { u128::MAX };
                match segments.last_mut() {
                    Some(last) if last.2 == win && last.1.checked_add(1) == Some(pos) => last.1 = end,
                    _ => segments.push((pos, end, win)),
                }
            }
        }
        NetworkContext { segments, names: entries.iter().map(|e| e.name.clone()).collect() }
    }

    /// The name of the most specific network holding `ip`, or `None`.
    pub fn lookup(&self, ip: &str) -> Option<&str> {
        let k = ip_key(parse_ip(ip)?);
        let i = self.segments.partition_point(|s| s.0 <= k);
        let (start, end, win) = *self.segments.get(i.checked_sub(1)?)?;
        (start <= k && k <= end).then(|| self.names[win].as_str())
    }

    /// How many entries it was built from.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when built from no entries.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The network-context stage: fill `network_context` of every staged row (each distinct client IP looked up once).
/// Counts: rows in; matched = rows with a context; unmatched = rows without.
pub fn apply(conn: &Connection, nc: &NetworkContext) -> Result<Stage> {
    let meter = Meter::start();
    let ips: Vec<String> = {
        let mut st = conn.prepare("SELECT DISTINCT clientip FROM stage_results ORDER BY clientip")?;
        let v = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        v
    };
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE lk_nc (clientip VARCHAR PRIMARY KEY, name VARCHAR)")?;
    {
        let mut app = conn.appender_to_catalog_and_db("lk_nc", "temp", "main")?;
        for ip in &ips {
            app.append_row(params![ip, nc.lookup(ip).unwrap_or("")])?;
        }
        app.flush()?;
    }
    conn.execute_batch(
        "UPDATE stage_results SET network_context =
           coalesce((SELECT k.name FROM lk_nc k WHERE k.clientip = stage_results.clientip), '')",
    )?;
    let (n, k): (i64, i64) =
        conn.query_row("SELECT count(*), count(*) FILTER (WHERE network_context <> '') FROM stage_results", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (n, k) = (n as u64, k as u64);
    Ok(meter.finish(Stage {
        rows_in: n,
        matched: k,
        unmatched: n - k,
        note: if nc.is_empty() { "no network-context entries loaded".into() } else { format!("{} entries", nc.len()) },
        ..Stage::new("network_context")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive<'a>(entries: &'a [Entry], ip: &str) -> Option<&'a str> {
        let k = ip_key(parse_ip(ip)?);
        entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.start <= k && k <= e.end)
            .min_by_key(|(i, e)| (e.end - e.start, std::cmp::Reverse(*i)))
            .map(|(_, e)| e.name.as_str())
    }

    const FILE: &str = "ip,name,description\n\
        10.0.0.0/8,corp\n\
        10.1.0.0/16,branch,Branch office\n\
        10.1.2.0/24,lab\n\
        10.1.2.3,printer,\"3rd floor, east\"\n\
        192.168.1.10,192.168.1.20,dhcp-pool\n\
        2001:db8::/32,v6-corp\n\
        2001:db8::1,v6-gw\n\
        10.1.2.3,printer-renamed\n";

    #[test]
    fn every_shape_parses_and_the_most_specific_wins() {
        let entries = parse_file(FILE).unwrap();
        assert_eq!(entries.len(), 8);
        assert_eq!(entries[3].description, "3rd floor, east");
        let nc = NetworkContext::from_entries(&entries);
        let cases = [
            ("10.9.9.9", Some("corp")),
            ("10.1.9.9", Some("branch")),
            ("10.1.2.4", Some("lab")),
            ("10.1.2.3", Some("printer-renamed")),
            ("192.168.1.15", Some("dhcp-pool")),
            ("192.168.1.21", None),
            ("2001:db8::1", Some("v6-gw")),
            ("2001:db8:ffff::1", Some("v6-corp")),
            ("11.0.0.0", None),
            ("not-an-ip", None),
            ("::ffff:10.1.2.3", Some("printer-renamed")),
        ];
        for (ip, want) in cases {
            assert_eq!(nc.lookup(ip), want, "{ip}");
            assert_eq!(naive(&entries, ip), want, "naive {ip}");
        }
    }

    #[test]
    fn spots_two_column_file_works() {
        let nc = NetworkContext::from_entries(&parse_file("10.192.180.150, AnyMachine\n").unwrap());
        assert_eq!(nc.lookup("10.192.180.150"), Some("AnyMachine"));
    }

    #[test]
    fn bad_rows_name_the_line_and_field() {
        let err = parse_file("ip,name\n10.0.0.1,a\nfoo,b\n").unwrap_err();
        assert_eq!(err, "line 3: field 1: not an IP address or CIDR block: 'foo'");
        let err = parse_file("10.0.0.9,10.0.0.1,x\n").unwrap_err();
        assert!(err.starts_with("line 1: range end"), "{err}");
        let err = parse_file("10.0.0.1\n").unwrap_err();
        assert!(err.starts_with("line 1: expected at least 2 fields"), "{err}");
        let err = parse_file("10.0.0.1,2001:db8::1,x\n").unwrap_err();
        assert!(err.contains("mixes"), "{err}");
    }

    fn arb_entry() -> impl Strategy<Value = Entry> {
        // A small address space so that entries overlap often; include the top of the space.
        (prop_oneof![0u128..64, Just(u128::MAX - 5)], 0u128..40, 0u8..4).prop_map(|(s, len, n)| Entry {
            start: s,
            end: s.saturating_add(len),
            name: format!("n{n}"),
            description: String::new(),
        })
    }

    proptest! {
        #[test]
        fn lookup_equals_a_linear_scan(entries in proptest::collection::vec(arb_entry(), 0..25),
                                       probes in proptest::collection::vec(prop_oneof![0u128..110, (u128::MAX - 8)..=u128::MAX], 1..40)) {
            let nc = NetworkContext::from_entries(&entries);
            for k in probes {
                let ip = std::net::Ipv6Addr::from(k).to_string();
                let want = entries.iter().enumerate()
                    .filter(|(_, e)| e.start <= k && k <= e.end)
                    .min_by_key(|(i, e)| (e.end - e.start, std::cmp::Reverse(*i)))
                    .map(|(i, _)| i);
                let got = nc.lookup(&ip);
                // Names repeat, so compare the winning entry's name.
                prop_assert_eq!(got, want.map(|i| entries[i].name.as_str()), "address {}", k);
            }
        }
    }
}
