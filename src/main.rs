use assent::server::changes::feed;
use assent::server::config::{Command, Config};
use assent::server::provisioning::target;
use assent::server::{run, telemetry, users_cli};
use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut config = Config::parse();
    let url = config.amqp_url.clone();
    let command = match config.command.take() {
        Some(Command::TargetSystem { action }) => Some(target::run(url.as_deref(), action).await),
        Some(Command::ChangeEvents { action }) => Some(feed::run(url.as_deref(), action).await),
        Some(Command::Users { action }) => Some(users_cli::run(&config.database_url, action).await),
        None => None,
    };
    if let Some(outcome) = command {
        return match outcome {
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
