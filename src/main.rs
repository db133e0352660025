use assent::server::config::{Command, Config};
use assent::server::provisioning::target;
use assent::server::{run, telemetry};
use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut config = Config::parse();
    if let Some(Command::TargetSystem { action }) = config.command.take() {
        return match target::run(config.amqp_url.as_deref(), action).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("assent: {error}");
                std::process::ExitCode::FAILURE
            }
        };
    }
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
