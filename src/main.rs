//! The `policykg` command: parses the command line and hands over to [`cli::run`]; maps
//! errors to exit codes (0 all done, 1 some inputs skipped, 2 usage, store or query error) and
//! treats a closed output pipe as success.

mod cli;

fn main() {
    let code = match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                0
            } else {
                eprintln!("policykg: error: {err:#}");
                2
            }
        }
    };
    std::process::exit(code);
}
