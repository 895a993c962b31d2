"""Load the YAML catalog: every program type-checked, links resolved, errors naming the file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from onestop.catalog.model import Agency, Line, Program, ProgramSpec
from onestop.errors import CatalogError, FieldProblem
from onestop.korea._data import data_path
from onestop.rules.check import check_rule
from onestop.rules.explain import name_programs
from onestop.rules.facts import APPLICANT_KINDS
from onestop.rules.syntax import All, AnyOf, Leaf, Rule, parse_rule
from onestop.text import normalise_tree

#: The implicit criterion "who may apply" is shown as this shared rule.
APPLICANTS_RULE = "applicants"
_APPLICANT_LABELS: dict[tuple[str, ...], tuple[str, str]] = {
    ("firm",): ("신청 대상: 사업자등록을 한 기업 (예비창업자는 신청할 수 없음)",
                "Open to registered businesses (not to prospective founders)"),
    ("prospective_founder",): ("신청 대상: 예비창업자 (사업자등록 전)",
                               "Open to prospective founders (not yet registered)"),
}
#: Names of shared rules shown to users, for rules whose file has no `title`.
BUILTIN_TITLES = {APPLICANTS_RULE: ("신청 대상", "Who may apply")}


@dataclass
class Catalog:
    programs: dict[str, Program]
    agencies: dict[str, Agency]
    version: str
    shared_rules: dict[str, Any] = field(default_factory=dict)
    #: shared rule name → (Korean, English) title
    shared_titles: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # criteria and firm values that name a program show the program's name (rules.explain)
        name_programs({pid: (p.spec.name.ko, p.spec.name.en) for pid, p in self.programs.items()})

    def shared_title(self, name: str) -> tuple[str, str]:
        return self.shared_titles.get(name) or BUILTIN_TITLES.get(name) or (name, name)

    def __iter__(self) -> Iterator[Program]:
        return iter(self.programs.values())

    def __len__(self) -> int:
        return len(self.programs)

    def get(self, program_id: str) -> Program:
        try:
            return self.programs[program_id]
        except KeyError:
            raise CatalogError(
                code="program_unknown",
                field="program_id",
                ko=f"사업 {program_id!r}는 카탈로그에 없습니다.",
                en=f"Program {program_id!r} is not in the catalog.",
            ) from None


def _read_yaml(node: Traversable | Path, where: str) -> Any:
    try:
        return normalise_tree(yaml.safe_load(node.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise CatalogError(code="yaml", field=where, ko=f"{where}: YAML 형식 오류 ({exc})",
                           en=f"{where}: not valid YAML ({exc})") from None


def _folder(root: Traversable | Path, name: str) -> list[Traversable | Path]:
    node = root.joinpath(name)
    if not node.is_dir():
        return []
    return sorted((e for e in node.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)


def load_catalog(root: Traversable | Path | None = None) -> Catalog:
    """Load and check a catalog folder (the shipped one by default); collect every error."""
    root = root if root is not None else data_path("catalog")
    digest = sha256()
    problems: list[FieldProblem] = []
    agencies: dict[str, Agency] = {}
    agencies_file = root.joinpath("agencies.yaml")
    if agencies_file.is_file():
        for i, raw in enumerate(_read_yaml(agencies_file, "agencies.yaml") or []):
            try:
                a = Agency.model_validate(raw)
                agencies[a.id] = a
            except ValidationError as exc:
                problems.extend(_problems(f"agencies.yaml[{i}]", exc))
    shared: dict[str, Any] = {}
    titles: dict[str, tuple[str, str]] = {}
    for entry in _folder(root, "rules"):
        raw = _read_yaml(entry, f"rules/{entry.name}")
        digest.update(entry.read_bytes())
        name = entry.name.removesuffix(".yaml")
        if not isinstance(raw, dict):
            problems.append(FieldProblem(f"rules/{entry.name}", "shared_rule",
                                         "공유 규칙 파일은 규칙 하나(all/any/not/기준)여야 합니다.",
                                         "a shared rule file holds one rule (all/any/not/criterion)."))
            continue
        shared[name] = raw.get("rule", raw)
        title = raw.get("title") if "rule" in raw else None
        if isinstance(title, dict) and {"ko", "en"} <= set(title):
            titles[name] = (str(title["ko"]), str(title["en"]))
    programs: dict[str, Program] = {}
    for entry in _folder(root, "programs"):
        where = f"programs/{entry.name}"
        digest.update(entry.read_bytes())
        raw = _read_yaml(entry, where)
        try:
            program = program_from_raw(raw, where, shared, set(agencies) or None)
        except CatalogError as exc:
            problems.extend(exc.problems)
            continue
        if program.id != entry.name.removesuffix(".yaml"):
            problems.append(FieldProblem(f"{where}:id", "id_file",
                                         f"id {program.id!r}가 파일 이름과 다릅니다.",
                                         f"id {program.id!r} does not match the file name."))
        programs[program.id] = program
    problems.extend(link_problems(programs.values(), programs))
    if problems:
        raise _catalog_error(problems)
    return Catalog(programs, agencies, digest.hexdigest()[:12], shared, titles)


def program_from_raw(raw: Any, where: str, shared: dict[str, Any],
                     agencies: set[str] | None) -> Program:
    """Validate one program's data (from YAML or an officer's edit) and check its rule.

    Raises CatalogError listing every problem, each naming `where` and the field or rule.
    """
    try:
        spec = ProgramSpec.model_validate(raw)
    except ValidationError as exc:
        raise _catalog_error(_problems(where, exc)) from None
    problems: list[FieldProblem] = []
    if agencies is not None and spec.agency not in agencies:
        problems.append(FieldProblem(f"{where}:agency", "agency_unknown",
                                     f"기관 {spec.agency!r}가 등록된 기관이 아닙니다.",
                                     f"agency {spec.agency!r} is not a known agency."))
    base: Rule | None = None
    try:
        base = check_rule(parse_rule(spec.eligibility, source=where, shared=shared))
    except CatalogError as exc:
        problems.append(FieldProblem(exc.field or where, exc.code, exc.ko, exc.en))
    extras: list[Rule | None] = []
    for i, line in enumerate(spec.lines):
        if line.eligibility is None:
            extras.append(None)
            continue
        try:
            extras.append(check_rule(parse_rule(line.eligibility, source=where, path=f"lines[{i}].eligibility",
                                                shared=shared)))
        except CatalogError as exc:
            problems.append(FieldProblem(exc.field or where, exc.code, exc.ko, exc.en))
    if problems or base is None:
        raise _catalog_error(problems)
    return compose(spec, base, extras)


def applicants_leaf(applicants: list[str]) -> Leaf | None:
    """The implicit criterion on who may apply; None when every kind of applicant may."""
    kinds = tuple(k for k in APPLICANT_KINDS if k in applicants)
    if len(kinds) == len(APPLICANT_KINDS):
        return None
    ko, en = _APPLICANT_LABELS[kinds]
    return Leaf(fact="applicant_kind", op="in", value=kinds, id="applicants", label_ko=ko, label_en=en,
                path=f"rules/{APPLICANTS_RULE}.yaml:rule")


def compose(spec: ProgramSpec, base: Rule, extras: list[Rule | None]) -> Program:
    """The program's whole rule and each line's rule from the parts.

    A program whose every line adds criteria is open to a firm that fits at least one line; a line
    without criteria of its own is open to every firm the program admits."""
    guard = applicants_leaf(list(spec.applicants))
    core: Rule = base if guard is None else All((base, guard))
    line_rules: list[tuple[Line, Rule]] = []
    for line, extra in zip(spec.lines, extras, strict=True):
        line_rules.append((line, core if extra is None else All((base, extra) if guard is None
                                                               else (base, extra, guard))))
    rule = core
    own = [e for e in extras if e is not None]
    if spec.lines and len(own) == len(extras):
        whole = own[0] if len(own) == 1 else AnyOf(tuple(own))
        rule = All((base, whole) if guard is None else (base, whole, guard))
    return Program(spec, rule, tuple(line_rules), guard)


def link_problems(programs: Iterable[Program], known: Mapping[str, object]) -> list[FieldProblem]:
    out = []
    for p in programs:
        for kind in ("requires", "follows", "package_with", "excludes"):
            for target in getattr(p.spec.links, kind):
                if target not in known:
                    out.append(FieldProblem(
                        f"programs/{p.id}.yaml:links.{kind}", "link_unknown",
                        f"연계 사업 {target!r}가 카탈로그에 없습니다.",
                        f"linked program {target!r} is not in the catalog."))
    return out


def _catalog_error(problems: list[FieldProblem]) -> CatalogError:
    return CatalogError(code="catalog_invalid", ko=f"카탈로그에 {len(problems)}건의 오류가 있습니다.",
                        en=f"The catalog has {len(problems)} error(s).", problems=problems)


def _problems(where: str, exc: ValidationError) -> list[FieldProblem]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        out.append(FieldProblem(f"{where}:{loc}", err["type"],
                                f"{where}의 {loc}: {err['msg']}", f"{where}, {loc}: {err['msg']}"))
    return out


@lru_cache(maxsize=1)
def shipped_catalog() -> Catalog:
    return load_catalog()
