fn main() -> std::process::ExitCode {
    synclint::cli::run()
}
