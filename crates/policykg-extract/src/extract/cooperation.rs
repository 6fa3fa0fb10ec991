//! `cooperates_with`: two named places or organisations cooperate.
//!
//! A small grammar of cooperation statements, read clause by clause around the cooperation
//! words of `coop_verbs.tsv` (合作, 对接, 融入, 签署, 结对, 对口支援 …; the longest written form is
//! the verb). Each verb says how it takes its partner (its *frames*):
//!
//! - `with`: `[actor]与B[、C][等…]…合作` (深化与溧阳市经济开发区合作 → @self↔溧阳市经济开发区;
//!   a predicate after B ends its name, `与B举行/开启/召开…`; a quoted slogan right before the
//!   verb is skipped, `与B“携手共建”战略合作`; a two-character field noun between the last
//!   partner and the verb makes a compound, `与丽水、衢州产业合作` → 衢州, unless it is a class
//!   of partners, `与江浙沪名校对接` (generic);
//!   市人民医院与上海新华医院合作 → the actor as written); pair lists `A与B、C与D分别签署` (one pair
//!   each); a pair written before the verb, `A和B合作`, `A、B两地合作`, and two one-character
//!   province names `甘闽合作` (`place_abbrev.tsv`). When the clause has no subject (`并与我市…`),
//!   the subject of the news sentence is the actor (`石嘴山市市长…到我市考察,并与我市…合作`).
//! - `direct`: the object follows (融入南京、合肥; 杭州市对口帮扶恩施州 — a party right before the
//!   verb acts); `integration` needs 一体化 after it (参与长三角一体化); `aid` is 援 + a place or a
//!   province's one-character name (援疆).
//!   A list of parties right before a direct verb acts, each (`支持滁州、马鞍山、宣城市深度融入南京都市圈`).
//! - friendship of cities (友好城市, 友城 in the clause): a name of Han characters with a
//!   division's suffix and no division of ours inside is a foreign division (墨西哥萨博潘市).
//! - a pair before the verb may be set off from it by a lead verb and an adjunct of fields
//!   (`重庆、四川在警务、旅游等方面加强合作`), and opened by the signing verb (`签订A—B…协议`).
//! - pairs listed after 为 right after a verb's noun, each two parties joined by 与
//!   (`新缔结的5对友好城市分别为A与B、C与D`); any item that is not such a pair drops the list.
//! - lists: the items of one partner list are of one kind — beside an organisation named by
//!   its suffix, a bare name is an organisation too (`与交行江苏分行、交银国际信托签订`); three
//!   parties or more listed before a signing (`A、B、C三方签订`, `A、B、C共同签署…协议`) give every
//!   two of them; signers stand for the parties after 代表 (`甲、乙分别代表A、B签署协议`) or, for
//!   双方, the two heading the agreement's title (`代表双方签署《A、B战略合作协议》`); a collective
//!   actor (`各友城与常州…合作`) gives no fact; places inside the place before 的 are the objects (`对口支援和田地区的和田市、
//!   和田县`); people who sign for the parties (`X与Y代表双方签署`) are no parties.
//! - a name opens after a lead word before a place (`促成广东…公司`, `为更好地落实上海…大学`) or
//!   after a dateline's bracket, never holds a date (`湖北省政府8日在北京签署` → 湖北省政府), and a
//!   count of units (`乌当区四乡镇`) is no name; `中行` after 中国银行 (first and last characters)
//!   is that organisation; a clause of time `自…以来` takes the next clause's subject as actor;
//!   a list counted after 等 before a direct verb acts, each item (`A、B等19个省市承担对口支援X`).
//! - `agreement`: 签署/签订 count only with an agreement in the clause (签署合作协议). With no
//!   partner written, a visit in the same sentence gives it (`A…前往B考察,…签订…协议` → A↔B).
//!
//! Parties are named divisions (hierarchical names too: 衢州市开化县), named regions, the
//! document's own jurisdiction as a pronoun (我市, `@self`), governments of named places
//! (沈阳市政府), organisations recognised by their suffix (大学, 医院, 集团, 公司, 管委会, 保税区 …
//! from `org_types.tsv` and `coop_words.tsv`) and towns (镇, 乡, 街道). Generic partners
//! (`generic_partners.tsv`: 央企, 知名高校, 先发地区) are dropped; `X等沿江城市` keeps X.
//! Document-level names count too: an agreement's `甲方:`/`乙方:` lines give one fact between
//! the two parties and make 甲方/乙方 their aliases; `X(以下简称Y)` makes Y an alias of X; a later
//! mention that ends an earlier party's name (滨海新区 after 绍兴滨海新区) is that party.
//!
//! An implicit actor is `@self`: the task's lead, else the document's jurisdiction (in an
//! agreement, the other party). One fact per pair per task; outside numbered tasks, one per
//! pair per document, whatever the pair's spelling (成都市 and 成都市政府 are one party; an
//! organisation named again longer or shorter, 天坛医院 and 北京天坛医院, is one party). A verb
//! in quotes of its own (`与德阳“牵手”`) is a statement, not part of a name.

use super::Context;
use crate::facts::{Fact, OrgRef, Relation};
use crate::lexicon::{Lexicon, OrgType, PerLexicon, WordIndex};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::sync::Arc;

const CLAUSE_END: &[char] = &[',', ';', '。', ':', '!', '?', '\n'];

/// The [`CLAUSE_END`] characters of a text with their byte offsets, in order: a scan of its
/// bytes (the ASCII ends, and `。` by its last byte), not a decode of every character.
fn clause_ends(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let b = text.as_bytes();
    (0..b.len()).filter_map(move |i| match b[i] {
        c @ (b',' | b';' | b':' | b'!' | b'?' | b'\n') => Some((i, c as char)),
        0x82 if i >= 2 && b[i - 2] == 0xE3 && b[i - 1] == 0x80 => Some((i - 2, '。')),
        _ => None,
    })
}
/// Prepositions that introduce a partner (与X合作); `和` only joins a pair (A和B合作).
const PREPOSITIONS: &[char] = &['与', '同', '跟'];
/// Separators of a list of partners.
const LIST_SEPS: &[char] = &['、', '和', '及'];
/// Characters before 同 that make it part of a word (共同, 协同, 相同), not a preposition.
const NOT_BEFORE_TONG: &str = "共协相如合一等陪连会认赞";
/// Characters after 同 that make it part of a word (同业, 同步, 同城, 同时), not a preposition.
const NOT_AFTER_TONG: &str = "业步城时期类级样";
/// How far before and after a verb a partner is looked for, in characters.
const REACH_BEFORE: usize = 120;
const REACH_AFTER: usize = 60;
/// Quote marks trimmed around a mention.
const QUOTES: &[char] = &['“', '”', '"', ' ', '‘', '’'];

/// How a verb takes its partner (`coop_verbs.tsv`, column 2).
#[derive(Clone, Copy, Default)]
struct Frames {
    with: bool,
    direct: bool,
    agreement: bool,
    integration: bool,
    aid: bool,
}

impl Frames {
    fn parse(s: Option<&String>) -> Frames {
        let mut f = Frames::default();
        for p in s.map(String::as_str).unwrap_or("with").split(',') {
            match p.trim() {
                "with" => f.with = true,
                "direct" => f.direct = true,
                "agreement" => f.agreement = true,
                "integration" => f.integration = true,
                "aid" => f.aid = true,
                _ => {}
            }
        }
        f
    }
}

/// The grammar words of `coop_words.tsv`, by role.
#[derive(Default)]
struct Words<'l> {
    adverb: Vec<&'l str>,
    lead: Vec<&'l str>,
    opener: Vec<&'l str>,
    noun: Vec<&'l str>,
    brk: Vec<&'l str>,
    agreement: Vec<&'l str>,
    selfw: Vec<&'l str>,
    go: Vec<&'l str>,
    see: Vec<&'l str>,
    pair: Vec<&'l str>,
    tail: Vec<&'l str>,
    org: Vec<(&'l str, &'l str)>,
    town: Vec<&'l str>,
    class: Vec<&'l str>,
    time: Vec<&'l str>,
    /// Words that make the text after a place a unit's name (指挥部, 示范区).
    unit_name: Vec<&'l str>,
    /// Fields of an agreement's party line after the party's name (地址, 法定代表人).
    party_field: Vec<&'l str>,
    /// Legal forms of an enterprise's name (有限公司), longest first.
    legal_form: Vec<&'l str>,
    /// The lists above by first and last character, for the tests asked at every position.
    ix: Arc<WordIndexes>,
}

/// [`Words`] lists (and their unions the rules test together) indexed by first and last
/// character, in list order; built once per lexicon.
#[derive(Default)]
struct WordIndexes {
    /// Breaks, adverbs, leads and pair marks: what ends a partner's name.
    name_end: WordIndex,
    /// Leads, adverbs and openers; leads and adverbs.
    lead_adverb_opener: WordIndex,
    lead_adverb: WordIndex,
    selfw: WordIndex,
    /// Town and organisation endings.
    unit: WordIndex,
    adverb: WordIndex,
    lead: WordIndex,
    pair: WordIndex,
    time: WordIndex,
    /// Generic partners (`generic_partners.tsv`), found anywhere in a mention.
    generic: Option<aho_corasick::AhoCorasick>,
}

impl WordIndexes {
    /// Whether `s` holds a generic partner word.
    fn is_generic(&self, s: &str) -> bool {
        self.generic.as_ref().is_some_and(|ac| ac.is_match(s))
    }

    fn of(lex: &Lexicon, w: &Words) -> Arc<WordIndexes> {
        static INDEXES: PerLexicon<WordIndexes> = PerLexicon::new();
        INDEXES.get(lex, |_| WordIndexes {
            name_end: WordIndex::new(w.brk.iter().chain(&w.adverb).chain(&w.lead).chain(&w.pair)),
            lead_adverb_opener: WordIndex::new(w.lead.iter().chain(&w.adverb).chain(&w.opener)),
            lead_adverb: WordIndex::new(w.lead.iter().chain(&w.adverb)),
            selfw: WordIndex::new(&w.selfw),
            unit: WordIndex::new(w.town.iter().chain(w.org.iter().map(|(o, _)| o))),
            adverb: WordIndex::new(&w.adverb),
            lead: WordIndex::new(&w.lead),
            pair: WordIndex::new(&w.pair),
            time: WordIndex::new(&w.time),
            generic: aho_corasick::AhoCorasick::new(lex.list(crate::lexicon::Table::GenericPartners)).ok(),
        })
    }
}

impl<'l> Words<'l> {
    fn load(lex: &'l Lexicon) -> Words<'l> {
        let mut w = Words::default();
        for row in lex.table(crate::lexicon::Table::CoopWords) {
            let (Some(word), Some(role)) = (row.first(), row.get(1)) else {
                continue;
            };
            let word = word.as_str();
            for role in role.split(',').map(str::trim) {
                match role {
                    "adverb" => w.adverb.push(word),
                    "lead" => w.lead.push(word),
                    "opener" => w.opener.push(word),
                    "noun" => w.noun.push(word),
                    "break" => w.brk.push(word),
                    "agreement" => w.agreement.push(word),
                    "self" => w.selfw.push(word),
                    "go" => w.go.push(word),
                    "see" => w.see.push(word),
                    "pair" => w.pair.push(word),
                    "tail" => w.tail.push(word),
                    "org" => w
                        .org
                        .push((word, row.get(2).map(String::as_str).unwrap_or("Institution"))),
                    "town" => w.town.push(word),
                    "class" => w.class.push(word),
                    "time" => w.time.push(word),
                    "unit_name" => w.unit_name.push(word),
                    "party_field" => w.party_field.push(word),
                    "legal_form" => w.legal_form.push(word),
                    _ => {}
                }
            }
        }
        // Longest first, so that stripping and suffix tests take the longest word.
        for v in [
            &mut w.adverb,
            &mut w.lead,
            &mut w.brk,
            &mut w.selfw,
            &mut w.go,
            &mut w.see,
            &mut w.pair,
            &mut w.tail,
            &mut w.town,
            &mut w.time,
            &mut w.legal_form,
        ] {
            v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        w.org.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        w.ix = WordIndexes::of(lex, &w);
        w
    }

    /// Words that end a partner's name: breaks, adverbs, leads and pair marks.
    fn ends_name(&self, s: &str) -> bool {
        self.name_end_word(s).is_some()
    }

    /// The longest word of [`Words::ends_name`] that opens `s`.
    fn name_end_word<'s>(&'s self, s: &'s str) -> Option<&'s str> {
        self.ix.name_end.longest_prefix(s)
    }

    /// True when `s` ends with a suffix of a named unit (街道, 镇, 中学, 党支部).
    fn ends_with_unit(&self, s: &str) -> bool {
        self.ix.unit.ends(s)
    }
}

/// The actor found before a preposition.
#[derive(Clone)]
enum Actor {
    /// Named (`市人民医院与…`).
    Party(OrgRef),
    /// Nothing but adverbs before the preposition (`并与…`): the sentence's subject.
    Subject,
    /// A verb phrase or unknown words (`加强与…`): `@self`.
    Implicit,
    /// A noun that names no party (`大花园与大湾区深度合作的…`): `@self`, unless the
    /// cooperation only describes a model (`…合作的标杆`). When the noun opens the clause and
    /// could be a name (Han characters, no locative), it is kept: a subject that signs an
    /// agreement is a party (`中电光谷与沈抚示范区签订…协议`), named as written.
    Unknown(Option<String>),
}

/// A fact found by the grammar, before tasks and `@self` are resolved.
struct Cand {
    abs: usize,
    /// The two parties of an agreement: one fact per document, whatever clause restates it.
    doc_level: bool,
    actor: Option<OrgRef>,
    partner: OrgRef,
    verb: String,
}

/// Reads parties and pairs in one document.
struct Reader<'c, 'a> {
    cx: &'c Context<'a>,
    w: Words<'a>,
    /// Province one-character names → division index.
    abbrev: HashMap<char, usize>,
    /// Document-level names: 甲方/乙方, `(以下简称Y)`.
    aliases: HashMap<String, OrgRef>,
    /// Parties already read, for later shortened mentions.
    known: Vec<OrgRef>,
    /// The two parties of an agreement (甲方, 乙方).
    agreement: Option<(OrgRef, OrgRef)>,
    /// The clause read states a friendship of cities (友好城市, 友城): a name with a division's
    /// suffix there is a foreign division (墨西哥萨博潘市).
    friendship: std::cell::Cell<bool>,
}

/// Emits `cooperates_with` facts.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    let (cands, legal_forms) = {
        let cx: &Context = cx;
        let mut rd = Reader::new(cx);
        (rd.read(), rd.w.legal_form.clone())
    };
    let mut seen: HashSet<(Option<usize>, String, String)> = HashSet::default();
    let mut orgs: Vec<String> = Vec::new();
    // Parties named in a pair with a named other side: an implicit actor read as the same
    // party as its partner is then a misread jurisdiction (a university's page about the
    // district it signs with), not a fact of its own.
    let named: HashSet<String> = cands
        .iter()
        .filter_map(|c| c.actor.as_ref().map(|a| (a, &c.partner)))
        .flat_map(|(a, b)| [party_key(cx, a), party_key(cx, b)])
        .collect();
    let unit_alias = pronoun_units(cx, &cands);
    for c in cands {
        // Only numbered items count as tasks here; elsewhere one fact per pair per document.
        let task = if c.doc_level { None } else { item_task(cx, c.abs) };
        let a = match c.actor {
            Some(a) => a,
            None => self_actor(cx, task, out),
        };
        let b = c.partner;
        let key_of = |r: &OrgRef| match unit_alias.get(&r.text) {
            Some(k) if r.name.is_none() => k.clone(),
            _ => party_key(cx, r),
        };
        let (ka, kb) = (key_of(&a), key_of(&b));
        // A longer mention after a shorter one (天坛医院, then 北京天坛医院) is the same party.
        let (ka, kb) = (
            same_org(&mut orgs, &legal_forms, ka),
            same_org(&mut orgs, &legal_forms, kb),
        );
        // A party never cooperates with itself; an implicit actor is kept, for the
        // jurisdiction may be misread as the partner the document names most.
        let pronoun =
            |r: &OrgRef| r.text == "@self" || r.code.is_some() && r.name.is_some() && is_self_word(cx, &r.text);
        if ka == kb && (a.text != "@self" || pronoun(&b) || named.contains(&kb)) {
            continue;
        }
        let key = if ka < kb { (task, ka, kb) } else { (task, kb, ka) };
        if !seen.insert(key) {
            continue;
        }
        let sent = cx.sentence_around(c.abs);
        let evidence = cx.evidence(sent);
        let task_ref = task.map(|t| cx.task_ref(t));
        out.push(Fact {
            doc: String::new(),
            rel: Relation::CooperatesWith {
                task: task_ref,
                a,
                b,
                verb: c.verb,
            },
            evidence,
            task_index: task,
        });
    }
}

/// The writing unit's pronoun (我校, 我院) read as the one organisation of its kind the page
/// names (聊城大学 for 我校): exactly one such organisation, sharing a partner with the pronoun
/// and never paired with it. Pronoun → that organisation's key.
fn pronoun_units(cx: &Context, cands: &[Cand]) -> HashMap<String, String> {
    let mut out = HashMap::default();
    let sides = |c: &Cand| -> Vec<OrgRef> { c.actor.iter().cloned().chain([c.partner.clone()]).collect() };
    let mut pronouns: Vec<String> = cands
        .iter()
        .flat_map(sides)
        .filter(|r| r.name.is_none() && pronoun_unit(&r.text))
        .map(|r| r.text)
        .collect();
    pronouns.sort();
    pronouns.dedup();
    for p in pronouns {
        let kinds: &[&str] = match p.chars().nth(1) {
            Some('校') => &["大学", "学院", "学校"],
            Some('院') => &["医院", "学院", "研究院"],
            _ => continue,
        };
        let partners_of = |k: &str| -> HashSet<String> {
            cands
                .iter()
                .filter_map(|c| c.actor.as_ref().map(|a| (a, &c.partner)))
                .filter_map(|(a, b)| {
                    let (x, y) = (
                        if a.text == p { p.clone() } else { party_key(cx, a) },
                        if b.text == p { p.clone() } else { party_key(cx, b) },
                    );
                    if x == k {
                        Some(y)
                    } else if y == k {
                        Some(x)
                    } else {
                        None
                    }
                })
                .collect()
        };
        let mut named: Vec<String> = cands
            .iter()
            .flat_map(sides)
            .filter(|r| {
                // A name before the kind (聊城大学), not the kind alone (学院).
                r.text != p
                    && r.text.chars().all(is_han)
                    && kinds
                        .iter()
                        .any(|k| r.text.ends_with(k) && r.text.chars().count() >= k.chars().count() + 2)
            })
            .map(|r| party_key(cx, &r))
            .collect();
        named.sort();
        named.dedup();
        let [one] = named.as_slice() else { continue };
        let (mine, theirs) = (partners_of(&p), partners_of(one));
        if !theirs.contains(&p) && mine.intersection(&theirs).next().is_some() {
            out.insert(p, one.clone());
        }
    }
    out
}

/// The key of an organisation read before whose name ends this one's, or ends in it (天坛医院
/// and 北京天坛医院), three characters at least in common; places keep their division keys.
fn same_org(orgs: &mut Vec<String>, legal_forms: &[&str], k: String) -> String {
    let Some(name) = k.strip_prefix('o') else {
        return k;
    };
    // An enterprise with and without its legal form (百联集团, 百联集团有限公司) is one party.
    let bare = |s: &'_ str| -> String {
        let s = (legal_forms.iter())
            .find_map(|f| s.strip_suffix(f).filter(|r| r.chars().count() >= 3))
            .unwrap_or(s);
        s.to_string()
    };
    let name_b = bare(name);
    let found = orgs.iter().find(|o| {
        let o = bare(&o[1..]);
        let (short, long) = if o.len() <= name_b.len() {
            (&o, &name_b)
        } else {
            (&name_b, &o)
        };
        short.chars().count() >= 3 && long.ends_with(short.as_str())
    });
    match found {
        Some(o) => o.clone(),
        None => {
            orgs.push(k.clone());
            k
        }
    }
}

/// True for the pronouns of the document's own jurisdiction (我市, 本区).
fn is_self_word(cx: &Context, text: &str) -> bool {
    cx.gz
        .lexicon()
        .table(crate::lexicon::Table::CoopWords)
        .iter()
        .any(|r| r.first().is_some_and(|w| w == text) && r.get(1).is_some_and(|k| k == "self"))
}

/// What makes two mentions one party: the division (成都, 成都市, 成都市政府 alike), else the
/// canonical name or text.
fn party_key(cx: &Context, r: &OrgRef) -> String {
    if let Some(c) = &r.code {
        return format!("d{c}");
    }
    if r.ty == "Government" {
        if let Some(d) = &r.division {
            return format!("d{d}");
        }
    }
    if r.text == "@self" {
        if let Some(d) = cx.jur.own() {
            if r.name.as_deref() == Some(cx.gz.qualified_name(d).as_str()) {
                return format!("d{}", cx.gz.division(d).code);
            }
        }
    }
    format!("o{}", r.name.as_deref().unwrap_or(&r.text))
}

impl<'c, 'a> Reader<'c, 'a> {
    fn new(cx: &'c Context<'a>) -> Reader<'c, 'a> {
        let lex: &'a Lexicon = cx.gz.lexicon();
        let mut abbrev = HashMap::default();
        for row in lex.table(crate::lexicon::Table::PlaceAbbrev) {
            let (Some(a), Some(name)) = (row.first(), row.get(1)) else {
                continue;
            };
            let mut chars = a.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if let Some(&d) = cx.gz.by_name.get(name).and_then(|v| v.first()) {
                    abbrev.insert(c, d);
                }
            }
        }
        Reader {
            cx,
            w: Words::load(lex),
            abbrev,
            aliases: HashMap::default(),
            known: Vec::new(),
            agreement: None,
            friendship: std::cell::Cell::new(false),
        }
    }

    fn read(&mut self) -> Vec<Cand> {
        let cx = self.cx;
        let text = cx.norm.text.as_str();
        let mut cands = Vec::new();
        self.short_names(text);
        if let Some(c) = self.agreement_parties(text) {
            cands.push(c);
        }
        cands.extend(self.party_tables(text));

        // Clauses of the whole text (headings included: `一、全面深化与沪苏浙区域合作`), before
        // and after a signature alike (a plan signed at its end is all body).
        let mut start = 0;
        let mut clauses: Vec<Range<usize>> = Vec::new();
        for (i, c) in clause_ends(text) {
            clauses.push(start..i);
            start = i + c.len_utf8();
        }
        clauses.push(start..text.len());

        // One automaton over the verbs, leftmost-longest (`对接合作` before `对接`), built once.
        let verb_ac = &cx.gz.coop_verbs_ac;
        let verbs = &cx.gz.coop_verbs;
        // The frames of each verb, in the automaton's order; built once per lexicon.
        static FRAMES: PerLexicon<Vec<Frames>> = PerLexicon::new();
        let frames = FRAMES.get(cx.gz.lexicon(), |lx| {
            let rows = lx.table(crate::lexicon::Table::CoopVerbs);
            verbs
                .iter()
                .map(|v| Frames::parse(rows.iter().find(|r| &r[0] == v).and_then(|r| r.get(1))))
                .collect()
        });
        // Title depth (《 》) before each clause, counted once over the text.
        let mut depth: i64 = 0;
        let mut counted = 0usize;
        // Every verb of the text in one search (no verb holds a clause end), handed out to the
        // clauses in order.
        let all_verbs: Vec<aho_corasick::Match> = verb_ac.find_iter(text).collect();
        let mut next_verb = 0;
        for cl in clauses {
            for (_, c) in text[counted..cl.start].match_indices(['《', '》']) {
                depth += if c == "《" { 1 } else { -1 };
            }
            counted = cl.start;
            let first_verb = next_verb;
            while all_verbs.get(next_verb).is_some_and(|m| m.end() <= cl.end) {
                next_verb += 1;
            }
            if depth > 0 || first_verb == next_verb {
                continue;
            }
            let ct = &text[cl.clone()];
            self.friendship.set(ct.contains("友好") || ct.contains("友城"));
            // (A verb of a user's lexicon holding a clause end spans two clauses: skipped.)
            for m in all_verbs[first_verb..next_verb]
                .iter()
                .filter(|m| m.start() >= cl.start)
            {
                let vm = aho_corasick::Match::new(m.pattern(), m.start() - cl.start..m.end() - cl.start);
                let vrel = vm.start();
                let verb = &verbs[vm.pattern().as_usize()];
                let fr = frames[vm.pattern().as_usize()];
                let before = tail_chars(&ct[..vrel], REACH_BEFORE);
                let after = head_chars(&ct[vm.end()..], REACH_AFTER);
                // A verb that fills its own quotes (`渝北与德阳“牵手”`) is still the statement.
                let quoted_verb = before.ends_with('“') && ct[vm.end()..].starts_with('”');
                let before = if quoted_verb {
                    &before[..before.len() - '“'.len_utf8()]
                } else {
                    before
                };
                if before.ends_with('不')
                    || (inside_quote(before) && !quoted_verb)
                    || inside_title(before)
                    || self.w.noun.iter().any(|n| ct[vrel..].starts_with(n))
                {
                    continue;
                }
                // Between friendship cities, signing cooperation projects is cooperation too
                // (`与韩国友城大邱市签订合作项目`).
                let friendly_work = self.friendship.get() && after.contains("合作");
                if fr.agreement && !friendly_work && !self.w.agreement.iter().any(|a| after.contains(a)) {
                    continue;
                }
                // `苏皖合作示范区`, `宜湖合作产业园`, `对口支援新疆前方指挥部`: the verb is part of a
                // unit's name, not a statement.
                if self.names_unit(after, fr.aid) {
                    continue;
                }
                // `与韩国友城大邱市…`: 友城 between a country and its city describes the city.
                if verb == "友城"
                    && before.chars().next_back().is_some_and(is_han)
                    && after
                        .char_indices()
                        .skip(1)
                        .take(5)
                        .any(|(i, c)| "市省州郡县".contains(c) && after[..i].chars().all(is_han))
                {
                    continue;
                }
                let abs = cl.start + vrel;
                let mut pairs: Vec<(Option<OrgRef>, OrgRef)> = Vec::new();
                if fr.with {
                    let found = self.with_pairs(before);
                    let describes = after.starts_with('的');
                    if !found.is_empty() && found.iter().all(|(a, _)| matches!(a, Actor::Unknown(_))) && describes {
                        continue;
                    }
                    for (actor, p) in found {
                        let actor = match actor {
                            Actor::Party(r) => Some(r),
                            Actor::Subject => self.subject(cl.start),
                            // A subject we cannot name signs an agreement: it is the party,
                            // not the jurisdiction.
                            Actor::Unknown(Some(n)) if fr.agreement => Some(OrgRef {
                                text: n,
                                name: None,
                                ty: "Enterprise".into(),
                                code: None,
                                division: None,
                            }),
                            Actor::Implicit | Actor::Unknown(_) => None,
                        };
                        pairs.push((actor, p));
                    }
                    if pairs.is_empty() {
                        pairs.extend(self.coordinated(before, fr.agreement));
                    }
                    // `甲、乙分别代表A、B签署协议`, `…代表双方签署了《A、B战略合作协议》`: the
                    // parties are those the signers stand for.
                    if pairs.is_empty() && fr.agreement {
                        pairs.extend(self.represented(before, after));
                    }
                }
                // `新缔结的5对友好城市分别为A与B、C与D`: the pairs the verb's noun names follow 为.
                if pairs.is_empty() && fr.with {
                    pairs.extend(self.listed_pairs(&ct[vm.end()..]));
                }
                if pairs.is_empty() && (fr.direct || fr.integration) {
                    let mut objs = self.direct_objects(after);
                    // `结对帮扶四川、贵州四省的80个贫困县`: the list owns what it helps (a count and
                    // 的 after it); the object is that unnamed set, not the places.
                    if objs.last().is_some_and(|(_, rest)| possessor(rest)) {
                        objs.clear();
                    }
                    // 参与长三角一体化, 参与虹桥国际开放枢纽联动发展区建设: joining what the place
                    // builds together; 参与X产业创新中心建设 is no cooperation.
                    if fr.integration {
                        objs.retain(|(_, rest)| {
                            let rest = head_chars(rest, 12);
                            rest.starts_with("一体化") || cx.gz.coop_verbs_ac.find(rest).is_some()
                        });
                    }
                    let mut actor = self.party_before(before);
                    // `自1995年对口支援西藏拉萨以来,江苏省…`: a clause of time has no subject of
                    // its own; the place opening the next clause acts.
                    if actor.is_none() && ct.trim_start().starts_with(['自', '从']) && ct.ends_with("以来") {
                        let next = text[cl.end..].trim_start_matches(CLAUSE_END);
                        let next = &next[..next.find(CLAUSE_END).unwrap_or(next.len())];
                        actor = self.place_prefix(next).map(|(r, _)| r);
                    }
                    // `北京、天津、深圳等19个省市承担对口支援新疆的任务`: a counted list of parties acts.
                    let actors = match actor {
                        // `支持滁州、马鞍山、芜湖、宣城市深度融入南京都市圈`: a list of parties acts, each.
                        Some(a) => {
                            let listed = self.listed_before(before);
                            if listed.len() >= 2 {
                                listed.into_iter().map(Some).collect()
                            } else {
                                vec![Some(a)]
                            }
                        }
                        None => {
                            let listed = self.listed_actors(before);
                            if listed.is_empty() {
                                vec![None]
                            } else {
                                listed.into_iter().map(Some).collect()
                            }
                        }
                    };
                    for (p, _) in objs {
                        for a in &actors {
                            pairs.push((a.clone(), p.clone()));
                        }
                    }
                }
                // `在杭州市的对口帮扶下`: the helper is named in a passive frame; the helped side
                // is the sentence's subject, else `@self`.
                if pairs.is_empty() && (fr.direct || fr.with) && after.starts_with('下') {
                    if let Some(p) = self.passive_helper(before) {
                        pairs.push((self.subject(cl.start), p));
                    }
                }
                if pairs.is_empty() && fr.aid {
                    if let Some(p) = self.aided(after) {
                        pairs.push((self.party_before(before), p));
                    }
                }
                // `A…率队来我县对接东西部协作工作`: a delegation comes to cooperate.
                if pairs.is_empty() && (fr.with || fr.direct) && ct[..vrel].contains(['来', '到', '赴']) {
                    let to_work = fr.with || cx.gz.coop_verbs_ac.find(head_chars(after, 8)).is_some();
                    if to_work {
                        pairs.extend(self.visit_to_cooperate(&ct[..vrel]));
                    }
                }
                // A visit gives the partner of a cooperation agreement (结对共建协议书, 战略合作协议),
                // not of any signing (签订投资协议 names firms, not the place).
                if pairs.is_empty() && fr.agreement && cx.gz.coop_verbs_ac.find(after).is_some() {
                    pairs.extend(self.visit_pair(abs));
                }
                for (actor, partner) in pairs {
                    // In an agreement, the implicit side of a pair with one party is the other.
                    let actor = actor.or_else(|| self.other_party(&partner));
                    let doc_level = actor.as_ref().is_some_and(|a| {
                        self.other_party(a)
                            .is_some_and(|o| o.name == partner.name && o.ty == partner.ty)
                    });
                    self.remember(&partner);
                    if let Some(a) = &actor {
                        self.remember(a);
                    }
                    cands.push(Cand {
                        abs,
                        doc_level,
                        actor,
                        partner,
                        verb: verb.clone(),
                    });
                }
            }
        }
        cands
    }

    fn remember(&mut self, r: &OrgRef) {
        if r.text != "@self" && !self.known.iter().any(|k| k.text == r.text) {
            self.known.push(r.clone());
        }
    }

    fn other_party(&self, partner: &OrgRef) -> Option<OrgRef> {
        let (a, b) = self.agreement.as_ref()?;
        let same = |x: &OrgRef| x.name == partner.name && x.ty == partner.ty;
        if same(b) {
            Some(a.clone())
        } else if same(a) {
            Some(b.clone())
        } else {
            None
        }
    }

    // ---- document-level names -------------------------------------------------------------

    /// `X(以下简称Y)` / `X(简称Y)`: Y names the party X.
    fn short_names(&mut self, text: &str) {
        let mut from = 0;
        while let Some(p) = text[from..].find("简称") {
            let at = from + p;
            from = at + "简称".len();
            let open = text[..at].rfind(['(', '（']);
            let Some(open) = open.filter(|o| at - o <= "以下".len() + 1) else {
                continue;
            };
            let name: String = text[from..]
                .chars()
                .skip_while(|c| QUOTES.contains(c))
                .take_while(|c| !QUOTES.contains(c) && *c != ')' && *c != ',')
                .collect();
            if name.chars().count() < 2 || name.chars().count() > 12 || name.contains("方") {
                continue;
            }
            let before = tail_chars(&text[..open], 40);
            let Some(r) = self.party_ending(before) else {
                continue;
            };
            let mut r2 = r.clone();
            r2.name = Some(r.name.clone().unwrap_or(r.text.clone()));
            self.aliases.insert(name, r2);
        }
    }

    /// An agreement's `甲方:X` and `乙方:Y` lines: one fact X↔Y; 甲方/乙方 become their aliases.
    fn agreement_parties(&mut self, text: &str) -> Option<Cand> {
        if !text.contains("乙方") {
            return None;
        }
        let mut parties: [Option<OrgRef>; 2] = [None, None];
        let mut line_at = 0usize;
        let mut offset = 0usize;
        for line in text.split('\n') {
            for (slot, label) in ["甲方", "乙方"].iter().enumerate() {
                if parties[slot].is_some() {
                    continue;
                }
                // `甲方:X` opening the line or after a space; `乙方:Y` also after `甲方:X` on
                // the same line (`甲方:X    乙方:Y`, spaces between Han characters dropped).
                // `甲方:`, `甲方(委托方):`: the colon after the label and an optional bracket.
                let colon = |i: usize| -> Option<usize> {
                    let r = &line[i + label.len()..];
                    let t = r.trim_start();
                    let t = match t.strip_prefix(['(', '（']) {
                        Some(inner) => &inner[inner.find([')', '）'])? + ')'.len_utf8()..],
                        None => t,
                    };
                    t.trim_start()
                        .starts_with(':')
                        .then(|| line.len() - t.trim_start().len() + 1)
                };
                let labelled = |i: usize| colon(i).is_some();
                let Some(at) = line.match_indices(label).map(|(i, _)| i).find(|&i| {
                    labelled(i)
                        && (line[..i].trim().is_empty()
                            || line[..i].ends_with(char::is_whitespace)
                            || (slot == 1 && line[..i].contains("甲方")))
                }) else {
                    continue;
                };
                let rest = line[colon(at).unwrap_or(line.len())..].trim_start();
                // `甲方(盖章):X    乙方(盖章):Y`: X ends where the other label starts.
                let rest = match rest.find("乙方") {
                    Some(p)
                        if slot == 0 && {
                            let r = rest[p + "乙方".len()..].trim_start();
                            let r = match r.strip_prefix(['(', '（']) {
                                Some(inner) => inner.find([')', '）']).map_or("", |q| &inner[q + ')'.len_utf8()..]),
                                None => r,
                            };
                            r.trim_start().starts_with(':')
                        } =>
                    {
                        &rest[..p]
                    }
                    _ => rest,
                };
                let mut end = rest.find([' ', '\t', ',', ';', '。']).unwrap_or(rest.len());
                for field in &self.w.party_field {
                    if let Some(p) = rest[..end].find(field) {
                        end = p;
                    }
                }
                // `X(以下简称甲方)`, `X(或政府授权公司)`: trailing brackets are no part of the name,
                // inner ones may be (城开(北京)投资有限公司).
                let mut name = &rest[..end];
                while let Some(inner) = name.strip_suffix([')', '）']) {
                    match inner.rfind(['(', '（']) {
                        Some(p) => name = &inner[..p],
                        None => break,
                    }
                }
                let first_paren = name.find(['(', '（']).map(|p| &name[..p]);
                // A long hierarchical name (贵州省黔东南苗族侗族自治州凯里市人民政府): the party
                // that ends it.
                let found = self
                    .party_exact(name, true)
                    .or_else(|| first_paren.and_then(|n| self.party_exact(n, true)))
                    .or_else(|| {
                        self.party_ending(name)
                            .filter(|r| r.ty == "Government" || r.code.is_some())
                    });
                if let Some(mut r) = found {
                    r.name = Some(r.name.clone().unwrap_or(r.text.clone()));
                    parties[slot] = Some(r);
                    if slot == 1 {
                        line_at = offset + at;
                    }
                }
            }
            offset += line.len() + 1;
        }
        let [Some(a), Some(b)] = parties else {
            return None;
        };
        self.aliases.insert("甲方".into(), a.clone());
        self.aliases.insert("乙方".into(), b.clone());
        self.remember(&a);
        self.remember(&b);
        self.agreement = Some((a.clone(), b.clone()));
        // Evidence: the first sentence after the parties that states their cooperation.
        let mut abs = line_at;
        let mut verb = "合作".to_string();
        let mut from = line_at;
        for _ in 0..20 {
            let Some(p) = text[from..].find(['双', '乙']) else {
                break;
            };
            let at = from + p;
            from = at + 3;
            if !(text[at..].starts_with("双方") || text[at..].starts_with("乙方")) {
                continue;
            }
            let sent = self.cx.sentence_around(at);
            if let Some(m) = self.cx.gz.coop_verbs_ac.find(&text[sent.clone()]) {
                abs = at;
                verb = self.cx.gz.coop_verbs[m.pattern().as_usize()].clone();
                break;
            }
        }
        Some(Cand {
            abs,
            doc_level: true,
            actor: Some(a),
            partner: b,
            verb,
        })
    }

    // ---- tables of parties -----------------------------------------------------------------

    /// Flattened tables whose header names both sides of a pairing or an agreement
    /// (`序号|甲方|乙方|签约内容`; `序号 / 企业名称 / 结对村` one cell per line): one fact per row
    /// between its two side cells.
    fn party_tables(&mut self, text: &str) -> Vec<Cand> {
        const CUES: &[&str] = &[
            "甲方", "乙方", "结对", "帮扶", "受援", "支援", "援建", "合作", "协作", "共建",
        ];
        if !text.contains('\n') || !CUES.iter().any(|c| text.contains(c)) {
            return Vec::new();
        }
        // Lines with their byte offsets.
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut off = 0;
        for l in text.split('\n') {
            lines.push((off, l));
            off += l.len() + 1;
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].1.trim();
            // (a) One header line, cells joined by `|` or tabs.
            if line.contains(['|', '\t']) {
                let heads: Vec<&str> = line
                    .split(['|', '\t'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                if let Some((ca, cb, verb)) = side_columns(&heads) {
                    let mut k = i + 1;
                    while k < lines.len() {
                        let row: Vec<&str> = lines[k]
                            .1
                            .split(['|', '\t'])
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .collect();
                        if row.len() != heads.len() {
                            break;
                        }
                        let at = lines[k].0 + (lines[k].1.len() - lines[k].1.trim_start().len());
                        out.extend(self.table_pair(row[ca], row[cb], verb, at));
                        k += 1;
                    }
                    i = k;
                    continue;
                }
            }
            // (b) One head per line: a run of short head lines, then rows of as many lines.
            let is_head = |l: &str| {
                let n = l.chars().count();
                (2..=10).contains(&n) && !l.chars().any(|c| c.is_ascii_digit()) && !l.contains(['。', ',', ':', '|'])
            };
            if is_head(line) {
                let mut k = i;
                let mut heads: Vec<&str> = Vec::new();
                while k < lines.len() && is_head(lines[k].1.trim()) && heads.len() < 6 {
                    heads.push(lines[k].1.trim());
                    k += 1;
                }
                if let Some((ca, cb, verb)) = side_columns(&heads).filter(|_| heads.len() >= 2) {
                    let seq = heads.iter().position(|h| is_seq_head(h));
                    let n = heads.len();
                    let body: Vec<(usize, &str)> = lines[k..]
                        .iter()
                        .map(|&(o, l)| (o, l.trim()))
                        .take_while(|(_, l)| !l.is_empty())
                        .collect();
                    let mut r = 0;
                    while r + n <= body.len() {
                        let row = &body[r..r + n];
                        if seq.is_some_and(|s| !row[s].1.chars().all(|c| c.is_ascii_digit())) {
                            break;
                        }
                        out.extend(self.table_pair(row[ca].1, row[cb].1, verb, row[0].0));
                        r += n;
                    }
                    i = k + r;
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    /// One row of a table of parties: both cells name a party (a cell is a name by layout).
    fn table_pair(&mut self, a: &str, b: &str, verb: &str, at: usize) -> Option<Cand> {
        let pa = self.table_party(a)?;
        let pb = self.table_party(b)?;
        self.remember(&pa);
        self.remember(&pb);
        Some(Cand {
            abs: at,
            doc_level: false,
            actor: Some(pa),
            partner: pb,
            verb: verb.to_string(),
        })
    }

    fn table_party(&self, cell: &str) -> Option<OrgRef> {
        let cell = cell.trim_matches(QUOTES);
        if let Some(r) = self.party_exact(cell, false) {
            return Some(r);
        }
        let n = cell.chars().count();
        let bare = strip_parens(cell);
        if !(3..=40).contains(&n)
            || !bare.chars().all(is_han)
            || self.w.ix.is_generic(cell)
            || self.w.class.iter().any(|c| cell.ends_with(c))
        {
            return None;
        }
        let lex = self.cx.gz.lexicon();
        let ty = lex
            .org_suffixes
            .iter()
            .map(|(s, t)| (s.as_str(), t.as_str()))
            .chain(self.w.org.iter().copied())
            .filter(|(s, _)| bare.ends_with(s))
            .max_by_key(|(s, _)| s.len())
            .map(|(_, t)| t.to_string())
            .unwrap_or_else(|| {
                if bare.ends_with('村') || bare.ends_with("社区") {
                    "Town".into()
                } else {
                    "Institution".into()
                }
            });
        Some(OrgRef {
            text: cell.to_string(),
            name: None,
            ty,
            code: None,
            division: None,
        })
    }

    // ---- frames -----------------------------------------------------------------------------

    /// Pairs of the `with` frame: `[A]与B[、C]`, and the pair lists `A与B、C与D`.
    fn with_pairs(&self, before: &str) -> Vec<(Actor, OrgRef)> {
        let mut out = Vec::new();
        // 同 that opens a place's name (与厦门同安区工业园区) is no preposition.
        let places = if before.contains('同') {
            self.cx.gz.find(before)
        } else {
            Vec::new()
        };
        let preps: Vec<(usize, char)> = before
            .char_indices()
            .filter(|(i, c)| {
                // `A向B提供(全面)对口支援`: 向 names the partner when 提供 and at most a short
                // modifier stand between it and the verb.
                let offers = *c == '向'
                    && before[*i..]
                        .rfind("提供")
                        .is_some_and(|k| before[*i + k + "提供".len()..].chars().count() <= 4);
                offers
                    || PREPOSITIONS.contains(c)
                        && (*c != '同'
                            || !before[..*i]
                                .chars()
                                .next_back()
                                .is_some_and(|p| NOT_BEFORE_TONG.contains(p))
                                && !before[*i + c.len_utf8()..]
                                    .chars()
                                    .next()
                                    .is_some_and(|n| NOT_AFTER_TONG.contains(n))
                                && !places.iter().any(|m| m.start <= *i && *i < m.end))
            })
            .collect();
        for &(p, c) in preps.iter().rev() {
            let seg = drop_slogan(&before[p + c.len_utf8()..]);
            let seg = if c == '向' {
                &seg[..seg.rfind("提供").unwrap_or(seg.len())]
            } else {
                seg
            };
            // `与X深度合作的山海协作`: a verb between the partner and this one owns the pair (not
            // the 合作 of a noun such as 专业合作社).
            if self.has_verb(seg) {
                return out;
            }
            // `副总经理刘建伟与副县长李阳阳代表双方签署`: people sign for the parties, unnamed here.
            if seg[self.cut_name(seg).len()..].starts_with("代表") {
                return out;
            }
            let partners = self.partner_items(seg);
            if partners.is_empty() {
                continue;
            }
            let actor_seg = &before[..p];
            // `A与B、C与D`: the segment before the last 、 holds pairs of its own.
            if let Some(s) = actor_seg.rfind('、') {
                let head = &actor_seg[..s];
                if head.contains(PREPOSITIONS) {
                    let earlier = self.with_pairs(head);
                    if !earlier.is_empty() {
                        let actor = self.actor_of(&actor_seg[s + '、'.len_utf8()..]);
                        out.extend(earlier);
                        for pt in partners {
                            out.push((actor.clone(), pt));
                        }
                        return out;
                    }
                }
            }
            // `祝愿各友城与常州的…合作`: a collective (各 + a class) is no named party.
            if collective_actor(actor_seg) {
                return out;
            }
            let actors = self.actors_of(actor_seg);
            for a in actors {
                for pt in &partners {
                    out.push((a.clone(), pt.clone()));
                }
            }
            return out;
        }
        out
    }

    /// Pairs listed after 为 right after a verb's noun (`友好城市(省州)分别为A与B、C与D`): each
    /// item of the list is two parties joined by 与.
    fn listed_pairs(&self, after: &str) -> Vec<(Option<OrgRef>, OrgRef)> {
        let head = strip_parens(head_chars(after, 12));
        let Some(at) = after.find('为').filter(|_| {
            let h = &head[..head.find('为').unwrap_or(head.len())];
            h.chars().count() <= 4 && (h.is_empty() || h.chars().all(|c| "分别关系是".contains(c)))
        }) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in after[at + '为'.len_utf8()..].split('、') {
            let mut parts = item.splitn(2, '与');
            let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
                return Vec::new();
            };
            match (self.party_exact(a, false), self.party_exact(b, false)) {
                (Some(x), Some(y)) => out.push((Some(x), y)),
                _ => return Vec::new(),
            }
        }
        out
    }

    /// True when a cooperation verb stands in `seg`, outside the nouns that hold one (合作社).
    fn has_verb(&self, seg: &str) -> bool {
        self.cx.gz.coop_verbs_ac.find_iter(seg).any(|m| {
            // `韩国友城大邱市`: 友城 between a country and its city describes the city.
            let rest = &seg[m.end()..];
            let rest = &rest[..rest.find(['、', '，', ',']).unwrap_or(rest.len())];
            let describes = &seg[m.start()..m.end()] == "友城"
                && m.start() > 0
                && (2..=8).contains(&rest.chars().count())
                && rest.chars().all(is_han)
                && rest.ends_with(['市', '省', '州', '郡', '县']);
            !describes && !self.w.noun.iter().any(|n| seg[m.start()..].starts_with(n))
        })
    }

    /// The actors before a preposition: a list of parties (`A、B与C`), or one party ending the
    /// segment, or `Subject`/`Implicit`.
    fn actors_of(&self, seg: &str) -> Vec<Actor> {
        let seg = cut_etc(seg);
        let bare = strip_start(strip_end(seg, &self.w.ix.adverb), &self.w.ix.lead);
        if bare.contains('、') {
            let items: Vec<Option<OrgRef>> = bare.split('、').map(|i| self.party_exact(i, true)).collect();
            if items.iter().all(Option::is_some) {
                return items.into_iter().flatten().map(Actor::Party).collect();
            }
        }
        vec![self.actor_of(seg)]
    }

    fn actor_of(&self, seg: &str) -> Actor {
        let seg = cut_etc(seg);
        let seg = seg.rsplit(['、', ',']).next().unwrap_or("");
        // A title set off by a dash (`合作共赢——我院与…`) ends before the actor.
        let seg = seg.rsplit("——").next().unwrap_or("");
        let seg = seg.rsplit("一一").next().unwrap_or("");
        // A time between the subject and the preposition: `平湖市近日与青田县…`.
        let seg = strip_end(
            strip_end(strip_end(seg, &self.w.ix.adverb), &self.w.ix.time),
            &self.w.ix.adverb,
        );
        if seg.trim().is_empty() {
            return Actor::Subject;
        }
        match self.party_ending(seg) {
            Some(r) => Actor::Party(r),
            None if self.w.lead.iter().chain(&self.w.opener).any(|l| seg.ends_with(l))
                || self.w.selfw.iter().any(|w| seg.contains(w)) =>
            {
                Actor::Implicit
            }
            None => Actor::Unknown(self.bare_name(seg)),
        }
    }

    /// A clause-opening noun that may be an unrecognised name: 3 to 10 Han characters, no
    /// locative or pronoun end (会上, 期间), no grammar word at its start, no verb inside.
    fn bare_name(&self, seg: &str) -> Option<String> {
        let n = seg.chars().count();
        let ok = (3..=10).contains(&n)
            && seg.chars().all(is_han)
            && !seg.ends_with(['上', '中', '后', '前', '时', '间', '里', '内', '外', '方'])
            && !self.w.ix.lead_adverb_opener.starts(seg)
            && !self.w.ix.time.starts(seg)
            && !self.w.selfw.iter().any(|w| seg.contains(w))
            && !self.has_verb(seg)
            && !counts_units(seg)
            && self.cut_name(seg).len() == seg.len();
        ok.then(|| seg.to_string())
    }

    /// The named party that ends a text, starting at an anchor: the text's start (unless it
    /// opens with a lead verb), a level prefix (市人民医院), a place, an alias, or right after a
    /// lead word or adverb.
    fn party_ending(&self, seg: &str) -> Option<OrgRef> {
        // `指定我院`: a unit's pronoun (我院, 我校, 本院) ends the text.
        let tail2 = tail_chars(seg, 2);
        if pronoun_unit(tail2) {
            return self.party_exact(tail2, true);
        }
        let opens_with_lead = self.w.ix.lead_adverb_opener.starts(seg);
        let places = self.cx.gz.find(seg);
        // `为更好地落实上海工程技术大学`: a lead word before a place opens the name there, not at
        // the text's start.
        let lead_before_place = self.lead_anchor(seg, &places).is_some();
        for (start, _) in seg.char_indices() {
            let cand = &seg[start..];
            if cand.chars().count() < 2 {
                break;
            }
            let head = &seg[..start];
            let anchored = (start == 0 && !opens_with_lead && !lead_before_place)
                || cand.starts_with(['市', '区', '县', '省', '镇', '乡'])
                || places.iter().any(|m| m.start == start)
                || self.aliases.keys().any(|a| cand.starts_with(a.as_str()))
                || self.w.ix.selfw.starts(cand)
                || self.w.ix.lead_adverb_opener.ends(head)
                || head.ends_with(QUOTES)
                || head.ends_with([')', '）']);
            // `新华网北京3月8日电(…)中国银行`: a dateline is no part of a name.
            let dated = cand
                .char_indices()
                .any(|(i, c)| c.is_ascii_digit() && cand[i + 1..].starts_with(['日', '电']));
            if !anchored
                || dated
                || places.iter().any(|m| m.start < start && start < m.end)
                || self.w.ix.lead_adverb.starts(cand)
                || self.cut_name(cand).len() != cand.len()
            {
                continue;
            }
            if let Some(r) = self.party_exact(cand, true) {
                return Some(r);
            }
        }
        None
    }

    /// The offset of a place (outside brackets) that a lead word, adverb or opener right before
    /// it sets off from what precedes (`促成广东…公司`, `为更好地落实上海…大学`).
    fn lead_anchor(&self, seg: &str, places: &[crate::resolve::PlaceMatch]) -> Option<usize> {
        places
            .iter()
            .map(|m| m.start)
            .filter(|&k| k > 0 && seg.is_char_boundary(k))
            .find(|&k| {
                let head = &seg[..k];
                self.w.ix.lead_adverb_opener.ends(head)
                    && head.matches(['(', '（']).count() == head.matches([')', '）']).count()
            })
    }

    /// Partners after a preposition: the list up to the predicate (`B、C和D等…`).
    fn partner_items(&self, seg: &str) -> Vec<OrgRef> {
        let whole = seg;
        let seg = self.cut_name(seg);
        // `与北京等地的高校合作`: the partner is what follows 的, here a class.
        if let Some(rest) = whole[seg.len()..].strip_prefix('的') {
            let named = self.partner_items(rest);
            if !named.is_empty() || self.w.class.iter().any(|c| rest.starts_with(c)) {
                return named;
            }
        }
        // `与湖北省政府8日在北京签署`: a date between the partner and the predicate.
        let seg = strip_end(trim_date(seg), &self.w.ix.time);
        let uncut = seg.len() == whole.len();
        let seg = cut_etc(seg);
        let uncut = uncut && seg.len() == whole.len();
        let mut out = Vec::new();
        let items = self.split_list(seg);
        let n = items.len();
        // Items left unread, by their place in `out`: names of a list of organisations.
        let mut unread: Vec<(usize, &str)> = Vec::new();
        for (k, item) in items.into_iter().enumerate() {
            let item = item.trim_matches(QUOTES);
            if item.chars().count() < 2 {
                continue;
            }
            if let Some((x, y)) = self.juxtaposed(item) {
                out.push(x);
                out.push(y);
            } else if let Some(r) = self.party_exact(item, false) {
                out.push(r);
            } else if let Some((r, rest)) = self.place_prefix(item) {
                // The last item runs into the verb: a two-character field before it makes a
                // compound (衢州产业合作, 河北省扶贫协作), the place is the partner; a class of
                // partners there (江浙沪名校, 上海企业) is the partner instead, and generic.
                let field = uncut
                    && k + 1 == n
                    && rest.chars().count() == 2
                    && rest.chars().all(is_han)
                    && !self.w.ends_name(rest)
                    && !self.w.class.iter().any(|c| rest.starts_with(c))
                    && !self.w.ix.is_generic(rest)
                    && !self.w.town.iter().any(|t| rest.starts_with(t))
                    && self.cx.gz.find(rest).is_empty();
                if self.is_tail(rest) || field {
                    out.push(r);
                } else {
                    unread.push((out.len(), item));
                }
            } else {
                unread.push((out.len(), item));
            }
        }
        // `与交行江苏分行、交银国际信托、交银金融租赁签订`: the items of one list are of one kind;
        // beside an organisation named by its suffix, a bare name is an organisation too.
        if let Some(ty) = out
            .iter()
            .find(|r| r.code.is_none() && matches!(r.ty.as_str(), "Enterprise" | "Institution"))
            .map(|r| r.ty.clone())
        {
            for (at, item) in unread.into_iter().rev() {
                if self.sibling_name(item) {
                    out.insert(
                        at,
                        OrgRef {
                            text: item.to_string(),
                            name: None,
                            ty: ty.clone(),
                            code: None,
                            division: None,
                        },
                    );
                }
            }
        }
        out
    }

    /// A bare name listed beside named organisations: 3 to 10 Han characters, no verb, no
    /// grammar word at its ends, no generic or class word, no pronoun.
    fn sibling_name(&self, item: &str) -> bool {
        let n = item.chars().count();
        (3..=10).contains(&n)
            && item.chars().all(is_han)
            && !self.w.ix.lead_adverb_opener.starts(item)
            && !self.w.ix.time.starts(item)
            && !self.w.selfw.iter().any(|w| item.contains(w))
            && !self.w.class.iter().any(|c| item.contains(c))
            && !self.w.ix.is_generic(item)
            && !self.has_verb(item)
            && self.cut_name(item).len() == item.len()
    }

    /// A pair written before the verb: `A和B`, `A、B两地` (`A、B签署`), or two province names
    /// (`甘闽`).
    fn coordinated(&self, before: &str, signing: bool) -> Vec<(Option<OrgRef>, OrgRef)> {
        let before = drop_slogan(before);
        // `A、B在警务、旅游等方面加强合作`: a lead verb and an adjunct of fields stand between
        // the pair and the verb; they mark the pair as the subject.
        let led = strip_end(strip_end(before, &self.w.ix.adverb), &self.w.ix.lead);
        let mut adjunct = led;
        if let Some(at) = led.rfind('在') {
            let rest = &led[at..];
            if (rest.ends_with("方面") || rest.ends_with("领域")) && !self.has_verb(rest) {
                adjunct = &led[..at];
            }
        }
        // `A和B就乡村振兴工作签约`: a topic opened by 就 (with no verb of its own);
        // `A、B于2006年签订`: a date opened by 于.
        if adjunct.len() == led.len() {
            if let Some(at) = led.rfind('就') {
                let rest = &led[at..];
                if rest.chars().count() > 1 && !rest.contains(['、', '和']) {
                    adjunct = &led[..at];
                }
            }
            if let Some(at) = led.rfind('于') {
                let rest = &led[at + '于'.len_utf8()..];
                if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || is_time_char(c)) {
                    adjunct = &led[..at];
                }
            }
        }
        // `A和B举行了东西部协作高层联席会`: the pair holds a meeting the verb names; a short
        // modifier (no verb of its own) stands between 举行/召开 and the verb.
        if adjunct.len() == led.len() {
            for w in ["举行", "召开"] {
                if let Some(at) = led.rfind(w) {
                    let rest = &led[at + w.len()..];
                    let rest = rest.strip_prefix('了').unwrap_or(rest);
                    if rest.chars().count() <= 6 && rest.chars().all(is_han) && !self.has_verb(rest) {
                        adjunct = &led[..at];
                        break;
                    }
                }
            }
        }
        let set_off = adjunct.len() < before.len() && led.len() < strip_end(before, &self.w.ix.adverb).len();
        let before = adjunct;
        let b0 = strip_end(before, &self.w.ix.adverb);
        let b = strip_end(b0, &self.w.ix.pair);
        let marked = b.len() < b0.len();
        let b = strip_end(b, &self.w.ix.adverb);
        // Two one-character province names: 甘闽合作, 鲁渝协作.
        let tail: Vec<(usize, char)> = b.char_indices().rev().take(3).collect();
        if tail.len() >= 2 {
            let (c2, c1) = (tail[0].1, tail[1].1);
            let third_is_abbrev = tail.get(2).is_some_and(|(_, c)| self.abbrev.contains_key(c));
            let two = &b[tail[1].0..];
            let is_place = self.cx.gz.find(two).iter().any(|m| m.start == 0 && m.end == two.len());
            if let (Some(&d1), Some(&d2)) = (self.abbrev.get(&c1), self.abbrev.get(&c2)) {
                if !third_is_abbrev && !is_place && d1 != d2 {
                    return vec![(Some(self.abbrev_ref(c1, d1)), self.abbrev_ref(c2, d2))];
                }
            }
        }
        let b = strip_start(b, &self.w.ix.lead);
        let b = strip_start(b, &self.w.ix.adverb);
        // `签订A—B…协议`: the signing verb opens the pair.
        let b = ["签订", "签署"].iter().find_map(|v| b.strip_prefix(v)).unwrap_or(b);
        // `A和B签订“飞地”产业园共建协议`: a pair before a signing verb is that verb's; the verb
        // after it names the agreement.
        if ["签订", "签署"].iter().any(|v| b.contains(v)) {
            return Vec::new();
        }
        // `举行A·B对口结对协议签约仪式`, `召开A·B东西部协作联席会议`: a pair joined by a middle
        // dot after the meeting verb, the second name possibly followed by a short modifier.
        const DOTS: &[char] = &['·', '•', '・'];
        let dotted = |s: &str| s.matches(DOTS).count() == 1;
        if let Some(k) = ["举行", "召开"]
            .iter()
            .filter_map(|w| b.rfind(w).map(|k| k + w.len()))
            .max()
        {
            let m = &b[k..];
            if dotted(m) {
                let (x, y) = m.split_once(DOTS).unwrap_or((m, ""));
                let first = self.party_exact(x, false);
                let second = self.party_exact(y, false).or_else(|| {
                    let (r, rest) = self.place_prefix(y).or_else(|| {
                        // A town after its county: the longest opening town name.
                        y.char_indices().rev().find_map(|(i, c)| {
                            let cand = &y[..i + c.len_utf8()];
                            self.w
                                .town
                                .iter()
                                .any(|t| cand.ends_with(t))
                                .then(|| self.town(cand))
                                .flatten()
                                .map(|r| (r, &y[i + c.len_utf8()..]))
                        })
                    })?;
                    (rest.chars().count() <= 3 && rest.chars().all(is_han) && !self.has_verb(rest)).then_some(r)
                });
                if let (Some(x), Some(y)) = (first, second) {
                    return vec![(Some(x), y)];
                }
            }
        }
        // `芜湖市马鞍山市同城化`: two places side by side, the second not inside the first.
        if let Some(pair) = self.side_by_side(b) {
            return vec![pair];
        }
        // `A、B、C三方签订`, `A、B、C共同签署…协议`: every two of the listed parties.
        if (marked || signing) && b.matches('、').count() >= 2 && !b.contains(['和', '与']) {
            let items: Vec<&str> = b.split('、').collect();
            let first = self.party_ending(items[0]);
            let rest: Vec<Option<OrgRef>> = items[1..].iter().map(|i| self.party_exact(i, false)).collect();
            if let (Some(f), true) = (first, rest.iter().all(Option::is_some)) {
                let all: Vec<OrgRef> = std::iter::once(f).chain(rest.into_iter().flatten()).collect();
                let mut out = Vec::new();
                for i in 0..all.len() {
                    for j in i + 1..all.len() {
                        out.push((Some(all[i].clone()), all[j].clone()));
                    }
                }
                return out;
            }
            return Vec::new();
        }
        let parts: Vec<&str> = if b.matches('和').count() == 1 {
            b.split('和').collect()
        } else if b.matches(['—', '-']).count() == 1 {
            // `宁波—凉山东西部协作`
            b.split(['—', '-']).collect()
        } else if (marked || signing || set_off) && b.matches('、').count() == 1 {
            b.split('、').collect()
        } else {
            return Vec::new();
        };
        // `指定我院和开化县人民医院`: a unit's pronoun ends the first part.
        // `A还和B签订`: an adverb ends the first part.
        let parts = [strip_end(parts[0], &self.w.ix.adverb), parts[1]];
        let places0 = self.cx.gz.find(parts[0]);
        let first = if self.lead_anchor(parts[0], &places0).is_some() {
            self.party_ending(parts[0])
        } else {
            self.party_exact(parts[0], false)
        };
        let first = first.or_else(|| {
            let t = tail_chars(parts[0], 2);
            pronoun_unit(t).then(|| self.party_exact(t, false)).flatten()
        });
        match (first, self.party_exact(parts[1], false)) {
            (Some(x), Some(y)) => vec![(Some(x), y)],
            _ => Vec::new(),
        }
    }

    /// Two places written side by side with no separator, each a whole place name and not a
    /// hierarchical name (芜湖市马鞍山市, not 安徽省芜湖市).
    fn side_by_side(&self, b: &str) -> Option<(Option<OrgRef>, OrgRef)> {
        let ms = self.cx.gz.find(b);
        if ms.len() != 2 || ms[0].start != 0 || ms[0].end != ms[1].start || ms[1].end != b.len() {
            return None;
        }
        if ms.iter().any(|m| m.divisions.is_empty()) || self.place_exact(b).is_some() {
            return None;
        }
        let x = self.place_exact(&b[..ms[0].end])?;
        let y = self.place_exact(&b[ms[1].start..])?;
        // Hierarchical: the second is inside the first.
        let (Some(cx_), Some(cy)) = (&x.code, &y.code) else {
            return None;
        };
        if cx_ == cy {
            return None;
        }
        let inside = ms[1]
            .divisions
            .iter()
            .any(|&d| self.cx.gz.chain(d).iter().any(|&p| ms[0].divisions.contains(&p)));
        if inside {
            return None;
        }
        Some((Some(x), y))
    }

    /// Two organisations written side by side with no separator (a title's space, removed by
    /// normalisation: `山西医科大学 山西医科大学第一医院`): the first ends in a unit suffix and
    /// both halves name a party.
    fn juxtaposed(&self, item: &str) -> Option<(OrgRef, OrgRef)> {
        let lex = self.cx.gz.lexicon();
        for (i, _) in item.char_indices().skip(4) {
            let (x, y) = item.split_at(i);
            if y.chars().count() < 4
                || !lex
                    .org_suffixes
                    .iter()
                    .any(|(s, _)| s.chars().count() >= 2 && x.ends_with(s.as_str()))
            {
                continue;
            }
            // The second is a name of its own, not a unit of the first (上海交通大学医学院,
            // 中国农业银行西双版纳分行): it repeats the first's head.
            let own_name = y.starts_with(head_chars(x, 2));
            if !own_name {
                continue;
            }
            if let (Some(a), Some(b)) = (self.org_party(x), self.org_party(y)) {
                return Some((a, b));
            }
        }
        None
    }

    fn abbrev_ref(&self, c: char, d: usize) -> OrgRef {
        let div = self.cx.gz.division(d);
        OrgRef {
            text: c.to_string(),
            name: Some(div.name.clone()),
            ty: super::place_type(div),
            code: Some(div.code.clone()),
            division: None,
        }
    }

    /// The named things right after a direct verb, with what follows each (`南京、合肥`).
    fn direct_objects<'t>(&self, after: &'t str) -> Vec<(OrgRef, &'t str)> {
        let mut out = Vec::new();
        let mut rest = after.trim_start_matches(QUOTES);
        loop {
            let mut end = rest.find(['、', '及']).unwrap_or(rest.len());
            let mut found = self.object_at(&rest[..end]);
            // 和 ends an item when a party stands on each side (浙江大学和中国科学院), or the party
            // read does not run across it; not inside a name (北京协和医院).
            if let Some(h) = rest[..end].find('和') {
                let both =
                    self.object_at(&rest[..h]).is_some() && self.object_at(&rest[h + '和'.len_utf8()..end]).is_some();
                if both || found.as_ref().is_none_or(|(_, used)| *used <= h) {
                    end = h;
                    found = self.object_at(&rest[..end]);
                }
            }
            let Some((r, used)) = found else { break };
            let after_party = rest[used..].trim_start_matches(QUOTES);
            // A county's short name as a bare object (帮扶资源 is no 资源县) needs the full name
            // written somewhere in the document.
            if self.bare_county(&r) {
                break;
            }
            // `对口支援新疆前方指挥部`: the object opens a unit's name; the verb is part of it.
            if self.opens_unit_name(after_party) {
                break;
            }
            // `对口支援和田地区的和田市、和田县`: places inside the place before 的 follow it.
            // (The place's suffix may be left unread: 和田 of 和田地区.)
            let of = after_party.strip_prefix("地区").unwrap_or(after_party);
            if let Some(inner) = of.strip_prefix('的') {
                let qual = r.code.as_deref().map(|c| c.trim_end_matches('0').to_string());
                let end_in = inner.find(['、', '及']).unwrap_or(inner.len());
                let inside = self.object_at(&inner[..end_in]).is_some_and(|(o, _)| {
                    qual.as_deref().is_some_and(|q| {
                        q.len() >= 2
                            && o.code
                                .as_deref()
                                .is_some_and(|c| c.starts_with(q) && c.len() == 6 && c.trim_end_matches('0') != q)
                    })
                });
                if inside {
                    out.push((r, after_party));
                    rest = inner;
                    continue;
                }
            }
            out.push((r, after_party));
            if used < end {
                break;
            }
            match after_party.chars().next() {
                Some(c) if LIST_SEPS.contains(&c) => {
                    rest = after_party[c.len_utf8()..].trim_start_matches(QUOTES);
                }
                _ => break,
            }
        }
        out
    }

    /// The party that opens an item after a direct verb, and the bytes it takes.
    fn object_at(&self, item: &str) -> Option<(OrgRef, usize)> {
        let cut = self.cut_name(item);
        match self.party_exact(cut, false) {
            Some(r) => {
                let used = if cut.starts_with(r.text.as_str()) {
                    r.text.len()
                } else {
                    cut.len()
                };
                Some((r, used))
            }
            None => self.place_prefix(item).map(|(r, tail)| (r, item.len() - tail.len())),
        }
    }

    /// A county-level division named by its short name only (古蔺 for 古蔺县), whose full name
    /// the document never writes.
    fn bare_county(&self, r: &OrgRef) -> bool {
        let (Some(code), Some(name)) = (&r.code, &r.name) else {
            return false;
        };
        let county = code.len() == 6 && !code.ends_with("00");
        let short = name.chars().count() > r.text.chars().count() && !name.ends_with(r.text.as_str());
        county && short && !self.cx.norm.text.contains(name.as_str()) && {
            let last = name.chars().last();
            !r.text.chars().last().is_some_and(|c| Some(c) == last)
        }
    }

    /// True when `rest` (after a place) runs on into a unit's name within a few characters:
    /// `新疆前方指挥部`, `合作示范区`.
    fn opens_unit_name(&self, rest: &str) -> bool {
        let head: String = rest.chars().take_while(|c| is_han(*c)).take(8).collect();
        (self.w.unit_name.iter()).any(|u| head.find(u).is_some_and(|p| head[..p].chars().count() <= 5))
    }

    /// True when the text right after a verb ends a unit's name: the unit word follows at once
    /// (合作示范区), or after a place (支援新疆前方指挥部).
    fn names_unit(&self, after: &str, aid: bool) -> bool {
        const AT_ONCE: &[&str] = &[
            "示范区",
            "产业园",
            "园区",
            "办公室",
            "指挥部",
            "领导小组",
            "工作组",
            "试验区",
            "先行区",
        ];
        if AT_ONCE.iter().any(|u| after.starts_with(u)) {
            return true;
        }
        // `合作发展办公室`, `合作交流办公室`: a two-character field, then an office.
        let two: String = after.chars().take(2).collect();
        if two.chars().count() == 2 && two.chars().all(is_han) && after[two.len()..].starts_with("办公室") {
            return true;
        }
        // `援疆工作前方指挥部`: after 援, a province's one-character name stands for the place
        // too (not in 共建苏铜产业园, a statement).
        let rest = match self.place_prefix(after) {
            Some((_, rest)) => rest,
            None => match after.chars().next() {
                Some(c) if aid && self.abbrev.contains_key(&c) => &after[c.len_utf8()..],
                _ => return false,
            },
        };
        // `援疆和田指挥部`: a place of the aided province may come before the unit's name.
        if let Some((_, r)) = self.place_prefix(rest) {
            if self.opens_unit_name(r) {
                return true;
            }
        }
        self.opens_unit_name(rest) && !rest.starts_with(['的', '和', '、'])
    }

    /// `援疆`, `援助X`: the place aided.
    fn aided(&self, after: &str) -> Option<OrgRef> {
        if let Some((r, _)) = self.place_prefix(after) {
            return Some(r);
        }
        let c = after.chars().next()?;
        let d = *self.abbrev.get(&c)?;
        Some(self.abbrev_ref(c, d))
    }

    /// `在X(的)(大力)…` before a verb followed by 下: X.
    fn passive_helper(&self, before: &str) -> Option<OrgRef> {
        let b = strip_end(before, &self.w.ix.adverb);
        let b = b.strip_suffix('的').unwrap_or(b);
        let at = b.rfind('在')?;
        self.party_exact(&b[at + '在'.len_utf8()..], false)
    }

    /// The party right before a direct verb (`含山县全面融入…`, `我区全面对接…`).
    fn party_before(&self, before: &str) -> Option<OrgRef> {
        let b = strip_end(before, &self.w.ix.adverb);
        let r = self.party_ending(tail_chars(b, 30))?;
        Some(r)
    }

    /// Parties listed before a verb and counted after 等 (`A、B、C等19个省市承担`): all of them,
    /// or none when any item is no party.
    fn listed_actors(&self, before: &str) -> Vec<OrgRef> {
        let b = strip_end(
            strip_end(strip_end(before, &self.w.ix.adverb), &self.w.ix.lead),
            &self.w.ix.adverb,
        );
        let Some(at) = b.rfind('等') else {
            return Vec::new();
        };
        let count = &b[at + '等'.len_utf8()..];
        let class = count.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十两几多".contains(c));
        let class = class.strip_prefix('个').unwrap_or(class);
        if class.len() == count.len() || !(1..=3).contains(&class.chars().count()) || !class.chars().all(is_han) {
            return Vec::new();
        }
        let items: Vec<&str> = b[..at].split('、').collect();
        if items.len() < 2 {
            return Vec::new();
        }
        self.all_parties(&items)
    }

    /// The parties of a 、 list, the first read back from its end (it may follow other words);
    /// empty when any item is no party.
    fn all_parties(&self, items: &[&str]) -> Vec<OrgRef> {
        let mut out = Vec::new();
        for (k, item) in items.iter().enumerate() {
            let r = if k == 0 { self.party_ending(item) } else { self.party_exact(item, false) };
            match r {
                Some(r) => out.push(r),
                None => return Vec::new(),
            }
        }
        out
    }

    /// Parties listed with 、 right before a direct verb (`滁州、马鞍山、芜湖、宣城市深度融入`):
    /// all of them, or none when any item is no party.
    fn listed_before(&self, before: &str) -> Vec<OrgRef> {
        let b = strip_end(before, &self.w.ix.adverb);
        if !b.contains('、') {
            return Vec::new();
        }
        let items: Vec<&str> = b.split('、').collect();
        self.all_parties(&items)
    }

    /// The parties signers stand for: a list after 代表 (`分别代表A、B签署`), else, when the
    /// signers stand for 双方, the two parties heading the agreement's title
    /// (`代表双方签署《A、B战略合作协议》`, `《A—B校地合作协议》`).
    fn represented(&self, before: &str, after: &str) -> Vec<(Option<OrgRef>, OrgRef)> {
        let b = strip_end(before, &self.w.ix.adverb);
        let Some(k) = tail_chars(b, 40)
            .rfind("代表")
            .map(|k| b.len() - tail_chars(b, 40).len() + k)
        else {
            return Vec::new();
        };
        let list = strip_end(&b[k + "代表".len()..], &self.w.ix.adverb);
        let mut parties: Vec<OrgRef> = Vec::new();
        if list.starts_with("双方") {
            let Some(open) = after.find('《') else {
                return Vec::new();
            };
            let title = &after[open + '《'.len_utf8()..];
            let title = &title[..title.find('》').unwrap_or(title.len())];
            let Some(sep) = title.find(['、', '—', '-']) else {
                return Vec::new();
            };
            let rest = title[sep..].trim_start_matches(['、', '—', '-']);
            let first = self.party_exact(&title[..sep], false);
            let second = rest
                .char_indices()
                .rev()
                .map(|(i, _)| &rest[..i])
                .find_map(|p| (p.chars().count() >= 2).then(|| self.party_exact(p, false)).flatten());
            if let (Some(x), Some(y)) = (first, second) {
                parties = vec![x, y];
            }
        } else {
            for item in list.split('、') {
                match self.party_exact(item, false) {
                    Some(r) => parties.push(r),
                    None => return Vec::new(),
                }
            }
        }
        if parties.len() < 2 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for i in 0..parties.len() {
            for j in i + 1..parties.len() {
                out.push((Some(parties[i].clone()), parties[j].clone()));
            }
        }
        out
    }

    /// A sentence's subject when a later clause has none: the place that opens the first clause
    /// after any clause of time (`3月13日,石嘴山市市长…率领考察团,…并与我市…`).
    fn subject(&self, clause_start: usize) -> Option<OrgRef> {
        let text = self.cx.norm.text.as_str();
        let sent = self.cx.sentence_around(clause_start);
        if sent.start >= clause_start {
            return None;
        }
        for c in text[sent.start..clause_start].split([',', ':']) {
            let c = c.trim();
            // Clauses of time and of purpose (`为深化校地合作,推动校地协同发展,`) come before
            // the subject.
            if self.is_time(c) || c.starts_with('为') || self.w.ix.lead.starts(c) {
                continue;
            }
            // `我校赴莆田市考察调研,并与…`: a unit's pronoun opens the sentence.
            let head = head_chars(c, 2);
            if pronoun_unit(head) {
                return self.party_exact(head, true);
            }
            return self.place_prefix(c).map(|(r, _)| r);
        }
        None
    }

    fn is_time(&self, c: &str) -> bool {
        let mut s = c.to_string();
        for t in &self.w.time {
            s = s.replace(t, "");
        }
        s.chars().all(is_time_char)
    }

    /// A signing with no partner written: the place a delegation visits in the same sentence
    /// (`…前往新密市考察,…并签订…协议书` → the sentence's subject ↔ 新密市).
    fn visit_pair(&self, abs: usize) -> Vec<(Option<OrgRef>, OrgRef)> {
        let text = self.cx.norm.text.as_str();
        let sent = self.cx.sentence_around(abs);
        let s = &text[sent.start..abs];
        let mut visited = None;
        for go in &self.w.go {
            let mut from = 0;
            while let Some(p) = s[from..].find(go) {
                let after = &s[from + p + go.len()..];
                from += p + go.len();
                if let Some((r, rest)) = self.place_prefix(after) {
                    if self.w.see.iter().any(|v| rest.starts_with(v)) {
                        visited = Some(r);
                        break;
                    }
                }
            }
            if visited.is_some() {
                break;
            }
        }
        let Some(b) = visited else { return Vec::new() };
        match self.subject(abs) {
            Some(a) => vec![(Some(a), b)],
            None => Vec::new(),
        }
    }

    /// A visit whose purpose is the cooperation (`A…一行来我县开展东西部协作`, `A…率队来秀对接…`,
    /// `A…赴B开展山海协作`): a going word, the place gone to, at most 开展/进行/对接 and a short
    /// modifier (东西部) before the verb. The visitor is the place (or town) that opens the
    /// clause; coming (来) to a pronoun or to a one-character short name is coming to `@self`.
    fn visit_to_cooperate(&self, before: &str) -> Vec<(Option<OrgRef>, OrgRef)> {
        let mut found: Option<(usize, Option<OrgRef>)> = None;
        for go in ["来", "到", "赴"] {
            let Some(k) = before.rfind(go) else { continue };
            if found.as_ref().is_some_and(|(f, _)| *f > k) {
                continue;
            }
            let rest = &before[k + go.len()..];
            let (dest, tail): (Option<OrgRef>, &str) = if self.w.ix.selfw.starts(rest) {
                let w = self
                    .w
                    .selfw
                    .iter()
                    .find(|w| rest.starts_with(*w))
                    .copied()
                    .unwrap_or("");
                (None, &rest[w.len()..])
            } else if let Some((r, t)) = self.place_prefix(rest) {
                (Some(r), t)
            } else if go == "来" && rest.chars().next().is_some_and(is_han) {
                // `来秀对接`: a one-character short name of the host.
                let c = rest.chars().next().map_or(0, char::len_utf8);
                (None, &rest[c..])
            } else {
                continue;
            };
            let tail = ["开展", "进行", "对接"]
                .iter()
                .find_map(|w| tail.strip_prefix(w))
                .unwrap_or(tail);
            let ok = tail.chars().count() <= 4
                && tail.chars().all(is_han)
                && !self.has_verb(tail)
                && !self.w.see.iter().any(|v| tail.contains(v));
            // The one-character host only right before the purpose verb.
            let one_char_host = dest.is_none() && !self.w.ix.selfw.starts(rest);
            if ok
                && (!one_char_host
                    || ["开展", "进行", "对接"]
                        .iter()
                        .any(|w| rest[rest.chars().next().map_or(0, char::len_utf8)..].starts_with(w))
                    || tail.is_empty())
            {
                found = Some((k, dest));
            }
        }
        let Some((k, dest)) = found else { return Vec::new() };
        // The visitor opens the clause: the longest opening name ending in a division's or a
        // town's suffix (山东省德州市庆云县委常委… → 山东省德州市庆云县).
        let head = head_chars(&before[..k], 24);
        let mut visitor = None;
        for (i, c) in head.char_indices().rev() {
            if !"省市县区镇乡旗盟州".contains(c) {
                continue;
            }
            let cand = &head[..i + c.len_utf8()];
            if cand.chars().count() < 3 {
                break;
            }
            if let Some(r) = self.party_exact(cand, false) {
                visitor = Some(r);
                break;
            }
        }
        let Some(v) = visitor else { return Vec::new() };
        match dest {
            Some(d) => vec![(Some(v), d)],
            None => vec![(None, v)],
        }
    }

    // ---- parties ----------------------------------------------------------------------------

    /// Splits a list of partners on 、 and 及, and on 和 unless it stands inside a name
    /// (北京协和医院).
    fn split_list<'t>(&self, s: &'t str) -> Vec<&'t str> {
        let mut out = Vec::new();
        for piece in s.split("以及").flat_map(|p| p.split(['、', '及'])) {
            let parts: Vec<&str> = piece.split('和').collect();
            if parts.len() > 1 && parts.iter().all(|p| self.object_at(p).is_some()) {
                out.extend(parts);
            } else if parts.len() > 1 && self.party_exact(piece, false).is_none() {
                out.extend(parts);
            } else {
                out.push(piece);
            }
        }
        out
    }

    /// Cuts a name where the predicate starts (`宜宾市集中签署` → 宜宾市), never inside a place.
    fn cut_name<'t>(&self, s: &'t str) -> &'t str {
        let places = self.cx.gz.find(s);
        for (i, _) in s.char_indices().skip(1) {
            if places.iter().any(|m| m.start < i && i < m.end) {
                continue;
            }
            if let Some(w) = self.w.name_end_word(&s[i..]).filter(|_| !s[i..].starts_with("以及")) {
                // A one-character word inside a short unit name that runs to the end (屏都街道,
                // 也门): no predicate starts there.
                let rest = &s[i..];
                let rest = &rest[..rest.find(|c: char| !is_han(c) || c == '、').unwrap_or(rest.len())];
                let inner = w.chars().count() == 1
                    && self.w.adverb.contains(&w)
                    && rest.chars().count() <= 5
                    && (self.w.ends_with_unit(rest)
                        || self
                            .cx
                            .gz
                            .lexicon()
                            .org_suffixes
                            .iter()
                            .any(|(o, _)| o.chars().count() >= 2 && rest.ends_with(o.as_str())));
                if !inner {
                    return &s[..i];
                }
            }
        }
        s
    }

    fn is_tail(&self, rest: &str) -> bool {
        let rest = rest.trim_matches(QUOTES);
        // `尖草坪区各级医疗机构`: a class of units of the place, not the place.
        if rest.starts_with('各') && self.w.class.iter().any(|c| rest.contains(c)) {
            return false;
        }
        rest.is_empty() || rest.starts_with(['各', '间']) || self.w.tail.iter().any(|t| rest.starts_with(t))
    }

    /// A mention that names exactly one party, or None.
    fn party_exact(&self, mention: &str, generic_ok: bool) -> Option<OrgRef> {
        let m = mention.trim_matches(QUOTES);
        // `四乡镇市`: division suffixes alone name no place.
        if m.chars().count() < 2 || m.chars().all(|c| "省市区县乡镇村州".contains(c)) {
            return None;
        }
        if let Some(r) = self.aliases.get(m) {
            return Some(OrgRef {
                text: m.to_string(),
                ..r.clone()
            });
        }
        if self.w.selfw.contains(&m) {
            let mut r = self.cx.self_ref();
            r.text = m.to_string();
            return Some(r);
        }
        // 我院, 我校: the writing unit itself, unnamed; a longer mention ending in one (指定我院)
        // is no name.
        if pronoun_unit(m) {
            return Some(OrgRef {
                text: m.to_string(),
                name: None,
                ty: "Institution".into(),
                code: None,
                division: None,
            });
        }
        if pronoun_unit(tail_chars(m, 2)) {
            return None;
        }
        if let Some(r) = self.coref(m) {
            return Some(r);
        }
        let mut m = m;
        for tail in self.cx.gz.lexicon().list(crate::lexicon::Table::PartnerTails) {
            if let Some(s) = m.strip_suffix(tail.as_str()).filter(|s| s.chars().count() >= 2) {
                m = s;
            }
        }
        if !generic_ok && self.w.ix.is_generic(m) {
            return None;
        }
        if let Some(r) = self.place_exact(m) {
            return Some(r);
        }
        // `长三角区域文化旅游`, `长三角G60科创走廊各城区间`: a named place and a generic word.
        if let Some((r, rest)) = self.place_prefix(m) {
            if !rest.is_empty() && self.is_tail(rest) && !self.w.town.iter().any(|t| rest.starts_with(t)) {
                return Some(r);
            }
            // `太原市尖草坪区人民政府`: the government of a (hierarchical) place.
            if matches!(rest, "人民政府" | "政府") {
                if let (Some(name), Some(code)) = (&r.name, &r.code) {
                    return Some(OrgRef {
                        text: m.to_string(),
                        name: Some(format!("{name}人民政府")),
                        ty: "Government".into(),
                        code: None,
                        division: Some(code.clone()),
                    });
                }
            }
        }
        // `金山区漕泾镇政府`: the government of a town.
        for g in ["人民政府", "政府"] {
            if let Some(t) = m.strip_suffix(g).and_then(|stem| self.town(stem)) {
                return Some(OrgRef {
                    text: m.to_string(),
                    name: None,
                    ty: "Government".into(),
                    code: None,
                    division: t.division,
                });
            }
        }
        self.org_party(m).or_else(|| self.foreign_division(m))
    }

    /// In a friendship of cities, a name of Han characters with a division's suffix (市, 省, 州,
    /// 郡) and a stem of two characters at least: a foreign division (萨博潘市, 蒙古国中戈壁省),
    /// not a class of cities (沿海城市).
    fn foreign_division(&self, m: &str) -> Option<OrgRef> {
        if !self.friendship.get() || !m.chars().all(is_han) || m.ends_with("城市") {
            return None;
        }
        // `韩国友城大邱市`: the word 友城 between a country and its city describes the city.
        let plain = match m.find("友城") {
            Some(k) if k > 0 => format!("{}{}", &m[..k], &m[k + "友城".len()..]),
            _ => m.to_string(),
        };
        let m_ = plain.as_str();
        // No division of ours inside (`市人大常委会同意成都市` is no foreign name), unless a
        // foreign country or division opens the name and ours only shares a later part's name
        // (`蒙古国东方省`, `老挝万象省万荣县`).
        let ours = self.cx.gz.find(m_);
        let foreign_head = ours.first().is_some_and(|f| {
            let head = &m_[..f.start];
            head.chars().count() >= 2 && head.ends_with(['国', '省', '州', '道', '郡'])
        });
        if !ours.is_empty() && !foreign_head {
            return None;
        }
        let suffixes: &[char] = if foreign_head {
            &['市', '省', '州', '郡', '县']
        } else {
            &['市', '省', '州', '郡']
        };
        let stem = m_.strip_suffix(suffixes)?;
        if stem.chars().count() < 2
            || stem.starts_with(['各', '两', '友', '兄'])
            || self.w.ends_name(stem)
            || self.w.name_end_word(stem).is_some()
            || stem.chars().any(|c| "的和与及等友好".contains(c))
        {
            return None;
        }
        Some(OrgRef {
            text: m.to_string(),
            // Named without its descriptor, it is the same party (韩国大邱市).
            name: (m_ != m).then(|| m_.to_string()),
            ty: if m.ends_with('市') {
                "City".into()
            } else {
                "Province".into()
            },
            code: None,
            division: None,
        })
    }

    /// A later, shorter mention of a party read before (滨海新区 after 绍兴滨海新区).
    fn coref(&self, m: &str) -> Option<OrgRef> {
        // `中行` after 中国银行: an organisation's first and last characters name it.
        if m.chars().count() == 2 {
            let (f, l) = (m.chars().next(), m.chars().next_back());
            let mut hits = self.known.iter().filter(|k| {
                k.code.is_none()
                    && matches!(k.ty.as_str(), "Enterprise" | "Institution")
                    && k.text.chars().count() >= 4
                    && !k.text.contains(m)
                    && k.text.chars().next() == f
                    && k.text.chars().next_back() == l
            });
            let k = hits.next()?;
            if hits.any(|o| o.text != k.text) {
                return None;
            }
            return Some(OrgRef {
                text: m.to_string(),
                name: Some(k.name.clone().unwrap_or(k.text.clone())),
                ..k.clone()
            });
        }
        if m.chars().count() < 3 {
            return None;
        }
        // A later mention ending an earlier name (滨海新区), or its abbreviation: a head kept
        // from inside the name and the same unit suffix (前海管理局 after 深圳市前海深港…管理局).
        let lex = self.cx.gz.lexicon();
        let abbreviates = |k: &str| -> bool {
            // The shared ending: two characters at least, ending in a unit suffix.
            let common: usize = m
                .chars()
                .rev()
                .zip(k.chars().rev())
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x.len_utf8())
                .sum();
            let tail = &m[m.len() - common..];
            let head = &m[..m.len() - common];
            tail.chars().count() >= 2
                && head.chars().count() >= 2
                && (lex.org_suffixes.iter().any(|(s, _)| tail.ends_with(s.as_str()))
                    || self.w.org.iter().any(|(s, _)| tail.ends_with(s)))
                && k[..k.len() - common].contains(head)
        };
        let mut hits = self
            .known
            .iter()
            .filter(|k| k.text.len() > m.len() && (k.text.ends_with(m) || abbreviates(&k.text)));
        let k = hits.next()?;
        if hits.any(|o| o.name != k.name || o.code != k.code) {
            return None;
        }
        Some(OrgRef {
            text: m.to_string(),
            name: Some(k.name.clone().unwrap_or(k.text.clone())),
            ..k.clone()
        })
    }

    /// Resolves a run of place matches from the start of `m`: hierarchical names (衢州市开化县)
    /// give their last division, chosen inside the one before it.
    fn place_run(&self, m: &str) -> Option<(OrgRef, usize)> {
        if let Some((alias, r)) = self
            .aliases
            .iter()
            .filter(|(a, _)| m.starts_with(a.as_str()))
            .max_by_key(|(a, _)| a.len())
        {
            return Some((
                OrgRef {
                    text: alias.clone(),
                    ..r.clone()
                },
                alias.len(),
            ));
        }
        if let Some(s) = self.w.selfw.iter().find(|s| m.starts_with(*s)) {
            let mut r = self.cx.self_ref();
            r.text = s.to_string();
            return Some((r, s.len()));
        }
        let ms = self.cx.gz.find(m);
        let first = ms.first().filter(|f| f.start == 0)?;
        let mut end = first.end;
        let mut run = vec![first];
        for x in &ms[1..] {
            if x.start != end || x.region.is_some() || run.last().is_some_and(|r| r.region.is_some()) {
                break;
            }
            end = x.end;
            run.push(x);
        }
        let last = *run.last()?;
        if let Some(ty) = &last.region {
            let text = &m[..end];
            if run.len() > 1 {
                return None;
            }
            return Some((
                OrgRef {
                    text: text.to_string(),
                    name: None,
                    ty: ty.to_string(),
                    code: None,
                    division: None,
                },
                end,
            ));
        }
        let gz = self.cx.gz;
        let mut prev: Option<usize> = None;
        let mut chosen = None;
        for x in &run {
            let inside: Vec<usize> = match prev {
                Some(p) => x
                    .divisions
                    .iter()
                    .copied()
                    .filter(|d| gz.chain(*d).contains(&p))
                    .collect(),
                None => Vec::new(),
            };
            // A short name shared by a prefecture and its own counties (临夏) names the prefecture.
            let container = x
                .divisions
                .iter()
                .copied()
                .find(|&c| x.divisions.iter().all(|&d| gz.chain(d).contains(&c)));
            // `江川区安化乡`: a name with no division inside the one before it (安化县 is not in
            // 江川区) ends the hierarchy; it is part of what follows.
            if prev.is_some() && inside.is_empty() && x.start > 0 {
                end = x.start;
                break;
            }
            chosen = if inside.len() == 1 {
                Some(inside[0])
            } else if let Some(c) = container.filter(|_| x.divisions.len() > 1) {
                Some(c)
            } else {
                crate::resolve::pick_division(gz, &self.cx.jur, &x.divisions)
            };
            prev = chosen;
        }
        let d = chosen?;
        let div = gz.division(d);
        let text = &m[..end];
        Some((
            OrgRef {
                text: text.to_string(),
                name: Some(div.name.clone()),
                ty: super::place_type(div),
                code: Some(div.code.clone()),
                division: None,
            },
            end,
        ))
    }

    fn place_exact(&self, m: &str) -> Option<OrgRef> {
        self.place_run(m).filter(|(_, end)| *end == m.len()).map(|(r, _)| r)
    }

    /// The place that opens a text, and the rest.
    fn place_prefix<'t>(&self, m: &'t str) -> Option<(OrgRef, &'t str)> {
        let (r, end) = self.place_run(m)?;
        Some((r, &m[end..]))
    }

    /// An organisation named by its suffix (大学, 集团, 管委会, 保税区), a government of a named
    /// place, or a town.
    fn org_party(&self, m: &str) -> Option<OrgRef> {
        let cx = self.cx;
        let bare = strip_parens(m);
        // 干部 (cadres) ends with the suffix 部 but names people (大力实施干部援藏).
        if bare.chars().count() < 3 || bare.ends_with("干部") {
            return None;
        }
        let external = !m.starts_with(['市', '区', '县', '省', '镇', '乡']);
        // A name, not a bare suffix: two characters at least before it (创新区 is no party).
        let lex = cx.gz.lexicon();
        if let Some((suffix, _)) = lex.org_suffixes.iter().find(|(s, _)| bare.ends_with(s.as_str())) {
            let stem = bare.chars().count() - suffix.chars().count();
            if stem < 2 && !(stem == 1 && !external) {
                return None;
            }
        }
        if let Some(r) = crate::resolve::resolve_org(cx.gz, &cx.jur, &bare) {
            let division = r.division.map(|d| cx.gz.division(d).code.clone());
            match r.ty {
                OrgType::Park | OrgType::Institution | OrgType::Enterprise => {
                    return Some(OrgRef {
                        text: m.to_string(),
                        name: r.name,
                        ty: r.ty.as_str().into(),
                        code: None,
                        division,
                    })
                }
                OrgType::Government if r.name.is_some() && division.is_some() => {
                    return Some(OrgRef {
                        text: m.to_string(),
                        name: r.name,
                        ty: "Government".into(),
                        code: None,
                        division,
                    })
                }
                // `省卫健委` in a city's text: a department of another government is a party.
                OrgType::Department
                    if !external
                        && r.name.is_some()
                        && r.division.is_some_and(|d| cx.jur.own().is_some_and(|o| o != d)) =>
                {
                    return Some(OrgRef {
                        text: m.to_string(),
                        name: r.name,
                        ty: "Department".into(),
                        code: None,
                        division,
                    })
                }
                OrgType::Department if external && m.chars().count() >= 6 => {
                    return Some(OrgRef {
                        text: m.to_string(),
                        name: None,
                        ty: "Institution".into(),
                        code: None,
                        division: None,
                    })
                }
                OrgType::Collective => return None,
                _ => {}
            }
        }
        // A level prefix stands for the place (镇党委, 县实验小学): one character of stem is a name.
        let min_stem = if external { 2 } else { 1 };
        if let Some((_, ty)) = self
            .w
            .org
            .iter()
            .find(|(s, _)| bare.ends_with(s) && bare.chars().count() >= s.chars().count() + min_stem)
        {
            return Some(OrgRef {
                text: m.to_string(),
                name: None,
                ty: ty.to_string(),
                code: None,
                division: None,
            });
        }
        self.town(m)
    }

    /// A town or sub-district: `X区Y镇`, or a two- or three-character name before 镇/乡/街道.
    fn town(&self, m: &str) -> Option<OrgRef> {
        let suffix = self.w.town.iter().find(|t| m.ends_with(*t))?;
        let stem = &m[..m.len() - suffix.len()];
        let own = match self.place_prefix(stem) {
            Some((_, rest)) if !rest.is_empty() => rest,
            _ => stem,
        };
        let n = own.chars().count();
        if !(2..=3).contains(&n)
            || own
                .chars()
                .next_back()
                .is_some_and(|c| "乡城小集村各点心色制建".contains(c))
            || self
                .w
                .name_end_word(own)
                .is_some_and(|w| w.chars().count() > 1 || !self.w.adverb.contains(&w))
            || own.chars().any(|c| !is_han(c))
        {
            return None;
        }
        Some(OrgRef {
            text: m.to_string(),
            name: None,
            ty: "Town".into(),
            code: None,
            division: None,
        })
    }
}

/// A unit's first-person pronoun: 我 or 本 and a one-character unit (我院, 我校, 本院).
/// A collective closing the actor's text: 各 and a short class (各友城, 各地, 各成员城市).
fn collective_actor(seg: &str) -> bool {
    let last = seg.rsplit([',', '，', '、', ' ']).next().unwrap_or("");
    last.rfind('各').is_some_and(|k| {
        let class = &last[k + '各'.len_utf8()..];
        (1..=4).contains(&class.chars().count()) && class.chars().all(is_han)
    })
}

fn pronoun_unit(m: &str) -> bool {
    let mut cs = m.chars();
    matches!((cs.next(), cs.next(), cs.next()), (Some('我' | '本'), Some(u), None) if "院校所局委厅".contains(u))
}

/// True when a list is followed by a count of its members and 的 (`四省的`, `两市的`): it
/// modifies the noun that follows. A bare 的 relativises the verb phrase instead (融入合肥都市圈的
/// 工作举措).
fn possessor(rest: &str) -> bool {
    let r = rest.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十两几".contains(c));
    r.len() < rest.len()
        && r.strip_prefix(['省', '市', '县', '区', '地', '州', '个'])
            .is_some_and(|r| r.starts_with('的'))
}

fn is_seq_head(h: &str) -> bool {
    matches!(h, "序号" | "编号" | "序")
}

/// The two side columns of a table of parties and the verb its header states: `甲方`…`乙方`, or
/// a unit column (`企业名称`, `帮扶单位`) and a pairing column (`结对村`, `帮扶对象`, `受援县`).
fn side_columns(heads: &[&str]) -> Option<(usize, usize, &'static str)> {
    let norm = |h: &str| strip_parens(h);
    let a = heads
        .iter()
        .position(|h| norm(h) == "甲方" || norm(h).starts_with("甲方"));
    let b = heads
        .iter()
        .position(|h| norm(h) == "乙方" || norm(h).starts_with("乙方"));
    if let (Some(a), Some(b)) = (a, b) {
        return Some((a, b, "签约"));
    }
    const PAIRED: &[(&str, &str)] = &[
        ("结对", "结对"),
        ("帮扶对象", "帮扶"),
        ("被帮扶", "帮扶"),
        ("受援", "支援"),
        ("对口", "对口"),
        ("合作方", "合作"),
        ("共建", "共建"),
    ];
    let (b, verb) = heads.iter().enumerate().find_map(|(i, h)| {
        let h = norm(h);
        PAIRED.iter().find(|(p, _)| h.starts_with(p)).map(|(_, v)| (i, *v))
    })?;
    let a = heads.iter().enumerate().position(|(i, h)| {
        let h = norm(h);
        i != b
            && !is_seq_head(&h)
            && (h.ends_with("单位") || h.ends_with("名称") || h.ends_with("企业") || h.ends_with("方"))
            && !PAIRED.iter().any(|(p, _)| h.starts_with(p))
    })?;
    (a < b).then_some((a, b, verb))
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn is_time_char(c: char) -> bool {
    c.is_ascii_digit() || "年月日至到时分号上下午晚凌晨早—-/. 零〇一二三四五六七八九十".contains(c)
}

/// Splits a list of partners on 、, 和, 及 (and 以及).

/// `s` without the words of the list that end it (the first listed each time); nothing when
/// what is left is one of them.
fn strip_end<'t>(s: &'t str, words: &WordIndex) -> &'t str {
    let mut s = s.trim_end();
    while let Some(n) = words.suffixes_of(s).map(str::len).find(|&n| s.len() > n) {
        s = &s[..s.len() - n];
    }
    if words.suffixes_of(s).any(|w| w == s) {
        return "";
    }
    s
}

/// `s` without the words of the list that start it (the first listed each time).
fn strip_start<'t>(s: &'t str, words: &WordIndex) -> &'t str {
    let mut s = s.trim_start();
    while let Some(n) = words.prefixes_of(s).map(str::len).find(|&n| s.len() > n) {
        s = &s[n..];
    }
    s
}

/// The last `n` characters of a text.
fn tail_chars(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// The first `n` characters of a text.
fn head_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn item_task(cx: &mut Context, pos: usize) -> Option<usize> {
    use crate::structure::UnitKind;
    let unit = crate::structure::unit_at(&cx.doc, pos)?;
    if matches!(
        cx.doc.units[unit].kind,
        UnitKind::Item | UnitKind::SubItem | UnitKind::Circled
    ) {
        cx.task_at(pos)
    } else {
        None
    }
}

fn inside_title(before: &str) -> bool {
    before.matches('《').count() > before.matches('》').count()
}

fn strip_parens(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A count of units inside a text (`乌当区四乡镇`, `五镇`): a set, not a name.
fn counts_units(s: &str) -> bool {
    let cs: Vec<char> = s.chars().collect();
    cs.windows(2)
        .any(|w| "一二三四五六七八九十两几多".contains(w[0]) && "省市县区乡镇村州".contains(w[1]))
}

/// Drops a date that ends a text (`湖北省政府8日`, `X3月8日`).
fn trim_date(s: &str) -> &str {
    let mut t = s;
    loop {
        let Some(u) = t.strip_suffix(['日', '号', '月']) else {
            return t;
        };
        let d = u.trim_end_matches(|c: char| c.is_ascii_digit());
        if d.len() == u.len() {
            return t;
        }
        t = d;
        if t.is_empty() {
            return s;
        }
    }
}

/// Drops a quoted slogan that ends a partner segment (`西青区人民政府“携手共建、校地合作”` before
/// 战略合作): the slogan names the cooperation, the partner stands before it.
fn drop_slogan(seg: &str) -> &str {
    match (seg.strip_suffix('”'), seg.rfind('“')) {
        (Some(_), Some(open)) if open > 0 => &seg[..open],
        _ => seg,
    }
}

fn inside_quote(before: &str) -> bool {
    before.matches('“').count() > before.matches('”').count()
        && before.rfind('“').is_some_and(|p| before.len() - p < 12)
}

/// Cuts a list at `等` that ends it (`芜湖等沿江城市` → 芜湖), not at the 等 of words such as
/// 高等, 中等, 平等.
fn cut_etc(s: &str) -> &str {
    let mut from = 0;
    while let Some(p) = s[from..].find('等') {
        let at = from + p;
        let prev = s[..at].chars().last();
        if !prev.is_some_and(|c| "高中初平同对均超".contains(c)) {
            return &s[..at];
        }
        from = at + '等'.len_utf8();
    }
    s
}

/// `@self`: the task's lead when it has one, else the document's jurisdiction.
fn self_actor(cx: &Context, task: Option<usize>, facts: &[Fact]) -> OrgRef {
    if let Some(t) = task {
        for f in facts {
            if let (Some(ti), Relation::Leads { org, .. }) = (f.task_index, &f.rel) {
                if ti == t {
                    return OrgRef {
                        text: "@self".into(),
                        name: org.name.clone().or(Some(org.text.clone())),
                        ty: org.ty.clone(),
                        code: None,
                        division: org.division.clone(),
                    };
                }
            }
        }
    }
    cx.self_ref()
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// The byte scan finds what a character scan finds.
        #[test]
        fn clause_ends_are_the_clause_end_characters(text in "[a,;:!?\n。、市合作《》😀]{0,30}") {
            let want: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| super::CLAUSE_END.contains(c)).collect();
            proptest::prop_assert_eq!(super::clause_ends(&text).collect::<Vec<_>>(), want);
        }
    }

    use crate::doc::SourceDoc;
    use crate::extract::extract;
    use crate::facts::Relation;
    use crate::resolve::Gazetteer;

    fn coop(text: &str) -> Vec<(String, String, String)> {
        let ex = extract(&SourceDoc::from_text("t", text), Gazetteer::embedded());
        ex.facts
            .iter()
            .filter_map(|f| match &f.rel {
                Relation::CooperatesWith { a, b, verb, .. } => Some((a.text.clone(), b.text.clone(), verb.clone())),
                _ => None,
            })
            .collect()
    }

    fn pairs(text: &str) -> Vec<(String, String)> {
        coop(text).into_iter().map(|(a, b, _)| (a, b)).collect()
    }

    fn has(v: &[(String, String)], a: &str, b: &str) -> bool {
        v.iter().any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    }

    #[test]
    fn partners_and_verbs() {
        let v = coop("1.深化与溧阳市经济开发区合作,力争与平湖经济开发区签约。(无为经济开发区牵头)");
        assert!(
            v.contains(&("@self".into(), "溧阳市经济开发区".into(), "合作".into())),
            "{v:?}"
        );
        assert!(v.contains(&("@self".into(), "平湖经济开发区".into(), "签约".into())));
        let v = coop("主动融入南京、合肥,加强与芜湖等沿江城市对接合作。");
        let bs: Vec<&str> = v.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(bs, vec!["南京", "合肥", "芜湖"], "{v:?}");
        let v = coop("推动市人民医院与上海新华医院合作。");
        assert!(
            v.contains(&("市人民医院".into(), "上海新华医院".into(), "合作".into())),
            "{v:?}"
        );
    }

    #[test]
    fn predicates_slogans_and_fields_between_partner_and_verb() {
        // A predicate after the partner ends its name (举行, 开启, 召开).
        let v = pairs("近日,吕梁市与北河大学举行战略合作签约仪式。");
        assert!(has(&v, "吕梁市", "北河大学"), "{v:?}");
        let v = pairs("湖南省与江西省召开党政联席会议。");
        assert!(has(&v, "湖南省", "江西省"), "{v:?}");
        // A quoted slogan between the partner and the verb, and a verb in its own quotes.
        let v = pairs("我市与北河大学“携手共建、校地合作”战略合作签约仪式举行。");
        assert!(v.iter().any(|(_, b)| b == "北河大学"), "{v:?}");
        let v = pairs("长沙市与株洲市“牵手”。");
        assert!(has(&v, "长沙市", "株洲市"), "{v:?}");
        // A field noun between the last partner and the verb makes a compound (产业合作).
        let v = pairs("完成与丽水、衢州产业合作项目。");
        assert!(v.iter().any(|(_, b)| b == "衢州"), "{v:?}");
        let v = pairs("落实北京市、天津市与河北省扶贫协作任务。");
        assert!(has(&v, "北京市", "河北省") && has(&v, "天津市", "河北省"), "{v:?}");
        // A class there is the partner, and generic: no place.
        let v = pairs("主动与江浙沪名校对接。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn friendship_of_cities_and_pairs_set_off_by_fields() {
        let v = pairs("市人大常委会同意成都市与墨西哥萨博潘市建立友好城市关系。");
        assert_eq!(v, vec![("成都市".to_string(), "墨西哥萨博潘市".to_string())], "{v:?}");
        // Outside a friendship, a name with a division's suffix is no foreign place.
        let v = pairs("成都市与萨博潘市合作。");
        assert!(v.is_empty(), "{v:?}");
        let v = pairs("推动与沿海城市建立友好城市关系。");
        assert!(v.is_empty(), "{v:?}");
        let v = pairs("新缔结的2对友好城市(省州)分别为山西省与蒙古国中戈壁省、湖北省武汉市与泰国曼谷市。");
        assert!(
            has(&v, "山西省", "蒙古国中戈壁省") && has(&v, "湖北省武汉市", "泰国曼谷市"),
            "{v:?}"
        );
        let v = pairs("重庆、四川在警务、旅游等方面加强合作。");
        assert!(has(&v, "重庆", "四川"), "{v:?}");
        let v = pairs("双方深入探讨,并签订河市镇—城南镇“山海协作”对口合作协议书。");
        assert!(has(&v, "河市镇", "城南镇"), "{v:?}");
    }

    #[test]
    fn longer_mention_of_an_organisation_read_before() {
        let v = pairs("甲市第一医院与天坛医院建立合作。2015年,北京天坛医院与甲市第一医院合作共建脑科中心。");
        assert_eq!(v.len(), 1, "{v:?}");
    }

    #[test]
    fn not_cooperation() {
        assert!(coop("推进长三角一体化发展,加强与央企合作。").is_empty());
        assert!(coop("积极参与长三角G60科创走廊芜湖产业创新中心建设。").is_empty());
        // Visits, venues, routes, rankings and generic partners state no cooperation.
        assert!(coop("代表团赴苏州市考察调研。会议在杭州市举行。").is_empty());
        assert!(coop("线路经南昌市至长沙市。增速高于全省平均水平,位居全省前列。").is_empty());
        assert!(coop("加强与知名高校、科研院所合作,与一流大学开展交流。").is_empty());
        assert!(coop("落实长三角一体化发展战略,推进产业和人才合作。").is_empty());
        // A class of partners after 的; a noun that holds the verb.
        assert!(coop("加强与北京、上海等地的高校合作。").is_empty());
        assert!(coop("发展农民专业合作社。").is_empty());
        let v = pairs("加强与上海的经贸合作,与南京的东南大学合作。");
        assert!(
            v.iter().any(|(_, b)| b == "上海") && v.iter().any(|(_, b)| b == "东南大学"),
            "{v:?}"
        );
        assert!(!v.iter().any(|(_, b)| b == "南京"), "{v:?}");
    }

    #[test]
    fn agreements_between_governments_and_organisations() {
        // An actor written before 与, an organisation partner, a venue after it.
        let v = pairs("近日,江北市人民政府与华信科技集团有限公司在南京市签署战略合作协议。");
        assert!(
            has(&v, "华信科技集团有限公司", "江北市人民政府") || v.iter().any(|(_, b)| b == "华信科技集团有限公司"),
            "{v:?}"
        );
        assert!(!v.iter().any(|(a, b)| a == "南京市" || b == "南京市"), "{v:?}");
        let v = pairs("5月8日,合肥市与复旦大学签署全面合作协议。");
        assert!(has(&v, "合肥市", "复旦大学"), "{v:?}");
        // A signing needs an agreement; an organisation suffix makes the partner.
        let v = pairs("芜湖市与国家开发银行签署开发性金融合作备忘录。");
        assert!(has(&v, "芜湖市", "国家开发银行"), "{v:?}");
        assert!(pairs("市长与客商签署了意见。").is_empty());
        // 甲方/乙方 lines: one fact between the parties, whatever repeats it.
        let v = pairs("合作框架协议\n甲方:黄山市人民政府(以下简称甲方)\n乙方:安徽建工集团有限公司(以下简称乙方)\n甲方同意与乙方合作建设产业园。双方合作期限十年。\n");
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(has(&v, "黄山市人民政府", "安徽建工集团有限公司"), "{v:?}");
        let v = pairs("合作协议\n甲方:黄山市人民政府\n乙方:安徽建工集团有限公司\n一、合作内容\n1.甲方与乙方合作建设产业园。\n2.乙方与甲方合作运营园区。\n");
        assert_eq!(v.len(), 1, "{v:?}");
        let v = pairs("战略合作协议\n甲方:桐乡市人民政府    乙方:中国电信股份有限公司嘉兴分公司\n甲乙双方经友好协商,达成如下合作协议。\n");
        assert!(has(&v, "桐乡市人民政府", "中国电信股份有限公司嘉兴分公司"), "{v:?}");
    }

    #[test]
    fn pair_lists_and_hierarchical_names() {
        let v = pairs("杭州高新区与宁波高新区、嘉兴经开区与湖州经开区分别签署合作协议。");
        assert!(has(&v, "杭州高新区", "宁波高新区"), "{v:?}");
        assert!(has(&v, "嘉兴经开区", "湖州经开区"), "{v:?}");
        assert_eq!(v.len(), 2, "{v:?}");
        let v = pairs("西安市政府与咸阳市政府、宝鸡市政府、渭南市政府共同签署框架协议。");
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(has(&v, "西安市政府", "渭南市政府"), "{v:?}");
        let v = pairs("苏州工业园区与安徽省宿州市埇桥区签订共建协议。双方将在埇桥区合作共建产业园。");
        assert!(has(&v, "苏州工业园区", "安徽省宿州市埇桥区"), "{v:?}");
        assert_eq!(v.len(), 1, "{v:?}");
        // Towns with their county.
        let v = pairs("浙江省安吉县递铺镇与四川省青川县乔庄镇结对帮扶。");
        assert_eq!(v.len(), 1, "{v:?}");
        // A list of partners gives one fact each.
        let v = pairs("加强与上海交通大学、浙江大学和中国科学院合作。");
        assert_eq!(v.len(), 3, "{v:?}");
    }

    #[test]
    fn plans_signed_at_their_end() {
        let v = pairs(
            "关于深化区域合作的实施意见\n1.加强与上海合作。\n2.主动融入南京都市圈。\n黄山市人民政府\n2023年5月1日\n",
        );
        assert!(
            v.iter().any(|(_, b)| b == "上海") && v.iter().any(|(_, b)| b == "南京都市圈"),
            "{v:?}"
        );
    }

    #[test]
    fn adjuncts_pronouns_and_nested_names() {
        // A topic opened by 就, a date opened by 于, between the pair and the verb.
        let v = pairs("近日,滁州市政府和金华市就产业协作工作签约。");
        assert!(has(&v, "滁州市政府", "金华市"), "{v:?}");
        let v = pairs("孝感市、咸宁市于2019年签订结对共建协议。");
        assert!(has(&v, "孝感市", "咸宁市"), "{v:?}");
        // A time between the subject and 与; a determiner before the subject.
        let v = pairs("浙江省嘉兴市近日与丽水市签订合作协议。");
        assert!(has(&v, "浙江省嘉兴市", "丽水市"), "{v:?}");
        let v = pairs("此次城东街道与柳溪乡缔结友好乡镇。");
        assert!(has(&v, "城东街道", "柳溪乡"), "{v:?}");
        // A hierarchy nests: 安化 (a county elsewhere) after 江川区 begins a township's name.
        let v = pairs("武进区南夏墅街道与江川区安化乡缔结友好乡镇协议。");
        assert!(has(&v, "武进区南夏墅街道", "江川区安化乡"), "{v:?}");
        // The government of a hierarchical place.
        let v = pairs("省人民医院与太原市尖草坪区人民政府签订合作协议。");
        assert!(has(&v, "省人民医院", "太原市尖草坪区人民政府"), "{v:?}");
        // A unit's pronoun, also after a verb or a title's dash.
        let v = pairs("服务东进——我院与简州新城管委会签订战略合作框架协议。");
        assert!(has(&v, "我院", "简州新城管委会"), "{v:?}");
        let v = pairs("会议指定我院和开化县人民医院开展战略合作。");
        assert!(has(&v, "我院", "开化县人民医院"), "{v:?}");
        // Two organisations side by side, the second repeating the first's head.
        let v = pairs("我市与山西医科大学山西医科大学第一医院合作签约仪式举行。");
        assert!(has(&v, "我市", "山西医科大学"), "{v:?}");
        assert!(has(&v, "我市", "山西医科大学第一医院"), "{v:?}");
        // ... but a branch is a unit of its bank.
        let v = pairs("勐海县人民政府与中国农业银行西双版纳分行签署合作协议。");
        assert!(!v.iter().any(|(_, b)| b == "西双版纳分行"), "{v:?}");
    }

    #[test]
    fn classes_of_units_and_offices_are_no_partners() {
        // `X各级医疗机构`: units of the place, a class.
        let v = pairs("将与尖草坪区各级医疗机构开展深入合作交流。");
        assert!(v.is_empty(), "{v:?}");
        // An office named for aid (援疆…指挥部) states nothing.
        let v = pairs("按照河北省援疆工作前方指挥部的要求开展活动。");
        assert!(v.is_empty(), "{v:?}");
        // A wish after a visit names no pair.
        let v = pairs("考察团来我市考察。希望今后两市进一步加强交流合作。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn pairing_and_assistance() {
        let v = pairs("杭州市对口帮扶恩施州,宁波市对口支援凉山州。");
        assert!(has(&v, "杭州市", "恩施州"), "{v:?}");
        assert!(has(&v, "宁波市", "凉山州"), "{v:?}");
        let v = pairs("2018年以来,青岛与陇南、大连与六盘水结对开展东西部协作。");
        assert!(has(&v, "青岛", "陇南"), "{v:?}");
        assert!(has(&v, "大连", "六盘水"), "{v:?}");
        let v = pairs("深化鲁渝协作,闽宁合作成效显著。");
        assert!(has(&v, "鲁", "渝"), "{v:?}");
        assert!(has(&v, "闽", "宁"), "{v:?}");
        let v = pairs("推进宁波—凉山东西部协作,深化浙川东西部协作。");
        assert!(has(&v, "宁波", "凉山"), "{v:?}");
        assert!(has(&v, "浙", "川"), "{v:?}");
        // Two characters that together name one place are not a pair.
        assert!(pairs("辽宁合作交流办公室").is_empty());
        let v = pairs("恩施州人民政府\n在杭州市的对口帮扶下,全州脱贫攻坚取得成效。");
        assert!(v.iter().any(|(_, b)| b == "杭州市"), "{v:?}");
        // `保定对口援疆`: 对口 between the helper and 援.
        let v = pairs("保定对口援疆工作进入新起点。");
        assert!(has(&v, "保定", "疆"), "{v:?}");
        let v = coop("选派干部援疆。");
        assert!(v.iter().any(|(_, b, _)| b == "疆"), "{v:?}");
    }

    #[test]
    fn news_subjects_and_visits() {
        // A clause without subject takes the sentence's subject.
        let v = pairs("郑州市人民政府\n3月2日,洛阳市市长率团到我市考察,并与我市就深化合作进行座谈。");
        assert!(v.iter().any(|(a, b)| a == "洛阳市" && b == "我市"), "{v:?}");
        // A delegation visits a place and signs: the two places.
        let v = pairs("6月1日上午,兰考县委书记带领考察团前往昆山市考察学习,并签订友好县市结对协议书。");
        assert!(has(&v, "兰考县", "昆山市"), "{v:?}");
        // A pair written before the verb.
        let v = pairs("多年来,宁波和舟山合作基础扎实。");
        assert!(has(&v, "宁波", "舟山"), "{v:?}");
        // A short name defined in the text.
        let v = pairs("为对接成渝地区双城经济圈(以下简称双城经济圈)建设,特制定本方案。\n一、任务\n1.积极融入双城经济圈交通网络。\n");
        assert_eq!(v.len(), 2, "{v:?}");
    }

    #[test]
    fn unit_names_with_grammar_characters() {
        // 都 inside a sub-district's name is no adverb; schools and party branches are units.
        let v = pairs("推动松阳县西屏街道与杭州市西湖区都林街道、松阳县象溪镇与杭州市西湖区三墩镇开展结对帮扶。");
        assert!(has(&v, "松阳县西屏街道", "杭州市西湖区都林街道"), "{v:?}");
        assert!(has(&v, "松阳县象溪镇", "杭州市西湖区三墩镇"), "{v:?}");
        let v = pairs("组织县第一中学与拉萨市第二中学、县实验小学与拉萨市城关区第一小学建立结对帮扶关系。");
        assert!(
            has(&v, "拉萨市第二中学", "县第一中学") || has(&v, "县第一中学", "拉萨市第二中学"),
            "{v:?}"
        );
        assert!(has(&v, "县实验小学", "拉萨市城关区第一小学"), "{v:?}");
        let v = pairs("镇党委与中国工商银行某某支行党支部开展党建共建。");
        assert!(has(&v, "镇党委", "中国工商银行某某支行党支部"), "{v:?}");
        // A company and a cooperative: 合作社 holds no verb.
        let v = pairs("云岭茶业有限公司与勐腊县象明乡曼庄村茶叶专业合作社签订鲜叶收购协议。");
        assert!(has(&v, "云岭茶业有限公司", "勐腊县象明乡曼庄村茶叶专业合作社"), "{v:?}");
    }

    #[test]
    fn abbreviations_and_signature_lines() {
        let v = pairs(
            "宁波市梅山保税港区管理委员会与上海海事大学签署合作协议。同日,梅山管理委员会还与浙江万里学院签署合作协议。",
        );
        assert!(has(&v, "梅山管理委员会", "浙江万里学院"), "{v:?}");
        let v = pairs("合作协议书\n甲方:云南省红河哈尼族彝族自治州蒙自市人民政府\n乙方:昆明医科大学第一附属医院\n双方就医疗合作达成协议。\n甲方(盖章):蒙自市人民政府    乙方(盖章):昆明医科大学第一附属医院\n");
        assert_eq!(v.len(), 1, "{v:?}");
        // The 甲方 line names the government in full (a hierarchical place's government).
        assert!(
            v.iter()
                .all(|(a, b)| a.ends_with("蒙自市人民政府") && b == "昆明医科大学第一附属医院"),
            "{v:?}"
        );
    }

    #[test]
    fn verbs_inside_unit_names() {
        // A zone or an office named after a cooperation is no statement of it.
        assert!(pairs("郎溪县人民政府发布苏皖合作示范区规划。").is_empty());
        let v = pairs("按照中央部署和四川省对口支援西藏前方指挥部要求,做好援建项目。");
        assert!(v.is_empty(), "{v:?}");
        // 帮扶资源 is no 资源县: a county's short name needs its full name in the document.
        let v = pairs("用好定点帮扶资源,提升帮扶成效。");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn tables_of_parties() {
        let v = pairs("签约清单\n序号|甲方|乙方|签约内容\n1|滁州市人民政府|南京市浦口区人民政府|共建协议\n2|来安县人民医院|南京鼓楼医院|医联体协议\n");
        assert!(has(&v, "滁州市人民政府", "南京市浦口区人民政府"), "{v:?}");
        assert!(has(&v, "来安县人民医院", "南京鼓楼医院"), "{v:?}");
        let v = pairs("结对名单\n\n序号\n企业名称\n结对村\n1\n湖南某某科技有限公司\n沙市镇东门村\n2\n长沙某某建设有限公司\n官渡镇竹联村\n");
        assert!(has(&v, "湖南某某科技有限公司", "沙市镇东门村"), "{v:?}");
        assert!(has(&v, "长沙某某建设有限公司", "官渡镇竹联村"), "{v:?}");
        assert_eq!(v.len(), 2, "{v:?}");
        // A table without two sides gives nothing.
        let v = pairs("序号|项目名称|建设单位|合作方式\n1|产业园|某某公司|独资\n");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn delegations_dotted_pairs_and_places_side_by_side() {
        // A delegation comes to cooperate: the visitor and the host (@self).
        let p = pairs("10月25日，山东省德州市庆云县委常委乔玉华率队来我县对接东西部协作工作。");
        assert!(p.iter().any(|(a, b)| a == "@self" && b.contains("庆云县")), "{p:?}");
        // Going to a named place to cooperate.
        let p = pairs("日前，海曙区党政代表团赴丽水市庆元县开展山海协作。");
        assert!(has(&p, "海曙区", "丽水市庆元县"), "{p:?}");
        // A visit to look around is no cooperation.
        assert!(pairs("日前，海曙区代表团赴丽水市庆元县考察调研。").is_empty());
        // A pair joined by a middle dot after the meeting verb.
        let p = pairs("会上，举行东莞市中堂镇·松桃县乌罗镇对口结对协议签约仪式。");
        assert!(
            p.iter().any(|(a, b)| a.contains("中堂镇") && b.contains("乌罗镇")),
            "{p:?}"
        );
        // Two places side by side; a hierarchical name is one place.
        let p = pairs("芜湖市马鞍山市同城化建设合作框架协议签字仪式举行。");
        assert!(has(&p, "芜湖市", "马鞍山市"), "{p:?}");
        assert!(pairs("安徽省芜湖市同城化建设取得进展。").is_empty());
    }

    #[test]
    fn signing_verbs_legal_forms_and_autonomous_counties() {
        // 同 opening a place name is no preposition.
        let p = pairs("4月19日，聊城鲁西经济开发区与厦门同安区工业园区签订战略合作协议。");
        assert!(has(&p, "聊城鲁西经济开发区", "厦门同安区工业园区"), "{p:?}");
        // A pair before a signing verb is that verb's: the verb after it names the agreement.
        let p = pairs("日前，龙泉市和萧山签订产业园共建协议。");
        assert!(p.iter().all(|(_, b)| !b.contains("签订")), "{p:?}");
        // An enterprise with and without its legal form is one party.
        let p = coop("区政府与百联集团签署协议。9月13日，区政府与百联集团有限公司签署战略合作框架协议。");
        assert_eq!(p.len(), 1, "{p:?}");
        // An autonomous county goes by its place name.
        let p = pairs("庆云县与秀山县签订合作协议。");
        assert!(has(&p, "庆云县", "秀山县"), "{p:?}");
    }

    #[test]
    fn friendship_cities_named_with_their_country() {
        let p = pairs("内蒙古自治区兴安盟与蒙古国东方省签署建立友好城市关系协议书。");
        assert!(has(&p, "内蒙古自治区兴安盟", "蒙古国东方省"), "{p:?}");
        let p = pairs("云南省玉溪市元江县与老挝万象省万荣县签署建立友好城市关系协议书。");
        assert!(has(&p, "云南省玉溪市元江县", "老挝万象省万荣县"), "{p:?}");
        let p = pairs("绍兴市并分别与韩国友城大邱市、斐济友城苏瓦市签订合作项目。");
        assert!(
            has(&p, "绍兴市", "韩国友城大邱市") && has(&p, "绍兴市", "斐济友城苏瓦市"),
            "{p:?}"
        );
        // No foreign name: a domestic text that only ends in one of our divisions.
        assert!(pairs("市人大常委会同意成都市与某地结为友好城市。")
            .iter()
            .all(|(_, b)| !b.contains("同意")));
    }

    #[test]
    fn adverbs_meetings_offers_and_town_governments() {
        // `A还和B签订`: an adverb between the first party and 和.
        let v = pairs("当天,海原县人民政府还和飞鸿实业有限公司签订了项目投资框架协议。");
        assert!(has(&v, "海原县人民政府", "飞鸿实业有限公司"), "{v:?}");
        // A pair holding a meeting the verb names.
        let v = pairs("杭州市还和广元市举行了东西部协作高层联席会。");
        assert!(has(&v, "杭州市", "广元市"), "{v:?}");
        // 以及 closes a list of partners.
        let v = pairs("我校分别与山东材料研究院、青岛海川有限公司以及山东三齐能源有限公司签署合作协议。");
        assert!(has(&v, "我校", "山东三齐能源有限公司"), "{v:?}");
        assert!(has(&v, "我校", "青岛海川有限公司"), "{v:?}");
        // The government of a town under a district.
        let v = pairs("化工区发展公司与金山区漕泾镇政府签署综合帮扶合作框架协议。");
        assert!(has(&v, "化工区发展公司", "金山区漕泾镇政府"), "{v:?}");
        // `A向B提供全面对口支援`.
        let v = pairs("市人民医院向水城县人民医院提供全面对口支援。");
        assert!(has(&v, "市人民医院", "水城县人民医院"), "{v:?}");
        // `代表X与Y签订`: 代表 is no part of the actor's name.
        let v = pairs("副院长代表四川省骨科医院与马尔康市人民医院签订了对口支援协议书。");
        assert!(has(&v, "四川省骨科医院", "马尔康市人民医院"), "{v:?}");
    }

    #[test]
    fn unnamed_signers_possessors_and_offices() {
        // A clause subject with no suffix that signs an agreement is the party, not @self.
        let v = pairs("6月10日,光谷科技与辽宁省沈抚示范区签订战略合作框架协议。");
        assert!(has(&v, "光谷科技", "辽宁省沈抚示范区"), "{v:?}");
        assert!(!v.iter().any(|(a, _)| a == "@self"), "{v:?}");
        // A locative is no name: `会上` opens no party.
        let v = pairs("会上,与成都市签署合作协议。");
        assert!(!v.iter().any(|(a, _)| a == "会上"), "{v:?}");
        // A counted list owning what is helped (四省的…) names no partner.
        let v = pairs("浙江结对帮扶四川、贵州、湖北、吉林四省的80个贫困县。");
        assert!(v.is_empty(), "{v:?}");
        // A bare 的 relativises the verb phrase: the object stays.
        let v = pairs("谋划融入合肥都市圈的工作举措。");
        assert!(v.iter().any(|(_, b)| b == "合肥都市圈"), "{v:?}");
        // `合作发展办公室` is an office.
        let v = pairs("区委外办负责同志和我校合作发展办公室主任介绍了方案。");
        assert!(v.is_empty(), "{v:?}");
        // A unit's pronoun opens the sentence after clauses of purpose.
        let v = pairs(
            "为深化校地合作,推动校地协同发展,9月24日,我校赴莆田市考察调研,并与莆田市人民政府签订校地战略合作协议。",
        );
        assert!(has(&v, "我校", "莆田市人民政府"), "{v:?}");
    }

    #[test]
    fn a_units_pronoun_is_the_one_unit_of_its_kind_named() {
        // 我校 on a page titled by 聊城大学, both signing with the same district: one party.
        let v = pairs("聊城大学与东昌府区人民政府签订深化校地合作协议\n10月14日,我校与东昌府区人民政府签署合作协议。");
        assert_eq!(v.len(), 1, "{v:?}");
        // A university the pronoun signs with is another party.
        let v = pairs("我校与聊城大学签署合作协议。");
        assert!(has(&v, "我校", "聊城大学"), "{v:?}");
    }
    #[test]
    fn lists_of_organisations_many_parties_and_name_openings() {
        // A bare name listed beside named organisations is an organisation too.
        let v = pairs("昨天,镇江市政府与交行江苏分行、交银国际信托、交银金融租赁签订战略合作协议。");
        assert!(has(&v, "镇江市政府", "交银国际信托"), "{v:?}");
        assert!(has(&v, "镇江市政府", "交银金融租赁"), "{v:?}");
        let v = pairs("中行湖北省分行还与武钢集团、东风汽车、湖北宜化等重点企业签署了银企战略合作协议。");
        assert!(has(&v, "中行湖北省分行", "东风汽车"), "{v:?}");
        assert!(has(&v, "中行湖北省分行", "湖北宜化"), "{v:?}");
        // Beside places only, a bare word is no organisation.
        let v = pairs("加强与成都、德阳、科技创新合作。");
        assert!(!v.iter().any(|(_, b)| b == "科技创新"), "{v:?}");
        // Three parties listed before a signing: every two of them.
        let v = pairs(
            "10月15日,遂平县人民政府、联英管理(上海)有限公司、北京二商肉类食品集团有限公司三方签订《合作框架协议》。",
        );
        assert!(has(&v, "遂平县人民政府", "北京二商肉类食品集团有限公司"), "{v:?}");
        assert!(
            has(&v, "联英管理(上海)有限公司", "北京二商肉类食品集团有限公司"),
            "{v:?}"
        );
        // A lead word before a place opens the name there.
        let v = pairs("北京市援疆和田指挥部打破界限,促成广东纱纤亿信息科技股份有限公司与和田地区签约合作。");
        assert!(has(&v, "广东纱纤亿信息科技股份有限公司", "和田"), "{v:?}");
        assert!(!v.iter().any(|(_, b)| b == "疆"), "{v:?}");
        // A date between the partner and the predicate ends the partner; a dateline is no name.
        let v = pairs("新华网北京3月8日电(孙燕南)中国银行与湖北省政府8日在北京签署全面战略合作协议。");
        assert!(has(&v, "中国银行", "湖北省政府"), "{v:?}");
        // People who sign for the parties are no parties.
        let v = pairs("集团副总经理刘建伟与平阳县委常委、副县长李阳阳代表双方签署协议。");
        assert!(v.is_empty(), "{v:?}");
        // Places inside the place before 的 are the objects.
        let v = pairs("北京市对口支援和田地区的和田市、和田县、墨玉县。");
        assert!(has(&v, "北京市", "和田市"), "{v:?}");
        assert!(has(&v, "北京市", "墨玉县"), "{v:?}");
        // 同业 is a word; a count of units names no party.
        let v = pairs("贵州省乌当区四乡镇市与苗栗县观光协会、苗栗县糕饼商业同业公会共同签署友好交流合作协定。");
        assert!(
            !v.iter()
                .any(|(a, b)| a.contains("四乡镇") || a.ends_with("商业") || b == "业公会"),
            "{v:?}"
        );
        // An organisation named by its first and last characters after its full name.
        // A counted list of parties before the verb acts, each of them.
        let v = pairs("会议确定北京、天津、深圳等19个省市承担对口支援新疆的任务。");
        assert!(has(&v, "天津", "新疆"), "{v:?}");
        assert!(has(&v, "深圳", "新疆"), "{v:?}");
        // A clause of time (自…以来) takes the subject of the next clause.
        let v = pairs("自1995年对口支援西藏拉萨以来,江苏省累计选派10批干部人才。");
        assert!(has(&v, "江苏省", "西藏拉萨"), "{v:?}");
        let v = pairs(
            "中国银行与湖北省政府签署全面战略合作协议。中行湖北省分行还与武钢集团签署了银企战略合作协议。\
             另据了解,中行与三峡工程开发总公司签署了合作协议。",
        );
        assert!(has(&v, "中行", "三峡工程开发总公司"), "{v:?}");
    }

    #[test]
    fn listed_parties_before_a_direct_verb_each_act() {
        let v = pairs("会议提出,支持丽水、衢州、金华市深度融入杭州都市圈。");
        assert!(has(&v, "丽水", "杭州都市圈"), "{v:?}");
        assert!(has(&v, "衢州", "杭州都市圈"), "{v:?}");
        assert!(has(&v, "金华市", "杭州都市圈"), "{v:?}");
    }

    #[test]
    fn signers_stand_for_the_parties() {
        let v = pairs("签约仪式上,王某、李某分别代表浙江大学、丽水市人民政府签署协议。");
        assert!(has(&v, "浙江大学", "丽水市人民政府"), "{v:?}");
        let v = pairs("市长王某与校长李某代表双方共同签署了《衢州市人民政府、浙江大学战略合作协议》。");
        assert!(has(&v, "衢州市人民政府", "浙江大学"), "{v:?}");
    }

    #[test]
    fn a_collective_actor_is_no_party() {
        let v = pairs("来宾祝愿各友城与湖州的友好交流与合作关系更加密切。");
        assert!(v.is_empty(), "{v:?}");
    }
}
