use clap::Parser;

use broadside::cli::{self, Cli};
use broadside::config::Settings;
use broadside::telemetry;

/// Rust's allocations go to mimalloc. glibc's malloc, free and their
/// consolidations took a sixth of the server's CPU under creates; with
/// mimalloc, 8 clients create 14 % more a second for 9 % less CPU each
/// (`bench/README.md`, "An allocator for the serving threads").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Options by their place in mimalloc's `mi_option_t` (mimalloc.h of the
/// v3 sources that `libmimalloc-sys` 0.1.49, pinned, builds).
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
#[cfg(target_os = "linux")]
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory is committed as it is used and returned to the system as soon as
/// it is free: the 19 MiB of each Argon2id hash do not stay with the
/// process (`bench/logins`: RSS 48 MB after 200 sign-ins, against 75 MB
/// at ready and 132 MB after with mimalloc's defaults). Set from the ELF
/// initialisers, before the runtime's first allocation reserves an arena,
/// which `main` would be too late for.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static CONFIGURE_ALLOCATOR: extern "C" fn() = configure_allocator;

#[cfg(target_os = "linux")]
extern "C" fn configure_allocator() {
    // SAFETY: mi_option_set only records an option's value.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

/// SQLite allocates through glibc's malloc. Blocks of 128 KiB and more are
/// mapped on their own and unmapped when freed, free memory at the top of
/// an arena goes back above 256 KiB, and there are two arenas at most, not
/// one per thread each holding on to its own free memory.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets an allocator parameter; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 10);
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
