//! Reading the small files the tool depends on besides the config (an AWS credentials file, the
//! marker of an output folder): regular files only, and at most a limit. A link to `/dev/zero`
//! or a FIFO is an error at once, never an unbounded read or a wait for a writer. A config may
//! come through a pipe (`render <(vault read ...)`): that wait is bounded ([`read_waiting`]).

use std::fs;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

/// How long a config read from a FIFO waits for its writer to finish.
pub const FIFO_WAIT: Duration = Duration::from_secs(30);

/// The bytes of the file at `path`, at most `limit + 1` of them (so that the caller can tell a
/// file over its limit). A FIFO (`<(command)`, a named pipe) is read for at most `wait`: a pipe
/// nobody writes to, or whose writer stalls before closing it, is an error, not a hang.
pub fn read_waiting(path: &Path, limit: u64, wait: Duration) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        if fs::metadata(path)?.file_type().is_fifo() {
            // Non-blocking: the open does not wait for a writer, nor does a read for bytes.
            let mut file = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path)?;
            let deadline = std::time::Instant::now() + wait;
            let mut ready = libc::pollfd {
                fd: file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let mut chunk = [0u8; 64 * 1024];
            while bytes.len() as u64 <= limit {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                let millis = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
                // SAFETY: one valid pollfd, alive for the call.
                match unsafe { libc::poll(&mut ready, 1, millis) } {
                    0 => {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!(
                                "a FIFO whose writer did not finish within {} s",
                                wait.as_secs_f64()
                            ),
                        ));
                    }
                    n if n > 0 => match file.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                        Err(e)
                            if matches!(
                                e.kind(),
                                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                            ) => {}
                        Err(e) => return Err(e),
                    },
                    _ => {
                        let error = io::Error::last_os_error();
                        if error.kind() != io::ErrorKind::Interrupted {
                            return Err(error);
                        }
                    }
                }
            }
            return Ok(bytes);
        }
    }
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

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
                let waited = read_waiting(&fifo, 100, Duration::from_millis(200));
                assert_eq!(
                    waited.unwrap_err().kind(),
                    io::ErrorKind::TimedOut,
                    "a FIFO nobody writes to is an error"
                );
                // A writer that sends a first piece, then stalls without closing the pipe.
                let stalled = {
                    let fifo = fifo.clone();
                    std::thread::spawn(move || {
                        let mut w = fs::OpenOptions::new().write(true).open(fifo).unwrap();
                        std::io::Write::write_all(&mut w, b"apiVersion:").unwrap();
                        std::thread::sleep(Duration::from_millis(1500));
                    })
                };
                let waited = read_waiting(&fifo, 100, Duration::from_millis(300));
                assert_eq!(
                    waited.unwrap_err().kind(),
                    io::ErrorKind::TimedOut,
                    "a writer that stalls is an error"
                );
                stalled.join().unwrap();
                let writer = {
                    let fifo = fifo.clone();
                    std::thread::spawn(move || fs::write(fifo, "apiVersion: x\n"))
                };
                let text =
                    String::from_utf8(read_waiting(&fifo, 100, Duration::from_secs(10)).unwrap())
                        .unwrap();
                writer.join().unwrap().unwrap();
                assert_eq!(
                    text, "apiVersion: x\n",
                    "a FIFO's writer is read to the end"
                );
            }
        }
    }
}
