//! `synclint generate`: a synthetic export for tests and demos.

use super::args::GenerateArgs;
use anyhow::Result;
use std::process::ExitCode;
use synclint::generate::{self, GenerateOptions};
use synclint::ingest::{Encoding, Format};
use synclint::output::{write_atomically, write_file_atomically};

pub fn run(args: &GenerateArgs) -> Result<ExitCode> {
    if !matches!(args.encoding, Encoding::Utf8 | Encoding::Utf16Le) {
        anyhow::bail!("generate writes utf-8 or utf-16le");
    }
    let options = GenerateOptions {
        objects: args.objects,
        seed: args.seed,
        format: args.format,
        encoding: args.encoding,
        domains: args.domains,
        planted: args.plant_issues,
        escaped_names: args.escaped_names,
        shape: args.shape,
        plant_devices: args.plant_devices,
        plant_readiness: args.plant_readiness,
    };
    if args.plant_readiness && !matches!(args.format, Format::Csvde | Format::Ldif) {
        anyhow::bail!("--plant-readiness writes csvde or ldif");
    }
    if args.forests {
        return forests(args);
    }
    let mut summary = None;
    if args.format == Format::Adexplorer {
        write_file_atomically(&args.output, &[], |f| {
            summary = Some(generate::snapshot::generate(&options, f)?);
            Ok(())
        })?;
    } else {
        write_atomically(&args.output, &[], |w| {
            summary = Some(generate::generate(&options, w)?);
            Ok(())
        })?;
    }
    if let Some(s) = summary {
        eprintln!(
            "wrote {}: {} objects ({} users, {} groups, {} contacts, {} computers{}){}",
            args.output.display(),
            s.objects,
            s.users,
            s.groups,
            s.contacts,
            s.computers,
            if s.ous > 0 {
                format!(", {} OUs", s.ous)
            } else {
                String::new()
            },
            if s.conflict_copies > 0 {
                format!("; {} users are conflict copies", s.conflict_copies)
            } else {
                String::new()
            }
        );
    }
    if args.plant_readiness {
        let (configuration, truth) = generate::readiness_companions(&options)?;
        let stem = args
            .output
            .file_stem()
            .map_or("export".into(), |s| s.to_string_lossy().into_owned());
        let ext = args
            .output
            .extension()
            .map_or("ldf".into(), |e| e.to_string_lossy().into_owned());
        let config_path = args.output.with_file_name(format!("{stem}-config.{ext}"));
        let truth_path = args.output.with_file_name(format!("{stem}-truth.json"));
        let utf16 = args.encoding == Encoding::Utf16Le;
        write_atomically(&config_path, &[], |w| {
            let mut text = generate::writer::TextOut::new(w, utf16)?;
            text.write_str(&configuration)?;
            Ok(())
        })?;
        write_atomically(&truth_path, &[], |w| w.write_all(truth.as_bytes()))?;
        eprintln!(
            "wrote {} (the planted forests' configuration partitions) and {} (the truth of every planted readiness case)",
            config_path.display(),
            truth_path.display()
        );
    }
    if let Some(dir) = &args.tenant {
        let background = args.tenant_objects.unwrap_or(args.objects / 10);
        let t = generate::tenant::generate_tenant(&options, background, dir)?;
        eprintln!(
            "wrote {}: a tenant of {} cloud objects, {} on-premises objects planted \
             (truth.json gives each one's outcome per users file)",
            dir.display(),
            t.cloud_objects,
            t.planted
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `generate --forests`: the two forests' exports.
fn forests(args: &GenerateArgs) -> Result<ExitCode> {
    use synclint::generate::forests::{generate, ForestsOptions};
    let export = generate(&ForestsOptions {
        filler: usize::try_from(args.objects).unwrap_or(usize::MAX),
        seed: args.seed,
        ..ForestsOptions::default()
    });
    let second = {
        let stem = args
            .output
            .file_stem()
            .map_or("forests".into(), |s| s.to_string_lossy().into_owned());
        let ext = args
            .output
            .extension()
            .map_or("ldf".into(), |e| e.to_string_lossy().into_owned());
        args.output.with_file_name(format!("{stem}-fabrikam.{ext}"))
    };
    for ((forest, text), path) in export.files.iter().zip([&args.output, &second]) {
        write_atomically(path, &[], |w| w.write_all(text.as_bytes()))?;
        eprintln!("wrote {} ({forest})", path.display());
    }
    eprintln!(
        "planted: {} engine findings, {} Connect → Cloud Sync differences; {} objects in scope under Connect, {} under Cloud Sync",
        export.planted.len(),
        export.differences.len(),
        export.in_scope.0,
        export.in_scope.1
    );
    Ok(ExitCode::SUCCESS)
}
