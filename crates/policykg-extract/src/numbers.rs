//! Numbers as Chinese documents write them: Arabic (`3100`, `3.2`, `1,200`), Chinese numerals
//! (`十五`, `两`, `一百二十`, `三千`), mixed (`3.2万`) and percentages (`百分之十`).
//!
//! Values are returned as written; magnitude words (`万`, `亿`) stay with the unit, as the
//! facts format asks (`1万个` → value 1, unit `万个`).

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

#[cfg(test)]
mod tests {
    use super::*;

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
