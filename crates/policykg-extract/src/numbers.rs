//! Numbers and dates as Chinese documents write them: Arabic (`3100`, `3.2`, `1,200`), Chinese
//! numerals (`十五`, `两`, `一百二十`, `三千`), mixed (`3.2万`), percentages (`百分之十`) and
//! dates (`2022年3月21日`, `二〇二一年一月二十五日`, `2022-12-02`).
//!
//! Values are returned as written; magnitude words (`万`, `亿`) stay with the unit, as the
//! facts format asks (`1万个` → value 1, unit `万个`).

use regex::Regex;
use std::sync::LazyLock;

/// Value of a Chinese numeral word (`十五` → 15, `两` → 2, `一百零八` → 108), if it is one.
pub fn parse_cn_int(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let digit = |c: char| -> Option<u64> {
        Some(match c {
            '零' | '〇' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let mut total: u64 = 0;
    let mut section: u64 = 0;
    let mut current: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            current = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            '亿' => 100_000_000,
            _ => return None,
        };
        if unit >= 10_000 {
            section += current.unwrap_or(0);
            total += section.max(1) * unit;
            section = 0;
        } else {
            section += current.unwrap_or(1) * unit;
        }
        current = None;
    }
    Some(total + section + current.unwrap_or(0))
}

/// Parses an Arabic or Chinese number (`3,100`, `6.2`, `十五`) into a value.
pub fn parse_value(s: &str) -> Option<f64> {
    let t: String = s.chars().filter(|c| *c != ',').collect();
    if let Ok(v) = t.parse::<f64>() {
        return Some(v);
    }
    if let Some(rest) = t.strip_prefix("百分之") {
        return parse_value(rest);
    }
    // Ten-thousands written out before the rest (`3万8000` in `3万8000亿元`): 38000.
    if let Some((wan, rest)) = t.split_once('万') {
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if digits(wan) && rest.len() == 4 && digits(rest) {
            return Some(wan.parse::<f64>().ok()? * 10_000.0 + rest.parse::<f64>().ok()?);
        }
    }
    parse_cn_int(&t).map(|v| v as f64)
}

// ---------------------------------------------------------------------------------------------
// Dates.

/// A date alone on its line; a page may lose the final `日` (`2021年2月22`).
static DATE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$").expect("valid regex"));
/// A year and month whose day was left blank (`签约时间:2015年3月日`): ISO `2015-03`.
static MONTH_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})[-/.年](\d{1,2})月?日?$").expect("valid regex"));
static DATE_CN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
        .expect("valid regex")
});
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?").expect("valid regex"));
/// True for a line that is only a date (`2022年3月21日`, `二〇二二年三月二十一日`).
pub fn is_date_line(s: &str) -> bool {
    let s = unwrap_parens(s.trim());
    DATE_LINE.is_match(s) || DATE_CN.is_match(s)
}

/// A date line in parentheses (`(2020年7月10日)`, under a bulletin's issuing office) without them.
fn unwrap_parens(s: &str) -> &str {
    s.strip_prefix(['(', '（'])
        .and_then(|t| t.strip_suffix([')', '）']))
        .map(str::trim)
        .unwrap_or(s)
}

/// ISO 8601 form of a date line or of a date inside a header value.
pub fn iso_date(s: &str) -> Option<String> {
    let s = unwrap_parens(s.trim());
    if let Some(c) = DATE_LINE.captures(s).or_else(|| ISO_DATE.captures(s)) {
        let y: u32 = c[1].parse().ok()?;
        let m: u32 = c[2].parse().ok()?;
        let d: u32 = c[3].parse().ok()?;
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    if let Some(c) = DATE_CN.captures(s) {
        let y: String = c[1]
            .chars()
            .map(|ch| char::from_digit(cn_digit(ch)?, 10))
            .collect::<Option<String>>()?;
        let m = parse_cn_int(&c[2])?;
        let d = parse_cn_int(&c[3])?;
        return Some(format!("{y}-{m:02}-{d:02}"));
    }
    if let Some(c) = MONTH_ONLY.captures(s) {
        let m: u32 = c[2].parse().ok()?;
        return (1..=12).contains(&m).then(|| format!("{}-{m:02}", &c[1]));
    }
    None
}

fn cn_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|x| x == c)
        .or_else(|| (c == '零').then_some(0))
        .map(|p| p as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_date("2022年3月21日").as_deref(), Some("2022-03-21"));
        assert_eq!(iso_date("2022-12-02 08:54:33").as_deref(), Some("2022-12-02"));
        assert_eq!(iso_date("二〇二一年一月二十五日").as_deref(), Some("2021-01-25"));
        assert!(is_date_line("2024年6月13日"));
        assert!(!is_date_line("2024年6月13日前完成"));
    }

    #[test]
    fn chinese_numerals() {
        for (s, v) in [
            ("十五", 15),
            ("两", 2),
            ("十", 10),
            ("二十一", 21),
            ("一百零八", 108),
            ("三千", 3000),
            ("一千二百", 1200),
            ("五万", 50_000),
            ("九", 9),
        ] {
            assert_eq!(parse_cn_int(s), Some(v), "{s}");
        }
        assert_eq!(parse_cn_int("个"), None);
    }

    #[test]
    fn values() {
        assert_eq!(parse_value("3,100"), Some(3100.0));
        assert_eq!(parse_value("6.2"), Some(6.2));
        assert_eq!(parse_value("百分之十"), Some(10.0));
        assert_eq!(parse_value("两"), Some(2.0));
        assert_eq!(parse_value("3万8000"), Some(38000.0));
        assert_eq!(parse_value("1万2000"), Some(12000.0));
        assert_eq!(parse_value("3万80"), None);
    }
}
