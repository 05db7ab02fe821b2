"""keys.csv (key,role,unit): every problem located by row and field, never echoing a key; lookups
in constant time over all keys; personal data masked for public views; open_store's choices."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerlist.cases.stores import open_store
from powerlist.catalog.loader import load_catalogs
from powerlist.errors import InputError
from powerlist.service.keys import KeyRing, Role
from powerlist.service.masking import mask_name, mask_phone, mask_text, round_coordinate

CATALOG = load_catalogs()
GOOD = "key,role,unit\nstreet-secret-0001,street,420202001\nadmin-secret-00001,admin,\n"


def test_a_good_file_loads_and_looks_up() -> None:
    ring = KeyRing.parse(GOOD, CATALOG)
    street = ring.lookup("street-secret-0001")
    assert street is not None and street.role is Role.STREET and street.unit == "420202001"
    assert street.unit_name == "黄石港街道办事处" and street.row == 2
    admin = ring.lookup("admin-secret-00001")
    assert admin is not None and admin.role is Role.ADMIN and admin.unit is None
    for unknown in (None, "", "street-secret-000", "street-secret-00011", "x" * 10_000):
        assert ring.lookup(unknown) is None
    assert ring.counts() == {"street": 1, "admin": 1}


def test_every_problem_is_located_and_no_key_is_echoed() -> None:
    text = ("key,role,unit\n"
            "secret-one-xxxxxx,mayor,\n"              # unknown role
            "secret-two-xxxxxx,street,\n"             # street without unit
            "secret-three-xxxx,street,999\n"          # unknown unit
            "secret-four-xxxxx,street,420202001001\n"  # a community, not a street
            "secret-five-xxxxx,resident,420202001\n"  # resident with a unit
            "secret-two-xxxxxx,admin,\n"              # duplicate key
            "only,two\n"                              # wrong column count
            "with space,admin,\n")                    # bad key
    with pytest.raises(InputError) as raised:
        KeyRing.parse(text, CATALOG, file="keys.csv")
    problems = raised.value.problems
    assert [(p.row, p.code) for p in problems] == [
        (2, "bad-role"), (3, "missing-unit"), (4, "unknown-unit"), (5, "wrong-unit-kind"), (6, "unit-not-allowed"),
        (7, "duplicate-key"), (8, "bad-row"), (9, "bad-key")]
    assert all(p.file == "keys.csv" for p in problems)
    shown = str(raised.value)
    assert "secret" not in shown and "with space" not in shown


def test_bad_header_and_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        KeyRing.parse("key;role;unit\n", CATALOG)
    assert raised.value.problems[0].code == "bad-header"
    path = tmp_path / "keys.csv"
    path.write_bytes(b"key,role,unit\n\xff\xfe,admin,\n")
    with pytest.raises(InputError) as raised:
        KeyRing.load(path, CATALOG)
    assert raised.value.problems[0].code == "bad-encoding" and raised.value.problems[0].row == 2
    with pytest.raises(InputError):
        KeyRing.load(tmp_path / "missing.csv", CATALOG)
    path.write_text("\ufeffKey,Role,Unit\r\nadmin-secret-00001,ADMIN,\r\n", encoding="utf-8")
    assert KeyRing.load(path, CATALOG).lookup("admin-secret-00001") is not None


def test_short_keys_load_with_a_warning_row() -> None:
    ring = KeyRing.parse("key,role,unit\nshort,admin,\nlong-enough-key-0001,admin,\n", CATALOG)
    assert ring.weak_rows == [2]


def test_masking_of_personal_data() -> None:
    text = mask_text("我叫张三，电话13812345678，住团城山路12号3栋2单元501室，邮箱 zs@example.com，"
                     "身份证42020219800101123X，王先生也反映过", names=["张三"])
    for secret in ("张三", "13812345678", "12号", "3栋", "501室", "zs@example.com", "42020219800101123X", "王先生"):
        assert secret not in text, secret
    assert "团城山路" in text and "138" in text
    assert mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""
    assert mask_phone("0714-6234567") == "*********67"
    assert mask_text("我是本小区居民") == "我是本小区居民"
    assert round_coordinate(30.123456) == 30.123 and round_coordinate(None) is None


@given(st.text(max_size=300))
def test_masking_never_raises_and_hides_mobile_numbers(text: str) -> None:
    masked = mask_text(text + " 13912345678 ")
    assert "13912345678" not in masked


def test_open_store_choices(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "cases.db"))
    store.close()
    with pytest.raises(InputError) as raised:
        open_store("postgresql://user:hunter2@127.0.0.1:1/cases")
    problem = raised.value.problems[0]
    assert problem.code == "store-unreachable" and "hunter2" not in str(raised.value)
    assert "PostgreSQL" in problem.message
    with pytest.raises(InputError):
        open_store(str(tmp_path / "no" / "such" / "dir" / "cases.db"))


def test_serve_refuses_bad_input_before_listening(tmp_path: Path) -> None:
    import subprocess
    import sys

    from service_support import server_env

    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "from powerlist.cli import main; main()", "serve", *args],
                              capture_output=True, text=True, env=server_env(), cwd=tmp_path, timeout=300)

    postgres = serve("--db", "postgresql://user:hunter2@127.0.0.1:1/cases")
    assert postgres.returncode == 1 and "PostgreSQL" in postgres.stderr and "hunter2" not in postgres.stderr
    bad = tmp_path / "keys.csv"
    bad.write_text("key,role,unit\nsecret-key-000000,mayor,\n", encoding="utf-8")
    keys = serve("--keys", str(bad))
    assert keys.returncode == 1 and "row 2" in keys.stderr and "secret-key" not in keys.stderr
    assert serve("--port", "0").returncode == 2
