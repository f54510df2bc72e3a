//! Puts the git commit the binary was built from into `synclint --version`
//! (`SYNCLINT_COMMIT`). Without git (a source archive), the commit can be passed in the
//! environment variable of the same name; otherwise it reads "unknown commit".

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=SYNCLINT_COMMIT");
    let commit = std::env::var("SYNCLINT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]).map(|c| format!("commit {c}")))
        .unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=SYNCLINT_COMMIT={commit}");
    // Build again when HEAD moves: HEAD itself (a checkout) and the branch it names (a commit,
    // loose or packed). Paths come from git, so worktrees work too. Only existing files: cargo
    // reruns the script every time for a missing one.
    let mut watched: Vec<PathBuf> = Vec::new();
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        watched.push(PathBuf::from(dir).join("HEAD"));
    }
    if let (Some(common), Some(branch)) = (
        git(&["rev-parse", "--git-common-dir"]),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ) {
        let common = PathBuf::from(common);
        watched.push(common.join(&branch));
        watched.push(common.join("packed-refs"));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    if watched.is_empty() {
        println!("cargo:rerun-if-changed=build.rs");
    }
}
