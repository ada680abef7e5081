//! 图表 — charts drawn on the server as SVG, so that they show and print with no script:
//! horizontal bars, one group per row and one bar per series, each bar with its number at
//! its end; labels and numbers are text, so a screen reader and a search find them, and the
//! table beside each chart says the same. Written by hand: a bar chart is a few rectangles
//! and labels, and a plotting crate would bring fonts and a renderer the pages do not need.

use std::fmt::Write as _;

use quanze_service::views::Chart;

use crate::i18n::tr;
use crate::routes::pages::escape;

/// Series colours, distinguishable for the common colour blindnesses (Okabe–Ito) and each
/// at least 3:1 against white.
const COLOURS: [&str; 4] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"];
const WIDTH: u32 = 760;
const LABEL_WIDTH: u32 = 170;
const BAR_HEIGHT: u32 = 14;
const GAP: u32 = 10;
const TOP: u32 = 28;

/// The chart as an SVG element, titled for assistive technology, its fixed texts in the
/// page's language (`crate::i18n`; the units' names as they are).
pub fn svg(chart: &Chart) -> String {
    let series = chart.series.len().max(1) as u32;
    let group = BAR_HEIGHT * series + GAP;
    let height = TOP + group * chart.rows.len().max(1) as u32 + 8;
    let max = chart.max() as f64;
    let span = f64::from(WIDTH - LABEL_WIDTH - 60);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{title}</title>"#,
        id = chart.id,
        title = escape(tr(&chart.title)),
    );
    // The legend.
    let mut x = LABEL_WIDTH;
    for (i, name) in chart.series.iter().enumerate() {
        let _ = write!(
            out,
            r##"<rect x="{x}" y="6" width="12" height="12" fill="{c}"/><text x="{tx}" y="16" font-size="12" fill="#1f2937">{name}</text>"##,
            c = COLOURS[i % COLOURS.len()],
            tx = x + 16,
            name = escape(tr(name)),
        );
        x += 16 + 14 * tr(name).chars().count() as u32 + 16;
    }
    for (r, row) in chart.rows.iter().enumerate() {
        let y0 = TOP + group * r as u32;
        let _ = write!(
            out,
            r##"<text x="{lx}" y="{ly}" font-size="12" text-anchor="end" fill="#1f2937">{label}</text>"##,
            lx = LABEL_WIDTH - 8,
            ly = y0 + (BAR_HEIGHT * series) / 2 + 4,
            label = escape(tr(&row.label)),
        );
        for (i, v) in row.values.iter().enumerate() {
            let w = ((*v as f64 / max) * span).round() as u32;
            let y = y0 + BAR_HEIGHT * i as u32;
            let _ = write!(
                out,
                r##"<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{h}" fill="{c}"><title>{label} · {s}：{v}{u}</title></rect><text x="{tx}" y="{ty}" font-size="11" fill="#1f2937">{v}</text>"##,
                h = BAR_HEIGHT - 2,
                c = COLOURS[i % COLOURS.len()],
                label = escape(tr(&row.label)),
                s = escape(tr(chart.series.get(i).copied().unwrap_or_default())),
                u = tr(chart.unit),
                tx = LABEL_WIDTH + w + 4,
                ty = y + BAR_HEIGHT - 4,
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use quanze_service::views::ChartRow;

    use super::*;

    #[test]
    fn bars_scale_to_the_largest_number_and_labels_are_escaped() {
        let chart = Chart {
            id: "t",
            title: "<b>标题</b>".to_owned(),
            label_heading: "乡镇",
            series: vec!["甲", "乙"],
            unit: "项",
            rows: vec![
                ChartRow { label: "A&B".to_owned(), values: vec![10, 5] },
                ChartRow { label: "C".to_owned(), values: vec![0, 20] },
            ],
            note: None,
        };
        let svg = svg(&chart);
        let span = WIDTH - LABEL_WIDTH - 60;
        assert!(svg.contains(&format!(r#"width="{span}""#)), "the largest bar spans the chart");
        assert!(svg.contains(&format!(r#"width="{}""#, span / 2)), "10 of 20 is half");
        assert!(svg.contains(r#"width="0""#), "a zero is a bar of no length");
        assert!(svg.contains("&lt;b&gt;标题&lt;/b&gt;") && svg.contains("A&amp;B"));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("</rect>").count(), 4, "one bar per row and series");
    }
}
