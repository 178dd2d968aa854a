"""Draft zh-Hant templates from zh-Hans with OpenCC (s2twp); never overwrites existing files.

Run after adding zh-Hans templates, then read the drafts and fix HK/TW wording by hand:
    .venv/bin/python tools/derive_hant.py [--force FILE...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent / "templates"
# OpenCC's Taiwan phrases are closest to what both HK and TW agents read; a few words we keep.
KEEP = {
    "計畫書": "計劃書", "“": "「", "”": "」", "當前": "目前", "中國臺灣": "台灣",
    "中國香港": "香港", "zh-Hans: 簡體中文": "zh-Hans: 简体中文",
}


def convert(text: str, converter: opencc.OpenCC) -> str:
    result = converter.convert(text)
    for wrong, right in KEEP.items():
        result = result.replace(wrong, right)
    return result.replace("zh-Hans", "zh-Hant") if "include" in result else result


def main(force: list[str]) -> None:
    converter = opencc.OpenCC("s2twp")
    for source in sorted((ROOT / "zh-Hans").rglob("*")):
        if source.is_dir():
            continue
        target = ROOT / "zh-Hant" / source.relative_to(ROOT / "zh-Hans")
        if target.exists() and str(target.relative_to(ROOT)) not in force:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(convert(source.read_text(encoding="utf-8"), converter), encoding="utf-8")
        print("drafted", target.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[2:] if sys.argv[1:2] == ["--force"] else [])
