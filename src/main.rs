//! Entry point: parse the command line, start the logger, run the subcommand, map an error to its exit code.

use clap::Parser;

/// jemalloc for every allocation of the process, the bundled DuckDB's included (its own Linux builds use it).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let cli = proxy_oa::cli::Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .format_timestamp(None)
        .format_target(false)
        .init();
    if let Err(err) = proxy_oa::cmd::dispatch(cli) {
        let code = proxy_oa::error::exit_code(&err);
        // A reader that went away (`proxy-oa show ... | head`) is not a failure and needs no message.
        if code != 0 {
            eprintln!("proxy-oa: error: {err:#}");
        }
        std::process::exit(code);
    }
}
