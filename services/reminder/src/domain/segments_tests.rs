use super::*;

fn seg(text: &str) -> (Encoding, usize, usize) {
    let c = count(text);
    (c.encoding, c.characters, c.segments)
}

#[test]
fn the_default_alphabet_has_127_characters_and_the_extension_ten() {
    assert_eq!(GSM7_BASIC.chars().count(), 127);
    assert_eq!(GSM7_EXTENSION.chars().count(), 10);
    assert!(!GSM7_BASIC.contains('\u{1b}'));
}

#[test]
fn gsm7_fits_160_in_one_and_153_per_part() {
    assert_eq!(seg(""), (Encoding::Gsm7, 0, 0));
    assert_eq!(seg(&"a".repeat(160)), (Encoding::Gsm7, 160, 1));
    assert_eq!(seg(&"a".repeat(161)), (Encoding::Gsm7, 161, 2));
    assert_eq!(seg(&"a".repeat(306)), (Encoding::Gsm7, 306, 2));
    assert_eq!(seg(&"a".repeat(307)), (Encoding::Gsm7, 307, 3));
    assert_eq!(seg("Hello @ £5, Ñandù? ¿Sì! Δ"), (Encoding::Gsm7, 25, 1));
    // ú and í look just as Latin but are not in the alphabet.
    assert_eq!(seg("Ñandú? ¿Sí!"), (Encoding::Ucs2, 11, 1));
}

#[test]
fn extension_characters_count_double() {
    assert_eq!(seg("€"), (Encoding::Gsm7, 2, 1));
    assert_eq!(seg("[x]{y}^~|\\"), (Encoding::Gsm7, 18, 1));
    assert_eq!(seg(&"€".repeat(80)), (Encoding::Gsm7, 160, 1));
    assert_eq!(seg(&"€".repeat(81)), (Encoding::Gsm7, 162, 2));
}

#[test]
fn an_escape_pair_is_never_split_across_parts() {
    // 306 septets would be two parts by division, but the € straddles the first boundary.
    let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
    assert_eq!(seg(&text), (Encoding::Gsm7, 306, 3));
    let text = format!("{}€{}", "a".repeat(151), "a".repeat(153));
    assert_eq!(seg(&text), (Encoding::Gsm7, 306, 2));
}

#[test]
fn chinese_forces_ucs2_with_70_single_and_67_per_part() {
    assert_eq!(seg(&"中".repeat(70)), (Encoding::Ucs2, 70, 1));
    assert_eq!(seg(&"中".repeat(71)), (Encoding::Ucs2, 71, 2));
    assert_eq!(seg(&"中".repeat(134)), (Encoding::Ucs2, 134, 2));
    assert_eq!(seg(&"中".repeat(135)), (Encoding::Ucs2, 135, 3));
    // One Chinese character turns a GSM-7 text into UCS-2 and doubles its cost.
    assert_eq!(
        seg(&format!("{}中", "a".repeat(100))),
        (Encoding::Ucs2, 101, 2)
    );
    // Characters outside GSM-7 though Latin-looking: ç (lower case) and curly quotes.
    assert_eq!(encoding_of("façade"), Encoding::Ucs2);
    assert_eq!(encoding_of("“quoted”"), Encoding::Ucs2);
}

#[test]
fn an_emoji_counts_two_code_units_and_is_not_split() {
    assert_eq!(seg("😀"), (Encoding::Ucs2, 2, 1));
    assert_eq!(seg(&"😀".repeat(35)), (Encoding::Ucs2, 70, 1));
    assert_eq!(seg(&"😀".repeat(36)), (Encoding::Ucs2, 72, 2));
    // 66 + pair: the pair cannot take the 67th unit, so it opens part two.
    let text = format!("{}😀{}", "中".repeat(66), "中".repeat(66));
    assert_eq!(seg(&text), (Encoding::Ucs2, 134, 3));
}

#[test]
fn segment_limits_are_1_to_10_with_5_by_default() {
    assert_eq!(SegmentLimit::default().get(), 5);
    assert!(SegmentLimit::new(0).is_err());
    assert!(SegmentLimit::new(11).is_err());
    assert_eq!(SegmentLimit::new(10).map(SegmentLimit::get), Ok(10));
}

fn limit(n: usize) -> SegmentLimit {
    SegmentLimit::new(n).unwrap()
}

#[test]
fn parts_that_fit_together_go_as_one_message_in_order() {
    let packed = pack_parts(&["一", "二", "三"], "\n", limit(1));
    assert_eq!(
        packed,
        vec![Packed {
            text: "一\n二\n三".into(),
            parts: vec![0, 1, 2]
        }]
    );
    assert!(pack_parts::<&str>(&[], "\n", limit(1)).is_empty());
}

#[test]
fn parts_are_kept_whole_when_the_limit_forces_a_new_message() {
    let a = "甲".repeat(40);
    let b = "乙".repeat(40);
    let c = "丙".repeat(20);
    // a+b is 81 units (two segments); b+c is 61 (one).
    let packed = pack_parts(&[&a, &b, &c], "\n", limit(1));
    assert_eq!(packed.len(), 2);
    assert_eq!(packed[0].text, a);
    assert_eq!(packed[0].parts, vec![0]);
    assert_eq!(packed[1].text, format!("{b}\n{c}"));
    assert_eq!(packed[1].parts, vec![1, 2]);
    for p in &packed {
        assert!(count(&p.text).segments <= 1);
    }
    // With two segments allowed all three fit.
    assert_eq!(pack_parts(&[&a, &b, &c], "\n", limit(2)).len(), 1);
}

#[test]
fn the_separator_counts_towards_the_limit() {
    let a = "a".repeat(80);
    let b = "b".repeat(79);
    assert_eq!(pack_parts(&[&a, &b], "", limit(1)).len(), 1);
    assert_eq!(pack_parts(&[&a, &b], " ", limit(1)).len(), 1);
    assert_eq!(pack_parts(&[&a, &b], "  ", limit(1)).len(), 2);
    // A Chinese separator turns the whole message into UCS-2.
    assert_eq!(pack_parts(&["a", "b"], "。", limit(1))[0].text, "a。b");
}

#[test]
fn only_a_part_too_long_alone_is_cut_and_preferably_after_punctuation() {
    let long = format!("{}，{}", "长".repeat(60), "文".repeat(60));
    let packed = pack_parts(&["前", long.as_str(), "后"], "\n", limit(1));
    let texts: Vec<&str> = packed.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "前",
            &format!("{}，", "长".repeat(60)),
            &format!("{}\n后", "文".repeat(60))
        ]
    );
    assert_eq!(packed[1].parts, vec![1]);
    assert_eq!(packed[2].parts, vec![1, 2]);
    // Without a natural break the cut fills the message exactly.
    let plain = "字".repeat(300);
    let packed = pack_parts(&[plain.as_str()], "", limit(2));
    let lens: Vec<usize> = packed.iter().map(|p| p.text.chars().count()).collect();
    assert_eq!(lens, vec![134, 134, 32]);
    assert_eq!(packed.concat_text(), plain);
}

trait ConcatText {
    fn concat_text(&self) -> String;
}

impl ConcatText for Vec<Packed> {
    fn concat_text(&self) -> String {
        self.iter().map(|p| p.text.as_str()).collect()
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn no_message_exceeds_the_limit_and_nothing_is_lost(
            parts in proptest::collection::vec("[a-z€中😀 ，]{0,200}", 0..8),
            n in 1usize..=4,
        ) {
            let packed = pack_parts(&parts, "|", limit(n));
            for p in &packed {
                prop_assert!(count(&p.text).segments <= n, "{:?}", p.text);
            }
            let seen: Vec<usize> = packed.iter().flat_map(|p| p.parts.clone()).collect();
            let mut unique = seen.clone();
            unique.dedup();
            prop_assert_eq!(unique, (0..parts.len()).collect::<Vec<_>>());
            // Rejoining gives back the parts: cuts only drop separators between parts.
            let mut rejoined = String::new();
            for (i, p) in packed.iter().enumerate() {
                let continues = i > 0 && packed[i - 1].parts.last() == p.parts.first();
                if i > 0 && !continues {
                    rejoined.push('|');
                }
                rejoined.push_str(&p.text);
            }
            prop_assert_eq!(rejoined, parts.join("|"));
        }
    }
}
