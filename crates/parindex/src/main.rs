//! The `parindex` binary: the web server, the demo province, and the administration commands.
//! Configuration comes from flags, then `PARINDEX_*` environment variables (secrets also from
//! `PARINDEX_*_FILE`), then a TOML file, then safe defaults; see `config.rs`.

mod bench;
mod cli;
mod config;
mod framework_cmd;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    // benchmarks print their figures, not an access log line per request
    let default = if cli.is_bench() { "warn" } else { "info,sqlx=warn,sea_orm=warn" };
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("parindex: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parindex: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
