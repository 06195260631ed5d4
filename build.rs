//! Tells the integration tests which real parts they can use: the Spark, notebook, browser and live Squid tests
//! are compiled as ignored unless their Python environment, chromedriver or squid binary (prepared by `.ci/run`)
//! is named when the tests are built, so a machine without them reports those tests as ignored instead of passing
//! them empty. `PROXY_OA_REQUIRE_*=1` (set by `.ci/run`) compiles them in regardless, so a missing part fails there.

fn main() {
    for (cfg, venv, require) in [
        ("proxy_oa_spark", "PROXY_OA_SPARK_VENV", "PROXY_OA_REQUIRE_SPARK"),
        ("proxy_oa_notebooks", "PROXY_OA_NOTEBOOK_VENV", "PROXY_OA_REQUIRE_NOTEBOOKS"),
        ("proxy_oa_browser", "PROXY_OA_CHROMEDRIVER", "PROXY_OA_REQUIRE_BROWSER"),
        ("proxy_oa_squid", "PROXY_OA_SQUID", "PROXY_OA_REQUIRE_SQUID"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={venv}");
        println!("cargo::rerun-if-env-changed={require}");
        let set = std::env::var_os(venv).is_some_and(|v| !v.is_empty());
        if set || std::env::var(require).as_deref() == Ok("1") {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rerun-if-changed=build.rs");
}
