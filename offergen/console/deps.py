"""Who is signed in, what they may do, and a form whose CSRF token was checked: the console's
dependencies. Role rules are the API's (`Principal.has`), so a page denies what the API denies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from offergen.api.principal import Principal, Role
from offergen.console import csrf
from offergen.console.errors import CsrfRejected, RoleDenied, SignInRequired
from offergen.console.forms import Form, read_form
from offergen.console.session import COOKIE, Session
from offergen.console.state import Console


def get_console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


ConsoleDep = Annotated[Console, Depends(get_console)]


@dataclass(frozen=True)
class User:
    """A signed-in caller: the Principal the API would see for the session's key."""

    principal: Principal
    session: Session
    csrf_token: str

    def may(self, *roles: Role) -> bool:
        return any(self.principal.has(r) for r in roles)


def signed_in(request: Request, console: ConsoleDep) -> User:
    session = console.sessions.load(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired()
    principal = console.principal(session)
    if principal is None:
        console.sessions.end(session)
        raise SignInRequired()
    return User(principal, session, csrf.token(console.secret, session.sid))


UserDep = Annotated[User, Depends(signed_in)]


def require_any(*roles: Role) -> Any:
    """A page for these roles (admin carries every role), as the API's `require_any`."""
    names = " or ".join(r.value for r in roles)

    def check(user: UserDep) -> User:
        if not user.may(*roles):
            raise RoleDenied(f"this key's role may not do this ({names} needed)")
        return user

    return Depends(check)


async def checked_form(request: Request, user: UserDep, console: ConsoleDep) -> Form:
    """The posted form, once its CSRF token matches the session's."""
    form = await read_form(request)
    if not csrf.valid(console.secret, user.session.sid, form.get(csrf.FIELD)):
        raise CsrfRejected()
    return form


FormDep = Annotated[Form, Depends(checked_form)]
RawFormDep = Annotated[Form, Depends(read_form)]  # unchecked: the sign-in form checks its own
Reviewer = Annotated[User, require_any(Role.reviewer)]
Marketer = Annotated[User, require_any(Role.marketing)]
AnyRole = Annotated[User, require_any(Role.marketing, Role.reviewer)]
