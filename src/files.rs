//! Reading the small files the tool depends on besides the config (an AWS credentials file, the
//! marker of an output folder): regular files only, and at most a limit. A link to `/dev/zero`
//! or a FIFO is an error at once, never an unbounded read or a wait for a writer.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// The bytes of the regular file at `path` (links followed), refusing other kinds of file and
/// files larger than `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    if !fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a device, FIFO, socket or folder)",
        ));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_and_large_ones_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        fs::write(&small, "abc").unwrap();
        assert_eq!(read_regular(&small, 3).unwrap(), b"abc");
        assert!(read_regular(&small, 2).is_err());
        assert!(read_regular(Path::new("/dev/zero"), 10).is_err());
        assert!(read_regular(dir.path(), 10).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("zero");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            assert!(read_regular(&link, 10).is_err());
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(read_regular(&fifo, 10).is_err(), "no wait for a writer");
            }
        }
    }
}
