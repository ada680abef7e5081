//! A sheet as a grid of cell texts with merged regions resolved, from calamine or from CSV.

use std::borrow::Cow;

use calamine::{DataRef, Dimensions, Range};

/// Header rows are looked for this far down a sheet; title blocks are a few rows at most.
pub(crate) const HEADER_SEARCH_ROWS: u32 = 30;

/// One cell: its text, and whether Excel stored it as a number (a code stored as a number has
/// lost its leading zeros).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell<'a> {
    pub text: Cow<'a, str>,
    pub numeric: bool,
}

/// A merged region, 0-based and inclusive.
#[derive(Debug, Clone, Copy)]
struct Merge {
    first_row: u32,
    first_col: u32,
    last_row: u32,
    last_col: u32,
}

/// A sheet's cells, addressed by absolute 0-based (row, column) as Excel numbers them minus one.
#[derive(Debug, Default)]
pub(crate) struct Grid<'a> {
    pub name: String,
    first_row: u32,
    first_col: u32,
    rows: Vec<Vec<Cell<'a>>>,
    /// Merges that start near the top, where headers are: header cells read through them.
    top_merges: Vec<Merge>,
    /// First rows of merged regions that span several rows.
    vertical_merge_starts: Vec<u32>,
}

impl<'a> Grid<'a> {
    /// Builds a grid from a calamine range and the sheet's merged regions. Each region spanning
    /// several rows is filled down its first column from its top-left cell: a 事项类型 or 事项名称
    /// merged over its sub-items' rows then reads on every row.
    pub fn from_range(name: &str, range: &Range<DataRef<'a>>, merges: &[Dimensions]) -> Grid<'a> {
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range.rows().map(|row| row.iter().map(cell_from).collect()).collect();
        let merges = merges
            .iter()
            .map(|d| Merge {
                first_row: d.start.0,
                first_col: d.start.1,
                last_row: d.end.0,
                last_col: d.end.1,
            })
            .collect::<Vec<_>>();
        let mut grid =
            Grid { name: name.to_owned(), first_row, first_col, rows, ..Grid::default() };
        grid.apply_merges(&merges);
        grid
    }

    /// Builds a grid from rows of text (CSV); there are no merges.
    pub fn from_text_rows(name: &str, rows: Vec<Vec<String>>) -> Grid<'static> {
        let rows = rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|text| Cell { text: Cow::Owned(text), numeric: false })
                    .collect()
            })
            .collect();
        Grid { name: name.to_owned(), rows, ..Grid::default() }
    }

    fn apply_merges(&mut self, merges: &[Merge]) {
        for m in merges {
            if m.first_row < self.first_row + HEADER_SEARCH_ROWS + 2 {
                self.top_merges.push(*m);
            }
            if m.last_row == m.first_row {
                continue;
            }
            self.vertical_merge_starts.push(m.first_row);
            let Some(top) = self.cell(m.first_row, m.first_col).cloned() else { continue };
            for row in m.first_row + 1..=m.last_row {
                if let Some(cell) = self.cell_mut(row, m.first_col)
                    && cell.text.is_empty()
                {
                    *cell = top.clone();
                }
            }
        }
    }

    fn cell(&self, row: u32, col: u32) -> Option<&Cell<'a>> {
        let r = row.checked_sub(self.first_row)? as usize;
        let c = col.checked_sub(self.first_col)? as usize;
        self.rows.get(r)?.get(c)
    }

    fn cell_mut(&mut self, row: u32, col: u32) -> Option<&mut Cell<'a>> {
        let r = row.checked_sub(self.first_row)? as usize;
        let c = col.checked_sub(self.first_col)? as usize;
        self.rows.get_mut(r)?.get_mut(c)
    }

    /// Whether the sheet has no non-empty cell.
    pub fn is_blank(&self) -> bool {
        self.rows.iter().all(|row| row.iter().all(|c| c.text.trim().is_empty()))
    }

    /// The first row index.
    pub fn first_row(&self) -> u32 {
        self.first_row
    }

    /// One past the last row index.
    pub fn end_row(&self) -> u32 {
        self.first_row + self.rows.len() as u32
    }

    /// One past the last column index.
    pub fn end_col(&self) -> u32 {
        self.first_col + self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    /// The trimmed text of a cell ("" outside the grid).
    pub fn text(&self, row: u32, col: u32) -> &str {
        self.cell(row, col).map_or("", |c| c.text.trim())
    }

    /// Whether the cell holds a number.
    pub fn numeric(&self, row: u32, col: u32) -> bool {
        self.cell(row, col).is_some_and(|c| c.numeric)
    }

    /// The text of a header cell, read through any merge (a group header such as 追责 merged
    /// across its sub-columns reads on each of them).
    pub fn header_text(&self, row: u32, col: u32) -> &str {
        let merged = self.top_merges.iter().find(|m| {
            (m.first_row..=m.last_row).contains(&row) && (m.first_col..=m.last_col).contains(&col)
        });
        match merged {
            Some(m) => self.text(m.first_row, m.first_col),
            None => self.text(row, col),
        }
    }

    /// Whether any region merged over several rows starts at or below `row`.
    pub fn has_vertical_merges_from(&self, row: u32) -> bool {
        self.vertical_merge_starts.iter().any(|r| *r >= row)
    }

    /// Whether a row has no non-empty cell.
    pub fn row_is_blank(&self, row: u32) -> bool {
        self.non_empty_cells(row).next().is_none()
    }

    /// The columns of a row's non-empty cells.
    pub fn non_empty_cells(&self, row: u32) -> impl Iterator<Item = u32> + '_ {
        let cells = row
            .checked_sub(self.first_row)
            .and_then(|r| self.rows.get(r as usize))
            .map_or(&[][..], Vec::as_slice);
        cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.text.trim().is_empty())
            .map(|(i, _)| self.first_col + i as u32)
    }
}

fn cell_from<'a>(data: &DataRef<'a>) -> Cell<'a> {
    let (text, numeric) = match data {
        DataRef::SharedString(s) => (Cow::Borrowed(*s), false),
        DataRef::String(s) => (Cow::Owned(s.clone()), false),
        DataRef::Int(i) => (Cow::Owned(i.to_string()), true),
        DataRef::Float(f) => {
            // Excel stores every number as a float: 1.0 is the list number 1.
            let text = if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            };
            (Cow::Owned(text), true)
        }
        DataRef::Bool(b) => (Cow::Owned(if *b { "是" } else { "否" }.to_owned()), false),
        DataRef::DateTime(d) => (Cow::Owned(d.to_string()), false),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (Cow::Owned(s.clone()), false),
        DataRef::Error(_) | DataRef::Empty => (Cow::Borrowed(""), false),
    };
    // Cells saved on Windows may carry \r\n; the parsers split on \n.
    let text = if text.contains('\r') { Cow::Owned(text.replace("\r\n", "\n")) } else { text };
    Cell { text, numeric }
}
