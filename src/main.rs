use clap::Parser;

use broadside::cli::{self, Cli};
use broadside::config::Settings;
use broadside::telemetry;

/// glibc raises its mmap threshold after the first large block is freed, so
/// the 19 MiB that each Argon2id hash allocates would then come from, and stay
/// in, a per-thread arena: 270 MB of RSS after 200 sign-ins instead of 23 MB
/// (`bench/logins`). A fixed threshold keeps large blocks in mmap, returned
/// to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets an allocator parameter; it is called before
    // any other thread exists.
    unsafe {
        // Blocks of 128 KiB and more (password hashes, large calendars and
        // feeds, write buffers) are mapped on their own and unmapped when
        // freed, instead of pinning arena memory.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
        // Free memory at the top of an arena goes back above 256 KiB.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 10);
        // One arena per core at most: every worker, blocking and hashing
        // thread otherwise gets one, each holding on to its own free memory.
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

fn main() -> std::process::ExitCode {
    return_large_blocks_to_the_system();
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> std::process::ExitCode {
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
