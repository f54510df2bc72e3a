/*
 * TEST-ONLY. NEVER SHIP THIS FILE OR THE DLL BUILT FROM IT.
 *
 * Current Rust standard libraries take random numbers (hash map seeds) from ProcessPrng in
 * bcryptprimitives.dll, which every supported Windows 10/11 has but Debian 12's Wine 8.0
 * does not: without it a Rust program cannot even start under that Wine (status c0000135).
 * .ci/windows.sh builds this stand-in with mingw and puts it next to synclint.exe only inside
 * its throw-away test folder, so the Windows build can be run in CI. It fills the buffer
 * from RtlGenRandom (SystemFunction036 in advapi32), the system's own random source.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
