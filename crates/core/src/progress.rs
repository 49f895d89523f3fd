//! Progress of long operations (`validate` over many files, `check-s3` over many URLs,
//! `check-cluster`'s calls to the API server): one line on stderr, rewritten in place and cleared
//! when the operation ends, so a terminal shows what is going on and the output that follows is
//! exactly what a pipe gets. Shown only on a terminal: never when stderr is a pipe or a file, in
//! CI (`CI` set) or with `TERM=dumb`, so logs and machine output hold nothing extra.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the line may be redrawn: often enough to look alive, rarely enough that a run over
/// thousands of files spends no time on it.
const REDRAW_EVERY: Duration = Duration::from_millis(80);
/// The most characters of an item's name shown (its end, where file and bucket names differ).
const ITEM_CHARS: usize = 60;
/// Carriage return and "erase the line" (ECMA-48 EL 2).
const CLEAR: &str = "\r\x1b[2K";

/// Where progress goes: nowhere, or a terminal.
pub struct Progress {
    line: Option<Mutex<Line>>,
}

struct Line {
    out: Box<dyn Write + Send>,
    drawn: Option<Instant>,
}

impl Progress {
    /// Shows nothing.
    pub fn hidden() -> Self {
        Self { line: None }
    }

    /// Draws on `out` whatever the environment; for a terminal and for tests.
    pub fn to(out: Box<dyn Write + Send>) -> Self {
        Self {
            line: Some(Mutex::new(Line { out, drawn: None })),
        }
    }

    /// Draws on stderr when it is a terminal, outside CI and with a capable `TERM`.
    pub fn on_stderr() -> Self {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        if std::io::stderr().is_terminal() && !ci && !dumb {
            Self::to(Box::new(std::io::stderr()))
        } else {
            Self::hidden()
        }
    }

    /// Says that `done` of `total` steps are done and `item` is the latest; redrawn at most every
    /// [`REDRAW_EVERY`], and always for the last step. Safe to call from many threads.
    pub fn step(&self, verb: &str, done: usize, total: usize, item: &str) {
        let Some(line) = &self.line else { return };
        let Ok(mut line) = line.lock() else { return };
        let now = Instant::now();
        if done < total && line.drawn.is_some_and(|t| now - t < REDRAW_EVERY) {
            return;
        }
        line.drawn = Some(now);
        // Keys hidden before the end is cut, so that no part of one is shown.
        let item = crate::redact::redact(item);
        let skip = item.chars().count().saturating_sub(ITEM_CHARS);
        let shown: String = item.chars().skip(skip).collect();
        let ellipsis = if skip > 0 { "…" } else { "" };
        // A terminal that went away is no reason to fail the operation.
        let _ = write!(line.out, "{CLEAR}{verb} {done}/{total} {ellipsis}{shown}");
        let _ = line.out.flush();
    }

    /// Erases the line, before the operation's own output.
    pub fn clear(&self) {
        let Some(line) = &self.line else { return };
        let Ok(mut line) = line.lock() else { return };
        if line.drawn.take().is_some() {
            let _ = write!(line.out, "{CLEAR}");
            let _ = line.out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn draws_throttled_always_the_last_step_and_clears() {
        let out = Shared::default();
        let progress = Progress::to(Box::new(out.clone()));
        for i in 1..=1000 {
            progress.step("validating", i, 1000, &format!("configs/job-{i}.yaml"));
        }
        progress.clear();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.starts_with("\r\x1b[2Kvalidating 1/1000 configs/job-1.yaml"),
            "{text}"
        );
        assert!(
            text.contains("validating 1000/1000 configs/job-1000.yaml"),
            "{text}"
        );
        assert!(text.ends_with(CLEAR));
        assert!(text.matches(CLEAR).count() < 100, "redrawn for every step");
    }

    #[test]
    fn keys_in_items_are_hidden_before_the_end_is_cut() {
        let drawn = Shared::default();
        let progress = Progress::to(Box::new(drawn.clone()));
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        progress.step("checking", 1, 1, &format!("s3a://bucket/data/{secret}/x"));
        let text = String::from_utf8(drawn.0.lock().unwrap().clone()).unwrap();
        assert!(
            !text.contains("EXAMPLEKEY") && !text.contains("K7MDENG"),
            "{text}"
        );
    }

    #[test]
    fn long_items_keep_their_end_and_hidden_draws_nothing() {
        let out = Shared::default();
        let progress = Progress::to(Box::new(out.clone()));
        let long = format!("s3a://bucket/{}/part.parquet", "a".repeat(100));
        progress.step("checking", 1, 1, &long);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let tail = &long[long.len() - ITEM_CHARS..];
        assert_eq!(text, format!("{CLEAR}checking 1/1 …{tail}"));
        let hidden = Progress::hidden();
        hidden.step("checking", 1, 1, &long);
        hidden.clear();
    }
}
