use clap::Parser;

use broadside::cli::{self, Cli};
use broadside::config::Settings;
use broadside::telemetry;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // A missing .env is normal; a malformed one is reported by the settings.
    let _ = dotenvy::dotenv();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("broadside: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    match cli::run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("broadside: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
