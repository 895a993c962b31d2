"""Which passwords are refused, and hashing.

The policy follows NIST SP 800-63B §5.1.1.2 ("Memorized Secret Verifiers"): a minimum length,
no composition rules, and refusal of values that are known to be guessed first — passwords
from breach corpora, dictionary words, repetitive or sequential characters, and words from the
context (here the email address and the name). The lists and the estimator are zxcvbn's
(Dropbox's password strength estimator, MIT licence; the Python port `zxcvbn` on PyPI): its
"passwords" list holds the 30,000 most common passwords of the 10 million leaked passwords
published by Mark Burnett (xato.net), beside English words, names and keyboard patterns.
A password must not be one of those passwords, must not contain the email's local part, and
must reach zxcvbn score 3 ("safely unguessable: moderate protection from offline slow-hash
scenario", about 10^8 guesses or more).

Passwords are compared and hashed in NFKC (800-63B §5.1.1.2: normalise before hashing), so the
same password typed on another keyboard or system still matches.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from onestop.errors import FieldProblem

MIN_LENGTH = 10
MAX_LENGTH = 200
#: zxcvbn's score, 0–4; 3 is "safely unguessable"
MIN_SCORE = 3
#: zxcvbn's work grows with the length, and zxcvbn 4.5 refuses more than 72 characters
#: (ValueError): anything longer is judged on its first 72 (a password that long passes the
#: score on those alone unless it repeats a pattern)
_ESTIMATE_CHARS = 72

_hasher = PasswordHasher()


def normalized(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(normalized(password))


def verify(password_hash: str, password: str) -> bool:
    """True when `password` matches; an unparseable hash is a mismatch."""
    try:
        if _hasher.verify(password_hash, normalized(password)):
            return True
    except (VerificationError, InvalidHashError):
        pass
    if normalized(password) != password:  # hashed before passwords were normalised
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return False


def burn_time(password: str) -> None:
    """Spend what a verification costs (a sign-in for an unknown email takes as long)."""
    _hasher.hash(password)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def problems(password: str, *, email: str, name: str = "", field: str = "password") -> list[FieldProblem]:
    """What is wrong with a new password, each naming what is wanted (empty when it is fine).
    `email` and `name` are the account's: a password built from them is guessed first."""
    text = normalized(password)
    if len(text) < MIN_LENGTH:
        return [FieldProblem(field, "password_short", f"비밀번호는 {MIN_LENGTH}자 이상이어야 합니다(지금 {len(text)}자).",
                             f"The password must have at least {MIN_LENGTH} characters (it has {len(text)}).")]
    if len(text) > MAX_LENGTH:
        return [FieldProblem(field, "password_long", f"비밀번호는 {MAX_LENGTH}자 이하여야 합니다.",
                             f"The password may have at most {MAX_LENGTH} characters.")]
    folded = text.casefold()
    local = normalized(email).casefold().split("@", 1)[0]
    if len(local) >= 3 and local in folded:
        return [FieldProblem(field, "password_contains_email",
                             "비밀번호에 이메일 주소(@ 앞부분)를 넣을 수 없습니다. 다른 비밀번호를 정하세요.",
                             "The password may not contain your email address (the part before @); choose another.")]
    if folded in _common():
        return [FieldProblem(field, "password_common",
                             "유출된 비밀번호 목록에 있는 흔한 비밀번호입니다. 다른 사람이 짐작할 수 없는 비밀번호를 정하세요.",
                             "This is a common password found in lists of breached passwords; choose one others "
                             "cannot guess.")]
    from zxcvbn import zxcvbn

    context = [local, *normalized(email).casefold().split("@", 1)[1:], *normalized(name).casefold().split(),
               "onestop", "원스톱"]
    # zxcvbn 4.5 refuses (ValueError) anything over its max_length, 72 by default
    result = zxcvbn(text[:_ESTIMATE_CHARS], user_inputs=[c for c in context if c], max_length=_ESTIMATE_CHARS)
    if result["score"] < MIN_SCORE:
        return [FieldProblem(field, "password_weak",
                             "짐작하기 쉬운 비밀번호입니다(흔한 단어·이름·날짜·키보드 배열·반복의 조합). 단어 서너 개를 "
                             "이어 쓰는 식으로 더 길게 정하세요.",
                             "This password is easy to guess (common words, names, dates, keyboard patterns or "
                             "repeats). Make it longer, e.g. three or four unrelated words.")]
    return []
