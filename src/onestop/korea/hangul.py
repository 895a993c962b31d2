"""Korean particles (조사) chosen by the last syllable of the word they follow.

Korean writes 은/는, 이/가, 을/를, 과/와 and (으)로 differently after a syllable with a final
consonant (받침) and after one without: "상시근로자 수는", "설립일은", "2026-02-30은". Messages
that put a user's value or a field's name before a particle must choose it, or they read as
"설립일(는)" — machine text. The rule, from 표준국어대사전 and 한글 맞춤법:

- 은/이/을/과 after a final consonant, 는/가/를/와 after a vowel;
- 으로 after a final consonant other than ㄹ, 로 after a vowel or ㄹ.

A word that ends in a digit is read as the Sino-Korean number (0 영, 1 일, 3 삼, 6 육, 7 칠,
8 팔 end in a consonant; 1, 7 and 8 in ㄹ); one that ends in a Latin letter is read by the
letter's Korean name (L 엘, M 엠, N 엔, R 알 end in a consonant). Closing brackets, quotes and
punctuation are skipped, and a bracketed note is read past as 국립국어원 advises (the particle
agrees with the word before the brackets): "수출액(원)" chooses by "액".
"""

from __future__ import annotations

_PAIRS: dict[str, tuple[str, str]] = {
    "은": ("은", "는"), "는": ("은", "는"),
    "이": ("이", "가"), "가": ("이", "가"),
    "을": ("을", "를"), "를": ("을", "를"),
    "과": ("과", "와"), "와": ("과", "와"),
    "으로": ("으로", "로"), "로": ("으로", "로"),
}
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the 28 final-consonant slots (0 = none)
#: final consonant of each digit's Sino-Korean reading: None (vowel), "ㄹ" or "other"
_DIGITS = {"0": "other", "1": "ㄹ", "2": None, "3": "other", "4": None, "5": None, "6": "other",
           "7": "ㄹ", "8": "ㄹ", "9": None}
_LETTERS = {"l": "ㄹ", "m": "other", "n": "other", "r": "ㄹ"}
_SKIP = set(" )]}>'\"’”」』.,!?·…%")


def final_consonant(word: str) -> str | None:
    """``None`` when `word` ends in a vowel sound, ``"ㄹ"`` or ``"other"`` for a final consonant."""
    text = word.rstrip()
    while text and text[-1] in _SKIP:
        bracketed = text[-1] == ")" and "(" in text and text[: text.rindex("(")].strip()
        # "수출액(원)" → "수출액"; other closing marks are dropped one by one
        text = text[: text.rindex("(")].rstrip() if bracketed else text[:-1]
    if not text:
        return None
    last = text[-1]
    code = ord(last)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        jong = (code - _HANGUL_FIRST) % 28
        return None if jong == 0 else ("ㄹ" if jong == _RIEUL else "other")
    if last in _DIGITS:
        return _DIGITS[last]
    return _LETTERS.get(last.lower())


def particle(word: str, which: str) -> str:
    """The form of the particle `which` (either form of 은/는, 이/가, 을/를, 과/와, 으로/로)
    that follows `word`. Raises KeyError for another particle."""
    with_final, without = _PAIRS[which]
    final = final_consonant(word)
    if with_final == "으로":
        return "으로" if final == "other" else "로"
    return with_final if final else without


def josa(word: object, which: str) -> str:
    """`word` followed by the right particle: ``josa("상시근로자 수", "는")`` → "상시근로자 수는"."""
    text = str(word)
    return text + particle(text, which)
