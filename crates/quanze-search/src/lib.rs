//! 事项检索 — full-text search of power items and their service guides (办事指南), in Chinese.
//!
//! Chinese is written without spaces between words, so the text is cut into words by jieba
//! (`tantivy-jieba`, in search mode: a long word is indexed with the shorter words inside it,
//! so `营业执照` is found by `执照` too) and indexed by tantivy. The index holds what a
//! villager would look for: the item's name, its unit's name and the guide's text
//! (conditions, materials, legal basis, place, fees), with the unit, the category and the
//! towns where it can be done as filters.
//!
//! A query is what a person types, never a query language: it is cut into words the same
//! way, each word must appear in the name, the unit or the guide (the name counting most),
//! and when no item has all of them the items with most of them are given, marked as such.
//! So no input is a syntax error. The index lives in memory or in a folder; it is rebuilt
//! from the store when the server starts and one list's items are replaced on publication
//! ([`SearchIndex::replace_list`]), in one commit.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The longest query accepted, in characters: longer is not a search for an item.
pub const MAX_QUERY_CHARS: usize = 100;
/// About how many characters of a guide a hit shows around its first matched word.
const GUIDE_PASSAGE_CHARS: usize = 120;
/// How far into the hits a search pages. The collector keeps `offset + limit` hits in memory,
/// so an unbounded offset from a request would ask for gigabytes; nobody reads past this.
pub const MAX_OFFSET: usize = 1_000;
/// The most hits one page gives.
pub const MAX_PAGE: usize = 100;
const TOKENIZER: &str = "jieba";
/// The index writer's memory budget: tantivy's minimum per thread is 15 MB.
const WRITER_BUDGET: usize = 64 * 1024 * 1024;

/// Why a search or an index update failed. `zh` is for the person who searched; the
/// `Display` text (English) is for logs.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Nothing to search for (empty, or only punctuation and spaces).
    #[error("the query has no word to search for")]
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("the query has {chars} characters, more than {max}")]
    TooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A page further than [`MAX_OFFSET`] hits in.
    #[error("offset {offset} is past the {max} hits a search pages through")]
    TooFar {
        /// The offset asked for.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// A control character or a bidirectional override in the query.
    #[error("the query holds a control or bidirectional formatting character")]
    BadCharacter,
    /// The index itself failed (a lock, a corrupt segment): not the searcher's fault.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index's folder could not be prepared.
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
}

impl SearchError {
    /// The message for the person who searched (zh-CN).
    pub fn zh(&self) -> String {
        match self {
            SearchError::Empty => "请输入要查找的事项名称或关键词".into(),
            SearchError::TooLong { chars, max } => {
                format!("搜索词过长（{chars}个字），请不超过{max}个字")
            }
            SearchError::TooFar { max, .. } => {
                format!("只能翻看前{max}条结果，请换用更具体的搜索词或筛选条件")
            }
            SearchError::BadCharacter => "搜索词含有控制字符，请删除后重试".into(),
            SearchError::Index(_) | SearchError::Io(_) => "检索服务暂时不可用，请稍后再试".into(),
        }
    }

    /// Whether the searcher can mend it (a bad query), as against the index failing.
    pub fn is_bad_query(&self) -> bool {
        !matches!(self, SearchError::Index(_) | SearchError::Io(_))
    }
}

/// One item as the index sees it: the text it is found by and the filters it answers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemDoc {
    /// The item's stable id.
    pub item: String,
    /// The list it is published on (a county department's or a town's); the unit of
    /// replacement on publication.
    pub list: String,
    /// 事项名称 (with its 子项).
    pub name: String,
    /// The id of the unit that holds it (实施主体).
    pub unit: String,
    /// That unit's name.
    pub unit_name: String,
    /// 事项类型, as a code (`licensing`, `penalty`, …).
    pub category: String,
    /// Region codes of the towns where it can be done.
    pub towns: Vec<String>,
    /// The service guide's text: conditions, materials, legal basis, place, fees.
    pub guide: String,
}

/// A search: the words typed and the filters chosen.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery<'a> {
    /// What the person typed.
    pub text: &'a str,
    /// Only items of this unit.
    pub unit: Option<&'a str>,
    /// Only items of this category.
    pub category: Option<&'a str>,
    /// Only items that can be done in this town (region code).
    pub town: Option<&'a str>,
    /// Hits to skip (paging).
    pub offset: usize,
    /// Hits to give, at most [`MAX_PAGE`].
    pub limit: usize,
}

/// One item found, with the matched words marked.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The item's id.
    pub item: String,
    /// Its list.
    pub list: String,
    /// Its name.
    pub name: String,
    /// Its unit's id.
    pub unit: String,
    /// Its unit's name.
    pub unit_name: String,
    /// Its category code.
    pub category: String,
    /// The name as HTML, escaped, with the matched words in `<b>`; `None` when the name
    /// has none of them (the page escapes `name` itself).
    pub name_html: Option<String>,
    /// A passage of the guide as HTML, escaped, with the matched words in `<b>` (empty when
    /// the guide has none of them).
    pub guide_html: String,
    /// Relevance (BM25), higher first.
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// How many items match in all.
    pub total: usize,
    /// The page asked for.
    pub hits: Vec<Hit>,
    /// The words the query was cut into.
    pub words: Vec<String>,
    /// `false`: every word is in each hit. `true`: no item had all of them, and these have
    /// some (the page should say so).
    pub partial: bool,
}

struct Fields {
    item: Field,
    list: Field,
    name: Field,
    unit: Field,
    unit_name: Field,
    category: Field,
    towns: Field,
    guide: Field,
}

/// The index of items. Searches run on any thread at once; updates are serialised.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("docs", &self.len()).finish()
    }
}

impl SearchIndex {
    /// An empty index in memory.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    /// An empty index in `dir` (created if missing; what was there is cleared, since the
    /// index is rebuilt from the store).
    pub fn in_dir(dir: &Path) -> Result<Self, SearchError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_dir(dir, schema)?, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        index.tokenizers().register(TOKENIZER, analyzer());
        let writer = index.writer(WRITER_BUDGET)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { reader, writer: Mutex::new(writer), fields })
    }

    /// How many items the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the items of every list in `docs` (and of `lists`, which may have none now)
    /// with `docs`, in one commit: a search sees all of the old items or all of the new.
    pub fn replace_lists(&self, lists: &[&str], docs: &[ItemDoc]) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut cleared: HashSet<&str> = HashSet::new();
        for list in lists.iter().copied().chain(docs.iter().map(|d| d.list.as_str())) {
            if cleared.insert(list) {
                writer.delete_term(Term::from_field_text(self.fields.list, list));
            }
        }
        for doc in docs {
            writer.add_document(self.document(doc))?;
        }
        match writer.commit() {
            Ok(_) => {}
            Err(e) => {
                // Nothing of this call stays pending for the next one.
                let _ = writer.rollback();
                return Err(e.into());
            }
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces one list's items.
    pub fn replace_list(&self, list: &str, docs: &[ItemDoc]) -> Result<(), SearchError> {
        self.replace_lists(&[list], docs)
    }

    fn document(&self, d: &ItemDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.item, &d.item);
        doc.add_text(f.list, &d.list);
        doc.add_text(f.name, &d.name);
        doc.add_text(f.unit, &d.unit);
        doc.add_text(f.unit_name, &d.unit_name);
        doc.add_text(f.category, &d.category);
        for town in &d.towns {
            doc.add_text(f.towns, town);
        }
        doc.add_text(f.guide, &d.guide);
        doc
    }

    /// The words `text` is cut into, as the index cuts it (lower case, no punctuation, each
    /// once).
    pub fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut seen = HashSet::new();
        let mut words = Vec::new();
        while stream.advance() {
            let word = stream.token().text.trim();
            if word.chars().any(char::is_alphanumeric) && seen.insert(word.to_owned()) {
                words.push(word.to_owned());
            }
        }
        words
    }

    /// Searches. A query is checked first (not empty, not too long, no control characters).
    pub fn search(&self, q: &SearchQuery<'_>) -> Result<SearchResults, SearchError> {
        let text = q.text.trim();
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong { chars, max: MAX_QUERY_CHARS });
        }
        if text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            return Err(SearchError::BadCharacter);
        }
        let words = self.words(text);
        if words.is_empty() {
            return Err(SearchError::Empty);
        }
        if q.offset > MAX_OFFSET {
            return Err(SearchError::TooFar { offset: q.offset, max: MAX_OFFSET });
        }
        let limit = q.limit.clamp(1, MAX_PAGE);
        let searcher = self.reader.searcher();
        let all = self.query(q, &words, Occur::Must);
        let (mut total, mut found) = searcher.search(
            &all,
            &(Count, TopDocs::with_limit(limit).and_offset(q.offset).order_by_score()),
        )?;
        let mut partial = false;
        if total == 0 && words.len() > 1 {
            let some = self.query(q, &words, Occur::Should);
            (total, found) = searcher.search(
                &some,
                &(Count, TopDocs::with_limit(limit).and_offset(q.offset).order_by_score()),
            )?;
            partial = true;
        }
        // The words to mark: the query's and those of their written forms.
        let marked: HashSet<String> = words
            .iter()
            .cloned()
            .chain(words.iter().flat_map(|w| synonyms(w)).flat_map(|form| self.words(form)))
            .collect();
        let f = &self.fields;
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| {
                doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
            };
            let name = text_of(f.name);
            hits.push(Hit {
                item: text_of(f.item),
                list: text_of(f.list),
                unit: text_of(f.unit),
                unit_name: text_of(f.unit_name),
                category: text_of(f.category),
                name_html: highlight(&name, &marked, usize::MAX),
                name,
                guide_html: highlight(&text_of(f.guide), &marked, GUIDE_PASSAGE_CHARS)
                    .unwrap_or_default(),
                score,
            });
        }
        Ok(SearchResults { total, hits, words, partial })
    }

    /// Each word in the name (×3), the unit's name (×2) or the guide, or one of its written
    /// forms (`synonyms.txt`: every word of the form); `occur` says whether every word must
    /// be found (`Must`) or any (`Should`); the filters must all hold.
    fn query(&self, q: &SearchQuery<'_>, words: &[String], occur: Occur) -> BooleanQuery {
        let f = &self.fields;
        let text = |field, word: &str, boost: f32| -> Box<dyn Query> {
            let term =
                TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
            Box::new(BoostQuery::new(Box::new(term), boost))
        };
        let any_field = |w: &str| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, text(f.name, w, 3.0)),
                (Occur::Should, text(f.unit_name, w, 2.0)),
                (Occur::Should, text(f.guide, w, 1.0)),
            ]))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| {
                let mut forms: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, any_field(w))];
                for written in synonyms(w) {
                    let all: Vec<(Occur, Box<dyn Query>)> =
                        self.words(written).iter().map(|p| (Occur::Must, any_field(p))).collect();
                    forms.push((Occur::Should, Box::new(BooleanQuery::new(all))));
                }
                (occur, Box::new(BooleanQuery::new(forms)) as Box<dyn Query>)
            })
            .collect();
        let exact = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        if occur == Occur::Should {
            // The words together are one clause, so that the filters below stay required.
            clauses = vec![(Occur::Must, Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)];
        }
        for (field, value) in [(f.unit, q.unit), (f.category, q.category), (f.towns, q.town)] {
            if let Some(v) = value {
                clauses.push((Occur::Must, exact(field, v)));
            }
        }
        BooleanQuery::new(clauses)
    }
}

/// `text` as escaped HTML with the words in `marked` in `<b>`, cut to a passage of about
/// `max_chars` around the first of them; `None` when it has none.
///
/// By hand, not tantivy's `SnippetGenerator`: that one assumes a text's words come in order
/// without overlapping, and jieba's search mode gives a long word and then the words inside
/// it (it panics on an overflow in debug builds).
fn highlight(text: &str, marked: &HashSet<String>, max_chars: usize) -> Option<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    while stream.advance() {
        let token = stream.token();
        if marked.contains(token.text.as_str()) {
            ranges.push(token.offset_from..token.offset_to);
        }
    }
    if ranges.is_empty() {
        return None;
    }
    // Overlapping and touching words are marked as one.
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    // The passage: all of a short text; else from a little before the first mark, `max_chars`
    // long, on char boundaries.
    let lead = 16;
    let first = merged[0].start;
    let start = if text.chars().count() <= max_chars {
        0
    } else {
        text[..first].char_indices().rev().nth(lead - 1).map_or(0, |(i, _)| i)
    };
    let end = text[start..].char_indices().nth(max_chars).map_or(text.len(), |(i, _)| start + i);
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    let mut at = start;
    for r in merged.iter().filter(|r| r.start >= start && r.end <= end) {
        push_escaped(&mut html, &text[at..r.start]);
        html.push_str("<b>");
        push_escaped(&mut html, &text[r.clone()]);
        html.push_str("</b>");
        at = r.end;
    }
    push_escaped(&mut html, &text[at..end]);
    if end < text.len() {
        html.push('…');
    }
    Some(html)
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

/// The written forms of a spoken word, from `synonyms.txt` (shipped in the binary).
fn synonyms(word: &str) -> impl Iterator<Item = &'static str> {
    static TABLE: &str = include_str!("synonyms.txt");
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let mut parts = l.split_whitespace();
            (parts.next() == Some(word)).then_some(parts)
        })
        .into_iter()
        .flatten()
}

/// jieba in search mode, then lower case (for the Latin letters of codes and names).
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::with_search_mode(true))
        .filter(LowerCaser)
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        item: b.add_text_field("item", STRING | STORED),
        list: b.add_text_field("list", STRING | STORED),
        name: b.add_text_field("name", words.clone()),
        unit: b.add_text_field("unit", STRING | STORED),
        unit_name: b.add_text_field("unit_name", words.clone()),
        category: b.add_text_field("category", STRING | STORED),
        towns: b.add_text_field("towns", STRING),
        guide: b.add_text_field("guide", words),
    };
    (b.build(), fields)
}

/// Unicode's bidirectional formatting characters, which can make text read in another order
/// than it is stored (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests;
