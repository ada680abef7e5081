//! 申请人和当事人 — fictional persons and firms for the demo county's cases, with identity
//! numbers that pass GB 11643 and credit codes that pass GB 32100, and [`Dice`], the seeded
//! random source a loader built on the demo county draws its other choices from.
//!
//! The names are common surnames and given-name characters combined at random, and the firms'
//! trade names are invented, so no demo party is a real one; the numbers are well formed but
//! drawn at random, which is all a demo needs of them.

use chrono::{Datelike, NaiveDate};
use quanze_core::{CreditCode, IdNumber};

use crate::seeded::{Gen, org_code_check};

/// The seeded random source of a demo loader (a ChaCha stream: one seed and stream, one
/// sequence of draws).
pub struct Dice(Gen);

impl Dice {
    /// A source for `seed`; `stream` keeps it apart from the county's own generator.
    pub fn new(seed: u64, stream: u64) -> Dice {
        Dice(Gen::new(seed, stream))
    }

    /// A number in `lo..=hi` (`lo <= hi`).
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        self.0.range(lo, hi)
    }

    /// An index below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.chance(p)
    }

    /// One element of `items`, `None` when it is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len())) }
    }
}

/// 自然人 — a fictional person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// 姓名.
    pub name: String,
    /// 公民身份号码, valid under GB 11643.
    pub id_number: IdNumber,
}

/// 法人或其他组织 — a fictional firm or cooperative of the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firm {
    /// 名称.
    pub name: String,
    /// 统一社会信用代码, with its GB 32100 check character.
    pub credit_code: CreditCode,
}

const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];

const GIVEN: [&str; 40] = [
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "建", "国", "文", "红", "志", "海", "云",
    "春", "燕", "俊", "宇", "晨", "欣", "浩", "琳",
];

const TRADE_NAMES: [&str; 24] = [
    "禾丰", "润泽", "汇通", "恒益", "明远", "鑫源", "嘉禾", "瑞丰", "永信", "安泰", "宏达", "兴旺",
    "绿野", "清河", "金穗", "丰收", "长青", "盛达", "聚贤", "佳和", "德润", "晟泰", "新程", "益民",
];

const TRADES: [&str; 12] = [
    "商贸",
    "食品",
    "建材",
    "物流",
    "餐饮管理",
    "农业科技",
    "机械制造",
    "纺织",
    "建筑工程",
    "文化传媒",
    "医药连锁",
    "道路运输",
];

/// A person registered in the area of `region6` (the first six digits of the ID number),
/// born between 1950 and 2004.
pub fn person(dice: &mut Dice, region6: &str) -> Person {
    let surname = SURNAMES[dice.below(SURNAMES.len())];
    let given: String =
        (0..dice.range(1, 2)).map(|_| GIVEN[dice.below(GIVEN.len())]).collect::<Vec<_>>().concat();
    let born = NaiveDate::from_ymd_opt(1950, 1, 1).expect("a valid date")
        + chrono::Days::new(u64::from(dice.range(0, 55 * 365)));
    let sequence = dice.range(1, 999);
    let body =
        format!("{region6}{:04}{:02}{:02}{sequence:03}", born.year(), born.month(), born.day());
    let check = IdNumber::expected_check(&body).expect("17 digits");
    let id_number = IdNumber::parse(&format!("{body}{}", char::from(check)))
        .expect("a valid date of birth and its own check character");
    Person { name: format!("{surname}{given}"), id_number }
}

/// A firm registered in `region6` (the county's code and name prefix `county`): a company
/// (登记管理部门 9, 类别 1) or, for a fifth of them, a farmers' cooperative (9, 3).
pub fn firm(dice: &mut Dice, county: &str, region6: &str) -> Firm {
    let trade_name = TRADE_NAMES[dice.below(TRADE_NAMES.len())];
    let cooperative = dice.chance(0.2);
    let (kind, name) = if cooperative {
        ("93", format!("{county}{trade_name}种植农民专业合作社"))
    } else {
        let trade = TRADES[dice.below(TRADES.len())];
        ("91", format!("{county}{trade_name}{trade}有限公司"))
    };
    let org_body = format!("MA{:06}", dice.range(0, 999_999));
    let org_check = org_code_check(&org_body).expect("an 8-character body has a check");
    let body = format!("{kind}{region6}{org_body}{org_check}");
    let credit_code = CreditCode::with_check(&body).expect("digits and capitals of the alphabet");
    Firm { name, credit_code }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_and_firms_carry_valid_numbers_and_repeat_with_the_seed() {
        let draw = |seed| {
            let mut dice = Dice::new(seed, 9);
            let people: Vec<Person> = (0..200).map(|_| person(&mut dice, "341128")).collect();
            let firms: Vec<Firm> = (0..200).map(|_| firm(&mut dice, "清源县", "341128")).collect();
            (people, firms)
        };
        let (people, firms) = draw(7);
        for p in &people {
            // Parsing again checks the date of birth and the check character.
            assert_eq!(IdNumber::parse(p.id_number.as_str()).as_ref(), Ok(&p.id_number));
            assert!(p.id_number.as_str().starts_with("341128"));
            assert!((2..=3).contains(&p.name.chars().count()), "{}", p.name);
        }
        for f in &firms {
            assert!(f.credit_code.check_digit_ok(), "{}", f.credit_code);
            assert!(f.credit_code.org_code().is_some(), "{}", f.credit_code);
        }
        assert_eq!(draw(7), (people, firms), "one seed, one draw");
        assert_ne!(draw(8).0, draw(7).0);
    }
}
