//! Entry point: parse the command line, run the subcommand, map an error to its exit code.

use clap::Parser;

fn main() {
    let cli = proxy_oa::cli::Cli::parse();
    if let Err(err) = proxy_oa::cmd::dispatch(cli) {
        eprintln!("proxy-oa: error: {err:#}");
        std::process::exit(proxy_oa::error::exit_code(&err));
    }
}
