"""The menu tree and the SMS side speak the same category and kecamatan ids, so staff
can filter reports the same way whatever the channel."""

from gateway.sms.tagging import CATEGORIES, KECAMATAN, canonical_kecamatan
from menus import load_tree
from menus.types import MenuNode


def stored_values(store: str) -> set[str]:
    tree = load_tree()
    values: set[str] = set()
    for node in tree.nodes.values():
        if isinstance(node, MenuNode) and node.store == store:
            values |= {opt.value for opt in node.options}
    return values


def test_menu_categories_are_the_shared_category_ids():
    values = stored_values("category")
    assert values, "the report flow stores a category"
    assert values <= set(CATEGORIES)


def test_menu_kecamatan_are_the_official_spellings():
    values = stored_values("kecamatan")
    assert values == set(KECAMATAN)
    assert all(canonical_kecamatan(v) == v for v in values)


def test_menu_info_topics_are_the_sms_info_topics():
    topics = {v for v in stored_values("topic") if not v.isdigit()}
    assert topics == {"spmb", "ijazah", "mutasi", "pip", "bos", "kontak"}
