//! Writing a stream on a second thread. `main.tf.json` is written by
//! `write` calls of 256 KiB; for a fleet of 50,000 nodes, 100 MB of them
//! took a third as long as producing the bytes. Here the producer hands
//! each full buffer over (no copy) and fills the next while a thread
//! writes it; a few buffers circulate, so memory stays bounded.

use super::Sink;
use std::io::{self, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

/// Full buffers waiting for the writer, at most.
const DEPTH: usize = 2;

/// Run `produce` with a sink whose buffers a second thread writes to
/// `out`. An error writing is returned before `produce`'s result.
pub fn write_piped<W: Write + Send, T>(
    out: W,
    produce: impl FnOnce(&mut dyn Sink) -> io::Result<T>,
) -> io::Result<T> {
    std::thread::scope(|s| {
        let (full_tx, full_rx) = sync_channel::<Vec<u8>>(DEPTH);
        let (spare_tx, spare_rx) = channel::<Vec<u8>>();
        let writer = s.spawn(move || drain(out, &full_rx, &spare_tx));
        let mut pipe = Pipe {
            full: full_tx,
            spare: spare_rx,
        };
        let produced = produce(&mut pipe);
        // Closing the channel ends the writer once it has written the rest.
        drop(pipe);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.and(produced)
    })
}

/// The writer thread: write each buffer, hand it back for reuse.
fn drain<W: Write>(
    mut out: W,
    full: &Receiver<Vec<u8>>,
    spare: &Sender<Vec<u8>>,
) -> io::Result<()> {
    for mut buf in full {
        out.write_all(&buf)?;
        buf.clear();
        // The producer may have finished and gone: the buffer is dropped.
        let _ = spare.send(buf);
    }
    out.flush()
}

struct Pipe {
    full: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
}

impl Sink for Pipe {
    fn send(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        let empty = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(buf.capacity()));
        let full = std::mem::replace(buf, empty);
        self.full
            .send(full)
            .map_err(|_| io::Error::other("the writer thread stopped"))
    }

    fn done(&mut self) -> io::Result<()> {
        // The writer flushes once the pipe is closed.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Json;
    use super::*;
    use serde_json::json;

    fn document() -> serde_json::Value {
        json!({ "a": (0..100_000).map(|i| json!({ "i": i })).collect::<Vec<_>>() })
    }

    #[test]
    fn piped_bytes_are_the_streamed_bytes() {
        let v = document();
        let mut out: Vec<u8> = Vec::new();
        let n = write_piped(&mut out, |sink| {
            let mut j = Json::streaming(sink);
            j.value(&v);
            j.raw("\n");
            j.close_stream()
        })
        .unwrap();
        assert!(out.len() > super::super::FLUSH_AT * 4);
        assert_eq!(n, out.len() as u64);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&v).unwrap() + "\n"
        );
    }

    /// A file that fills up after `room` bytes.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if buf.len() > self.room {
                return Err(io::Error::other("disk full"));
            }
            self.room -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_is_the_result() {
        let v = document();
        let err = write_piped(Full { room: 300_000 }, |sink| {
            let mut j = Json::streaming(sink);
            j.value(&v);
            j.close_stream()
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}
