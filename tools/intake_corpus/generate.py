"""Draw the labelled complaint corpus from the phrase banks, deterministically (one seed).

Every complaint mixes a category's own words (core phrase, detail, request) with what any caller
says (opener, place, time, closer), in one of several shapes: a caller's long account, a short
工单 title, a grid worker's terse note, a voice transcript without punctuation. A quarter get a
typo. Places come from the gazetteer and the catalog's communities and streets, so a text also
carries addresses, house numbers, buildings and phone numbers, as real records do.

Split: a category's last `TEST_CORES` core phrases appear only in its test rows, so the held-out
test measures phrasings the model never saw in training.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tools.catalog_data.gazetteer import ESTATES, LANDMARKS, ROADS
from tools.intake_corpus import common
from tools.intake_corpus.banks_bj import BANKS as BJ
from tools.intake_corpus.banks_rx import BANKS as RX
from tools.intake_corpus.banks_rx2 import BANKS as RX2
from tools.intake_corpus.banks_sj import BANKS as SJ
from tools.intake_corpus.banks_zd import BANKS as ZD

BANKS = {**BJ, **SJ, **RX, **RX2, **ZD}
TEST_CORES = 3
TRAIN_PER_CATEGORY = 40
TEST_PER_CATEGORY = 12
SEED = 20261123
SOURCE = "示意（illustrative）：按居民口语、热线工单和网格巡查记录的写法生成，非真实诉求"


@dataclass(frozen=True)
class Complaint:
    id: str
    split: str  # train | test
    category: str
    group: str  # the core phrase it was drawn from: "BJ0101-c3"
    text: str


def _place(rng: random.Random, communities: list[tuple[str, str]]) -> str:
    kind = rng.random()
    if kind < 0.30:
        road, _, segments = rng.choice(ROADS)
        first, last, parity, _ = rng.choice(segments)
        number = rng.randint(first, last)
        if parity == "单号" and number % 2 == 0 or parity == "双号" and number % 2 == 1:
            number = min(last, number + 1)
        return rng.choice([f"{road}{number}号", f"{road}{number}号附近", f"{road}与{rng.choice(ROADS)[0]}交叉口",
                           f"{road}"])
    if kind < 0.55:
        return rng.choice(ESTATES)[0]
    if kind < 0.70:
        return rng.choice(LANDMARKS)[0]
    street, community = rng.choice(communities)
    if kind < 0.85:
        return community
    if kind < 0.93:
        return street + community
    return ""


def _phone(rng: random.Random) -> str:
    return rng.choice(["", "", "", "", f"联系电话1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
                       f"电话{rng.randint(13000000000, 19999999999)}", f"回电{rng.randint(6000000, 6999999)}"])


def _typo(rng: random.Random, text: str) -> str:
    present = [(right, wrong) for right, wrong in common.TYPOS if right in text]
    if not present:
        return text
    right, wrong = rng.choice(present)
    return text.replace(right, wrong, 1)


def _located(rng: random.Random, place: str) -> str:
    form = rng.choice(common.PLACE_FORMS)
    return form.format(place=place, building=rng.choice(common.BUILDINGS), unit=rng.choice(common.UNITS))


def compose(rng: random.Random, core: str, details: list[str], asks: list[str],
            communities: list[tuple[str, str]]) -> str:
    place = _place(rng, communities)
    time = rng.choice(common.TIMES)
    detail = rng.choice(details) if rng.random() < 0.7 else ""
    ask = rng.choice(asks) if rng.random() < 0.5 else ""
    shape = rng.random()
    if shape < 0.15 and place:  # a 工单 title
        text = rng.choice(common.TITLE_FORMS).format(place=place, core=core)
    elif shape < 0.30:  # a grid worker's or inspector's terse note
        parts = [f"{place}：" if place else "", core, f"，{detail}" if detail else "", "。"]
        text = "".join(parts)
    else:  # a caller's account
        where = _located(rng, place) if place else ""
        filler = rng.choice(common.FILLERS)
        pieces: list[str] = []
        if rng.random() < 0.5:
            pieces = [time, where, core + filler, detail, ask]
        else:
            pieces = [time, core + filler, f"地点在{where}" if where else "", detail, ask]
        sep = rng.choice(["，", "，", "，", " ", "。"])
        body = sep.join(p for p in pieces if p)
        text = rng.choice(common.OPENERS) + body + ("。" if sep != "。" else "") + rng.choice(common.CLOSERS)
        text += _phone(rng)
    if rng.random() < 0.1:  # a voice transcript: no punctuation at all
        text = "".join(ch for ch in text if ch not in "，。：！？（）")
    if rng.random() < 0.25:
        text = _typo(rng, text)
    return text


def generate(communities: list[tuple[str, str]], seed: int = SEED) -> list[Complaint]:
    """The corpus: for every category (sorted by code), its train rows then its test rows.
    `communities`: (street name, community name) pairs."""
    rng = random.Random(seed)
    out: list[Complaint] = []
    for code in sorted(BANKS):
        cores, details, asks = BANKS[code]
        train_cores, test_cores = cores[:-TEST_CORES], cores[-TEST_CORES:]
        for split, pool, count in (("train", train_cores, TRAIN_PER_CATEGORY), ("test", test_cores, TEST_PER_CATEGORY)):
            seen: set[str] = set()
            attempts = 0
            while len(seen) < count and attempts < count * 50:
                attempts += 1
                core = rng.choice(pool)
                text = compose(rng, core, details, asks, communities)
                if text in seen:
                    continue
                seen.add(text)
                out.append(Complaint(f"{code}-{split}-{len(seen):03d}", split, code, f"{code}-c{cores.index(core) + 1}",
                                     text))
    return out
