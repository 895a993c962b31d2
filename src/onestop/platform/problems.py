"""RFC 9457 problem details for every API error, with field messages in Korean and English;
the same errors on a page URL (anything outside `/api/`, the API docs, `/healthz` and static
files, and not an htmx request, whose script shows problem details in place) answer a KRDS
HTML error page with the same status, in the visitor's language, with a way back."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from onestop.errors import DomainError, FieldProblem
from onestop.firms.model import problems_from

PROBLEM = "application/problem+json"

#: HTTP status for each domain error code; anything else is 422 (the input cannot be processed).
STATUS = {
    "forbidden": 403,
    "not_found": 404,
    "login_failed": 401,
    "unauthenticated": 401,
    "login_throttled": 429,
    "conflict": 409,
    "stale_version": 409,
    "brn_taken": 409,
    "program_exists": 409,
    "csrf": 403,
    "email_unconfirmed": 403,
    "staff_account": 403,
    "already_member": 409,
    "database_not_migrated": 503,
    "file_missing": 500,
    "file_corrupt": 500,
}

_TITLES = {
    400: ("잘못된 요청입니다.", "Bad request."),
    401: ("로그인이 필요합니다.", "Authentication required."),
    403: ("권한이 없습니다.", "Forbidden."),
    404: ("찾을 수 없습니다.", "Not found."),
    405: ("허용되지 않는 요청 방식입니다.", "Method not allowed."),
    409: ("충돌이 발생했습니다.", "Conflict."),
    415: ("지원하지 않는 형식입니다.", "Unsupported media type."),
    422: ("입력값을 확인해 주세요.", "Please check the input."),
    429: ("요청이 너무 많습니다.", "Too many requests."),
    500: ("일시적인 오류입니다. 입력은 저장되지 않았으니 다시 시도해 주세요.",
          "A temporary error occurred; nothing was saved, please try again."),
    503: ("서비스를 사용할 수 없습니다.", "Service unavailable."),
}


def problem(status: int, code: str, ko: str, en: str, problems: list[FieldProblem] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    title_ko, title_en = _TITLES.get(status, (ko, en))
    body: dict[str, Any] = {
        "type": f"https://onestop.kr/problems/{code}",
        "title": title_en,
        "status": status,
        "detail": en,
        "code": code,
        "title_ko": title_ko,
        "detail_ko": ko,
        "errors": [p.as_dict() for p in problems or []],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


#: path prefixes that answer problem+json, not an HTML page
_MACHINE_PREFIXES = ("/api/", "/static/", "/openapi.json", "/docs", "/healthz", "/csp-report")


def wants_page(request: Request) -> bool:
    """Whether an error on this request should be an HTML page: a page path, not an htmx
    request (whose script turns problem details into a message in the request's target)."""
    path = request.url.path
    return not path.startswith(_MACHINE_PREFIXES) and path != "/api" and "hx-request" not in request.headers


def page_error(request: Request, status: int, ko: str, en: str, problems: list[FieldProblem] | None = None,
               headers: dict[str, str] | None = None) -> Response:
    """The KRDS error page (`error.html`) for a page path: title by status, the message and
    any field problems in the visitor's language, the header (signed in or not) with the
    language switch, and links back (the previous page on this site, home, search)."""
    from onestop.platform.templating import render
    from onestop.platform.web import Actor, language

    lang = language(request)
    actor = Actor(None, None, None, lang)
    try:  # the header shows who is signed in; a failing database must not turn a 404 into a 500
        from onestop.accounts import services as accounts
        from onestop.platform.web import SESSION_COOKIE

        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            with request.app.state.app.db.unit_of_work(read_only=True) as db:
                found = accounts.session_principal(db, cookie)
                if found is not None:
                    actor = Actor(found[0], found[1], "cookie", lang)
    except Exception:
        actor = Actor(None, None, None, lang)
    title_ko, title_en = _PAGE_TITLES.get(status, _TITLES.get(status, (ko, en)))
    back = back_link(request)
    response = render(request, actor, "error.html", status_code=status,
                      title=title_ko if lang == "ko" else title_en, message=ko if lang == "ko" else en,
                      problems=[(p.ko if lang == "ko" else p.en) for p in problems or [] if (p.ko or p.en)],
                      error_status=status, back=back)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def back_link(request: Request) -> str | None:
    """The page the visitor came from, as a path on this site (never another site's address,
    never the failing page itself), or None."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if not referer.startswith(origin + "/") or referer == str(request.url):
        return None
    return referer[len(origin):]


_PAGE_TITLES = {
    400: ("요청을 처리할 수 없습니다", "The request cannot be processed"),
    401: ("로그인이 필요합니다", "Please sign in"),
    403: ("이 페이지를 볼 권한이 없습니다", "You may not view this page"),
    404: ("페이지를 찾을 수 없습니다", "Page not found"),
    405: ("이 주소는 그 방식으로 열 수 없습니다", "This address cannot be opened that way"),
    409: ("다른 변경과 겹쳤습니다", "This clashed with another change"),
    413: ("보낸 내용이 너무 큽니다", "What was sent is too large"),
    422: ("주소나 입력값을 확인해 주세요", "Please check the address or the input"),
    429: ("요청이 너무 많습니다", "Too many requests"),
    500: ("일시적인 오류입니다", "A temporary error occurred"),
    503: ("서비스를 잠시 사용할 수 없습니다", "The service is briefly unavailable"),
}

_PAGE_MESSAGES = {
    404: ("주소가 잘못되었거나 페이지가 없어졌습니다. 주소를 확인하거나 아래에서 다시 찾아보세요.",
          "The address is wrong or the page no longer exists. Check the address or start again below."),
    405: ("이 주소는 링크나 주소창으로 열 수 없고 화면의 버튼으로만 보낼 수 있습니다. 이전 페이지에서 다시 해 주세요.",
          "This address is not opened by a link or the address bar; it is sent by a button on a page. "
          "Go back and try again there."),
}


def domain_response(err: DomainError) -> JSONResponse:
    status = STATUS.get(err.code, 422)
    problems = list(err.problems)
    if not problems and err.field:
        problems = [FieldProblem(err.field, err.code, err.ko, err.en)]
    headers = {"Retry-After": str(err.retry_after or 900)} if status == 429 else None
    return problem(status, err.code, err.ko, err.en, problems, headers)


def install(app: FastAPI) -> None:
    def answer(request: Request, status: int, code: str, ko: str, en: str,
               problems: list[FieldProblem] | None = None, headers: dict[str, str] | None = None) -> Response:
        if wants_page(request):
            return page_error(request, status, ko, en, problems, headers)
        return problem(status, code, ko, en, problems, headers)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if wants_page(request):
            status = STATUS.get(exc.code, 422)
            headers = {"Retry-After": str(exc.retry_after or 900)} if status == 429 else None
            return page_error(request, status, exc.ko, exc.en, list(exc.problems), headers)
        return domain_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = _request_problems(exc)
        return answer(request, 422, "invalid", f"입력값에 {len(problems)}건의 오류가 있습니다.",
                      f"The request has {len(problems)} error(s).", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        ko, en = _TITLES.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in _TITLES else en
        headers = getattr(exc, "headers", None)
        if wants_page(request):
            ko, en = _PAGE_MESSAGES.get(exc.status_code, (ko, detail))
            return page_error(request, exc.status_code, ko, en, headers=headers)
        return problem(exc.status_code, f"http_{exc.status_code}", ko, detail, headers=headers)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        return answer(request, 409, "stale_version", "다른 사람이 먼저 변경했습니다. 새로 고친 뒤 다시 시도하세요.",
                      "Someone else changed this first; reload and try again.")

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        # The models bound what they accept; this is the net under them. SQLSTATE class 22:
        # 22003 a number out of the column's range, otherwise e.g. a NUL character, which
        # PostgreSQL text cannot hold. The input is refused, nothing saved.
        if getattr(exc.orig, "sqlstate", None) == "22003":
            return answer(request, 422, "out_of_range", "입력한 숫자가 저장할 수 있는 범위를 벗어났습니다.",
                           "A number in the input is out of the range that can be stored.")
        return answer(request, 422, "invalid_characters", "입력값에 저장할 수 없는 문자(예: NUL)가 있습니다.",
                       "The input holds a character (such as NUL) the database cannot store.")

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        # Services turn the races they expect into named answers; one they did not expect (two
        # requests making the same thing at the same moment) is a conflict to retry, not a 500.
        return answer(request, 409, "conflict_retry", "같은 내용이 동시에 처리되었습니다. 새로 고친 뒤 다시 시도하세요.",
                       "The same change was being made at the same moment; reload and try again.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        ko, en = _TITLES[500]
        if wants_page(request):
            try:
                return page_error(request, 500, ko, en)
            except Exception:
                pass
        return problem(500, "internal", ko, en)


def _request_problems(exc: RequestValidationError) -> list[FieldProblem]:
    """Body/query errors, with profile-style messages for known fields."""
    out: list[FieldProblem] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        ctx = err.get("ctx") or {}
        if "ko" in ctx and "en" in ctx:
            out.append(FieldProblem(".".join(loc) or "body", err["type"], str(ctx["ko"]), str(ctx["en"])))
            continue
        out.append(_generic(".".join(loc) or "body", err))
    return out


def _generic(field: str, err: Any) -> FieldProblem:
    """Reuse the profile's bilingual messages for Pydantic's error types."""
    try:
        details: list[Any] = [{"type": err["type"], "loc": tuple(field.split(".")), "input": err.get("input"),
                               **({"ctx": err["ctx"]} if err.get("ctx") else {})}]
        exc = ValidationError.from_exception_data("request", details)
        converted = problems_from(exc)
        if converted:
            return converted[0]
    except Exception:
        pass
    # the problem names its field; the message does not repeat the key
    return FieldProblem(field, err["type"], "이 값이 올바르지 않습니다. 허용되는 형식을 확인해 주세요.",
                        f"This value is not valid: {err['msg']}.")
