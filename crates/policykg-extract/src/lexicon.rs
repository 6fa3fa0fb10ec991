//! Data tables the rules read: department aliases, organisation-type suffixes, responsibility
//! trigger phrases, collective patterns and the administrative-division table.
//!
//! Every table is a TSV file under `ontology/` (first lines `#` comments naming the columns).
//! They are embedded in the binary at build time and can be overridden at run time with a
//! directory holding files of the same names (`--lexicon DIR`), so adding a department alias
//! or a trigger word never needs Rust code. Tables are parsed once into a [`Lexicon`] that
//! every stage shares read-only.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// A table file could not be read or a row is malformed.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{file}:{line}: {msg}")]
    Row { file: String, line: usize, msg: String },
}

/// Organisation types of the facts format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgType {
    Department,
    Government,
    PartyOrgan,
    Park,
    Enterprise,
    Institution,
    Group,
    Collective,
}

impl OrgType {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::Department => "Department",
            OrgType::Government => "Government",
            OrgType::PartyOrgan => "PartyOrgan",
            OrgType::Park => "Park",
            OrgType::Enterprise => "Enterprise",
            OrgType::Institution => "Institution",
            OrgType::Group => "Group",
            OrgType::Collective => "Collective",
        }
    }

    /// Parses the spec's spelling.
    pub fn parse(s: &str) -> Option<OrgType> {
        Some(match s {
            "Department" => OrgType::Department,
            "Government" => OrgType::Government,
            "PartyOrgan" => OrgType::PartyOrgan,
            "Park" => OrgType::Park,
            "Enterprise" => OrgType::Enterprise,
            "Institution" => OrgType::Institution,
            "Group" => OrgType::Group,
            "Collective" => OrgType::Collective,
            _ => return None,
        })
    }
}

/// Role a responsibility phrase gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Leads,
    Co,
}

/// Where a responsibility phrase stands relative to the organisations it marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// `市发改委牵头`
    After,
    /// `联合总工会、工商联`
    Before,
    /// `牵头单位:市发改委`
    Label,
}

/// The word tables the rules read (`ontology/lexicon/<stem>.tsv`), as a type: a name the code
/// uses is a variant, so a misspelt one does not compile, and [`Lexicon`] refuses to load when
/// one of them is missing or a row names a kind the rules do not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    Regions,
    CoopVerbs,
    GenericPartners,
    Units,
    Comparators,
    Posts,
    NotIndicators,
    DocNumberIssuers,
    PlaceStopwords,
    Surnames,
    PersonWords,
    PartnerTails,
    ParentBodies,
    PlaceSuffixWords,
    RespGrammar,
    CoopWords,
    PlaceAbbrev,
    PlaceAliases,
    TargetCues,
    TargetContexts,
    TargetWords,
    EthnicGroups,
    NameChars,
    DivisionSuffixes,
    HeaderFields,
    IssuerWords,
}

impl Table {
    /// Every table, in file order.
    pub const ALL: [Table; 26] = [
        Table::Regions,
        Table::CoopVerbs,
        Table::GenericPartners,
        Table::Units,
        Table::Comparators,
        Table::Posts,
        Table::NotIndicators,
        Table::DocNumberIssuers,
        Table::PlaceStopwords,
        Table::Surnames,
        Table::PersonWords,
        Table::PartnerTails,
        Table::ParentBodies,
        Table::PlaceSuffixWords,
        Table::RespGrammar,
        Table::CoopWords,
        Table::PlaceAbbrev,
        Table::PlaceAliases,
        Table::TargetCues,
        Table::TargetContexts,
        Table::TargetWords,
        Table::EthnicGroups,
        Table::NameChars,
        Table::DivisionSuffixes,
        Table::HeaderFields,
        Table::IssuerWords,
    ];

    /// File stem under `ontology/lexicon/`.
    pub fn stem(self) -> &'static str {
        match self {
            Table::Regions => "regions",
            Table::CoopVerbs => "coop_verbs",
            Table::GenericPartners => "generic_partners",
            Table::Units => "units",
            Table::Comparators => "comparators",
            Table::Posts => "posts",
            Table::NotIndicators => "not_indicators",
            Table::DocNumberIssuers => "doc_number_issuers",
            Table::PlaceStopwords => "place_stopwords",
            Table::Surnames => "surnames",
            Table::PersonWords => "person_words",
            Table::PartnerTails => "partner_tails",
            Table::ParentBodies => "parent_bodies",
            Table::PlaceSuffixWords => "place_suffix_words",
            Table::RespGrammar => "resp_grammar",
            Table::CoopWords => "coop_words",
            Table::PlaceAbbrev => "place_abbrev",
            Table::PlaceAliases => "place_aliases",
            Table::TargetCues => "target_cues",
            Table::TargetContexts => "target_contexts",
            Table::TargetWords => "target_words",
            Table::EthnicGroups => "ethnic_groups",
            Table::NameChars => "name_chars",
            Table::DivisionSuffixes => "division_suffixes",
            Table::HeaderFields => "header_fields",
            Table::IssuerWords => "issuer_words",
        }
    }

    /// The column that names a row's kind (several may be joined by `,`) and the kinds the
    /// rules read, for tables that have one.
    pub fn kinds(self) -> Option<(usize, &'static [&'static str])> {
        match self {
            Table::Regions => Some((1, &["Park", "Region"])),
            Table::CoopVerbs => Some((1, &["agreement", "aid", "direct", "integration", "with"])),
            Table::Comparators => Some((1, &["<=", "=", ">=", "~"])),
            Table::Posts => Some((
                1,
                &[
                    "block",
                    "byline",
                    "byline_modifier",
                    "gov",
                    "head",
                    "media",
                    "modifier",
                    "org",
                    "party_body",
                    "collective",
                ],
            )),
            Table::PersonWords => Some((
                1,
                &["after", "before", "not_name", "appoint_verb", "removal", "appointer"],
            )),
            Table::RespGrammar => Some((
                1,
                &[
                    "co",
                    "fill",
                    "footer",
                    "lead",
                    "other",
                    "person",
                    "seq",
                    "task",
                    "time",
                    "unit",
                    "weak",
                    "generic_tail",
                    "trailing",
                    "lead_mark",
                    "status",
                    "attendee",
                    "decision",
                    "conjunction",
                ],
            )),
            Table::CoopWords => Some((
                1,
                &[
                    "adverb",
                    "agreement",
                    "break",
                    "class",
                    "go",
                    "lead",
                    "noun",
                    "opener",
                    "org",
                    "pair",
                    "see",
                    "self",
                    "tail",
                    "time",
                    "town",
                    "unit_name",
                    "party_field",
                    "legal_form",
                ],
            )),
            Table::TargetCues => Some((
                1,
                &[
                    "commit",
                    "counter",
                    "frame",
                    "grant",
                    "modal",
                    "none",
                    "param",
                    "past",
                    "result",
                    "spend",
                    "weak_result",
                ],
            )),
            Table::TargetContexts => Some((1, &["plan", "report", "retro"])),
            Table::NameChars => Some((1, &["given", "word_start", "not_in_name", "fold_unit"])),
            Table::IssuerWords => Some((
                1,
                &[
                    "site_title",
                    "genre",
                    "news_verb",
                    "media",
                    "agreement",
                    "party_label",
                    "party_stop",
                    "org_opening",
                ],
            )),
            Table::HeaderFields => Some((
                1,
                &[
                    "field",
                    "needs_separator",
                    "number",
                    "publisher",
                    "signed",
                    "published",
                    "dated",
                    "generated",
                    "lapses",
                ],
            )),
            Table::TargetWords => Some((
                1,
                &[
                    "target_verb",
                    "build_verb",
                    "size_unit",
                    "task_column",
                    "progress_column",
                    "content_verb",
                    "doc_part",
                    "scope_verb",
                    "list_work_verb",
                ],
            )),
            _ => None,
        }
    }

    fn from_stem(stem: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.stem() == stem)
    }
}

/// One responsibility phrase.
#[derive(Clone, Debug)]
pub struct Trigger {
    pub phrase: String,
    pub role: Role,
    pub position: Position,
}

/// One administrative division (GB/T 2260 code table).
#[derive(Clone, Debug)]
pub struct Division {
    pub code: String,
    pub name: String,
    /// `province`, `prefecture` or `county`.
    pub level: String,
    /// `province`, `prefecture`, `district`, `county`, `county_city` or `zone`.
    pub kind: String,
    pub parent: Option<usize>,
}

/// All tables, parsed.
#[derive(Debug)]
pub struct Lexicon {
    /// Department stem (without level prefix) → (canonical template with `{jur}`, type).
    pub dept_aliases: HashMap<String, (String, OrgType)>,
    /// Organisation suffixes with types, longest first.
    pub org_suffixes: Vec<(String, OrgType)>,
    /// Responsibility phrases, longest first.
    pub triggers: Vec<Trigger>,
    pub collective_prefix: Vec<String>,
    pub collective_infix: Vec<String>,
    pub collective_suffix: Vec<String>,
    /// `collective_infix` as one automaton (a mention is tested once, not once per pattern).
    collective_infix_ac: aho_corasick::AhoCorasick,
    collective_prefix_ix: WordIndex,
    collective_suffix_ix: WordIndex,
    /// `org_suffixes` by last character.
    org_suffix_ix: WordIndex,
    pub leading_person: Vec<String>,
    pub first_listed_leads: Vec<String>,
    pub divisions: Vec<Division>,
    /// The rules' word tables ([`Table`]), rows by table.
    lists: Vec<Vec<Vec<String>>>,
    /// First column of each table (what [`Lexicon::list`] returns, without copying).
    words: Vec<Vec<String>>,
    /// MD5 (hex, 12 digits) of every table's name and text: what `build` compares to know
    /// whether a stored extraction was made with the same tables.
    pub fingerprint: String,
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../ontology/", $name)))),*]
    };
}

/// The tables compiled into the binary, by path relative to `ontology/`.
pub const EMBEDDED: &[(&str, &str)] = embedded!(
    "lexicon/dept_aliases.tsv",
    "lexicon/org_types.tsv",
    "lexicon/responsibility.tsv",
    "lexicon/collective.tsv",
    "lexicon/leading_person.tsv",
    "lexicon/first_listed_leads.tsv",
    "lexicon/regions.tsv",
    "lexicon/coop_verbs.tsv",
    "lexicon/generic_partners.tsv",
    "lexicon/units.tsv",
    "lexicon/comparators.tsv",
    "lexicon/posts.tsv",
    "lexicon/not_indicators.tsv",
    "lexicon/doc_number_issuers.tsv",
    "lexicon/place_stopwords.tsv",
    "lexicon/surnames.tsv",
    "lexicon/person_words.tsv",
    "lexicon/name_chars.tsv",
    "lexicon/division_suffixes.tsv",
    "lexicon/header_fields.tsv",
    "lexicon/issuer_words.tsv",
    "lexicon/partner_tails.tsv",
    "lexicon/parent_bodies.tsv",
    "lexicon/place_suffix_words.tsv",
    "lexicon/resp_grammar.tsv",
    "lexicon/coop_words.tsv",
    "lexicon/place_abbrev.tsv",
    "lexicon/place_aliases.tsv",
    "lexicon/ethnic_groups.tsv",
    "lexicon/target_cues.tsv",
    "lexicon/target_contexts.tsv",
    "lexicon/target_words.tsv",
    "divisions.tsv",
);

static DEFAULT: LazyLock<Arc<Lexicon>> = LazyLock::new(|| {
    Arc::new(
        Lexicon::from_sources(EMBEDDED.iter().map(|(n, t)| (n.to_string(), t.to_string())))
            .expect("embedded tables are valid (checked by tests)"),
    )
});

impl Lexicon {
    /// The tables embedded in the binary (parsed once per process).
    pub fn embedded() -> Arc<Lexicon> {
        DEFAULT.clone()
    }

    /// Tables from a directory laid out like `ontology/`; files missing there fall back to the
    /// embedded ones.
    pub fn from_dir(dir: &Path) -> Result<Lexicon, LexiconError> {
        let mut sources = Vec::new();
        for (name, text) in EMBEDDED {
            let p = dir.join(name);
            let alt = dir.join(Path::new(name).file_name().unwrap_or_default());
            let chosen = if p.exists() {
                Some(p)
            } else if alt.exists() {
                Some(alt)
            } else {
                None
            };
            match chosen {
                Some(p) => {
                    let t = std::fs::read_to_string(&p).map_err(|source| LexiconError::Io {
                        path: p.clone(),
                        source,
                    })?;
                    sources.push((name.to_string(), t));
                }
                None => sources.push((name.to_string(), text.to_string())),
            }
        }
        Lexicon::from_sources(sources.into_iter())
    }

    fn from_sources(sources: impl Iterator<Item = (String, String)>) -> Result<Lexicon, LexiconError> {
        let mut lx = Lexicon {
            dept_aliases: HashMap::default(),
            org_suffixes: Vec::new(),
            triggers: Vec::new(),
            collective_prefix: Vec::new(),
            collective_infix: Vec::new(),
            collective_suffix: Vec::new(),
            collective_infix_ac: aho_corasick::AhoCorasick::new(Vec::<String>::new()).expect("no patterns"),
            collective_prefix_ix: WordIndex::default(),
            collective_suffix_ix: WordIndex::default(),
            org_suffix_ix: WordIndex::default(),
            leading_person: Vec::new(),
            first_listed_leads: Vec::new(),
            divisions: Vec::new(),
            lists: vec![Vec::new(); Table::ALL.len()],
            words: vec![Vec::new(); Table::ALL.len()],
            fingerprint: String::new(),
        };
        let mut seen = [false; Table::ALL.len()];
        let mut hasher = <md5::Md5 as md5::Digest>::new();
        for (name, text) in sources {
            md5::Digest::update(&mut hasher, name.as_bytes());
            md5::Digest::update(&mut hasher, [0u8]);
            md5::Digest::update(&mut hasher, text.as_bytes());
            md5::Digest::update(&mut hasher, [0u8]);
            let rows = rows(&text);
            let err = |line: usize, msg: &str| LexiconError::Row {
                file: name.clone(),
                line,
                msg: msg.to_string(),
            };
            let stem = Path::new(&name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match stem.as_str() {
                "dept_aliases" => {
                    for (line, cols) in &rows {
                        let [alias, canon, ty] = cols.as_slice() else {
                            return Err(err(*line, "expected alias, canonical, type"));
                        };
                        let ty = OrgType::parse(ty).ok_or_else(|| err(*line, "unknown org type"))?;
                        lx.dept_aliases.insert(alias.clone(), (canon.clone(), ty));
                    }
                }
                "org_types" => {
                    for (line, cols) in &rows {
                        let [suffix, ty] = cols.as_slice() else {
                            return Err(err(*line, "expected suffix, type"));
                        };
                        let ty = OrgType::parse(ty).ok_or_else(|| err(*line, "unknown org type"))?;
                        lx.org_suffixes.push((suffix.clone(), ty));
                    }
                }
                "responsibility" => {
                    for (line, cols) in &rows {
                        let [phrase, role, pos] = cols.as_slice() else {
                            return Err(err(*line, "expected phrase, role, position"));
                        };
                        let role = match role.as_str() {
                            "leads" => Role::Leads,
                            "co" => Role::Co,
                            _ => return Err(err(*line, "role must be leads or co")),
                        };
                        let position = match pos.as_str() {
                            "after" => Position::After,
                            "before" => Position::Before,
                            "label" => Position::Label,
                            _ => return Err(err(*line, "position must be after, before or label")),
                        };
                        lx.triggers.push(Trigger {
                            phrase: phrase.clone(),
                            role,
                            position,
                        });
                    }
                }
                "collective" => {
                    for (line, cols) in &rows {
                        let [pat, kind] = cols.as_slice() else {
                            return Err(err(*line, "expected pattern, kind"));
                        };
                        match kind.as_str() {
                            "prefix" => lx.collective_prefix.push(pat.clone()),
                            "infix" => lx.collective_infix.push(pat.clone()),
                            "suffix" => lx.collective_suffix.push(pat.clone()),
                            _ => return Err(err(*line, "kind must be prefix, infix or suffix")),
                        }
                    }
                }
                "leading_person" => lx.leading_person = rows.iter().map(|(_, c)| c[0].clone()).collect(),
                "first_listed_leads" => lx.first_listed_leads = rows.iter().map(|(_, c)| c[0].clone()).collect(),
                "divisions" => {
                    let mut index: HashMap<String, usize> = HashMap::default();
                    let mut parents: Vec<String> = Vec::new();
                    for (line, cols) in &rows {
                        let [code, name, level, kind, rest @ ..] = cols.as_slice() else {
                            return Err(err(*line, "expected code, name, level, kind, parent"));
                        };
                        index.insert(code.clone(), lx.divisions.len());
                        parents.push(rest.first().cloned().unwrap_or_default());
                        lx.divisions.push(Division {
                            code: code.clone(),
                            name: name.clone(),
                            level: level.clone(),
                            kind: kind.clone(),
                            parent: None,
                        });
                    }
                    for (d, p) in lx.divisions.iter_mut().zip(parents) {
                        d.parent = index.get(&p).copied();
                    }
                }
                _ => {
                    let Some(table) = Table::from_stem(&stem) else {
                        return Err(err(0, "no rule reads this table"));
                    };
                    if let Some((col, known)) = table.kinds() {
                        for (line, cols) in &rows {
                            let Some(kinds) = cols.get(col) else {
                                return Err(err(*line, &format!("column {} (its kind) is missing", col + 1)));
                            };
                            if let Some(k) = kinds.split(',').map(str::trim).find(|k| !known.contains(k)) {
                                return Err(err(*line, &format!("unknown kind {k:?} (known: {})", known.join(", "))));
                            }
                        }
                    }
                    seen[table as usize] = true;
                    lx.words[table as usize] = rows.iter().map(|(_, c)| c[0].clone()).collect();
                    lx.lists[table as usize] = rows.into_iter().map(|(_, c)| c).collect();
                }
            }
        }
        if let Some(t) = Table::ALL.into_iter().find(|t| !seen[*t as usize]) {
            return Err(LexiconError::Row {
                file: format!("lexicon/{}.tsv", t.stem()),
                line: 0,
                msg: "table missing".into(),
            });
        }
        lx.org_suffixes
            .sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.0.cmp(&b.0)));
        lx.triggers.sort_by(|a, b| {
            b.phrase
                .chars()
                .count()
                .cmp(&a.phrase.chars().count())
                .then(a.phrase.cmp(&b.phrase))
        });
        lx.collective_infix_ac =
            aho_corasick::AhoCorasick::new(&lx.collective_infix).map_err(|e| LexiconError::Row {
                file: "lexicon/collective.tsv".into(),
                line: 0,
                msg: format!("infix patterns: {e}"),
            })?;
        lx.collective_prefix_ix = WordIndex::new(&lx.collective_prefix);
        lx.collective_suffix_ix = WordIndex::new(&lx.collective_suffix);
        lx.org_suffix_ix = WordIndex::new(lx.org_suffixes.iter().map(|(s, _)| s));
        lx.fingerprint = crate::doc::hex(&md5::Digest::finalize(hasher)[..6]);
        Ok(lx)
    }

    /// First column of a word table.
    pub fn list(&self, table: Table) -> &[String] {
        &self.words[table as usize]
    }

    /// Rows of a word table.
    pub fn table(&self, table: Table) -> &[Vec<String>] {
        &self.lists[table as usize]
    }

    /// The words (first column) of a table's rows whose kind column names `kind` (kinds may be
    /// joined by `,`: `单位	unit,other`), in file order.
    pub fn words_of_kind<'a>(&'a self, table: Table, kind: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        let col = table.kinds().map_or(1, |(c, _)| c);
        self.table(table)
            .iter()
            .filter(move |r| r.get(col).is_some_and(|ks| ks.split(',').any(|k| k.trim() == kind)))
            .map(|r| &r[0])
    }

    /// Type of an organisation mention from its ending, if it has a known one.
    pub fn org_type_by_suffix(&self, mention: &str) -> Option<OrgType> {
        self.org_suffix_ix
            .suffix_ids(mention)
            .next()
            .map(|i| self.org_suffixes[i].1)
    }

    /// True when a mention names a non-specific set of bodies (市各有关单位, 各县市区政府).
    pub fn is_collective(&self, mention: &str) -> bool {
        let bare = mention.trim_start_matches(['市', '区', '县', '镇', '省']);
        let bare = bare.strip_prefix('级').unwrap_or(bare);
        self.collective_prefix_ix.starts(bare)
            || self.collective_prefix_ix.starts(mention)
            || self.collective_infix_ac.is_match(mention)
            || self.collective_suffix_ix.ends(mention)
    }
}

/// Values a rule derives from a lexicon (a compiled grammar, word indexes, automata), built
/// once per lexicon — keyed by its fingerprint, so `--lexicon` tables get their own — and
/// shared. Each rule keeps one in a `static`.
pub struct PerLexicon<T>(std::sync::Mutex<Vec<(String, Arc<T>)>>);

impl<T> PerLexicon<T> {
    pub const fn new() -> PerLexicon<T> {
        PerLexicon(std::sync::Mutex::new(Vec::new()))
    }

    /// The value for `lx`, built by `build` the first time.
    pub fn get(&self, lx: &Lexicon, build: impl FnOnce(&Lexicon) -> T) -> Arc<T> {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, v)) = cache.iter().find(|(f, _)| *f == lx.fingerprint) {
            return v.clone();
        }
        let v = Arc::new(build(lx));
        cache.push((lx.fingerprint.clone(), v.clone()));
        v
    }
}

/// Byte offset of the first `needle` in `hay`, as `hay.find(needle)`. Rules look for short
/// words in short clauses thousands of times per document: a scan for the word's last byte
/// (a UTF-8 continuation byte for Han words, rarer than a lead byte) costs less there than
/// building a substring searcher for every call.
pub fn find_word(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&last, head)) = n.split_last() else {
        return Some(0);
    };
    let k = head.len();
    memchr::memchr_iter(last, h.get(k..)?).find(|&i| &h[i..i + k] == head)
}

/// True when `hay` holds `needle` ([`find_word`]).
pub fn has_word(hay: &str, needle: &str) -> bool {
    find_word(hay, needle).is_some()
}

/// A word list indexed by first and last character, keeping the list's order: which of its
/// words a text starts (or ends) with, without comparing the text with every word. Rules ask
/// this at every position of a clause, so a list of a hundred words costs one lookup, not a
/// hundred comparisons. Empty words match nothing.
#[derive(Clone, Debug, Default)]
pub struct WordIndex {
    words: Vec<String>,
    /// (character, indices of the words that start / end with it, in list order), by character.
    by_first: Vec<(char, Vec<u32>)>,
    by_last: Vec<(char, Vec<u32>)>,
}

impl WordIndex {
    pub fn new<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> WordIndex {
        let words: Vec<String> = words.into_iter().map(|w| w.as_ref().to_string()).collect();
        let group = |key: &dyn Fn(&str) -> char| {
            let mut map: std::collections::BTreeMap<char, Vec<u32>> = Default::default();
            for (i, w) in words.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
                map.entry(key(w)).or_default().push(i as u32);
            }
            map.into_iter().collect::<Vec<_>>()
        };
        let by_first = group(&|w| w.chars().next().expect("non-empty"));
        let by_last = group(&|w| w.chars().next_back().expect("non-empty"));
        WordIndex {
            words,
            by_first,
            by_last,
        }
    }

    fn bucket(index: &[(char, Vec<u32>)], c: Option<char>) -> &[u32] {
        c.and_then(|c| index.binary_search_by_key(&c, |(k, _)| *k).ok())
            .map_or(&[], |i| index[i].1.as_slice())
    }

    /// Positions in the list of the words `s` starts with, in list order.
    pub fn prefix_ids<'s>(&'s self, s: &'s str) -> impl Iterator<Item = usize> + 's {
        (Self::bucket(&self.by_first, s.chars().next()).iter())
            .map(|&i| i as usize)
            .filter(move |&i| s.starts_with(self.words[i].as_str()))
    }

    /// Positions in the list of the words `s` ends with, in list order.
    pub fn suffix_ids<'s>(&'s self, s: &'s str) -> impl Iterator<Item = usize> + 's {
        (Self::bucket(&self.by_last, s.chars().next_back()).iter())
            .map(|&i| i as usize)
            .filter(move |&i| s.ends_with(self.words[i].as_str()))
    }

    /// The words `s` starts with, in list order.
    pub fn prefixes_of<'s>(&'s self, s: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.prefix_ids(s).map(|i| self.words[i].as_str())
    }

    /// The words `s` ends with, in list order.
    pub fn suffixes_of<'s>(&'s self, s: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.suffix_ids(s).map(|i| self.words[i].as_str())
    }

    /// True when `s` starts with one of the words.
    pub fn starts(&self, s: &str) -> bool {
        self.prefixes_of(s).next().is_some()
    }

    /// True when `s` ends with one of the words.
    pub fn ends(&self, s: &str) -> bool {
        self.suffixes_of(s).next().is_some()
    }

    /// The longest word `s` starts with (the last listed among equals).
    pub fn longest_prefix<'s>(&'s self, s: &'s str) -> Option<&'s str> {
        self.prefixes_of(s).max_by_key(|w| w.len())
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// Data rows of a TSV text: (1-based line number, columns), skipping `#` comments and blanks.
fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| (n + 1, l.split('\t').map(|c| c.trim().to_string()).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_word_is_str_find() {
        for (h, n) in [("市发改委牵头", "牵头"), ("牵头", "牵头"), ("头牵", "牵头"), ("", "和"), ("和", ""), ("工业和信息化局和市财政局", "和")] {
            assert_eq!(find_word(h, n), h.find(n), "{h} / {n}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn find_word_agrees_with_str_find(h in "[和及与以牵头a,]{0,12}", n in "[和及与以牵头a,]{0,3}") {
            proptest::prop_assert_eq!(find_word(&h, &n), h.find(n.as_str()));
        }
    }

    #[test]
    fn every_rule_table_is_embedded_and_kinds_are_checked() {
        for t in Table::ALL {
            let file = format!("lexicon/{}.tsv", t.stem());
            assert!(EMBEDDED.iter().any(|(n, _)| *n == file), "{file} not embedded");
        }
        // A kind the rules do not know is a load error naming the file and line, not a row
        // silently ignored.
        let dir = std::env::temp_dir().join(format!("policykg-lexicon-kinds-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lexicon")).unwrap();
        std::fs::write(
            dir.join("lexicon/person_words.tsv"),
            "# word\tkinds\n出席\tafter\n主持\taftr\n",
        )
        .unwrap();
        let err = Lexicon::from_dir(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("person_words.tsv:3") && err.contains("\"aftr\""), "{err}");
    }

    #[test]
    fn word_index_answers_as_a_scan_would() {
        let words = ["牵头", "牵头负责", "负责", "配合", "", "头"];
        let ix = WordIndex::new(words);
        for s in ["牵头负责实施", "负责牵头", "头", "配合单位", "无关", "", "牵"] {
            let scan_pre: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| !w.is_empty() && s.starts_with(w))
                .collect();
            let scan_suf: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| !w.is_empty() && s.ends_with(w))
                .collect();
            assert_eq!(ix.prefixes_of(s).collect::<Vec<_>>(), scan_pre, "{s}");
            assert_eq!(ix.suffixes_of(s).collect::<Vec<_>>(), scan_suf, "{s}");
        }
        assert_eq!(ix.longest_prefix("牵头负责实施"), Some("牵头负责"));
        assert!(ix.ends("市发改委牵头") && !ix.starts("市发改委牵头"));
    }

    #[test]
    fn embedded_tables_parse() {
        let lx = Lexicon::embedded();
        assert_eq!(
            lx.dept_aliases.get("发改委").map(|x| x.0.as_str()),
            Some("{jur}发展和改革委员会")
        );
        assert!(lx.divisions.len() > 3000);
        assert!(lx.triggers.iter().any(|t| t.phrase == "牵头" && t.role == Role::Leads));
        assert!(lx.is_collective("市各有关单位"));
        assert!(lx.is_collective("区级相关部门"));
        assert!(lx.is_collective("各县市区政府"));
        assert!(!lx.is_collective("市发改委"));
        assert_eq!(lx.org_type_by_suffix("无为经济开发区"), Some(OrgType::Park));
        assert_eq!(lx.org_type_by_suffix("市委组织部"), Some(OrgType::PartyOrgan));
    }

    #[test]
    fn tables_sorted_and_unique() {
        for (name, text) in EMBEDDED {
            if name.contains("divisions") {
                continue;
            }
            let keys: Vec<String> = rows(text).into_iter().map(|(_, c)| c[0].clone()).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(keys.len(), sorted.len(), "{name} has duplicate keys");
        }
    }

    #[test]
    fn override_dir_is_used() {
        let dir = std::env::temp_dir().join(format!("pkg-lex-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lexicon")).unwrap();
        std::fs::write(
            dir.join("lexicon/dept_aliases.tsv"),
            "# alias\tcanonical\ttype\n数管局\t{jur}数据资源管理局\tDepartment\n",
        )
        .unwrap();
        let lx = Lexicon::from_dir(&dir).unwrap();
        assert!(lx.dept_aliases.contains_key("数管局"));
        std::fs::write(dir.join("lexicon/dept_aliases.tsv"), "数管局\t{jur}x\tNoSuchType\n").unwrap();
        let e = Lexicon::from_dir(&dir).unwrap_err().to_string();
        assert!(e.contains("dept_aliases.tsv:1"), "{e}");
        std::fs::remove_dir_all(dir).ok();
    }
}
