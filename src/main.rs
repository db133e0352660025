use assent::server::{config::Config, run, telemetry};
use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    telemetry::init(config.log_format);
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "assent stopped");
            eprintln!("assent: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
