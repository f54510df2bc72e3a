//! What spilling asks of the operating system, per platform: reserving disk space, growing a
//! mapped file, and read-ahead hints. The rest of `spill` is the same everywhere.

use memmap2::MmapMut;
use std::fs::File;
use std::io;

/// Grows `file` to `bytes` (reserving the disk space first where the system can) and replaces
/// `map` with a mapping of the whole grown file. On error the file keeps its length and `map`
/// still maps it.
#[cfg(unix)]
pub fn grow(file: &File, map: &mut MmapMut, bytes: usize) -> io::Result<()> {
    reserve_disk(file, bytes)?;
    *map = map_whole(file)?;
    Ok(())
}

/// Windows refuses to change the length of a file while a view of it is mapped
/// (ERROR_USER_MAPPED_FILE), so the view is dropped first (its pages belong to the file, nothing
/// is lost), the file grows, and it is mapped again. NTFS allocates the clusters when the
/// length is set (files are not sparse unless asked), so a full disk is an error here too.
#[cfg(not(unix))]
pub fn grow(file: &File, map: &mut MmapMut, bytes: usize) -> io::Result<()> {
    *map = MmapMut::map_anon(0)?;
    let grown = file.set_len(bytes as u64);
    // Map again whatever the outcome: on error the file still has its old length and content.
    *map = map_whole(file)?;
    grown
}

/// Maps all of `file`, shared and writable.
pub fn map_whole(file: &File) -> io::Result<MmapMut> {
    // SAFETY: the file is an unnamed (Unix) or delete-on-close (Windows) temporary file only
    // this process holds, so nothing else changes or truncates it while mapped.
    unsafe { MmapMut::map_mut(file) }
}

/// Reserves `bytes` of disk for `file` (then the mapping can be written without faulting on a
/// full disk).
#[cfg(unix)]
pub fn reserve_disk(file: &File, bytes: usize) -> io::Result<()> {
    use rustix::fs::{fallocate, FallocateFlags};
    match fallocate(file, FallocateFlags::empty(), 0, bytes as u64) {
        Ok(()) => Ok(()),
        // Filesystems without fallocate: extend the file instead (sparse, so a full disk
        // could still fault later; such filesystems are rare for temporary space).
        Err(rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::INVAL) => file.set_len(bytes as u64),
        Err(errno) => Err(errno.into()),
    }
}

/// Setting the length allocates the space on NTFS (see [`grow`]).
#[cfg(not(unix))]
pub fn reserve_disk(file: &File, bytes: usize) -> io::Result<()> {
    file.set_len(bytes as u64)
}

/// Tells the kernel how `map` will be read: `random` turns off read-ahead, which under memory
/// pressure would read (and evict) 128 KB around every row looked up at random; otherwise
/// read-ahead serves scans in row order. Only a hint: if the kernel refuses, reads are just
/// slower.
#[cfg(unix)]
pub fn expect_random_access(map: &MmapMut, random: bool) {
    let advice = if random {
        memmap2::Advice::Random
    } else {
        memmap2::Advice::Normal
    };
    let _ = map.advise(advice);
}

/// Windows has no per-mapping read-ahead advice (PrefetchVirtualMemory only reads ahead):
/// nothing to do, reads are served as they come.
#[cfg(not(unix))]
pub fn expect_random_access(_map: &MmapMut, _random: bool) {}
