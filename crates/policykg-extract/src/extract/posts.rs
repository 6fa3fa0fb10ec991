//! `holds_post`: a named person holds a post in an organisation.
//!
//! A post title is read as a grammar, with its words in `posts.tsv`:
//! `[organisation] [modifier…] head`, where the head ends the title (局长, 书记, 主任, 委员, 常委,
//! 巡视员 …; `gov` heads such as 市长 name the chief of a level's government) and modifiers stay in
//! the post (副, 常务, 党组, 一级 …): `市人社局局长` is (局长, 市人社局), `高新区管委会常务副主任`
//! (常务副主任, 高新区管委会), `宣传部长` (部长, 宣传部: a 部/局/厅 head completes an unfinished
//! organisation).
//!
//! Titles joined by `、` or 兼 form a chain that belongs to the name after it (市委组织部副部长、
//! 市人社局局长聂立新 gives two facts). A title without an organisation takes, in this order: for a
//! `gov` head, the level's government — the place an earlier title of the same sentence named
//! (宜宾市委书记…,市委副书记、市长 → 宜宾市; 青山镇党委书记、镇长 → 青山镇), else the document's
//! jurisdiction (市政府); the previous title's organisation in the chain (市经信局党组书记、局长; a
//! 党委/党工委 hands over to the body it leads); the organisation of the same head earlier in the
//! sentence (局长甲,副局长乙); for a `X长` head, the nearest earlier mention ending in `X` in the
//! document (张伟局长 in a news item about 县教育局); last, the organisation of the list item just
//! before, when one `,` or `、` alone separates its names from the title (市政协副主席甲、乙,秘书长丙;
//! 副县长甲、副秘书长乙).
//!
//! Who holds it: the names after the chain (副市长张三、李四 share it; a later name of the list
//! ends where a name surely ends — punctuation, a listed word, spaces — so 主任王红、区应急管理局…
//! starts a new chain, and its surname may be one the table lacks when its given characters are
//! common: 吴信宝、寿子琪、钱锋); a name before a bare title (李明副市长, 组织部李旭部长, 市建委朱光局长
//! when name and unit make no department; a bare title takes the organisation of its head earlier
//! in the sentence: 市政协刘明主席牵头、陈怡副主席配合); an appointee (任命张三同志为…局长, 王五任…局长;
//! not 免去), also the name of the chain just before an appointment verb (市委常委沈平兼任…书记), with
//! the chains after a comma of that sentence; the subject of a roster line (张三同志,市委常委,
//! 市政府副市长。); the name alone after a colon on a field line that the title starts (• 镇长:徐海涛).
//! Bylines (甘肃日报记者张三) are posts only when a media organisation is written
//! before 记者; several reporters may follow, set off by spaces. Collectives (各部门, 有关单位) hold
//! none. A chief of government after a description in a chain (区委常委、负责政府常务工作副区长)
//! is the level's government's; a party body's own titles (委员、书记) stay in it.
//!
//! A name is two or three characters (a compound surname adds one; four after a title when
//! neither two nor three end one: 巴音朝鲁在…, 范徐丽泰;) that starts with a surname of
//! `surnames.tsv`, or that the segmenter tags as one person word (`nr`), and ends where
//! punctuation or a word of `person_words.tsv` (出席, 主持, 陪同 …) follows, or where spaces set it
//! off in the source (记者 吴战通 通讯员). It never ends inside such a word (王劲陪同 is 王劲, not
//! 王劲陪 + 同) and holds no `not_name` word (部门相关负责人). Where nothing listed follows, the
//! character classes of `name_chars.tsv` end it: its last character is common in given names and
//! the next starts a verb or an adverb (陈志强回顾…, 王建国分析…); taken only when exactly one of
//! two and three characters fits (周林明确: none) and preferred to a four-character reading. A bare
//! title after an organisation and a name (市林业局刘海涛局长) may end before such a verb too, and
//! an organisation of the title's unit before the name keeps the name whole (刘海涛局 is no
//! organisation after 市林业局). The segmenter (jieba,
//! default dictionary, run only on windows of a few characters at a title) decides between two
//! and three characters: the name must start where a word starts, ends preferably where a word
//! ends, and is no dictionary word of another kind (信箱, 列席); a surname-led person word at a word
//! boundary ends a name even before an unlisted word. It is **off by default**; `POLICYKG_JIEBA=1`
//! turns it on (read once). Measured 2026-12-07: holds_post F1 on dev2 half A 1.000 with and
//! without, half B 0.826 with and 0.843 without (one fact each way), and 1.5× the instructions of
//! extraction on 200 documents (the dictionary load alone ≈ 0.4 G), so the surname table and the
//! word lists decide alone unless a user asks for it.
//!
//! The organisation of the first title is the run of Han characters before it, cut after the
//! last word that ends a phrase (会见了, 由, 陪同 …; a one-character one only before a level
//! prefix, a place or a name) unless a department name spans that word (人力资源和社会保障局), and
//! kept only if it ends like an organisation (org_types.tsv, `org` rows of posts.tsv) or is a
//! place (石嘴山市市长; 吉林省长: a `gov` head's level character also ends the place). Two mentions
//! of one organisation that resolve to the same canonical name give one fact.

use super::Context;
use crate::facts::{Fact, OrgRef, Person, Post, Relation};
use crate::lexicon::{Lexicon, PerLexicon, WordIndex};
use crate::normalize::is_han;
use crate::resolve::{pick_division, resolve_org, Jurisdiction};
use regex::Regex;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::sync::{Arc, LazyLock};

/// The segmenter with its default dictionary, loaded on first use.
static JIEBA: LazyLock<jieba_rs::Jieba> = LazyLock::new(jieba_rs::Jieba::new);

/// Whether names are checked with the segmenter (`POLICYKG_JIEBA=1` turns it on).
static USE_JIEBA: LazyLock<bool> = LazyLock::new(|| std::env::var("POLICYKG_JIEBA").is_ok_and(|v| v != "0"));

static MECHANISM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"成立([\p{Han}]{2,40}?(?:工作机制|领导小组|工作专班|专班|指挥部|委员会|工作组))").expect("valid regex")
});

/// Longest run of characters read as an organisation before a title.
const MAX_ORG_CHARS: usize = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Head,
    Gov(char),
    Byline,
    Block,
}

/// The post grammar compiled from one lexicon.
struct Grammar {
    /// Kind of each pattern of `Gazetteer::posts_ac` (same rows, same order).
    kinds: Vec<Kind>,
    modifiers: Vec<String>,
    byline_modifiers: Vec<String>,
    media: Vec<String>,
    org_tails: Vec<(String, String)>,
    after: Vec<String>,
    /// `after` words of two characters or more, and `not_name`, by first character: a name
    /// candidate is tested against them at each of its characters.
    after_long_ix: WordIndex,
    not_name_ix: WordIndex,
    /// All phrase-ending words, overlapping matches.
    before_ac: aho_corasick::AhoCorasick,
    surnames: HashSet<char>,
    compound: Vec<String>,
    /// Department names without level prefix (`dept_aliases.tsv`): a cut never splits one.
    departments: Vec<String>,
    /// Characters common in given names (`name_chars.tsv`, `given`).
    given: HashSet<char>,
    /// Characters that start verbs, adverbs and prepositions (`name_chars.tsv`, `word_start`).
    word_start: HashSet<char>,
    /// Verbs joining an appointee to a post, longest first (`person_words.tsv`, `appoint_verb`).
    appoint_verbs: Vec<String>,
    /// Words removing from a post (`removal`) and ending the phrase before an appointee
    /// (`appointer`).
    removals: Vec<String>,
    appointers: Vec<String>,
    /// How a party committee's name ends (`posts.tsv`, `party_body`), longest first.
    party_bodies: Vec<String>,
    /// Words that make a name a collective (`posts.tsv`, `collective`).
    collectives: Vec<String>,
    /// Characters no personal name holds after its surname (`name_chars.tsv`, `not_in_name`).
    not_in_name: HashSet<char>,
    /// Units that complete an organisation cut before a head word `X长` (宣传部长 → 宣传部;
    /// `name_chars.tsv`, `fold_unit`).
    fold_units: HashSet<char>,
}

fn longest_first(mut v: Vec<String>) -> Vec<String> {
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v
}

impl Grammar {
    fn new(lex: &Lexicon) -> Grammar {
        let posts = lex.table(crate::lexicon::Table::Posts);
        let has = |r: &Vec<String>, k: &str| r.get(1).is_some_and(|ks| ks.split(',').any(|x| x == k));
        let words = |k: &str| -> Vec<String> { lex.words_of_kind(crate::lexicon::Table::Posts, k).cloned().collect() };
        let kinds = posts
            .iter()
            .filter(|r| ["head", "gov", "byline", "block"].iter().any(|k| has(r, k)))
            .map(|r| {
                if has(r, "block") {
                    Kind::Block
                } else if has(r, "gov") {
                    Kind::Gov(r.get(2).and_then(|l| l.chars().next()).unwrap_or('市'))
                } else if has(r, "byline") {
                    Kind::Byline
                } else {
                    Kind::Head
                }
            })
            .collect();
        let pwords = |k: &str| -> Vec<String> {
            lex.words_of_kind(crate::lexicon::Table::PersonWords, k)
                .cloned()
                .collect()
        };
        let surnames = lex.list(crate::lexicon::Table::Surnames);
        let name_chars = |k: &str| -> HashSet<char> {
            (lex.words_of_kind(crate::lexicon::Table::NameChars, k))
                .filter_map(|w| w.chars().next())
                .collect()
        };
        Grammar {
            kinds,
            modifiers: longest_first(words("modifier")),
            byline_modifiers: longest_first(words("byline_modifier")),
            media: longest_first(words("media")),
            org_tails: posts
                .iter()
                .filter(|r| has(r, "org"))
                .map(|r| (r[0].clone(), r.get(2).cloned().unwrap_or_else(|| "Department".into())))
                .collect(),
            after: longest_first(pwords("after")),
            after_long_ix: WordIndex::new(pwords("after").iter().filter(|w| w.chars().count() >= 2)),
            not_name_ix: WordIndex::new(pwords("not_name")),
            before_ac: aho_corasick::AhoCorasick::new(pwords("before")).expect("plain words"),
            surnames: surnames
                .iter()
                .filter(|s| s.chars().count() == 1)
                .filter_map(|s| s.chars().next())
                .collect(),
            compound: surnames.iter().filter(|s| s.chars().count() > 1).cloned().collect(),
            departments: longest_first(lex.dept_aliases.keys().cloned().collect()),
            given: name_chars("given"),
            word_start: name_chars("word_start"),
            appoint_verbs: longest_first(pwords("appoint_verb")),
            removals: pwords("removal"),
            appointers: pwords("appointer"),
            party_bodies: longest_first(words("party_body")),
            collectives: words("collective"),
            not_in_name: name_chars("not_in_name"),
            fold_units: name_chars("fold_unit"),
        }
    }

    /// The grammar of this lexicon (compiled once per lexicon).
    fn of(lex: &Lexicon) -> Arc<Grammar> {
        static GRAMMARS: PerLexicon<Grammar> = PerLexicon::new();
        GRAMMARS.get(lex, Grammar::new)
    }

    /// Ends like an organisation, and names one: a collective (各部门, 有关单位) holds no post.
    fn org_like(&self, lex: &Lexicon, s: &str) -> bool {
        !s.is_empty()
            && (lex.org_type_by_suffix(s).is_some() || self.org_tails.iter().any(|(t, _)| s.ends_with(t.as_str())))
            && !self.collectives.iter().any(|w| s.contains(w.as_str()))
            && !lex.is_collective(s)
    }

    /// True when a name may end before this text: the end, a non-Han character, or a word that
    /// follows names.
    fn ends_name(&self, tail: &str) -> bool {
        match tail.chars().next() {
            None => true,
            Some(c) if !is_han(c) => true,
            _ => self.after.iter().any(|w| tail.starts_with(w.as_str())),
        }
    }

    /// True when a bare title after an organisation and a name ends before this text: as a name
    /// would, or before a verb or an adverb (市林业局刘海涛局长回顾了…; a name alone before a
    /// title needs more: 对石嘴山市长期以来 is no 市长).
    fn ends_bare_title(&self, tail: &str) -> bool {
        self.ends_name(tail) || tail.chars().next().is_some_and(|c| self.word_start.contains(&c))
    }

    /// Weaker evidence that a name `cand` ends before `tail` when no listed word follows: its
    /// last character is common in given names and the next one starts a verb or an adverb
    /// (陈志强 + 回顾, 王建国 + 分析; not 志强 + 强…).
    fn may_end_name(&self, cand: &str, tail: &str) -> bool {
        cand.chars().next_back().is_some_and(|c| self.given.contains(&c))
            && tail.chars().next().is_some_and(|c| self.word_start.contains(&c))
    }
}

/// A title found in a line (byte offsets into the line).
#[derive(Clone, Copy, Debug)]
struct Title {
    /// Start of the title with its modifiers.
    start: usize,
    /// Start of the head word.
    head: usize,
    end: usize,
    /// Where what follows the title starts (after a short parenthesis: 副主任(主持工作)).
    next: usize,
    kind: Kind,
}

/// Word boundaries and person tags of a short window, from the segmenter.
struct Seg {
    /// (start, end, tag) of each word, byte offsets into the line.
    words: Vec<(usize, usize, &'static str)>,
}

impl Seg {
    fn new(lt: &str, from: usize, to: usize) -> Seg {
        let jb: &'static jieba_rs::Jieba = &JIEBA;
        let words = jb
            .tag(&lt[from..to], true)
            .into_iter()
            .map(|t| {
                let tag: &'static str = match t.tag {
                    x if x.starts_with("nr") => "nr",
                    _ => "x",
                };
                (from + t.byte_start, from + t.byte_end, tag)
            })
            .collect();
        Seg { words }
    }
    fn starts_word(&self, p: usize) -> bool {
        self.words.iter().any(|w| w.0 == p)
    }
    fn ends_word(&self, p: usize) -> bool {
        self.words.iter().any(|w| w.1 == p)
    }
    fn person_at(&self, p: usize) -> bool {
        self.words.iter().any(|w| w.0 == p && w.2 == "nr")
    }
    /// One word exactly `a..b` that the dictionary knows and does not tag as a person.
    fn other_word(&self, lt: &str, a: usize, b: usize) -> bool {
        self.words
            .iter()
            .any(|w| w.0 == a && w.1 == b && w.2 != "nr" && JIEBA.has_word(&lt[a..b]))
    }
}

/// Byte offset `n` characters after `p`, if they are all Han.
fn han_chars(lt: &str, p: usize, n: usize) -> Option<usize> {
    let mut e = p;
    for c in lt[p..].chars().take(n) {
        if !is_han(c) {
            return None;
        }
        e += c.len_utf8();
    }
    (lt[p..e].chars().count() == n).then_some(e)
}

/// True when `part` may be an organisation written between titles of a chain: Han characters,
/// with brackets and quotes closed inside it (县委书记、村(社区)“两委”换届选举工作领导小组组长).
fn org_chars(part: &str) -> bool {
    let mut open: Vec<char> = Vec::new();
    for c in part.chars() {
        match c {
            '(' | '（' | '“' => open.push(c),
            ')' | '）' => {
                if !matches!(open.pop(), Some('(' | '（')) {
                    return false;
                }
            }
            '”' => {
                if open.pop() != Some('“') {
                    return false;
                }
            }
            c if is_han(c) => {}
            _ => return false,
        }
    }
    open.is_empty() && part.chars().next().is_none_or(is_han)
}

/// How far (bytes) a rule looks for the end or start of a sentence.
const REACH: usize = 2000;

fn floor_boundary(lt: &str, mut i: usize) -> usize {
    while !lt.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// End of the sentence from `pos` (a stop character, or [`REACH`] bytes on).
fn sentence_end(lt: &str, pos: usize, stops: &[char]) -> usize {
    let hi = floor_boundary(lt, (pos + REACH).min(lt.len()));
    lt[pos..hi].find(stops).map_or(hi, |i| pos + i)
}

fn char_floor_after(lt: &str, p: usize, n: usize) -> usize {
    lt[p..].char_indices().nth(n).map_or(lt.len(), |(i, _)| p + i)
}

/// What one line gives: (person, post, organisation, byte position of the name in the line).
struct Found {
    person: String,
    post: String,
    org: Option<OrgRef>,
    pos: usize,
}

/// Places named by earlier titles of the sentence, by level character (宜宾市委 → 市: 宜宾市).
#[derive(Default)]
struct PlaceContext {
    by_level: HashMap<char, usize>,
    /// Townships and streets the gazetteer does not list (青山镇党委 → 镇: 青山镇).
    local: HashMap<char, String>,
    /// Byte offset in the line where the sentence that set them ends.
    until: usize,
}

struct LineReader<'c, 'a> {
    cx: &'c Context<'a>,
    g: &'c Grammar,
    lt: &'c str,
    line_start: usize,
    jieba: bool,
    ctx: PlaceContext,
    /// Head word, organisation and position of the titles read so far in this line.
    recent: Vec<(String, OrgRef, usize)>,
    /// Where the names of the last chain read end, and the organisation of its last title.
    last_item: Option<(usize, OrgRef)>,
}

impl LineReader<'_, '_> {
    fn lex(&self) -> &Lexicon {
        self.cx.gz.lexicon()
    }

    fn titles(&self) -> Vec<Title> {
        let lt = self.lt;
        let mut v = Vec::new();
        for m in self.cx.gz.posts_ac.find_iter(lt) {
            let kind = self.g.kinds.get(m.pattern().as_usize()).copied().unwrap_or(Kind::Block);
            if kind == Kind::Block {
                continue;
            }
            let mut start = m.start();
            let mods: &[String] = if kind == Kind::Byline { &[] } else { &self.g.modifiers };
            while let Some(md) = mods.iter().find(|md| lt[..start].ends_with(md.as_str())) {
                start -= md.len();
            }
            let mut next = m.end();
            if let Some(rest) = lt[next..].strip_prefix('(') {
                if let Some(close) = rest.find(')') {
                    if rest[..close].chars().count() <= 10 {
                        next += 1 + close + 1;
                    }
                }
            }
            v.push(Title {
                start,
                head: m.start(),
                end: m.end(),
                next,
                kind,
            });
        }
        v
    }

    /// Start of the organisation phrase inside `text[from..to]`: after the last phrase-ending
    /// word (会见了, 陪同, 由 …), unless a department name ending at `to` spans it. A one-character
    /// word (由, 和, 为, 了 …) ends the phrase only before a level prefix or a place (为市财政局),
    /// before a name written before its title (`names`: 和邓云锋副省长), or as a word of its own
    /// for the segmenter.
    fn cut_before(&self, text: &str, from: usize, to: usize, names: bool) -> usize {
        let run = &text[from..to];
        let mut found: Vec<(usize, usize)> = self
            .g
            .before_ac
            .find_overlapping_iter(run)
            .map(|m| (m.start(), m.end()))
            .collect();
        if found.is_empty() {
            return from;
        }
        found.sort_by_key(|&(a, b)| std::cmp::Reverse((b, a)));
        let seg = self.jieba.then(|| Seg::new(text, from, to));
        let valid = |a: usize, b: usize| {
            if run[a..b].chars().count() > 1 || b == run.len() {
                return true;
            }
            let rest = &run[b..];
            rest.starts_with(['省', '市', '区', '县', '镇', '乡'])
                || self.place_at_start(rest).is_some()
                || names && self.whole_name(from + b, to)
                || seg
                    .as_ref()
                    .is_none_or(|s| s.starts_word(from + a) && s.ends_word(from + b))
        };
        let Some(mut cut) = found.iter().find(|&&(a, b)| valid(a, b)).map(|&(_, b)| b) else {
            return from;
        };
        if let Some(d) = self
            .g
            .departments
            .iter()
            .find(|d| run.ends_with(d.as_str()) && run.len() - d.len() < cut)
        {
            cut = run.len() - d.len();
            // Keep a level prefix written before the department (市人力资源和社会保障局).
            if let Some(c) = run[..cut].chars().next_back() {
                if matches!(c, '省' | '市' | '区' | '县' | '镇' | '乡') {
                    cut -= c.len_utf8();
                }
            }
        }
        from + cut
    }

    /// Start of the run of Han characters before `to` (at most [`MAX_ORG_CHARS`]), not before `floor`.
    fn run_start(&self, to: usize, floor: usize) -> usize {
        let mut s = to;
        for (n, c) in self.lt[floor..to].chars().rev().enumerate() {
            if !is_han(c) || n >= MAX_ORG_CHARS {
                break;
            }
            s -= c.len_utf8();
        }
        // A date's last character is no part of an organisation (2月8日区委常委).
        if let Some(c) = self.lt[s..to]
            .chars()
            .next()
            .filter(|c| matches!(c, '年' | '月' | '日' | '号'))
        {
            if self.lt[..s].ends_with(|d: char| d.is_ascii_digit()) {
                s += c.len_utf8();
                // A news dateline: 北京3月5日电 国务院总理….
                if c == '日' && self.lt[s..to].starts_with('电') {
                    s += '电'.len_utf8();
                }
            }
        }
        s
    }

    /// The name starting at `p`: its end. `win` is where the segmenter's window starts.
    fn name_at(&self, p: usize, win: usize) -> Option<usize> {
        self.name_in(p, win, None)
    }

    /// [`Self::name_at`]; with `until`, only a name ending exactly there (before its title).
    fn name_in(&self, p: usize, win: usize, until: Option<usize>) -> Option<usize> {
        let lt = self.lt;
        let g = self.g;
        let first = lt[p..].chars().next().filter(|c| is_han(*c))?;
        let compound = g.compound.iter().any(|c| lt[p..].starts_with(c.as_str()));
        let surname = compound || g.surnames.contains(&first);
        if !surname && !self.jieba {
            return None;
        }
        // The window starts at the name: a title's last character never joins its first word
        // (主任何渊 is 主任 + 何渊, not 任何).
        let _ = win;
        let seg = self.jieba.then(|| Seg::new(lt, p, char_floor_after(lt, p, 8)));
        if let Some(seg) = &seg {
            if !seg.starts_word(p) {
                return None;
            }
            if !surname && !seg.person_at(p) {
                return None;
            }
        }
        // Four characters only when neither two nor three end a name after a title: names of
        // minorities (巴音朝鲁在长春会见…) and of married women in Hong Kong (范徐丽泰).
        let lens: &[usize] = if compound { &[3, 4] } else { &[2, 3, 4] };
        let mut best: Option<(usize, usize)> = None;
        // Names of two or three characters that only the character classes end (no listed
        // word follows): taken when exactly one length fits and no listed word ends a name.
        let mut soft: Vec<usize> = Vec::new();
        for &n in lens {
            if n == 4 && !compound && (best.is_some() || until.is_some()) {
                continue;
            }
            let Some(e) = han_chars(lt, p, n) else { continue };
            let cand = &lt[p..e];
            if cand.chars().skip(if compound { 2 } else { 1 }).any(|c| g.not_in_name.contains(&c))
                // No grammatical word inside a name either (部门相关负责人: no 门相关).
                || g.not_name_ix.starts(cand)
                || (cand.char_indices().skip(1)).any(|(q, _)| {
                    g.not_name_ix.prefixes_of(&cand[q..]).any(|w| w.chars().nth(1).is_some())
                })
                // A name never ends inside a listed word that follows it (王劲陪同, 陈涛一同参加:
                // not 王劲陪 + 同).
                || cand.char_indices().skip(1).any(|(q, _)| {
                    g.after_long_ix.prefixes_of(&lt[p + q..]).any(|w| p + q + w.len() > e)
                })
                // A word that follows names is none itself (强调, 宣布 start with surnames).
                || g.after_long_ix.starts(cand)
                // An organisation is no name, unless only a one-character unit common in given
                // names ends it and a name surely ends there (镇长李忠社陪同; not 王家村).
                || g.org_like(self.lex(), cand) && !self.unit_ended_name(cand, &lt[e..])
            {
                continue;
            }
            // One word that the segmenter tags as a person.
            let person = seg
                .as_ref()
                .is_some_and(|s| s.words.iter().any(|w| w.0 == p && w.1 == e && w.2 == "nr"));
            // A listed word (or punctuation) after the name is strong evidence; where none
            // follows, a surname-led person word that ends at a word boundary is weaker
            // (市长田明手里…).
            let mut score = match until {
                Some(u) if u == e => 2,
                Some(_) => continue,
                None if g.ends_name(&lt[e..]) => 2,
                // A name set off by spaces the normaliser dropped (记者 吴战通 通讯员 …); a space
                // after it alone is no end (市长信箱 书记信箱).
                None if self.cx.space_before(self.line_start + p) && self.cx.space_before(self.line_start + e) => 2,
                None if surname && person && seg.as_ref().is_some_and(|s| s.ends_word(e)) => 0,
                None => {
                    if !self.jieba && n <= 3 && g.may_end_name(cand, &lt[e..]) {
                        soft.push(e);
                    }
                    continue;
                }
            };
            if let Some(seg) = &seg {
                if seg.other_word(lt, p, e) {
                    continue;
                }
                if !surname && !person {
                    continue;
                }
                score += seg.ends_word(e) as usize;
            }
            if best.is_none_or(|(s, _)| score >= s) {
                best = Some((score, e));
            }
        }
        // A four-character name is the last resort (陈志强回到: 陈志强, not 陈志强回).
        let four = best.is_some_and(|(_, e)| !compound && lt[p..e].chars().count() == 4);
        if (best.is_none() || four) && soft.len() == 1 {
            return Some(soft[0]);
        }
        best.map(|(_, e)| e)
    }

    /// A later name of a list after a shared post whose surname the table lacks (副主席吴信宝、
    /// 寿子琪、钱锋): two or three characters, all after the first common in given names, up to
    /// `、` or a word that ends names.
    fn list_name(&self, q: usize) -> Option<usize> {
        let lt = self.lt;
        [3, 2].into_iter().find_map(|n| {
            let e = han_chars(lt, q, n)?;
            let cand = &lt[q..e];
            let tail = &lt[e..];
            ((tail.starts_with('、') || self.g.ends_name(tail))
                && cand
                    .chars()
                    .skip(1)
                    .all(|c| self.g.given.contains(&c) && !self.g.not_in_name.contains(&c))
                && !self.g.after.iter().any(|w| cand.starts_with(w.as_str()))
                && !self.g.org_like(self.lex(), cand))
            .then_some(e)
        })
    }

    /// True when `cand` (three characters) ends in a one-character unit (社, 院), no place unit,
    /// whose given name is of characters common in given names, before a word or punctuation that
    /// ends names: 李忠社 + 陪同 (not 王家村, 中国报社).
    fn unit_ended_name(&self, cand: &str, tail: &str) -> bool {
        let c: Vec<char> = cand.chars().collect();
        c.len() == 3
            && !matches!(c[2], '乡' | '镇' | '村')
            && self.g.given.contains(&c[1])
            && self.g.given.contains(&c[2])
            && self.g.ends_name(tail)
            && !self.g.org_like(self.lex(), &cand[..cand.len() - c[2].len_utf8()])
    }

    /// True when `lt[a..b]` is a whole name written before the title at `b` (李明副市长): not
    /// the start of an organisation the title's head completes (宣传部长), and a whole word.
    fn whole_name(&self, a: usize, b: usize) -> bool {
        let lt = self.lt;
        let n = lt[a..b].chars().count();
        if !(2..=4).contains(&n) {
            return false;
        }
        if self.jieba {
            if !Seg::new(lt, a, char_floor_after(lt, b, 4)).ends_word(b) {
                return false;
            }
        } else if let Some(u) = lt[b..].chars().next().filter(|c| self.g.fold_units.contains(c)) {
            // 宣传部长 is (部长, 宣传部); but a run that starts a clause is a name (会上,张伟局长).
            let clause_start = lt[..a]
                .chars()
                .next_back()
                .is_none_or(|c| matches!(c, ',' | '。' | ';' | ':' | '!' | '?' | ' '));
            // An organisation of the same unit just before it is whole (市林业局刘海涛局长).
            let after_unit = lt[..a].ends_with(u);
            // So is one after another organisation when name and unit make no department
            // (市建委朱光局长; but 市委宣传部长 is 宣传部).
            let folded = format!("{}{u}", &lt[a..b]);
            let after_org = self
                .lex()
                .org_type_by_suffix(&lt[floor_boundary(lt, a.saturating_sub(12))..a])
                .is_some()
                && !self.g.departments.iter().any(|d| d.ends_with(folded.as_str()));
            if !clause_start && !after_unit && !after_org && self.g.org_like(self.lex(), &folded) {
                return false;
            }
        }
        self.name_in(a, a, Some(b)).is_some()
    }

    /// The person an appointment names before the organisation at `org`: `NAME(同志)` + 任 / 为 /
    /// 担任 / 兼任, within the run of Han characters from `run`, in a clause that removes no one
    /// from a post (免去, 辞去, 撤销).
    fn appointee(&self, run: usize, org: usize) -> Option<(usize, usize)> {
        let lt = self.lt;
        let pre = &lt[run..org];
        let w = self.g.appoint_verbs.iter().find(|w| pre.ends_with(w.as_str()))?;
        let mut b = org - w.len();
        if lt[run..b].ends_with("同志") {
            b -= "同志".len();
        }
        let lo = floor_boundary(lt, run.saturating_sub(REACH));
        let clause = lt[lo..run]
            .char_indices()
            .rev()
            .find(|(_, c)| matches!(c, ',' | '。' | ';' | ':'))
            .map_or(lo, |(i, c)| lo + i + c.len_utf8());
        if self.g.removals.iter().any(|w| lt[clause..b].contains(w.as_str())) {
            return None;
        }
        let seg = self.jieba.then(|| Seg::new(lt, run, b));
        let starts = |a: usize| {
            a == run
                || seg.as_ref().is_some_and(|s| s.starts_word(a))
                || self.g.appointers.iter().any(|v| lt[run..a].ends_with(v.as_str()))
        };
        (2..=4)
            .rev()
            .filter_map(|n| {
                let a = lt[..b].char_indices().rev().nth(n - 1).map(|(i, _)| i)?;
                (a >= run && starts(a) && self.name_in(a, a, Some(b)).is_some()).then_some((a, b))
            })
            .next()
    }

    /// The person of a roster line whose chain starts at `run` and ends at `end`:
    /// `NAME(同志)` + `,` or `:` at the start of a clause, then chains separated by `,` up to the
    /// end of the sentence, none followed by a name (张三同志,市委常委,市政府副市长。); a bracketed
    /// note may follow the last title (李四:街道党工委副书记(挂职)。).
    fn roster(&self, run: usize, end: usize, state: &mut Option<(usize, usize, usize)>) -> Option<(usize, usize)> {
        let lt = self.lt;
        if !(lt[end..].is_empty() || lt[end..].starts_with([',', ';', '。', '、', '(', '（'])) {
            return None;
        }
        if let Some((a, b, until)) = *state {
            if run < until
                && lt[..run].ends_with(',')
                && !self.g.removals.iter().any(|w| lt[run..end].contains(w.as_str()))
            {
                return Some((a, b));
            }
        }
        let sep = lt[..run].chars().next_back().filter(|c| matches!(c, ',' | ':'))?;
        let mut b = run - sep.len_utf8();
        if lt[..b].ends_with("同志") {
            b -= "同志".len();
        }
        let found = (2..=4).rev().find_map(|n| {
            let a = lt[..b].char_indices().rev().nth(n - 1).map(|(i, _)| i)?;
            let clause_start = lt[..a]
                .chars()
                .next_back()
                .is_none_or(|c| matches!(c, '。' | ';' | '!' | '?' | ':') || c.is_whitespace());
            (clause_start && self.whole_name(a, b)).then_some((a, b))
        })?;
        let until = sentence_end(lt, run, &['。', ';', '!', '?']);
        *state = Some((found.0, found.1, until));
        Some(found)
    }

    /// The division a place at the start of an organisation mention names.
    fn place_at_start(&self, s: &str) -> Option<(usize, usize)> {
        let gz = self.cx.gz;
        let m = gz
            .find(s)
            .into_iter()
            .find(|m| m.start == 0 && m.full && !m.divisions.is_empty())?;
        Some((m.end, pick_division(gz, &self.cx.jur, &m.divisions)?))
    }

    fn level_of(&self, d: usize) -> Option<char> {
        let div = self.cx.gz.division(d);
        match (div.level.as_str(), div.kind.as_str()) {
            ("province", _) => Some('省'),
            ("prefecture", _) | (_, "county_city") => Some('市'),
            (_, "county") => Some('县'),
            (_, "district") => Some('区'),
            _ => None,
        }
    }

    fn set_context(&mut self, pos: usize, d: usize) {
        if pos >= self.ctx.until {
            self.ctx.by_level.clear();
            self.ctx.local.clear();
        }
        if let Some(l) = self.level_of(d) {
            self.ctx.by_level.insert(l, d);
            self.ctx.until = sentence_end(self.lt, pos, &['。', '!', '?']);
        }
    }

    fn context(&self, pos: usize, level: char) -> Option<usize> {
        (pos < self.ctx.until)
            .then(|| self.ctx.by_level.get(&level).copied())
            .flatten()
    }

    /// The government of a level, for a `gov` head without organisation.
    fn government(&self, pos: usize, level: char) -> OrgRef {
        let gz = self.cx.gz;
        if let Some(place) = self.ctx.local.get(&level).filter(|_| pos < self.ctx.until) {
            return OrgRef {
                text: place.clone(),
                name: Some(format!("{place}人民政府")),
                ty: "Government".into(),
                code: None,
                division: None,
            };
        }
        if let Some(d) = self.context(pos, level) {
            let div = gz.division(d);
            return OrgRef {
                text: div.name.clone(),
                name: Some(format!("{}人民政府", gz.qualified_name(d))),
                ty: "Government".into(),
                code: None,
                division: Some(div.code.clone()),
            };
        }
        let text = format!("{level}政府");
        self.cx.org_ref(&text).unwrap_or(OrgRef {
            text,
            name: None,
            ty: "Government".into(),
            code: None,
            division: None,
        })
    }

    /// An organisation mention as written, resolved (in the sentence's place when its level
    /// prefix points there).
    fn org(&mut self, pos: usize, text: &str) -> OrgRef {
        let gz = self.cx.gz;
        if let Some((end, d)) = self.place_at_start(text) {
            self.set_context(pos, d);
            if end == text.len() {
                return OrgRef {
                    text: text.to_string(),
                    name: Some(format!("{}人民政府", gz.qualified_name(d))),
                    ty: "Government".into(),
                    code: None,
                    division: Some(gz.division(d).code.clone()),
                };
            }
        }
        // A township named before its body (青山镇党委, 东湖街道办事处).
        if let Some((i, c)) = text
            .char_indices()
            .skip(2)
            .take(6)
            .find(|(_, c)| matches!(c, '镇' | '乡'))
        {
            let end = i + c.len_utf8();
            if end < text.len() && text[..end].chars().all(is_han) && !text[..end].contains(['市', '县', '区', '省'])
            {
                if pos >= self.ctx.until {
                    self.ctx.by_level.clear();
                    self.ctx.local.clear();
                    self.ctx.until = sentence_end(self.lt, pos, &['。', '!', '?']);
                }
                self.ctx.local.insert(c, text[..end].to_string());
            }
        }
        let ctx = text.chars().next().and_then(|c| self.context(pos, c));
        let r = match ctx {
            Some(d) => resolve_org(gz, &Jurisdiction { division: Some(d) }, text),
            None => resolve_org(gz, &self.cx.jur, text),
        };
        let tail_ty = self
            .g
            .org_tails
            .iter()
            .find(|(t, _)| text.ends_with(t.as_str()))
            .map(|(_, ty)| ty.clone());
        match r {
            Some(r) => OrgRef {
                text: text.to_string(),
                name: r.name,
                ty: tail_ty.unwrap_or_else(|| r.ty.as_str().to_string()),
                code: None,
                division: r.division.map(|d| gz.division(d).code.clone()),
            },
            None => OrgRef {
                text: text.to_string(),
                name: None,
                ty: tail_ty.unwrap_or_else(|| "Department".into()),
                code: None,
                division: None,
            },
        }
    }

    /// The full mention of an organisation written only as its unit word (厅, 局) or implied by
    /// a head (局长): the nearest earlier mention ending in that unit word, in this document.
    fn implicit(&self, pos: usize, unit: char) -> Option<String> {
        let text = self.cx.norm.text.as_str();
        let abs = self.line_start + pos;
        let lo = abs.saturating_sub(6000);
        let lo = (lo..abs).find(|i| text.is_char_boundary(*i)).unwrap_or(abs);
        let window = &text[lo..abs];
        for (i, c) in window.char_indices().rev() {
            if c != unit {
                continue;
            }
            let end = i + c.len_utf8();
            let next = window[end..].chars().next();
            if next.is_some_and(|n| n == '长' || self.g.modifiers.iter().any(|m| window[end..].starts_with(m.as_str())))
            {
                continue;
            }
            let mut s = end;
            for (n, ch) in window[..end].chars().rev().enumerate() {
                if !is_han(ch) || n >= MAX_ORG_CHARS {
                    break;
                }
                s -= ch.len_utf8();
            }
            let cut = self.cut_before(window, s, end, false);
            let m = &window[cut..end];
            if m.chars().count() >= 3 && self.g.org_like(self.lex(), m) {
                return Some(m.to_string());
            }
        }
        None
    }

    /// The organisation of one title of a chain, given its written part.
    /// The organisation of the same head word earlier in the sentence (局长甲,副局长乙).
    fn same_head(&self, t: &Title) -> Option<OrgRef> {
        let lt = self.lt;
        let head = &lt[t.head..t.end];
        for (h, o, p) in self.recent.iter().rev() {
            if t.start - p > REACH || lt[*p..t.start].contains(['。', '!', '?', ';']) {
                break;
            }
            if h == head {
                return Some(o.clone());
            }
        }
        None
    }

    /// A party committee's titles carry over to the body it leads (滨海新区党工委副书记、副主任 →
    /// 滨海新区; 某大学党委书记甲、校长乙 → 某大学); its own titles stay in it (党工委委员、书记).
    fn party_handover(&self, head: &str, p: &OrgRef) -> Option<OrgRef> {
        if ["书记", "委员", "常委"].contains(&head) {
            return None;
        }
        let b = (self.g.party_bodies.iter())
            .find_map(|s| p.text.strip_suffix(s.as_str()).filter(|b| b.chars().count() >= 2))?;
        Some(OrgRef {
            text: b.to_string(),
            name: None,
            ty: self
                .lex()
                .org_type_by_suffix(b)
                .map_or("Government", |t| t.as_str())
                .to_string(),
            code: None,
            division: None,
        })
    }

    fn item_org(&mut self, t: &Title, org: Range<usize>, prev: Option<&OrgRef>) -> Option<OrgRef> {
        let lt = self.lt;
        let mut text = lt[org.clone()].to_string();
        let head = &lt[t.head..t.end];
        if t.kind == Kind::Byline {
            while let Some(m) = self.g.byline_modifiers.iter().find(|m| text.ends_with(m.as_str())) {
                text.truncate(text.len() - m.len());
            }
            if !self.g.media.iter().any(|m| text.ends_with(m.as_str())) {
                return None;
            }
            let mut o = self.org(org.start, &text);
            o.ty = "Institution".into();
            return Some(o);
        }
        if text.is_empty() {
            if let Kind::Gov(level) = t.kind {
                return Some(self.government(t.start, level));
            }
            if let Some(p) = prev {
                return Some(self.party_handover(head, p).unwrap_or_else(|| p.clone()));
            }
            // Same head earlier in the sentence: 局长甲,副局长乙 / 一级调研员甲,二级调研员乙.
            if let Some(o) = self.same_head(t) {
                return Some(o);
            }
            // A unit that starts a verb, glued to the word before the title, is part of that
            // word (同处长江经济带): no earlier mention of a 处 is looked for.
            let glued = lt[..t.start].chars().next_back().is_some_and(is_han);
            let unit =
                (head.chars().next()).filter(|u| head.ends_with('长') && !(glued && self.g.word_start.contains(u)));
            if let Some(full) = unit.and_then(|u| self.implicit(t.start, u)) {
                return Some(self.org(t.start, &full));
            }
            // A bare title right after the names of the item before it, one comma or 、 between, is
            // the next post of one list of officials and keeps its organisation (市政协副主席甲、
            // 乙,秘书长丙; 区人大常委会副主任甲,党组成员乙; 副县长甲、副秘书长乙).
            let (e, o) = self.last_item.as_ref()?;
            if !matches!(lt.get(*e..t.start), Some(",") | Some("，") | Some("、")) {
                return None;
            }
            let o = o.clone();
            return Some(self.party_handover(head, &o).unwrap_or(o));
        }
        // 吉林省长, 杭州市长: the head's level character also ends the place (吉林省 + 省长).
        if let Kind::Gov(level) = t.kind {
            let whole_place = |s: &str| self.place_at_start(s).is_some_and(|(e, _)| e == s.len());
            let folded = format!("{text}{level}");
            if !self.g.org_like(self.lex(), &text) && !whole_place(&text) && whole_place(&folded) {
                text = folded;
            }
        }
        if let Some(u) = head
            .chars()
            .next()
            .filter(|u| self.g.fold_units.contains(u) && head.ends_with('长'))
        {
            let folded = format!("{text}{u}");
            if !self.g.org_like(self.lex(), &text) && self.g.org_like(self.lex(), &folded) {
                text = folded;
            }
        }
        if text.chars().count() == 1 && self.g.org_like(self.lex(), &text) {
            let unit = text.chars().next()?;
            let mut o = self.org(t.start, &text);
            if let Some(full) = self.implicit(t.start, unit) {
                let r = self.org(t.start, &full);
                o.name = r.name.or(Some(full));
                o.ty = r.ty;
            }
            return Some(o);
        }
        if self.g.org_like(self.lex(), &text) || self.place_at_start(&text).is_some_and(|(e, _)| e == text.len()) {
            return Some(self.org(org.start, &text));
        }
        // A description before a chief of government in a chain names no organisation: the
        // level's government holds it (区委常委、负责政府常务工作副区长杨明).
        if let (Kind::Gov(level), Some(_)) = (t.kind, prev) {
            return Some(self.government(t.start, level));
        }
        None
    }

    fn read(&mut self, out: &mut Vec<Found>) {
        let lt = self.lt;
        let titles = self.titles();
        let mechanism = MECHANISM.captures(lt).map(|c| c[1].to_string());
        let mut consumed = 0usize;
        // Names of chains joined by `、` (they may share a post named after them: X、Y担任组长).
        let mut group: Vec<(String, usize)> = Vec::new();
        let mut group_end = usize::MAX;
        // The name of a roster line and where its sentence ends.
        let mut roster: Option<(usize, usize, usize)> = None;
        // The last name of the chain read before (who an appointment verb after it speaks of).
        let mut prev_names: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < titles.len() {
            let t0 = titles[i];
            if t0.start < consumed {
                i += 1;
                continue;
            }
            let run = self.run_start(t0.start, consumed);
            let org0 = self.cut_before(lt, run, t0.start, true)..t0.start;
            // A name before a bare title: 李明副市长, 和邓云锋副省长调研.
            if t0.kind != Kind::Byline && !org0.is_empty() && self.whole_name(org0.start, org0.end) {
                let after = &lt[t0.next..];
                // The head's organisation earlier in the sentence (市政协刘悦伦主席牵头、陈怡霓副主席
                // 配合): a verb may then follow the title.
                let same = self.same_head(&t0).filter(|_| !matches!(t0.kind, Kind::Gov(_)));
                let ends = self.g.ends_name(after) || same.is_some() && self.g.ends_bare_title(after);
                if ends && self.name_at(t0.next, t0.start).is_none() {
                    let org = match t0.kind {
                        Kind::Gov(level) => Some(self.government(t0.start, level)),
                        _ => same.or_else(|| {
                            lt[t0.head..t0.end]
                                .chars()
                                .next()
                                .filter(|_| lt[t0.head..t0.end].ends_with('长'))
                                .and_then(|u| self.implicit(t0.start, u))
                                .map(|full| self.org(t0.start, &full))
                        }),
                    };
                    if let Some(org) = org {
                        self.recent
                            .push((lt[t0.head..t0.end].to_string(), org.clone(), t0.start));
                        out.push(Found {
                            person: lt[org0.clone()].to_string(),
                            post: lt[t0.start..t0.end].to_string(),
                            org: Some(org),
                            pos: org0.start,
                        });
                    }
                    consumed = t0.next;
                    i += 1;
                    continue;
                }
            }
            // An organisation, then a name before a bare title: 组织部李旭部长.
            if t0.kind != Kind::Byline && org0.len() > 6 {
                let named = (2..=4).rev().find_map(|n| {
                    let a = lt[..org0.end].char_indices().rev().nth(n - 1).map(|(i, _)| i)?;
                    (a > org0.start && self.g.org_like(self.lex(), &lt[org0.start..a]) && self.whole_name(a, org0.end))
                        .then_some(a)
                });
                let after = &lt[t0.next..];
                if let Some(a) =
                    named.filter(|_| self.g.ends_bare_title(after) && self.name_at(t0.next, t0.start).is_none())
                {
                    let org = self.org(org0.start, &lt[org0.start..a].to_string());
                    self.recent
                        .push((lt[t0.head..t0.end].to_string(), org.clone(), t0.start));
                    out.push(Found {
                        person: lt[a..org0.end].to_string(),
                        post: lt[t0.start..t0.end].to_string(),
                        org: Some(org),
                        pos: a,
                    });
                    consumed = t0.next;
                    i += 1;
                    continue;
                }
            }
            // The chain: titles joined by `、` or 兼 (区长兼经开区党工委书记).
            let mut items = vec![(org0, i)];
            let mut j = i;
            while j + 1 < titles.len() {
                let (tj, tn) = (titles[j], titles[j + 1]);
                let Some(sep) = ['、', '兼']
                    .into_iter()
                    .find(|c| lt[tj.next..].starts_with(*c))
                    .map(|c| tj.next + c.len_utf8())
                else {
                    break;
                };
                if tn.start < sep {
                    break;
                }
                let part = &lt[sep..tn.start];
                if !org_chars(part) || part.chars().count() > MAX_ORG_CHARS || self.whole_name(sep, tn.start) {
                    break;
                }
                items.push((self.cut_before(lt, sep, tn.start, true)..tn.start, j + 1));
                j += 1;
            }
            let last = titles[j];
            consumed = consumed.max(last.next);
            i = j + 1;
            // The names after it.
            let mut names: Vec<(usize, usize)> = Vec::new();
            if let Some(e) = self.name_at(last.next, last.start) {
                names.push((last.next, e));
                while let Some(q) = lt[names[names.len() - 1].1..]
                    .strip_prefix('、')
                    .map(|_| names[names.len() - 1].1 + '、'.len_utf8())
                {
                    // A later name of the list ends where a name surely ends (punctuation, a
                    // listed word, spaces): 主任王红军、区应急管理局… starts an organisation.
                    match self.name_at(q, names[names.len() - 1].0).or_else(|| self.list_name(q)) {
                        Some(e)
                            if titles.binary_search_by_key(&e, |t| t.start).is_err()
                                && (self.g.ends_name(&lt[e..]) || self.cx.space_before(self.line_start + e)) =>
                        {
                            names.push((q, e))
                        }
                        _ => break,
                    }
                }
                // Bylines name several reporters set off by spaces (报记者 张三 李四 通讯员 …).
                while last.kind == Kind::Byline && self.cx.space_before(self.line_start + names[names.len() - 1].1) {
                    let q = names[names.len() - 1].1;
                    match self.name_at(q, q) {
                        Some(e) if self.g.ends_name(&lt[e..]) || self.cx.space_before(self.line_start + e) => {
                            names.push((q, e))
                        }
                        _ => break,
                    }
                }
            } else if let Some(c) =
                (lt[last.next..].chars().next()).filter(|c| matches!(c, ':' | '：') && !lt[..run].chars().any(is_han))
            {
                // A field line of an infobox or a table: the title starts the line and a name
                // alone ends it after a colon (• 镇长:徐海涛).
                let q = last.next + c.len_utf8();
                if let Some(e) = self.name_at(q, q).filter(|&e| lt[e..].trim().is_empty()) {
                    names.push((q, e));
                }
            }
            if names.is_empty() {
                // An appointment: 任命张三(同志)为市财政局局长, 王五任县农业农村局局长; or a
                // roster line: 张三同志,市委常委、副市长。 / 李四:党组成员、副局长;
                let verb_only = |v: &String| lt.get(run..items[0].0.start) == Some(v.as_str());
                if let Some(n) = self.appointee(run, items[0].0.start) {
                    names.push(n);
                    roster = Some((n.0, n.1, sentence_end(lt, run, &['。', ';', '!', '?'])));
                } else if let Some(n) =
                    prev_names.filter(|&(_, b)| b == run && self.g.appoint_verbs.iter().any(verb_only))
                {
                    // 市委常委沈志平兼任…工委书记: the name of the chain before takes the post.
                    names.push(n);
                    roster = Some((n.0, n.1, sentence_end(lt, run, &['。', ';', '!', '?'])));
                } else if let Some(n) = self.roster(run, last.next, &mut roster) {
                    names.push(n);
                } else {
                    group.clear();
                    continue;
                }
            }
            prev_names = names.last().copied();
            let name_end = names.last().map_or(last.next, |n| n.1).max(last.next);
            consumed = name_end;
            if group_end > run || lt.get(group_end..run) != Some("、") {
                group.clear();
            }
            let mut prev: Option<OrgRef> = None;
            let mut posts: Vec<(String, Option<OrgRef>)> = Vec::new();
            for (org, k) in &items {
                let t = titles[*k];
                let o = self.item_org(&t, org.clone(), prev.as_ref());
                let post = if t.kind == Kind::Byline {
                    lt[t.head..t.end].to_string()
                } else {
                    lt[t.start..t.end].to_string()
                };
                if let Some(o) = &o {
                    prev = Some(o.clone());
                    self.recent.push((lt[t.head..t.end].to_string(), o.clone(), t.start));
                }
                if let Some(o) = o {
                    posts.push((post, Some(o)));
                }
            }
            self.last_item = prev.clone().filter(|_| !names.is_empty()).map(|o| (name_end, o));
            for &(a, b) in &names {
                for (post, org) in &posts {
                    out.push(Found {
                        person: lt[a..b].to_string(),
                        post: post.clone(),
                        org: org.clone(),
                        pos: a,
                    });
                }
                group.push((lt[a..b].to_string(), a));
            }
            group_end = name_end;
            // X、Y担任召集人: the names share a post of the mechanism the line sets up.
            if let Some(rest) = lt[name_end..].strip_prefix("担任") {
                let at = name_end + (lt[name_end..].len() - rest.len());
                if let Some((k, t)) = titles
                    .binary_search_by_key(&at, |t| t.start)
                    .ok()
                    .map(|k| (k, &titles[k]))
                {
                    if let Some(mech) = &mechanism {
                        for (person, pos) in group.drain(..) {
                            out.push(Found {
                                person,
                                post: lt[t.start..t.end].to_string(),
                                org: Some(OrgRef {
                                    text: mech.clone(),
                                    name: None,
                                    ty: "Group".into(),
                                    code: None,
                                    division: None,
                                }),
                                pos,
                            });
                        }
                    }
                    group.clear();
                    consumed = t.next;
                    i = i.max(k + 1);
                }
            }
        }
    }
}

/// Emits `holds_post` facts from every line that holds a title word.
pub fn extract(cx: &mut Context, out: &mut Vec<Fact>) {
    extract_with(cx, out, *USE_JIEBA);
}

fn extract_with(cx: &Context, out: &mut Vec<Fact>, jieba: bool) {
    let g = Grammar::of(cx.gz.lexicon());
    let text = cx.norm.text.as_str();
    let mut seen: HashSet<(String, String, String)> = HashSet::default();
    for line in &cx.doc.lines {
        let lt = &text[line.clone()];
        // Most lines name no post at all: skip them before any parsing.
        if !cx.gz.posts_ac.is_match(lt) {
            continue;
        }
        let mut found = Vec::new();
        LineReader {
            cx,
            g: &g,
            lt,
            line_start: line.start,
            jieba,
            ctx: PlaceContext::default(),
            recent: Vec::new(),
            last_item: None,
        }
        .read(&mut found);
        for f in found {
            // One fact per person, post and organisation: two mentions that resolve to one
            // canonical organisation (济源市, 济源市人民政府) are one.
            let key = (
                f.person.clone(),
                f.post.clone(),
                f.org
                    .as_ref()
                    .map(|o| o.name.clone().unwrap_or_else(|| o.text.clone()))
                    .unwrap_or_default(),
            );
            if !seen.insert(key) {
                continue;
            }
            let evidence = cx.evidence(cx.sentence_around(line.start + f.pos));
            out.push(Fact {
                doc: String::new(),
                rel: Relation::HoldsPost {
                    person: Person { text: f.person },
                    post: Post { text: f.post },
                    org: f.org,
                },
                evidence,
                task_index: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::doc::SourceDoc;
    use crate::extract::extract;
    use crate::facts::Relation;
    use crate::resolve::Gazetteer;

    fn posts(text: &str) -> Vec<(String, String, String)> {
        let ex = extract(&SourceDoc::from_text("t", text), Gazetteer::embedded());
        ex.facts
            .iter()
            .filter_map(|f| match &f.rel {
                Relation::HoldsPost { person, post, org } => Some((
                    person.text.clone(),
                    post.text.clone(),
                    org.as_ref().map(|o| o.text.clone()).unwrap_or_default(),
                )),
                _ => None,
            })
            .collect()
    }

    fn has(v: &[(String, String, String)], p: &str, post: &str, org: &str) -> bool {
        v.iter().any(|(a, b, c)| a == p && b == post && c == org)
    }

    #[test]
    fn chains_of_posts() {
        let v = posts("市委组织部副部长、市人社局局长**聂立新**:通过几天的考察学习");
        assert!(has(&v, "聂立新", "副部长", "市委组织部"), "{v:?}");
        assert!(has(&v, "聂立新", "局长", "市人社局"), "{v:?}");
        // A title without organisation carries the previous one over; 党组 stays in the post.
        let v = posts("市经信局党组书记、局长杨旭东:沪苏浙地区");
        assert!(has(&v, "杨旭东", "党组书记", "市经信局"), "{v:?}");
        assert!(has(&v, "杨旭东", "局长", "市经信局"), "{v:?}");
        // A party committee's next title belongs to the body it leads.
        let v = posts("某某集团党委书记、董事长陈志强一行到我市考察。");
        assert!(has(&v, "陈志强", "书记", "某某集团党委"), "{v:?}");
        assert!(has(&v, "陈志强", "董事长", "某某集团"), "{v:?}");
        // Modifiers stay in the post; a parenthesis after the title is skipped.
        let v = posts("县政府办公室一级调研员黄海涛、高新区管委会常务副主任(主持工作)钱志远出席。");
        assert!(has(&v, "黄海涛", "一级调研员", "县政府办公室"), "{v:?}");
        assert!(has(&v, "钱志远", "常务副主任", "高新区管委会"), "{v:?}");
        // 宣传部长: the head's unit word completes the organisation.
        let v = posts("县委常委、宣传部长、副县长孙丽华出席。");
        assert!(has(&v, "孙丽华", "常委", "县委"), "{v:?}");
        assert!(has(&v, "孙丽华", "部长", "宣传部"), "{v:?}");
        assert!(has(&v, "孙丽华", "副县长", "县政府"), "{v:?}");
        // A department name is not cut at the 和 inside it.
        let v = posts("会见了市人力资源和社会保障局局长郭振华。");
        assert!(has(&v, "郭振华", "局长", "市人力资源和社会保障局"), "{v:?}");
    }

    #[test]
    fn government_heads_and_places() {
        let v = posts("由市委副书记、市长袁宝成担任召集人,市政府副市长张科担任副召集人");
        assert!(has(&v, "袁宝成", "市长", "市政府"), "{v:?}");
        assert!(has(&v, "张科", "副市长", "市政府"), "{v:?}");
        // Two jurisdictions in one sentence: a bare 市长 belongs to the city named before it.
        let v = posts("两市座谈,绵阳市委书记高建平,市委副书记、市长孔德民;南充市委书记严文杰,市长魏晓光出席。");
        assert!(has(&v, "孔德民", "市长", "绵阳市"), "{v:?}");
        assert!(has(&v, "孔德民", "副书记", "市委"), "{v:?}");
        assert!(has(&v, "魏晓光", "市长", "南充市"), "{v:?}");
        assert!(has(&v, "严文杰", "书记", "南充市委"), "{v:?}");
        // A township the gazetteer does not list.
        let v = posts("青山镇党委书记刘洋、镇长周敏,石桥村党支部书记、村委会主任吴大海陪同调研。");
        assert!(has(&v, "周敏", "镇长", "青山镇"), "{v:?}");
        assert!(has(&v, "吴大海", "书记", "石桥村党支部"), "{v:?}");
        assert!(has(&v, "吴大海", "主任", "村委会"), "{v:?}");
    }

    #[test]
    fn institutions_and_companies() {
        let v = posts("县人民医院院长孙建国、某某有限公司总经理赵明辉、红星社区居委会主任王丽华参加签约。");
        assert!(has(&v, "孙建国", "院长", "县人民医院"), "{v:?}");
        assert!(has(&v, "赵明辉", "总经理", "某某有限公司"), "{v:?}");
        assert!(has(&v, "王丽华", "主任", "红星社区居委会"), "{v:?}");
        let v = posts("近日,区委副书记、区长兼经开区党工委书记、管委会主任王俊主持召开区长办公会。");
        assert!(has(&v, "王俊", "区长", "区政府"), "{v:?}");
        assert!(has(&v, "王俊", "书记", "经开区党工委"), "{v:?}");
        assert!(has(&v, "王俊", "主任", "管委会"), "{v:?}");
    }

    #[test]
    fn a_bare_title_continues_the_list_before_it() {
        let v = posts("市政协副主席张保平、刘安定,秘书长万建新参加会议。");
        assert!(has(&v, "万建新", "秘书长", "市政协"), "{v:?}");
        let v = posts("区人大常委会副主任孙金才、刘云英,党组成员宋文良出席会议。");
        assert!(has(&v, "宋文良", "党组成员", "区人大常委会"), "{v:?}");
        let v = posts("县人大常委会主任陈明、副秘书长黄凯出席。");
        assert!(has(&v, "黄凯", "副秘书长", "县人大常委会"), "{v:?}");
        // Not after a full stop, nor with words between.
        let v = posts("市政协副主席张保平出席。秘书长万建新主持。");
        assert!(!v.iter().any(|f| f.0 == "万建新"), "{v:?}");
        let v = posts("某某大学党委书记王军、校长解军出席。");
        assert!(has(&v, "解军", "校长", "某某大学"), "{v:?}");
        let v = posts("行政处处长李重毅出席。");
        assert!(has(&v, "李重毅", "处长", "行政处"), "{v:?}");
        let v = posts("会议由服务处承办。两市同处长江经济带。");
        assert!(v.is_empty(), "{v:?}");
        let v = posts("  • 镇长:徐海涛\n  • 公交路线:2路\n");
        assert!(v.iter().any(|f| f.0 == "徐海涛" && f.1 == "镇长"), "{v:?}");
        let v = posts("会议议程:镇长:徐海涛讲话");
        assert!(!v.iter().any(|f| f.0 == "徐海涛"), "{v:?}");
        let v = posts("李四:街道党工委副书记(挂职)。");
        assert!(has(&v, "李四", "副书记", "街道党工委"), "{v:?}");
    }

    #[test]
    fn shared_posts_and_same_heads() {
        let v = posts("区委常委、常务副区长刘芳,副区长赵磊、孙晓东陪同。");
        assert!(has(&v, "刘芳", "常务副区长", "区政府"), "{v:?}");
        assert!(has(&v, "赵磊", "副区长", "区政府"), "{v:?}");
        assert!(has(&v, "孙晓东", "副区长", "区政府"), "{v:?}");
        let v = posts("县人大常委会党组书记、主任赵刚,副主任钱丽、孙明出席。");
        assert!(has(&v, "钱丽", "副主任", "县人大常委会"), "{v:?}");
        assert!(has(&v, "孙明", "副主任", "县人大常委会"), "{v:?}");
        let v = posts("市发展改革委主任欧阳晓明、副主任李华出席。");
        assert!(has(&v, "欧阳晓明", "主任", "市发展改革委"), "{v:?}");
        assert!(has(&v, "李华", "副主任", "市发展改革委"), "{v:?}");
    }

    /// An appointment after a full stop (3 bytes) must not cut inside a character.
    #[test]
    fn an_appointment_after_a_full_stop() {
        let v = posts("会议通过人事任免。任命王五为市交通局局长。");
        assert!(has(&v, "王五", "局长", "市交通局"), "{v:?}");
    }

    #[test]
    fn a_verb_after_a_title_is_no_name() {
        let v = posts("会议指出,吴小颖副厅长强调,援藏工作千头万绪。");
        assert!(v.iter().all(|(p, _, _)| p != "强调"), "{v:?}");
    }

    #[test]
    fn name_before_post() {
        let v = posts("会议由李明市长主持。王芳副区长出席,");
        assert!(has(&v, "李明", "市长", "市政府"), "{v:?}");
        assert!(has(&v, "王芳", "副区长", "区政府"), "{v:?}");
        // 局长 in a document about one bureau: that bureau.
        let v = posts("县教育局召开全体干部大会。会上,张伟局长传达了上级文件精神。");
        assert!(has(&v, "张伟", "局长", "县教育局"), "{v:?}");
        // 厅 for the 厅 the document names.
        let v = posts("省交通运输厅召开会议。厅党组书记、厅长魏明出席。");
        assert!(has(&v, "魏明", "厅长", "厅"), "{v:?}");
    }

    #[test]
    fn appointments_and_rosters() {
        let v = posts("市委决定:任命张三同志为市财政局局长,免去李四同志的市财政局局长职务。");
        assert_eq!(v, vec![("张三".into(), "局长".into(), "市财政局".into())]);
        let v = posts("樊建国同志,市委副书记,市人民政府党组书记、代市长。负责全面工作。");
        assert!(has(&v, "樊建国", "副书记", "市委"), "{v:?}");
        assert!(has(&v, "樊建国", "代市长", "市政府"), "{v:?}");
        let v = posts("蒋恭智:市人民政府副市长,市公安局党委书记、局长。");
        assert!(has(&v, "蒋恭智", "副市长", "市人民政府"), "{v:?}");
        assert!(has(&v, "蒋恭智", "局长", "市公安局"), "{v:?}");
    }

    #[test]
    fn bylines_need_a_media_organisation() {
        assert!(posts("全媒体记者 刘惠子").is_empty());
        assert!(posts("来源:本站 作者:记者 王小红").is_empty());
        assert!(posts("本报记者 王五 通讯员 赵六").is_empty());
        let v = posts("(江南日报记者 周海涛)本报讯");
        assert_eq!(v, vec![("周海涛".into(), "记者".into(), "江南日报".into())]);
    }

    #[test]
    fn no_post_without_a_name() {
        for t in [
            "会议要求各单位主要负责人要高度重视,各位局长、主任要亲自抓。",
            "大会主席团成员王红、李刚等参加会议。",
            "习近平总书记强调,要坚持人民至上。",
            "拨打市长热线反映问题。市长信箱 书记信箱",
            "一级主任科员岗位若干名。",
            "他指出,局长要带头抓落实,副市长要分工负责。",
            "市人大常委会副主任会议审议通过。区政协委员、专家学者参加座谈。",
            "免去孙七的市文旅局局长职务。",
        ] {
            assert!(posts(t).is_empty(), "{t}: {:?}", posts(t));
        }
    }

    /// What the segmenter adds: where a name ends when a one-character word follows it, and
    /// which words after a title are no names.
    #[test]
    fn segmenter_decides_name_ends() {
        let doc = crate::doc::SourceDoc::from_text("t", "市委书记张三与市长李四一同调研。市长信箱");
        let cx = crate::extract::Context::new(&doc, Gazetteer::embedded());
        let names = |jieba: bool| {
            let mut out = Vec::new();
            super::extract_with(&cx, &mut out, jieba);
            out.iter()
                .filter_map(|f| match &f.rel {
                    Relation::HoldsPost { person, .. } => Some(person.text.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(names(true), vec!["张三", "李四"]);
        // Without it, a name still never ends inside a listed word (李四 + 一同, not 李四一 + 同).
        assert_eq!(names(false), vec!["张三", "李四"]);
    }

    /// Names end before a listed word they would cut (陪同, 一同), before a verb that follows
    /// names (深入, 因), and where the source had a space; no name holds a grammatical word.
    #[test]
    fn name_ends_in_real_news() {
        let v = posts("区委副书记、区长史庆超,副区长马晨晨、王劲陪同调研。");
        assert!(
            has(&v, "王劲", "副区长", "区政府") && has(&v, "马晨晨", "副区长", "区政府"),
            "{v:?}"
        );
        let v = posts("区委常委、组织部长陈涛一同参加。");
        assert!(
            has(&v, "陈涛", "部长", "组织部") && has(&v, "陈涛", "常委", "区委"),
            "{v:?}"
        );
        let v = posts("区委书记张伯松深入东峤镇调研。");
        assert_eq!(v, vec![("张伯松".into(), "书记".into(), "区委".into())]);
        let v = posts("省人大常委会副主任李永寿因公缺席。");
        assert_eq!(v, vec![("李永寿".into(), "副主任".into(), "省人大常委会".into())]);
        let v = posts("大象新闻记者 吴战通 通讯员 铁晶媛/文图");
        assert_eq!(v, vec![("吴战通".into(), "记者".into(), "大象新闻".into())]);
        assert!(posts("区交通、住建、东简等部门相关负责人参加。").is_empty());
    }

    /// 代理 stays in the post; an association (联谊总会) holds posts; one fact when two
    /// mentions of the organisation resolve to one.
    #[test]
    fn acting_posts_and_associations() {
        let v = posts("张宏义任济源市代理市长\n会议决定任命张宏义同志为济源市人民政府代理市长。");
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!((v[0].0.as_str(), v[0].1.as_str()), ("张宏义", "代理市长"));
        let v = posts("吉林省委书记王儒林、吉林省长巴音朝鲁在长春会见了视察团。");
        assert!(
            has(&v, "巴音朝鲁", "省长", "吉林省") && has(&v, "王儒林", "书记", "吉林省委"),
            "{v:?}"
        );
        let v = posts("香港湖南联谊总会会长周群飞出席。");
        assert_eq!(v, vec![("周群飞".into(), "会长".into(), "香港湖南联谊总会".into())]);
    }

    /// A name after a title ends before any verb or adverb, listed or not: its last character
    /// is common in given names and the next starts a verb (name_chars.tsv); two readings that
    /// both fit give nothing.
    #[test]
    fn names_end_before_unlisted_verbs() {
        for v in [
            "回顾了全年工作。",
            "分析了当前形势。",
            "围绕重点工作作了部署。",
            "逐一点评。",
        ] {
            let got = posts(&format!("市人社局局长陈志强{v}"));
            assert_eq!(got, vec![("陈志强".into(), "局长".into(), "市人社局".into())], "{v}");
        }
        let v = posts("在县委副书记辛春生的带领下,代表们视察了项目。");
        assert_eq!(v, vec![("辛春生".into(), "副书记".into(), "县委".into())]);
        // No name after the title: nothing (市长热线, 局长信箱).
        assert!(posts("市长热线回应了群众关切。").is_empty());
        assert!(posts("对石嘴山市长期以来的支持表示感谢。").is_empty());
    }

    /// A date before a title is no part of its organisation; 关于 ends a name.
    #[test]
    fn dates_and_prepositions_around_titles() {
        let v = posts("2月8日区委常委、宣传部长郭建斌来到凤凰村。");
        assert!(has(&v, "郭建斌", "常委", "区委"), "{v:?}");
        let v = posts("新华社北京3月5日电国务院总理李强作政府工作报告。");
        assert!(has(&v, "李强", "总理", "国务院"), "{v:?}");
        let v = posts("听取了省政协主席王钊关于工作情况的汇报。");
        assert_eq!(v, vec![("王钊".into(), "主席".into(), "省政协".into())]);
    }

    /// An organisation inside a chain may hold closed brackets and quotes.
    #[test]
    fn chains_through_bracketed_organisations() {
        let v = posts("县委书记、村(社区)“两委”换届选举工作领导小组组长许红兵主持会议。");
        assert!(has(&v, "许红兵", "书记", "县委"), "{v:?}");
        assert!(has(&v, "许红兵", "组长", "村(社区)“两委”换届选举工作领导小组"), "{v:?}");
    }

    /// An organisation, a name, then a bare title: 市林业局刘海涛局长.
    #[test]
    fn organisation_name_bare_title() {
        let v = posts("市林业局刘海涛局长通报了前期工作情况。");
        assert_eq!(v, vec![("刘海涛".into(), "局长".into(), "市林业局".into())]);
        let v = posts("县林业局张伟局长出席会议。");
        assert_eq!(v, vec![("张伟".into(), "局长".into(), "县林业局".into())]);
        let v = posts("组织部李旭部长出席会议。");
        assert_eq!(v, vec![("李旭".into(), "部长".into(), "组织部".into())]);
        let v = posts("市林业局刘海涛局长回顾了前期工作。");
        assert_eq!(v, vec![("刘海涛".into(), "局长".into(), "市林业局".into())]);
        // 宣传部长 is still (部长, 市委宣传部), with no name 宣传.
        assert!(posts("市委宣传部长出席会议。").is_empty());
    }

    #[test]
    fn lists_appointments_and_bylines_of_real_news() {
        // A later name of a shared post ends where a name surely ends: 、 then an organisation.
        let v = posts("市应急管理局党委委员、防汛办主任王红、区应急管理局党委书记、局长田明等一同调研。");
        assert!(has(&v, "王红", "主任", "防汛办"), "{v:?}");
        assert!(has(&v, "田明", "局长", "区应急管理局"), "{v:?}");
        assert!(!v.iter().any(|f| f.0 == "区应"), "{v:?}");
        // A name after another organisation before a bare title (no department 朱光局).
        let v = posts("区委书记视察工程,市建委朱光局长,区政府副区长盛明陪同。");
        assert!(has(&v, "朱光", "局长", "市建委"), "{v:?}");
        assert!(has(&posts("会上,市委宣传部长王伟讲话。"), "王伟", "部长", "市委宣传部"));
        // Party committee members by portfolio.
        assert!(has(
            &posts("会议由镇党委组织委员李杰主持。"),
            "李杰",
            "组织委员",
            "镇党委"
        ));
        assert!(posts("大会组织委员会主任出席。").is_empty());
        // A name before a bare title takes the organisation of the same head in the sentence.
        let v = posts("由市政协刘明主席牵头督办、陈怡副主席配合。");
        assert!(has(&v, "陈怡", "副主席", "市政协"), "{v:?}");
        // 兼任 after a chain's name, and the chains after a comma in that sentence.
        let v = posts("市委常委沈平兼任开发区党工委委员、书记,开发区管委会主任。");
        assert!(has(&v, "沈平", "书记", "开发区党工委"), "{v:?}");
        assert!(has(&v, "沈平", "主任", "开发区管委会"), "{v:?}");
        let v = posts("任命张三为市财政局局长,免去其市审计局局长职务。");
        assert!(has(&v, "张三", "局长", "市财政局"), "{v:?}");
        assert!(!has(&v, "张三", "局长", "市审计局"), "{v:?}");
        // Several reporters set off by spaces.
        let v = posts("(江南日报记者 周海涛 刘龙 通讯员 郑文)本报讯");
        assert!(has(&v, "刘龙", "记者", "江南日报"), "{v:?}");
        assert_eq!(v.len(), 2, "{v:?}");
    }

    #[test]
    fn unit_ended_names_and_described_chiefs() {
        // A name that ends in a one-character unit common in given names (社) before a word that
        // ends names; a place unit never ends one.
        let v = posts("镇党委书记王婷、镇长李忠社陪同。");
        assert!(has(&v, "李忠社", "镇长", "镇政府"), "{v:?}");
        assert!(posts("副镇长到王家村调研。").is_empty());
        // A description before a chief of government in a chain.
        let v = posts("区委常委、负责政府常务工作副区长杨明到街道检查。");
        assert!(has(&v, "杨明", "副区长", "区政府"), "{v:?}");
        // ...but not a verb phrase before a chief outside a chain.
        assert!(posts("顾问周华首先恭喜县长成功连任。").is_empty());
        // 全程 follows names.
        assert!(has(
            &posts("县人民政府副县长滕永忠全程陪同。"),
            "滕永忠",
            "副县长",
            "县人民政府"
        ));
    }

    #[test]
    fn later_names_of_a_list_with_unlisted_surnames() {
        let v = posts("市政协副主席吴信宝、寿子琪、钱锋、邵志清及市政协常委就座。");
        assert!(has(&v, "寿子琪", "副主席", "市政协"), "{v:?}");
        assert!(has(&v, "邵志清", "副主席", "市政协"), "{v:?}");
        let v = posts("副县长王五、乡镇负责人参加。");
        assert_eq!(v.len(), 1, "{v:?}");
    }
}
