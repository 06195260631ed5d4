//! Every exit code of the README's table on the real binary: a reader that closes stdout (0, quietly), bad data
//! (1), usage (2), a config value outside a closed set (3, when the config is loaded), a store held by another
//! process, a workspace folder that cannot be made, a read-only workspace and a missing input (4), a full disk
//! while the tables or a bundle are written (5, the previous tables intact).

use crate::harness::{fixture_arg, Workdir, DAY, DEMO_DAY};
use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn a_reader_that_closes_stdout_ends_the_output_with_exit_0_and_no_message() {
    let w = Workdir::new();
    w.ok(&["demo", "--rows", "5000"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_proxy-oa"))
        .args(["--workspace"])
        .arg(w.path())
        .args(["show", "--date", DEMO_DAY, "--table", "proxy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe while the output (far more than a pipe's buffer) is still coming.
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "", "a closed pipe is not an error to report");
}

#[test]
fn a_store_held_by_another_process_is_exit_4_naming_it() {
    let w = Workdir::new();
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    // This test process holds the store, as a second run or a notebook with write access would.
    let _held = duckdb::Connection::open(w.path().join("proxy-oa.duckdb")).unwrap();
    let err = w.fails(&["show", "--date", DAY, "--table", "proxy_scores"], 4);
    assert!(err.contains("in use by another"), "{err}");
    assert!(err.contains(&format!("PID {}", std::process::id())), "the holder is named: {err}");
}

#[test]
fn a_full_disk_while_writing_the_tables_is_exit_5_and_the_previous_tables_stay() {
    // A private mount namespace with a small tmpfs as the workspace (root in a user namespace may mount one).
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    assert!(probe.is_ok_and(|s| s.success()), "this test needs `unshare -rm` (util-linux) to mount a small tmpfs");
    let out = tempfile::tempdir().unwrap();
    let ws = tempfile::tempdir().unwrap();
    let script = r#"
        set -u
        mount -t tmpfs -o size=16m tmpfs "$WS" || exit 90
        run() { "$BIN" --workspace "$WS" --config "$CFG" run --date 20160708 --results "$1" --raw "$RAW"; }
        run "$RESULTS" > "$OUT/first.txt" 2>&1 || exit 91
        "$BIN" --workspace "$WS" show --date 20160708 --table proxy_scores > "$OUT/before.tsv" || exit 92
        "$BIN" --workspace "$WS" show --date 20160708 --table proxy > "$OUT/before-raw.tsv" || exit 92
        # Fill the disk to the last block, then run the day again from the copy of the results file already in
        # the day's folder (so nothing but the tables and quarantines of the same size needs new space).
        dd if=/dev/zero of="$WS/filler" bs=4096 > /dev/null 2>&1
        run "$WS/data/proxy/20160708/proxy_results.csv" > "$OUT/second.txt" 2>&1
        echo $? > "$OUT/rc"
        "$BIN" --workspace "$WS" export --date 20160708 > "$OUT/export.txt" 2>&1
        echo $? > "$OUT/rc-export"
        rm -f "$WS/filler"
        "$BIN" --workspace "$WS" show --date 20160708 --table proxy_scores > "$OUT/after.tsv" 2> "$OUT/after.err" || exit 93
        "$BIN" --workspace "$WS" show --date 20160708 --table proxy > "$OUT/after-raw.tsv" 2>> "$OUT/after.err" || exit 93
        ls -a "$WS/data/proxy/20160708" > "$OUT/day-folder.txt"
    "#;
    let status = in_mount_namespace(script, ws.path(), out.path());
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap_or_default();
    assert!(
        status.success(),
        "script exit {status}\nfirst run:\n{}\nsecond run:\n{}",
        read("first.txt"),
        read("second.txt")
    );
    let second = read("second.txt");
    assert_eq!(read("rc").trim(), "5", "second run:\n{second}");
    assert_eq!(read("rc-export").trim(), "5", "a bundle written to a full disk:\n{}", read("export.txt"));
    assert!(second.contains("No space left on device"), "{second}");
    assert!(read("before.tsv").lines().count() > 1);
    assert_eq!(read("after.tsv"), read("before.tsv"), "the tables of the first run are intact: {}", read("after.err"));
    assert!(read("before-raw.tsv").lines().count() > 1);
    assert_eq!(read("after-raw.tsv"), read("before-raw.tsv"), "and so is its raw day");
    assert!(
        !read("day-folder.txt").contains("raw.new-"),
        "no half-written raw day is left: {}",
        read("day-folder.txt")
    );
}

#[test]
fn a_config_value_outside_its_closed_set_is_refused_when_loaded() {
    let w = Workdir::new();
    let cfg = w.write("bad.toml", "[impala]\nengine = \"Impala\"\n");
    // Any command loads the config, not only `check`: a wrong case cannot silently change what `load` does.
    let err = w.fails(&["--config", &cfg.display().to_string(), "show", "--date", DAY, "--table", "proxy_scores"], 3);
    assert!(err.contains("bad.toml") && err.contains("engine") && err.contains("Impala"), "{err}");
    let cfg = w.write("bad2.toml", "[reputation]\nservices = [\"feed\", \"vt\"]\n");
    let err = w.fails(&["--config", &cfg.display().to_string(), "check"], 3);
    assert!(err.contains("bad2.toml") && err.contains("vt"), "{err}");
}

#[test]
fn bad_data_usage_and_an_unavailable_workspace_or_input_have_their_codes() {
    let w = Workdir::new();
    let results = fixture_arg("day1/proxy_results.csv");
    // 1: bad data, named.
    let odd = w.write("odd.log", "hello there, no log of any kind\n").display().to_string();
    let err = w.fails(&["run", "--date", DAY, "--results", &results, "--raw", &odd], 1);
    assert!(err.contains("odd.log: cannot tell the raw format"), "{err}");
    // 2: usage.
    let err = w.fails(&["show", "--date", "20161345", "--table", "proxy_scores"], 2);
    assert!(err.contains("20161345"), "{err}");
    // 4: an input that is not there.
    let err = w.fails(&["run", "--date", DAY, "--results", &results, "--raw", "/nonexistent/access.log"], 4);
    assert!(err.contains("/nonexistent/access.log"), "{err}");
    // 4: a workspace whose folder cannot be made (a file stands where it would be).
    let file = w.write("a-file", "x");
    let out = Command::new(env!("CARGO_BIN_EXE_proxy-oa"))
        .arg("--workspace")
        .arg(file.join("ws"))
        .args(["show", "--date", DAY, "--table", "proxy_scores"])
        .env_remove("PROXY_OA_WORKSPACE")
        .env_remove("PROXY_OA_CONFIG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("a-file/ws") && err.contains("Not a directory"), "{err}");
}

#[test]
fn a_read_only_workspace_is_exit_4_and_names_it() {
    // A private mount namespace where the workspace is a tmpfs mounted read-only after a first run.
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    assert!(probe.is_ok_and(|s| s.success()), "this test needs `unshare -rm` (util-linux) to mount a tmpfs");
    let out = tempfile::tempdir().unwrap();
    let ws = tempfile::tempdir().unwrap();
    let script = r#"
        set -u
        mount -t tmpfs -o size=64m tmpfs "$WS" || exit 90
        "$BIN" --workspace "$WS" --config "$CFG" run --date 20160708 --results "$RESULTS" --raw "$RAW" \
            > "$OUT/first.txt" 2>&1 || exit 91
        mount -o remount,ro "$WS" || exit 92
        "$BIN" --workspace "$WS" --config "$CFG" run --date 20160708 --results "$RESULTS" --raw "$RAW" \
            > "$OUT/second.txt" 2>&1
        echo $? > "$OUT/rc"
    "#;
    let status = in_mount_namespace(script, ws.path(), out.path());
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap_or_default();
    assert!(status.success(), "script exit {status}\nfirst run:\n{}", read("first.txt"));
    let second = read("second.txt");
    assert_eq!(read("rc").trim(), "4", "second run:\n{second}");
    assert!(second.contains("Read-only file system"), "{second}");
}

/// Run `script` with `sh` in a private mount namespace (`unshare -rm`: root there may mount a tmpfs), with `$BIN`,
/// `$WS`, `$OUT` and the fixture day's `$CFG`, `$RESULTS`, `$RAW` set.
fn in_mount_namespace(script: &str, ws: &std::path::Path, out: &std::path::Path) -> std::process::ExitStatus {
    Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("BIN", env!("CARGO_BIN_EXE_proxy-oa"))
        .env("WS", ws)
        .env("OUT", out)
        .env("CFG", fixture_arg("day1/proxy-oa.toml"))
        .env("RESULTS", fixture_arg("day1/proxy_results.csv"))
        .env("RAW", fixture_arg("day1/raw.log"))
        .env_remove("PROXY_OA_WORKSPACE")
        .env_remove("PROXY_OA_CONFIG")
        .status()
        .unwrap()
}
