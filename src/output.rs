//! Writing output files safely: into a temporary file beside the target, then renamed over it,
//! so a crash or a full disk never leaves a half-written report, and an input is never touched.
//!
//! Permissions: outputs hold personal data (names, addresses), so they are created as any
//! program creates a file, mode 0666 less the user's umask (0644 under the usual 022, 0600
//! under 077), and never widened afterwards. (tempfile would create them 0600; synclint
//! used to widen that to 0644 whatever the umask.)

use crate::error::Error;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` atomically with `fill`. Refuses to overwrite any of `inputs`.
pub fn write_atomically(
    path: &Path,
    inputs: &[PathBuf],
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    write_file_atomically(path, inputs, |file| {
        let mut writer = BufWriter::new(file);
        fill(&mut writer)?;
        writer.flush()
    })
}

/// Like [`write_atomically`], handing `fill` the temporary file itself (for writers that
/// need to seek, such as the xlsx packager).
pub fn write_file_atomically(
    path: &Path,
    inputs: &[PathBuf],
    fill: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> Result<(), Error> {
    let error = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    match begin_atomically(path, inputs)? {
        Output::InPlace(mut file) => fill(&mut file).map_err(error),
        Output::Pending(mut pending) => {
            fill(pending.file()).map_err(error)?;
            pending.finish()
        }
    }
}

/// An output opened by [`begin_atomically`].
pub enum Output {
    /// A device or a pipe (/dev/null, /dev/stdout, a FIFO), written in place: renaming a
    /// temporary file over it would replace the device itself (run as root, `--json
    /// /dev/null` turned /dev/null into a regular file).
    InPlace(std::fs::File),
    /// A temporary file beside the target, put in its place by [`PendingOutput::finish`].
    Pending(PendingOutput),
}

/// An output being written into a temporary file beside its path: dropped unfinished, the
/// temporary file is removed and the path left as it was.
pub struct PendingOutput {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PendingOutput {
    pub fn file(&mut self) -> &mut std::fs::File {
        self.temp.as_file_mut()
    }

    /// Flushes the file to disk and renames it over the path.
    pub fn finish(self) -> Result<(), Error> {
        let path = self.path;
        let error = |source| Error::Write {
            path: path.clone(),
            source,
        };
        self.temp.as_file().sync_all().map_err(error)?;
        self.temp.persist(&path).map_err(|e| error(e.error))?;
        Ok(())
    }
}

/// Opens `path` for writing as [`write_file_atomically`] does, for outputs written in more
/// than one step. Refuses any of `inputs`.
pub fn begin_atomically(path: &Path, inputs: &[PathBuf]) -> Result<Output, Error> {
    let error = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if is_one_of(path, inputs) {
        return Err(error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "refusing to overwrite an input file",
        )));
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(error)?;
        return Ok(Output::InPlace(file));
    }
    let dir = folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".synclint-").suffix(".tmp");
    // Created like an ordinary file: the umask decides who may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir).map_err(error)?;
    Ok(Output::Pending(PendingOutput {
        temp,
        path: path.to_path_buf(),
    }))
}

fn is_one_of(path: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(target) = path.canonicalize() else {
        return false; // does not exist yet, so it is no input
    };
    inputs
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .any(|p| p == target)
}

/// The folder of an output file (the current folder for a bare name): where its temporary
/// files go.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipe (like /dev/null or /dev/stdout, not a file) is written in place and stays a
    /// pipe: the temporary file is not renamed over it.
    #[cfg(unix)]
    #[test]
    fn a_device_or_pipe_is_written_in_place_not_replaced() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = Vec::new();
                std::fs::File::open(&fifo)
                    .and_then(|mut f| f.read_to_end(&mut text))
                    .expect("read the pipe");
                text
            })
        };
        write_file_atomically(&fifo, &[], |f| f.write_all(b"report")).expect("write");
        assert_eq!(reader.join().expect("reader"), b"report");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the pipe was replaced by {kind:?}");
    }

    #[test]
    fn writes_and_refuses_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        write_atomically(&target, &[], |w| w.write_all(b"hello")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        let err = write_atomically(&target, std::slice::from_ref(&target), |w| {
            w.write_all(b"x")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        // A failed fill leaves the old file and no temporary behind.
        let failed = write_atomically(&target, &[], |_| Err(io::Error::other("boom")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
