//! Reading a sheet: its data rows, main rows and sub-items, one item per row, and the items
//! gathered into the import's outcome.

use super::*;

impl<'u> Importer<'u> {
    pub(crate) fn new(units: &'u UnitDirectory, options: &'u ImportOptions) -> Importer<'u> {
        Importer {
            units,
            options,
            items: Vec::new(),
            problems: Vec::new(),
            sheet_headers: HashMap::new(),
            sheet_order: HashMap::new(),
            sheets_with_header: 0,
        }
    }

    pub(super) fn sheet_problem(
        &mut self,
        sheet: &str,
        severity: Severity,
        code: &str,
        zh: String,
        en: String,
    ) {
        self.problems.push(Problem {
            sheet: sheet.to_owned(),
            row: None,
            column: None,
            severity,
            code: code.to_owned(),
            message_zh: zh,
            message_en: en,
        });
    }

    pub(super) fn sheet(&mut self, grid: &Grid<'_>) {
        let sheet = grid.name.as_str();
        let order = self.sheet_order.len();
        self.sheet_order.entry(sheet.to_owned()).or_insert(order);
        let Some(layout) = find_layout(grid) else {
            // A notes sheet (填表说明) is common; it is reported, and becomes an error in
            // `finish` only when no sheet at all has a header.
            self.sheet_problem(
                sheet,
                Severity::Warning,
                "no_header",
                format!(
                    "工作表“{sheet}”前{HEADER_SEARCH_ROWS}行中未找到表头（应包含事项名称及事项类型、实施主体等列），该表未导入"
                ),
                format!("sheet {sheet}: no header row with the item name and two other known columns in the first {HEADER_SEARCH_ROWS} rows; not imported"),
            );
            return;
        };
        self.sheets_with_header += 1;
        let header_loc = Loc { sheet, row: layout.header_row + 1, headers: &layout.headers };
        for (_, text, known) in &layout.ignored {
            let (zh, en) = if *known {
                (format!("“{text}”列本系统不保存，已忽略"), format!("column {text} is not stored"))
            } else {
                (format!("未识别的列“{text}”，已忽略"), format!("unknown column {text} ignored"))
            };
            let mut p = header_loc.problem(None, Severity::Warning, "ignored_column", zh, en);
            p.column = Some(text.clone());
            self.problems.push(p);
        }
        for (_, text) in &layout.duplicated {
            let mut p = header_loc.problem(
                None,
                Severity::Warning,
                "duplicate_column",
                format!("“{text}”列与前面的列重复，已忽略"),
                format!("column {text} repeats an earlier column and is ignored"),
            );
            p.column = Some(text.clone());
            self.problems.push(p);
        }
        let sheet_category = PowerCategory::parse(sheet).ok();
        if !layout.has(Column::Holder) && self.options.default_holder.is_none() {
            self.sheet_problem(
                sheet,
                Severity::Error,
                "missing_column",
                format!("工作表“{sheet}”缺少“实施主体”列"),
                format!("sheet {sheet} has no holder (实施主体) column"),
            );
        }
        if !layout.has(Column::Category) && sheet_category.is_none() {
            self.sheet_problem(
                sheet,
                Severity::Warning,
                "missing_column",
                format!("工作表“{sheet}”缺少“事项类型”列，将按分类标题行确定类型"),
                format!("sheet {sheet} has no category column; section rows must give it"),
            );
        }
        self.sheet_headers.insert(sheet.to_owned(), layout.headers.clone());
        self.rows(grid, &layout, sheet_category);
    }

    pub(super) fn rows(
        &mut self,
        grid: &Grid<'_>,
        layout: &Layout,
        sheet_category: Option<PowerCategory>,
    ) {
        let sheet = grid.name.as_str();
        // Without merged regions, a blank type or name under a main item means "same as above".
        let inherit = !grid.has_vertical_merges_from(layout.data_start);
        let sheet_duty = duty_from_sheet(sheet);
        let name_header = layout.headers.get(&Column::Name).cloned().unwrap_or_default();
        let mut main: Option<MainRow> = None;
        let mut section: Option<PowerCategory> = None;
        let end = grid.end_row();
        let mut row = layout.data_start;
        let progress = self.options.progress.as_ref();
        let total = u64::from(end.saturating_sub(row));
        progress::stage(progress, &format!("解析工作表“{sheet}”"), total);
        while row < end {
            let this = row;
            row += 1;
            progress::advance(progress, u64::from(row - layout.data_start), total);
            if grid.row_is_blank(this) {
                continue;
            }
            let cells = RowCells { grid, layout, row: this };
            let loc = Loc { sheet, row: this + 1, headers: &layout.headers };
            // A header repeated on each printed page.
            if cells.get(Column::Name) == name_header {
                continue;
            }
            let mut non_empty = grid.non_empty_cells(this);
            if let (Some(only), None) = (non_empty.next(), non_empty.next())
                && !matches!(layout.column_at(only), Some(Column::Name | Column::SubItem))
            {
                let text = grid.text(this, only);
                if let Some((cat, _)) = section_category(text) {
                    section = Some(cat);
                    main = None;
                } else {
                    self.problems.push(loc.problem(
                        None,
                        Severity::Warning,
                        "skipped_row",
                        format!("该行只有“{}”一个单元格，不是事项，已跳过", shorten(text)),
                        format!("row holds a single cell ({}) and was skipped", shorten(text)),
                    ));
                }
                continue;
            }
            let seq = cells.get(Column::Seq);
            let mut name = cells.get(Column::Name).to_owned();
            let mut sub = cells.get(Column::SubItem).to_owned();
            let mut category = cells.get(Column::Category).to_owned();
            let sub_prefix = sub_seq_prefix(seq);
            if !layout.has(Column::SubItem)
                && let (Some(prefix), Some(m)) = (sub_prefix, &main)
                && m.seq == prefix
            {
                // 1-1 under 1 with no 子项 column: the name cell holds the sub-item.
                if name != m.name {
                    sub = std::mem::take(&mut name);
                    name = m.name.clone();
                }
                if category.is_empty() {
                    category = m.category.clone();
                }
            } else if inherit
                && name.is_empty()
                && (!sub.is_empty() || sub_prefix.is_some())
                && let Some(m) = &main
            {
                name = m.name.clone();
                if category.is_empty() {
                    category = m.category.clone();
                }
            }
            if !name.is_empty() {
                let is_new_main = main.as_ref().is_none_or(|m| m.name != name);
                if is_new_main || sub.is_empty() {
                    main = Some(MainRow {
                        name: name.clone(),
                        category: category.clone(),
                        seq: sub_prefix.unwrap_or(seq).to_owned(),
                    });
                }
            }
            // A main-item row with no content of its own, followed by its sub-items, is a heading.
            if sub.is_empty()
                && !name.is_empty()
                && cells.get(Column::Holder).is_empty()
                && cells.legal_basis().is_empty()
                && self.next_is_sub_item(grid, layout, row, &name, seq)
            {
                continue;
            }
            let sub = (!sub.is_empty()).then_some(sub);
            if let Some(item) = self.item(
                &cells,
                &loc,
                name,
                sub,
                &category,
                section.or(sheet_category),
                sheet_duty,
            ) {
                self.push_item(&loc, &layout.headers, item);
            }
        }
    }

    pub(super) fn next_is_sub_item(
        &self,
        grid: &Grid<'_>,
        layout: &Layout,
        from: u32,
        name: &str,
        seq: &str,
    ) -> bool {
        let Some(next) = (from..grid.end_row()).find(|r| !grid.row_is_blank(*r)) else {
            return false;
        };
        let cells = RowCells { grid, layout, row: next };
        let next_name = cells.get(Column::Name);
        let next_seq = cells.get(Column::Seq);
        let by_seq = !seq.is_empty() && sub_seq_prefix(next_seq) == Some(seq);
        let by_sub = layout.has(Column::SubItem) && !cells.get(Column::SubItem).is_empty();
        let same_name = next_name.is_empty() || next_name == name;
        (by_sub && same_name) || (by_seq && !layout.has(Column::SubItem)) || (by_seq && by_sub)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn item(
        &mut self,
        cells: &RowCells<'_>,
        loc: &Loc<'_>,
        name: String,
        sub_item: Option<String>,
        category_text: &str,
        fallback_category: Option<PowerCategory>,
        sheet_duty: Option<&str>,
    ) -> Option<ExchangeItem> {
        let mut blocked = false;
        if name.is_empty() {
            self.problems.push(loc.problem(
                Some(Column::Name),
                Severity::Error,
                "missing_name",
                "事项名称为空".to_owned(),
                "item name is empty".to_owned(),
            ));
            blocked = true;
        }
        let (category, category_label) = match self.category(loc, category_text, fallback_category)
        {
            Some(c) => c,
            None => {
                blocked = true;
                (PowerCategory::Other, None)
            }
        };
        // Every cell is read even when the row cannot become an item, so that every problem
        // of the row is reported at once, each at its column.
        let holder = self.holder(cells, loc);
        let guide = self.guide(cells, loc);
        let duty = self.duty(cells, loc, sheet_duty);
        let (base_code, impl_code, local_code) = self.codes(cells, loc, holder);
        let legal_basis = text::parse_refs(&cells.legal_basis());
        let cooperation = self.cooperation(cells, loc);
        let responsibilities = self.responsibilities(cells, loc);
        let accountability = self.accountability(cells, loc);
        let source = match cells.get(Column::Source) {
            "" => self.options.default_source,
            raw => match PowerSource::parse(raw) {
                Ok(s) => s,
                Err(e) => {
                    self.invalid(loc, Column::Source, &e);
                    self.options.default_source
                }
            },
        };
        let level = match cells.get(Column::Level) {
            "" => self.default_level(holder),
            raw => match ExerciseLevel::parse(raw) {
                Ok(l) => l,
                Err(e) => {
                    self.invalid(loc, Column::Level, &e);
                    self.default_level(holder)
                }
            },
        };
        let service = self.service(cells, loc);
        let variant = self.variant(cells, loc);
        let content = ItemContent {
            name,
            sub_item,
            category,
            category_label,
            base_code,
            impl_code,
            local_code,
            legal_basis,
            // A row without a known holder yields no item; its content is still checked.
            holder: holder.unwrap_or_else(|| {
                "00000000-0000-0000-0000-000000000000".parse().expect("the nil UUID")
            }),
            handling_office: cells.opt(Column::Office),
            cooperation,
            source,
            grant: None,
            level,
            responsibilities,
            accountability,
            service,
            remarks: cells.opt(Column::Remarks),
        };
        match (holder, duty, variant) {
            (Some(_), Some(duty), Ok(variant)) if !blocked => {
                Some(ExchangeItem { duty, content, variant, guide })
            }
            _ => {
                self.content_problems(loc, loc.headers, &content);
                None
            }
        }
    }
}
