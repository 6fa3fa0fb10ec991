//! Entity resolution: place mentions → administrative divisions, a document's jurisdiction,
//! and organisation mentions → canonical full names and types.
//!
//! Places are recognised with one Aho-Corasick automaton over the division table's full names
//! (`马鞍山市`) and short forms (`马鞍山`), plus the named regions of `regions.tsv`. A document's
//! jurisdiction comes from its own text: the signature, the issuer before `关于`, the header's
//! 发布机构 and the title, refined by the level prefixes its department mentions use
//! (`区发改局` → a district); ambiguous short names are resolved by the other places the
//! document names, never silently guessed. Department mentions are resolved with
//! `dept_aliases.tsv`: `市发改委` in a 无为市 document is 无为市发展和改革委员会.

use crate::lexicon::{Division, Lexicon, OrgType};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use daachorse::{
    CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind as DaachorseMatchKind,
};
use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, OnceLock};

/// A recognised place mention.
#[derive(Clone, Debug)]
pub struct PlaceMatch {
    /// Byte range in the searched text.
    pub start: usize,
    pub end: usize,
    /// Candidate divisions (indexes into the table); empty for named regions.
    pub divisions: Arc<[usize]>,
    /// True when the mention carries its suffix (`南京市`, not `南京`).
    pub full: bool,
    /// Named region type (`Region`, `Park`) when the match is from `regions.tsv`.
    pub region: Option<Arc<str>>,
}

/// Compiled place gazetteer, shared by all documents.
pub struct Gazetteer {
    lex: Arc<Lexicon>,
    /// Every place name (full and short forms, regions), leftmost-longest; value = index in
    /// `pats`. A character-wise double-array automaton: one transition per character of
    /// Chinese text (a byte-wise automaton takes three), the hottest scan of the pipeline.
    ac: CharwiseDoubleArrayAhoCorasick<u32>,
    /// Pattern index → (divisions, full?, region type).
    pats: Vec<(Arc<[usize]>, bool, Option<Arc<str>>)>,
    pub by_name: HashMap<String, Vec<usize>>,
    /// Suffix words (`区域`, `市场`): a full name followed by the word's rest is no mention.
    suffix_words: rustc_hash::FxHashSet<(char, char)>,
    /// First characters of `surnames.tsv`, for the person-name rules.
    pub surnames: rustc_hash::FxHashSet<char>,
    /// Division code → index.
    pub by_code: HashMap<String, usize>,
    /// Cooperation verbs (`coop_verbs.tsv`) and one leftmost-longest automaton over them.
    pub coop_verbs: Vec<String>,
    pub coop_verbs_ac: AhoCorasick,
    /// Post title words (`posts.tsv` rows of kind head, gov, byline, block), leftmost-longest:
    /// pattern `i` is the `i`-th such row.
    pub posts_ac: AhoCorasick,
}

/// Short form of a division name (`马鞍山市` → `马鞍山`): the name without the longest ending of
/// `division_suffixes.tsv` that leaves two characters at least.
pub fn short_form(lex: &Lexicon, name: &str) -> Option<String> {
    lex.list(crate::lexicon::Table::DivisionSuffixes)
        .iter()
        .filter_map(|s| name.strip_suffix(s.as_str()))
        .filter(|stem| stem.chars().count() >= 2)
        .min_by_key(|stem| stem.len())
        .map(str::to_string)
}

impl Gazetteer {
    /// Builds the gazetteer from the lexicon's division and region tables.
    pub fn new(lex: Arc<Lexicon>) -> Gazetteer {
        let stop: rustc_hash::FxHashSet<String> = lex
            .list(crate::lexicon::Table::PlaceStopwords)
            .iter()
            .cloned()
            .collect();
        let mut names: HashMap<String, (Vec<usize>, bool, Option<String>)> = HashMap::default();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, d) in lex.divisions.iter().enumerate() {
            if d.kind == "zone" {
                continue;
            }
            names
                .entry(d.name.clone())
                .or_insert_with(|| (Vec::new(), true, None))
                .0
                .push(i);
            by_name.entry(d.name.clone()).or_default().push(i);
            // Short forms only for prefectures and provinces, and county-level cities; bare
            // district stems (`鼓楼`, `城`) are too ambiguous.
            if d.level != "county" || d.kind == "county_city" || d.kind == "county" {
                if let Some(s) = short_form(&lex, &d.name).filter(|s| !stop.contains(s)) {
                    let e = names.entry(s.clone()).or_insert_with(|| (Vec::new(), false, None));
                    if !e.1 {
                        e.0.push(i);
                    }
                    by_name.entry(s).or_default().push(i);
                }
            }
        }
        // Usual short names of autonomous prefectures (`place_aliases.tsv`: 恩施州, 凉山州); a bare
        // stem only where no division already uses it, or only its own counties do.
        for row in lex.table(crate::lexicon::Table::PlaceAliases) {
            let (Some(alias), Some(full_name)) = (row.first(), row.get(1)) else {
                continue;
            };
            let Some(divs) = lex
                .divisions
                .iter()
                .enumerate()
                .find(|(_, d)| &d.name == full_name)
                .map(|(i, _)| vec![i])
            else {
                continue;
            };
            let target = divs[0];
            let full = alias.ends_with('州');
            match names.get_mut(alias) {
                None => {
                    names.insert(alias.clone(), (divs.clone(), full, None));
                }
                // 临夏 is already 临夏市 and 临夏县, both inside 临夏回族自治州: the prefecture
                // joins them (the caller prefers the division enclosing the others).
                Some(e) if !e.1 && e.2.is_none() && e.0.iter().all(|&d| lex.divisions[d].parent == Some(target)) => {
                    e.0.push(target);
                }
                Some(_) => continue,
            }
            by_name.entry(alias.clone()).or_default().extend(divs);
        }
        // Autonomous counties and banners go by their place name (秀山土家族苗族自治县 → 秀山县,
        // 秀山): the ethnic names before 自治县 are stripped; never over a name in use.
        let mut ethnic: Vec<&str> = lex
            .list(crate::lexicon::Table::EthnicGroups)
            .iter()
            .map(String::as_str)
            .collect();
        ethnic.sort_by_key(|e| std::cmp::Reverse(e.len()));
        for (i, d) in lex.divisions.iter().enumerate() {
            let Some((base, unit)) = [("自治县", "县"), ("自治旗", "旗")]
                .iter()
                .find_map(|(s, u)| d.name.strip_suffix(s).map(|b| (b, *u)))
            else {
                continue;
            };
            let mut stem = base;
            while let Some(s) = ethnic
                .iter()
                .find_map(|e| stem.strip_suffix(e))
                .filter(|s| s.chars().count() >= 2)
            {
                stem = s;
            }
            if stem.len() == base.len() {
                continue;
            }
            for (alias, full) in [(format!("{stem}{unit}"), true), (stem.to_string(), false)] {
                if names.contains_key(&alias) || stop.contains(&alias) {
                    continue;
                }
                names.insert(alias.clone(), (vec![i], full, None));
                by_name.entry(alias).or_default().push(i);
            }
        }
        for row in lex.table(crate::lexicon::Table::Regions) {
            let ty = row.get(1).cloned().unwrap_or_else(|| "Region".into());
            names.insert(row[0].clone(), (Vec::new(), true, Some(ty)));
        }
        let mut keys: Vec<String> = names.keys().cloned().collect();
        keys.sort();
        let pats: Vec<(Arc<[usize]>, bool, Option<Arc<str>>)> = keys
            .iter()
            .map(|k| {
                let (divs, full, region) = &names[k];
                (divs.as_slice().into(), *full, region.as_deref().map(Arc::from))
            })
            .collect();
        let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(DaachorseMatchKind::LeftmostLongest)
            .build_with_values(keys.iter().zip(0u32..))
            .expect("gazetteer patterns are distinct, non-empty strings");
        let coop_verbs = lex.list(crate::lexicon::Table::CoopVerbs).to_vec();
        let coop_verbs_ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&coop_verbs)
            .expect("verb patterns are plain strings");
        // Title words only (heads, and the blocked words that start like one): the post rule
        // reads the other kinds of `posts.tsv` (modifiers, media endings) itself.
        let titles = lex.table(crate::lexicon::Table::Posts).iter().filter(|r| {
            r.get(1)
                .is_some_and(|k| k.split(',').any(|k| matches!(k, "head" | "gov" | "byline" | "block")))
        });
        let posts_ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(titles.map(|r| r[0].as_str()))
            .expect("post titles are plain strings");
        Gazetteer {
            posts_ac,
            suffix_words: lex
                .list(crate::lexicon::Table::PlaceSuffixWords)
                .iter()
                .filter_map(|w| {
                    let mut c = w.chars();
                    Some((c.next()?, c.next()?))
                })
                .collect(),
            surnames: lex
                .list(crate::lexicon::Table::Surnames)
                .iter()
                .filter(|s| s.chars().count() == 1)
                .filter_map(|s| s.chars().next())
                .collect(),
            by_code: lex
                .divisions
                .iter()
                .enumerate()
                .map(|(i, d)| (d.code.clone(), i))
                .collect(),
            lex,
            ac,
            pats,
            by_name,
            coop_verbs,
            coop_verbs_ac,
        }
    }

    /// The shared gazetteer over the embedded tables.
    pub fn embedded() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer::new(Lexicon::embedded()))
    }

    /// The lexicon this gazetteer was built from.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lex
    }

    /// All place mentions in a text, leftmost-longest.
    pub fn find(&self, text: &str) -> Vec<PlaceMatch> {
        self.ac
            .leftmost_find_iter(text)
            .filter(|m| {
                let (_, full, region) = &self.pats[m.value() as usize];
                if !*full || region.is_some() {
                    return true;
                }
                let last = text[..m.end()].chars().next_back();
                let next = text[m.end()..].chars().next();
                match (last, next) {
                    (Some(a), Some(b)) => !self.suffix_words.contains(&(a, b)),
                    _ => true,
                }
            })
            .map(|m| {
                let (divs, full, region) = &self.pats[m.value() as usize];
                PlaceMatch {
                    start: m.start(),
                    end: m.end(),
                    divisions: divs.clone(),
                    full: *full,
                    region: region.clone(),
                }
            })
            .collect()
    }

    /// Division by index.
    pub fn division(&self, i: usize) -> &Division {
        &self.lex.divisions[i]
    }

    /// Ancestors of a division from itself up to the province.
    pub fn chain(&self, i: usize) -> Vec<usize> {
        let mut v = vec![i];
        let mut cur = i;
        while let Some(p) = self.lex.divisions[cur].parent {
            v.push(p);
            cur = p;
        }
        v
    }

    /// Full official name used in canonical organisation names: districts carry their city
    /// (`鞍山市立山区`), other divisions stand alone (`无为市`, `泰安市`).
    pub fn qualified_name(&self, i: usize) -> String {
        let d = &self.lex.divisions[i];
        if d.kind == "district" {
            if let Some(p) = d.parent {
                let pd = &self.lex.divisions[p];
                if pd.level == "prefecture" {
                    return format!("{}{}", pd.name, d.name);
                }
            }
        }
        d.name.clone()
    }
}

/// The jurisdiction a document speaks for.
#[derive(Clone, Debug, Default)]
pub struct Jurisdiction {
    /// Division the document's own government is (most specific level), if known.
    pub division: Option<usize>,
}

impl Jurisdiction {
    /// The division a level prefix (`市`, `区`, `县`, `省`) of a mention refers to.
    pub fn for_prefix(&self, gz: &Gazetteer, prefix: char) -> Option<usize> {
        let d = self.division?;
        for i in gz.chain(d) {
            let div = gz.division(i);
            let ok = match prefix {
                '市' => div.kind == "county_city" || div.level == "prefecture",
                '区' => div.kind == "district" || div.kind == "zone",
                '县' => div.kind == "county" || div.kind == "county_city",
                '省' => div.level == "province",
                _ => false,
            };
            if ok {
                return Some(i);
            }
        }
        None
    }

    /// The jurisdiction's own division, as `@self` resolves.
    pub fn own(&self) -> Option<usize> {
        self.division
    }
}

/// Places mentioned in a text with their weights, for choosing a jurisdiction.
pub fn detect_jurisdiction(gz: &Gazetteer, zones: &[&str], body: &str) -> Jurisdiction {
    detect_jurisdiction_in(gz, zones, body, &gz.find(body))
}

/// [`detect_jurisdiction`] with the body's place mentions already found (`gz.find(body)`).
pub fn detect_jurisdiction_in(gz: &Gazetteer, zones: &[&str], body: &str, body_matches: &[PlaceMatch]) -> Jurisdiction {
    // Level the document's own departments use: 市X局 / 区X局 / 县X局.
    let mut level_votes: HashMap<char, usize> = HashMap::default();
    let mut prev = '\0';
    for c in body.chars() {
        if matches!(prev, '(' | ',' | '、' | ':' | '\n' | '由' | ';') && matches!(c, '市' | '区' | '县') {
            *level_votes.entry(c).or_default() += 1;
        }
        prev = c;
    }
    let dominant = level_votes.iter().max_by_key(|(c, n)| (**n, **c)).map(|(c, _)| *c);

    // Candidate divisions with scores: zone mentions weigh most.
    let mut zone_hit: Option<usize> = None;
    for z in zones {
        // Within one zone, the most specific place wins (`鞍山市立山区` → 立山区).
        for m in gz.find(z) {
            if m.divisions.len() == 1 && (m.full || gz.division(m.divisions[0]).level != "county") {
                let d = m.divisions[0];
                match zone_hit {
                    None => zone_hit = Some(d),
                    Some(prev) if gz.chain(d).contains(&prev) && d != prev => zone_hit = Some(d),
                    _ => {}
                }
            }
        }
        if zone_hit.is_some() {
            break;
        }
    }
    let mut mentioned: HashMap<usize, usize> = HashMap::default();
    for m in body_matches {
        for &d in m.divisions.iter() {
            *mentioned.entry(d).or_default() += if m.full { 2 } else { 1 };
        }
    }
    // Resolve ambiguity: a candidate whose ancestor is also mentioned gains.
    let resolved: Vec<(usize, usize)> = mentioned
        .iter()
        .map(|(&d, &n)| {
            let bonus: usize = gz
                .chain(d)
                .iter()
                .skip(1)
                .map(|a| mentioned.get(a).copied().unwrap_or(0))
                .sum();
            (d, n * 2 + bonus.min(4))
        })
        .collect();
    let wants = |d: usize| -> bool {
        let div = gz.division(d);
        match dominant {
            Some('区') => div.kind == "district",
            Some('县') => div.kind == "county" || div.kind == "county_city",
            Some('市') => div.level == "prefecture" || div.kind == "county_city",
            _ => true,
        }
    };
    let mut chosen = zone_hit;
    if let Some(z) = chosen {
        // Descend when the document's departments are one level below the named place.
        if !wants(z) {
            let below = resolved
                .iter()
                .filter(|(d, _)| wants(*d) && gz.chain(*d).contains(&z))
                .max_by_key(|(d, s)| (*s, std::cmp::Reverse(*d)));
            if let Some((d, _)) = below {
                chosen = Some(*d);
            }
        }
    } else {
        chosen = resolved
            .iter()
            .filter(|(d, _)| wants(*d))
            .max_by_key(|(d, s)| (*s, std::cmp::Reverse(*d)))
            .map(|(d, _)| *d)
            .or_else(|| {
                resolved
                    .iter()
                    .max_by_key(|(d, s)| (*s, std::cmp::Reverse(*d)))
                    .map(|(d, _)| *d)
            });
    }
    Jurisdiction { division: chosen }
}

/// A resolved organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedOrg {
    pub name: Option<String>,
    pub ty: OrgType,
    /// The division whose government the organisation belongs to, when resolved within one.
    pub division: Option<usize>,
}

/// Resolves an organisation mention within a jurisdiction: canonical name and type.
/// Returns `None` when the mention does not look like an organisation at all.
pub fn resolve_org(gz: &Gazetteer, jur: &Jurisdiction, mention: &str) -> Option<ResolvedOrg> {
    let lex = gz.lexicon();
    let m = mention.trim();
    if m.is_empty() {
        return None;
    }
    if lex.is_collective(m) {
        return Some(ResolvedOrg {
            name: None,
            ty: OrgType::Collective,
            division: None,
        });
    }
    // Level prefix (`市发改委`) or an explicit place (`泰安市发改委`, `新泰市政府`).
    let (place, stem): (Option<usize>, &str) = {
        let first = m.chars().next()?;
        let rest = &m[first.len_utf8()..];
        if matches!(first, '市' | '区' | '县' | '省') && !rest.is_empty() && !rest.starts_with("级") {
            (jur.for_prefix(gz, first), rest)
        } else {
            let found = gz
                .find(m)
                .into_iter()
                .find(|p| p.start == 0 && p.full && !p.divisions.is_empty());
            match found {
                Some(p) => {
                    let d = pick_division(gz, jur, &p.divisions);
                    (d, &m[p.end..])
                }
                None => (None, m),
            }
        }
    };
    if let Some((canon, ty)) = lex.dept_aliases.get(stem) {
        let name = place.map(|p| canon.replace("{jur}", &gz.qualified_name(p)));
        let division = place.filter(|_| name.is_some());
        return Some(ResolvedOrg {
            name,
            ty: *ty,
            division,
        });
    }
    let ty = lex.org_type_by_suffix(m)?;
    // A park or institution named in full is its own canonical name.
    let name = if matches!(ty, OrgType::Park) && !m.starts_with(['市', '区', '县']) && m.chars().count() >= 4 {
        Some(m.to_string())
    } else {
        None
    };
    // A named park or institution is located in the place its name starts with.
    let division = place.filter(|_| name.is_some());
    Some(ResolvedOrg { name, ty, division })
}

/// Chooses among same-named divisions: one inside the jurisdiction's province wins.
pub fn pick_division(gz: &Gazetteer, jur: &Jurisdiction, cands: &[usize]) -> Option<usize> {
    if cands.len() == 1 {
        return Some(cands[0]);
    }
    let own = jur.division?;
    let own_chain = gz.chain(own);
    let province = *own_chain.last()?;
    let inside: Vec<usize> = cands
        .iter()
        .copied()
        .filter(|c| gz.chain(*c).contains(&province))
        .collect();
    if inside.len() == 1 {
        Some(inside[0])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jur_of(name: &str) -> Jurisdiction {
        let gz = Gazetteer::embedded();
        Jurisdiction {
            division: gz.by_name.get(name).map(|v| v[0]),
        }
    }

    #[test]
    fn canonical_department_names() {
        let gz = Gazetteer::embedded();
        let wuwei = jur_of("无为市");
        let r = resolve_org(gz, &wuwei, "市发改委").unwrap();
        assert_eq!(r.name.as_deref(), Some("无为市发展和改革委员会"));
        assert_eq!(resolve_org(gz, &wuwei, "市发展改革委").unwrap().name, r.name);
        assert_eq!(
            resolve_org(gz, &wuwei, "市委组织部").unwrap().name.as_deref(),
            Some("中共无为市委组织部")
        );
        let lishan = jur_of("立山区");
        assert_eq!(
            resolve_org(gz, &lishan, "区发改局").unwrap().name.as_deref(),
            Some("鞍山市立山区发展和改革局")
        );
        let taian = jur_of("泰安市");
        assert_eq!(
            resolve_org(gz, &taian, "市税务局").unwrap().name.as_deref(),
            Some("国家税务总局泰安市税务局")
        );
        assert_eq!(
            resolve_org(gz, &taian, "新泰市政府").unwrap().name.as_deref(),
            Some("新泰市人民政府")
        );
        assert_eq!(
            resolve_org(gz, &taian, "市有关部门、单位").unwrap().ty,
            OrgType::Collective
        );
        assert_eq!(resolve_org(gz, &wuwei, "无为经济开发区").unwrap().ty, OrgType::Park);
    }

    #[test]
    fn jurisdiction_from_text() {
        let gz = Gazetteer::embedded();
        let j = detect_jurisdiction(
            gz,
            &["无为市推进重大区域发展战略2024年度工作要点"],
            "芜湖市部署。(市发改委牵头)",
        );
        assert_eq!(gz.division(j.division.unwrap()).name, "无为市");
        let j = detect_jurisdiction(
            gz,
            &[],
            "根据《昆明市人民政府关于印发…》,结合官渡区实际。(区政务服务局牵头,区发改局配合)",
        );
        assert_eq!(gz.qualified_name(j.division.unwrap()), "昆明市官渡区");
        let j = detect_jurisdiction(gz, &["鞍山市立山区人民政府文件"], "(区发改局牵头)\n(区工信局牵头)");
        assert_eq!(gz.qualified_name(j.division.unwrap()), "鞍山市立山区");
    }
}
