//! The day's notebooks, executed headless against the demo day as an analyst would run them: Python 3 with
//! duckdb and pandas, a kernel started by nbclient, the notebook's own folder as the working directory (the day
//! comes from it), the store opened read-only, `proxy-oa` called for the storyboard.
//!
//! Needs `PROXY_OA_NOTEBOOK_VENV` (a virtual environment from `tests/notebooks/requirements.txt`; `.ci/run`
//! prepares and caches it). Built without it (and without `PROXY_OA_REQUIRE_NOTEBOOKS=1`), the test is reported
//! as ignored (`build.rs`).

use crate::harness::Workdir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::DEMO_DAY as DAY;

fn venv() -> PathBuf {
    crate::harness::python_venv("PROXY_OA_NOTEBOOK_VENV")
}

/// Execute `name` in the day's notebook folder with `params`; returns the text of every output, in order.
fn execute(venv: &Path, w: &Workdir, name: &str, params: Value) -> String {
    let folder = w.path().join("ipynb/proxy").join(DAY);
    let out = w.path().join(format!("executed-{name}"));
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notebooks/run.py");
    let o = Command::new(venv.join("bin/python"))
        .arg(&runner)
        .arg(folder.join(name))
        .arg(&folder)
        .arg(params.to_string())
        .arg(&out)
        .current_dir(&folder)
        .env("PROXY_OA_BIN", env!("CARGO_BIN_EXE_proxy-oa"))
        .env_remove("PROXY_OA_WORKSPACE")
        .env_remove("PROXY_OA_CONFIG")
        .output()
        .expect("running the notebook runner");
    assert!(
        o.status.success(),
        "{name} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let nb: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut text = String::new();
    for cell in nb["cells"].as_array().unwrap() {
        for o in cell["outputs"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let part = if o["text"].is_null() { &o["data"]["text/plain"] } else { &o["text"] };
            match part {
                Value::Array(lines) => lines.iter().for_each(|l| text.push_str(l.as_str().unwrap_or_default())),
                Value::String(s) => text.push_str(s),
                _ => {}
            }
            text.push('\n');
        }
    }
    text
}

fn rows(w: &Workdir, table: &str) -> Vec<Value> {
    serde_json::from_str(&w.ok(&["--json", "show", "--date", DAY, "--table", table])).unwrap()
}

#[test]
#[cfg_attr(
    not(proxy_oa_notebooks),
    ignore = "needs PROXY_OA_NOTEBOOK_VENV: a venv from tests/notebooks/requirements.txt (.ci/run prepares it)"
)]
fn both_notebooks_run_headless_on_the_demo_day() {
    let venv = venv();
    let w = Workdir::new();
    w.ok(&["demo", "--rows", "5000"]);

    // Nothing scored yet: Threat Investigation says so and saves nothing.
    let out = execute(&venv, &w, "Threat_Investigation.ipynb", serde_json::json!({}));
    assert!(out.contains("There are no high risk results."), "{out}");
    assert!(out.contains("No threat chosen"), "{out}");

    // Advanced Mode lists every unscored row.
    let all: Vec<Value> =
        serde_json::from_str(&w.ok(&["--json", "suspicious", "--date", DAY, "--limit", "0"])).unwrap();
    let out = execute(&venv, &w, "Advanced_Mode.ipynb", serde_json::json!({}));
    assert!(out.contains(&format!("{} unscored suspicious connections on {DAY}", all.len())), "{out}");
    // Its reset cell is commented out: running the notebook resets nothing.
    let threat = all[0]["fulluri"].as_str().unwrap().to_string();
    w.ok(&["score", "--date", DAY, "--uri", &threat, "--sev", "1"]);
    let out = execute(&venv, &w, "Advanced_Mode.ipynb", serde_json::json!({}));
    let rows_of_threat = all.iter().filter(|r| r["fulluri"] == threat.as_str()).count();
    assert!(out.contains(&format!("{} unscored suspicious connections", all.len() - rows_of_threat)), "{out}");
    assert_eq!(rows(&w, "proxy_threat_investigation").len(), 1);

    // Threat Investigation: the High URI, its expanded search, and a storyboard saved through proxy-oa.
    let title = "Night-time uploads";
    let text = "It's \"exfiltration\", most likely.\nSee the timeline.";
    let out = execute(&venv, &w, "Threat_Investigation.ipynb", serde_json::json!({"title": title, "text": text}));
    assert!(out.contains(&threat), "{out}");
    assert!(out.contains(&format!("storyboard of {threat} on {DAY} saved")), "{out}");
    let sb = rows(&w, "proxy_storyboard");
    assert_eq!(sb.len(), 1);
    assert_eq!(
        (sb[0]["p_threat"].as_str(), sb[0]["title"].as_str(), sb[0]["text"].as_str()),
        (Some(threat.as_str()), Some(title), Some(text))
    );
    let timeline = rows(&w, "proxy_timeline");
    assert!(!timeline.is_empty());
    assert!(out.contains(&format!("Timeline: {} rows", timeline.len())), "{out}");
    assert!(out.contains("Incident progression:"), "{out}");
    // Run again without parameters: the saved storyboard is shown.
    let out = execute(&venv, &w, "Threat_Investigation.ipynb", serde_json::json!({}));
    assert!(out.contains(title) && out.contains("See the timeline."), "{out}");
}
