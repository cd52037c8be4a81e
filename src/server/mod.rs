//! placeholder
pub fn run_stdio() -> Result<(), std::io::Error> {
    Ok(())
}
