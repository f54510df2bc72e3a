//! The report schema: every column a finding can be shown in, with its workbook header and
//! width, its CSV name and what it means. The workbook writer, the CSV writer and `fix`'s
//! reader of the reviewed workbook all name columns through [`Column`]; a header changes in
//! one place, and `fix` finds columns by that header, never by position (a reviewer may
//! reorder or add columns).

/// One column of the findings, in the workbook's class sheets or the CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Severity,
    Dn,
    Attribute,
    Value,
    Suggested,
    Recommended,
    Action,
    Update,
    Why,
    Rule,
    OuPath,
    ObjectClass,
    Group,
    ConflictsWith,
    Source,
    /// CSV only: the issue class (the workbook has a sheet per class instead).
    Class,
    /// CSV only: the finding's note as is (the workbook puts it in Why or Conflicts with).
    Note,
}

/// How wide a column is in a class sheet: fixed, or fitted to a sample of its content
/// between a narrowest and a widest width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Width {
    Fixed(f64),
    Fitted { narrowest: f64, widest: f64 },
}

impl Column {
    /// The class sheets' columns, in order: the reviewer's first (what, where, the value,
    /// the suggestion, the choice, why), the rest after. `Recommended` is what synclint
    /// recommends (read only); `Action` is empty until a reviewer chooses one, and `fix` acts
    /// on nothing else; `Update` holds the suggested value, so accepting it is one choice
    /// (EDIT).
    pub const CLASS_SHEET: [Column; 15] = [
        Column::Severity,
        Column::Dn,
        Column::Attribute,
        Column::Value,
        Column::Suggested,
        Column::Recommended,
        Column::Action,
        Column::Update,
        Column::Why,
        Column::Rule,
        Column::OuPath,
        Column::ObjectClass,
        Column::Group,
        Column::ConflictsWith,
        Column::Source,
    ];

    /// The CSV's columns, in order (the columns, then the note).
    pub const CSV: [Column; 12] = [
        Column::Rule,
        Column::Class,
        Column::Severity,
        Column::Dn,
        Column::ObjectClass,
        Column::Attribute,
        Column::Value,
        Column::Suggested,
        Column::Recommended,
        Column::Group,
        Column::Source,
        Column::Note,
    ];

    /// The header of the column in a class sheet (what `fix` looks for).
    pub const fn header(self) -> &'static str {
        match self {
            Column::Severity => "Severity",
            Column::Dn => "Object (DN)",
            Column::Attribute => "Attribute",
            Column::Value => "Value",
            Column::Suggested => "Suggested value",
            Column::Recommended => "Recommended",
            Column::Action => "Action",
            Column::Update => "Update",
            Column::Why => "Why",
            Column::Rule => "Rule",
            Column::OuPath => "OU path",
            Column::ObjectClass => "Object class",
            Column::Group => "Group",
            Column::ConflictsWith => "Conflicts with",
            Column::Source => "Source",
            Column::Class => "Class",
            Column::Note => "Note",
        }
    }

    /// The column's name in the CSV header.
    pub const fn csv_name(self) -> &'static str {
        match self {
            Column::Severity => "severity",
            Column::Dn => "dn",
            Column::Attribute => "attribute",
            Column::Value => "value",
            Column::Suggested => "suggested_value",
            Column::Recommended => "recommended",
            Column::Action => "action",
            Column::Update => "update",
            Column::Why => "why",
            Column::Rule => "rule",
            Column::OuPath => "ou_path",
            Column::ObjectClass => "object_class",
            Column::Group => "group_id",
            Column::ConflictsWith => "conflicts_with",
            Column::Source => "source",
            Column::Class => "class",
            Column::Note => "note",
        }
    }

    /// The column's width in a class sheet (characters).
    pub const fn width(self) -> Width {
        match self {
            Column::Severity => Width::Fixed(9.0),
            Column::Dn => Width::Fitted {
                narrowest: 24.0,
                widest: 80.0,
            },
            Column::Attribute => Width::Fixed(18.0),
            Column::Value => Width::Fitted {
                narrowest: 12.0,
                widest: 48.0,
            },
            Column::Suggested => Width::Fitted {
                narrowest: 12.0,
                widest: 40.0,
            },
            Column::Recommended => Width::Fixed(22.0),
            Column::Action => Width::Fixed(10.0),
            Column::Update => Width::Fitted {
                narrowest: 12.0,
                widest: 40.0,
            },
            Column::Why => Width::Fixed(70.0),
            Column::Rule => Width::Fixed(8.0),
            Column::OuPath => Width::Fitted {
                narrowest: 16.0,
                widest: 48.0,
            },
            Column::ObjectClass => Width::Fixed(12.0),
            Column::Group => Width::Fixed(8.0),
            Column::ConflictsWith => Width::Fitted {
                narrowest: 16.0,
                widest: 60.0,
            },
            Column::Source => Width::Fitted {
                narrowest: 16.0,
                widest: 48.0,
            },
            Column::Class | Column::Note => Width::Fixed(30.0),
        }
    }

    /// Long text that wraps within the column's width, so that it shows whole on screen and
    /// in print rather than cut at the cell's edge.
    pub const fn wraps(self) -> bool {
        matches!(self, Column::Why | Column::ConflictsWith)
    }

    /// The column's position in a class sheet (0 = A); `None` for the CSV-only columns.
    pub const fn position(self) -> Option<u16> {
        let mut i = 0;
        while i < Column::CLASS_SHEET.len() {
            if Column::CLASS_SHEET[i] as u8 == self as u8 {
                return Some(i as u16);
            }
            i += 1;
        }
        None
    }

    /// [`Column::position`] of a class-sheet column (column A for a CSV-only column, which
    /// no class sheet writes).
    pub const fn at(self) -> u16 {
        match self.position() {
            Some(i) => i,
            None => 0,
        }
    }

    /// What the column holds, as the "How to use this workbook" sheet explains it.
    pub const fn help(self) -> &'static str {
        match self {
            Column::Severity => "error: the object fails to sync or the value is dropped; warning: it syncs, renamed or degraded; info: nothing breaks. Coloured: red, amber, blue.",
            Column::Dn => "The object's distinguishedName, as in the export. Stays in view when you scroll right.",
            Column::Attribute => "The attribute the problem is in.",
            Column::Value => "The value as exported (spaces and invisible characters kept).",
            Column::Suggested => "A value that passes every rule and collides with no other value, when synclint can derive one; empty otherwise.",
            Column::Recommended => "What synclint recommends for the row (advice only: fix never reads it).",
            Column::Action => "Yours to choose: EDIT, REMOVE, COMPLETE or IGNORE (list below). Empty: nothing changes. fix acts on this column only.",
            Column::Update => "The value EDIT writes. Filled with the suggested value; type another to use that instead.",
            Column::Why => "What is wrong, what Entra will do with this value, and the rule's code (synclint rules CODE explains it in full).",
            Column::Rule => "The rule's code, e.g. SL101.",
            Column::OuPath => "Where the object sits (domain/OU/OU): filter on it to work one OU at a time.",
            Column::ObjectClass => "user, group, contact, computer, inetOrgPerson.",
            Column::Group => "Duplicate and Collision sheets: the rows of one group share the value; groups are shaded in turn.",
            Column::ConflictsWith => "The other holders of a duplicate value, or what the value collides with.",
            Column::Source => "The export file and line of the object.",
            Column::Class => "The kind of problem (the workbook's sheet).",
            Column::Note => "What the value conflicts with, or why no suggestion was made.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_class_sheet_order() {
        for (i, c) in Column::CLASS_SHEET.iter().enumerate() {
            assert_eq!(c.position(), Some(i as u16), "{c:?}");
        }
        assert_eq!(Column::Class.position(), None);
        assert_eq!(Column::Note.position(), None);
        let headers: std::collections::HashSet<&str> =
            Column::CLASS_SHEET.iter().map(|c| c.header()).collect();
        assert_eq!(
            headers.len(),
            Column::CLASS_SHEET.len(),
            "headers are unique"
        );
        let names: std::collections::HashSet<&str> =
            Column::CSV.iter().map(|c| c.csv_name()).collect();
        assert_eq!(names.len(), Column::CSV.len(), "CSV names are unique");
    }
}
