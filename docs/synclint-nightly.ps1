<#
.SYNOPSIS
    Nightly synclint run for Windows Task Scheduler: exports the domain with csvde, analyzes
    the export against the previous run, keeps dated outputs and ends with synclint's exit code.

.DESCRIPTION
    Each run gets its own folder under -OutputRoot, named by date and time (2026-12-02_020000):
        export.csv      the csvde export (Unicode), with exactly the attributes synclint reads
        csvde.log       what csvde printed
        report.xlsx     the workbook for the reviewer
        summary.json    the JSON summary; the next run compares with it (--baseline)
        findings\       findings.csv and one CSV per class (UTF-8 with BOM: Excel-ready)
        synclint.log    what synclint printed
    Run folders older than -KeepDays are deleted. Works with Windows PowerShell 5.1 and
    PowerShell 7.

    Exit code (Task Scheduler's "Last Run Result"):
        0   no finding at or above -FailOn
        1   findings at or above -FailOn (see summary.json: changes.new counts the new ones)
        2   synclint could not read the export or was misused (see synclint.log)
        3   the csvde export failed (see csvde.log)

.EXAMPLE
    # Once, in an elevated prompt: a task that runs at 02:00 as a service account that can read
    # the directory (a gMSA needs no password: /RU "CONTOSO\svc-synclint$" without /RP).
    schtasks /Create /TN "synclint nightly" /SC DAILY /ST 02:00 /RU "CONTOSO\svc-synclint" /RP * `
      /TR "powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\synclint\synclint-nightly.ps1 -Domain contoso.com -VerifiedDomain contoso.com"

.EXAMPLE
    # By hand, to try it:
    .\synclint-nightly.ps1 -Domain contoso.com -Server dc01.contoso.com -OutputRoot D:\synclint\runs
#>
[CmdletBinding()]
param(
    # The domain's DNS name; the export covers all of it.
    [Parameter(Mandatory = $true)]
    [string] $Domain,

    # A domain controller of that domain (default: the domain name, which DNS resolves to one).
    [string] $Server = $Domain,

    # Where the dated run folders go.
    [string] $OutputRoot = 'C:\synclint\runs',

    # synclint.exe (default: next to this script).
    [string] $Synclint = (Join-Path $PSScriptRoot 'synclint.exe'),

    # Domains verified in the tenant (UPN suffixes outside them are reported).
    [string[]] $VerifiedDomain = @(),

    # The severity that makes the run fail (exit code 1).
    [ValidateSet('error', 'warning', 'info', 'never')]
    [string] $FailOn = 'error',

    # Run folders older than this many days are removed.
    [int] $KeepDays = 30
)

# Stop on a cmdlet's error (a folder that can't be made). Failures are reported with
# Write-Output and an exit code, never Write-Error, which 'Stop' would turn into exit code 1.
$ErrorActionPreference = 'Stop'
# synclint prints UTF-8; decode its output as UTF-8 so non-ASCII names reach the log intact.
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch { }

# Runs a native program, writing everything it prints to $Log; returns its exit code. Windows
# PowerShell 5.1 turns a native program's stderr lines into errors, which 'Stop' would throw
# on: they are collected as text instead.
function Invoke-Logged {
    param([string] $FilePath, [string[]] $Arguments, [string] $Log)
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & $FilePath @Arguments 2>&1 | ForEach-Object { "$_" } | Out-File -FilePath $Log -Encoding utf8
        return $LASTEXITCODE
    }
    finally {
        $ErrorActionPreference = $saved
    }
}

if (-not (Test-Path -LiteralPath $Synclint)) {
    Write-Output "synclint.exe not found at $Synclint (pass -Synclint)"
    exit 2
}

$stamp = Get-Date -Format 'yyyy-MM-dd_HHmmss'
$run = Join-Path $OutputRoot $stamp
New-Item -ItemType Directory -Force -Path $run | Out-Null

# The previous run that left a summary: the baseline for this one.
$previous = Get-ChildItem -LiteralPath $OutputRoot -Directory |
    Where-Object { $_.Name -lt $stamp -and (Test-Path -LiteralPath (Join-Path $_.FullName 'summary.json')) } |
    Sort-Object Name |
    Select-Object -Last 1

# 1. Export: the whole domain, users, contacts and groups, the attributes synclint reads
#    (`synclint help export` explains each switch).
$baseDn = ($Domain.TrimEnd('.').Split('.') | ForEach-Object { "DC=$_" }) -join ','
$attributes = ((& $Synclint rules --attributes) -join '').Trim()
$export = Join-Path $run 'export.csv'
$csvdeArgs = @(
    '-u', '-f', $export, '-s', $Server, '-d', $baseDn, '-p', 'subtree',
    '-r', '(|(objectCategory=person)(objectCategory=group))', '-l', $attributes
)
$code = Invoke-Logged -FilePath 'csvde.exe' -Arguments $csvdeArgs -Log (Join-Path $run 'csvde.log')
# No file also means csvde could not be started (then $LASTEXITCODE is still the last one's).
if ($code -ne 0 -or -not (Test-Path -LiteralPath $export)) {
    Write-Output "csvde failed with exit code $code; see $(Join-Path $run 'csvde.log')"
    exit 3
}

# 2. Analyze, against the previous run's summary when there is one.
$synclintArgs = @(
    'analyze', $export, '--quiet',
    '-o', (Join-Path $run 'report.xlsx'),
    '--json', (Join-Path $run 'summary.json'),
    '--csv-dir', (Join-Path $run 'findings'),
    '--fail-on', $FailOn
)
foreach ($d in $VerifiedDomain) { $synclintArgs += @('--verified-domain', $d) }
if ($previous) {
    $synclintArgs += @('--baseline', (Join-Path $previous.FullName 'summary.json'))
}
$code = Invoke-Logged -FilePath $Synclint -Arguments $synclintArgs -Log (Join-Path $run 'synclint.log')

# 3. One line for the task's history.
$summaryPath = Join-Path $run 'summary.json'
if (Test-Path -LiteralPath $summaryPath) {
    $summary = Get-Content -LiteralPath $summaryPath -Raw -Encoding UTF8 | ConvertFrom-Json
    $line = "synclint: $($summary.findings.total) findings"
    if ($summary.changes) {
        $line += " ($($summary.changes.new) new, $($summary.changes.resolved) resolved since $($previous.Name))"
    }
    Write-Output "$line; exit code $code; outputs in $run"
}
else {
    Write-Output "synclint: no summary written; exit code $code; see $(Join-Path $run 'synclint.log')"
}

# 4. Retention.
$cutoff = (Get-Date).AddDays(-$KeepDays)
Get-ChildItem -LiteralPath $OutputRoot -Directory |
    Where-Object { $_.Name -match '^\d{4}-\d{2}-\d{2}_\d{6}$' -and $_.LastWriteTime -lt $cutoff } |
    Remove-Item -Recurse -Force

exit $code
