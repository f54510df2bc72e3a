//! Windows: the process's memory counters, the system's available physical memory
//! (GlobalMemoryStatusEx) and the limits of the job object the process runs in, if any (Task
//! Scheduler, services and containers can put a process in a job limited to N bytes of
//! committed memory, and the process then fails to allocate past it).

use windows_sys::Win32::System::JobObjects::{
    JobObjectExtendedLimitInformation, QueryInformationJobObject,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JOB_OBJECT_LIMIT_JOB_MEMORY,
    JOB_OBJECT_LIMIT_PROCESS_MEMORY,
};
use windows_sys::Win32::System::ProcessStatus::{
    K32GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS, PROCESS_MEMORY_COUNTERS_EX,
};
use windows_sys::Win32::System::SystemInformation::{GlobalMemoryStatusEx, MEMORYSTATUSEX};
use windows_sys::Win32::System::Threading::GetCurrentProcess;

/// This process's memory counters (working set, committed bytes).
fn counters() -> Option<PROCESS_MEMORY_COUNTERS_EX> {
    let mut c = PROCESS_MEMORY_COUNTERS_EX {
        cb: size_of::<PROCESS_MEMORY_COUNTERS_EX>() as u32,
        ..Default::default()
    };
    // SAFETY: `c` is a PROCESS_MEMORY_COUNTERS_EX whose size is in `cb` (the _EX form is
    // accepted where the plain one is asked for); the pseudo-handle needs no closing.
    let ok = unsafe {
        K32GetProcessMemoryInfo(
            GetCurrentProcess(),
            (&raw mut c).cast::<PROCESS_MEMORY_COUNTERS>(),
            c.cb,
        )
    };
    (ok != 0).then_some(c)
}

pub fn peak_rss_bytes() -> Option<u64> {
    counters().map(|c| c.PeakWorkingSetSize as u64)
}

pub fn current_rss_bytes() -> Option<u64> {
    counters().map(|c| c.WorkingSetSize as u64)
}

/// Available physical memory, or less when a job object limits this process or its job.
pub fn available_bytes() -> Option<u64> {
    let mut status = MEMORYSTATUSEX {
        dwLength: size_of::<MEMORYSTATUSEX>() as u32,
        ..Default::default()
    };
    // SAFETY: `status` is a MEMORYSTATUSEX with its size in dwLength, as the call requires.
    let system = (unsafe { GlobalMemoryStatusEx(&mut status) } != 0).then_some(status.ullAvailPhys);
    super::tighter(system, job_room())
}

/// Room under the memory limits of the job object this process is in (None outside a job or
/// without a memory limit). A job's limit counts every process in it; only this process's
/// committed bytes are known here, which for a scheduled synclint (alone in its job but for
/// the script that started it) is nearly all of it.
fn job_room() -> Option<u64> {
    let mut info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
    // SAFETY: a null job handle means the job of the calling process; `info` is the structure
    // this information class fills, with its size passed. Outside a job the call fails.
    let ok = unsafe {
        QueryInformationJobObject(
            std::ptr::null_mut(),
            JobObjectExtendedLimitInformation,
            (&raw mut info).cast(),
            size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return None;
    }
    let flags = info.BasicLimitInformation.LimitFlags;
    let limit = |flag, bytes: usize| (flags & flag != 0).then_some(bytes as u64);
    let committed = counters().map_or(0, |c| c.PrivateUsage as u64);
    super::room_under(
        &[
            limit(JOB_OBJECT_LIMIT_PROCESS_MEMORY, info.ProcessMemoryLimit),
            limit(JOB_OBJECT_LIMIT_JOB_MEMORY, info.JobMemoryLimit),
        ],
        committed,
    )
}

/// Nothing to set: Windows' heap is not glibc's (see the Linux version).
pub fn return_large_frees() -> bool {
    false
}
