"""A database that fails after it was opened ends a command with one line, not a traceback."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy.exc import OperationalError

from ordertower.kernel import cli_support
from ordertower.kernel.cli_support import handle_errors
from ordertower.kernel.i18n import set_language


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language(None)


def test_server_gone_is_one_line(capsys, monkeypatch, english):
    monkeypatch.setattr(cli_support.state, "database_url", "postgresql+psycopg://ops:secret@127.0.0.1:5432/shop")

    @handle_errors
    def command() -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly\ndetail"))

    with pytest.raises(typer.Exit) as raised:
        command()

    stderr = capsys.readouterr().err
    assert raised.value.exit_code == 1
    assert stderr == (
        "Error: The database postgresql+psycopg://ops:***@127.0.0.1:5432/shop reported an error: "
        "server closed the connection unexpectedly. If its server stopped, start it and run the command again.\n"
    )
